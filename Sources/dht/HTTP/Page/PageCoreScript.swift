/// The script every part shares: the token, API calls, safe DOM building, the event-stream reader, ring geometry, formats.
enum PageCoreScript {
    /// The text of `core.js`, served as `/page/core.js`.
    static let text = #"""
    // core.js: what every part of the page shares: the token, the API, safe DOM building,
    // the event-stream reader, the ring's geometry and the formats.
    const TOKEN_KEY = 'dht-token';
    const SVG_NS = 'http://www.w3.org/2000/svg';
    let token = null;

    /** The page's own bus: parts talk through it, never through each other. */
    export const bus = new EventTarget();
    /** Sends `type` with `detail` to every part listening. */
    export function emit(type, detail) { bus.dispatchEvent(new CustomEvent(type, { detail })); }
    /** Calls `fn(detail)` on every `type`. */
    export function on(type, fn) { bus.addEventListener(type, (e) => fn(e.detail)); }

    /** Reads the token from `#token=T` (then forgets the fragment) or from sessionStorage; true when the fragment had one. */
    export function initToken() {
      const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
      if (m) {
        try { setToken(decodeURIComponent(m[1])); } catch { setToken(m[1]); }
        history.replaceState(null, '', location.pathname + location.search);
        return true;
      }
      try { token = sessionStorage.getItem(TOKEN_KEY); } catch { token = null; }
      return false;
    }
    /** Keeps `t` as the token for this tab. */
    export function setToken(t) {
      token = t ? t.trim() : null;
      try { if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY); } catch { /* private mode */ }
    }
    /** The request headers, with the token when there is one. */
    export function headers(extra = {}) {
      const h = { ...extra };
      if (token) h.Authorization = 'Bearer ' + token;
      return h;
    }

    /** One API call: `{status, ok, data}`; rejects only when the node cannot be reached. */
    export async function api(path, { method = 'GET', body } = {}) {
      const res = await fetch(path, { method, body, cache: 'no-store', headers: headers({ Accept: 'application/json' }) });
      let data = null;
      try { data = await res.json(); } catch { data = null; }
      if (res.status === 401) emit('unauthorized');
      return { status: res.status, ok: res.ok, data };
    }
    /** `path` with `key` as one percent-encoded segment. */
    export const keyPath = (prefix, key, suffix = '') => prefix + encodeURIComponent(key) + suffix;

    /** An HTML element; `props` become attributes (never HTML), children text nodes or nodes. */
    export function h(tag, props, ...kids) { return build(document.createElement(tag), props, kids); }
    /** An SVG element, built as `h` builds HTML ones. */
    export function s(tag, props, ...kids) { return build(document.createElementNS(SVG_NS, tag), props, kids); }
    function build(el, props, kids) {
      for (const [k, v] of Object.entries(props || {})) {
        if (v == null || v === false) continue;
        if (k === 'text') el.textContent = String(v);
        else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? '' : String(v));
      }
      for (const kid of kids.flat()) {
        if (kid == null || kid === false) continue;
        el.append(typeof kid === 'object' ? kid : document.createTextNode(String(kid)));
      }
      return el;
    }
    /** Removes every child of `el`. */
    export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }
    /** Calls `fn` once, `ms` after the last of a burst of calls. */
    export function debounce(fn, ms) {
      let t = null;
      return (...a) => { clearTimeout(t); t = setTimeout(() => { t = null; fn(...a); }, ms); };
    }
    /** Calls `fn` at most once an animation frame, however often it is asked. */
    export function perFrame(fn) {
      let asked = false;
      return () => { if (asked) return; asked = true; requestAnimationFrame(() => { asked = false; fn(); }); };
    }

    /** Where an id sits on the ring: its first 8 hex digits as a fraction of 2^32 (so of 2^160). */
    export const fraction = (hex) => parseInt(hex.slice(0, 8), 16) / 4294967296;
    /** The point at `frac` of the way round (clockwise from the top) at radius `r` of a 400×400 box. */
    export function polar(frac, r) {
      const a = frac * 2 * Math.PI - Math.PI / 2;
      return [200 + r * Math.cos(a), 200 + r * Math.sin(a)];
    }
    /** How a label at `frac` of the way round should hang: away from the ring, into the middle. */
    export function anchor(frac) {
      const x = Math.sin(frac * 2 * Math.PI);
      return x > 0.35 ? 'end' : x < -0.35 ? 'start' : 'middle';
    }
    /** The bucket `id` falls in, seen from `self`: the index of the highest bit of their XOR. */
    export function bucketOf(self, id) {
      for (let i = 0; i < 40 && i < self.length; i++) {
        const x = parseInt(self[i], 16) ^ parseInt(id[i], 16);
        if (x) return 159 - (i * 4 + Math.clz32(x) - 28);
      }
      return -1;
    }
    /** The colour class of bucket `b`: seven Okabe–Ito colours, neighbours always differ. */
    export const bucketClass = (b) => 'bc' + ((((159 - b) % 7) + 7) % 7);
    /** An SVG arc path from fraction `a` to `b` of the way round at radius `r`. */
    export function arcPath(a, b, r) {
      const [x1, y1] = polar(a, r), [x2, y2] = polar(b, r);
      const large = b - a > 0.5 ? 1 : 0;
      return `M${x1.toFixed(2)} ${y1.toFixed(2)}A${r} ${r} 0 ${large} 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
    }

    /** The first 8 hex digits, for labels; the whole id goes in titles. */
    export const short = (hex) => (hex || '').slice(0, 8);
    /** "3 d 4 h", "4 h 12 m", "12 m 5 s", "5 s". */
    export function duration(sec) {
      if (sec == null || !isFinite(sec)) return '—';
      sec = Math.max(0, Math.floor(sec));
      const d = Math.floor(sec / 86400), hr = Math.floor(sec / 3600) % 24, m = Math.floor(sec / 60) % 60, x = sec % 60;
      if (d) return `${d} d ${hr} h`;
      if (hr) return `${hr} h ${m} m`;
      if (m) return `${m} m ${x} s`;
      return `${x} s`;
    }
    /** "850 B", "1.2 kB". */
    export const bytes = (n) => (n == null ? '—' : n < 1000 ? `${n} B` : `${(n / 1000).toFixed(1)} kB`);
    /** "0.8 ms", "34 ms", "1.20 s". */
    export function millis(ms) {
      if (ms == null) return '—';
      if (ms < 10) return `${ms.toFixed(1)} ms`;
      if (ms < 1000) return `${Math.round(ms)} ms`;
      return `${(ms / 1000).toFixed(2)} s`;
    }
    /** A number with at most `d` decimals. */
    export const num = (x, d = 1) => (x == null ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(d));
    /** "12:03:04", the local time now. */
    export const clock = () => new Date().toLocaleTimeString([], { hour12: false });

    /**
     * An event stream read with fetch() (so it can carry the token), reconnecting with backoff.
     * `onEvent(type, data, id)`; `onState('open' | 'closed' | 'unauthorized')`.
     */
    export class EventStream {
      constructor(path, { onEvent, onState = () => {}, resume = false }) {
        Object.assign(this, { path, onEvent, onState, resume, lastId: null, attempt: 0, stopped: true });
      }
      /** Opens the stream (again). */
      start() { this.stop(); this.stopped = false; this.connect(); }
      /** Closes it for good, until the next start(). */
      stop() {
        this.stopped = true;
        clearTimeout(this.retryTimer); clearTimeout(this.stallTimer);
        if (this.ctrl) this.ctrl.abort();
        this.ctrl = null;
      }
      async connect() {
        const ctrl = this.ctrl = new AbortController();
        const extra = { Accept: 'text/event-stream' };
        if (this.resume && this.lastId != null) extra['Last-Event-ID'] = String(this.lastId);
        let res;
        try {
          res = await fetch(this.path, { headers: headers(extra), signal: ctrl.signal, cache: 'no-store' });
        } catch {
          return this.retry(ctrl);
        }
        if (ctrl !== this.ctrl || ctrl.signal.aborted) { try { await res.body?.cancel(); } catch { /* gone */ } return; }
        if (res.status === 401) { this.stopped = true; this.onState('unauthorized'); emit('unauthorized'); return; }
        if (!res.ok || !res.body) { try { await res.body?.cancel(); } catch { /* gone */ } return this.retry(ctrl); }
        this.attempt = 0;
        this.onState('open');
        try { await this.read(res.body, ctrl); } catch { /* aborted or cut: retried below */ }
        this.retry(ctrl);
      }
      async read(body, ctrl) {
        const reader = body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '', type = '', data = [], id = null;
        this.armStall(ctrl);
        for (;;) {
          const { value, done } = await reader.read();
          if (done || ctrl.signal.aborted) return;
          this.armStall(ctrl);
          buf += value;
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            let line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (line.endsWith('\r')) line = line.slice(0, -1);
            if (line === '') {
              if (id != null) this.lastId = id;
              if (data.length) this.dispatch(type || 'message', data.join('\n'), id);
              type = ''; data = []; id = null;
              continue;
            }
            if (line[0] === ':') continue;
            const c = line.indexOf(':');
            const field = c < 0 ? line : line.slice(0, c);
            let val = c < 0 ? '' : line.slice(c + 1);
            if (val[0] === ' ') val = val.slice(1);
            if (field === 'event') type = val;
            else if (field === 'data') data.push(val);
            else if (field === 'id') id = val;
          }
        }
      }
      dispatch(type, text, id) {
        let data;
        try { data = JSON.parse(text); } catch { return; }
        this.onEvent(type, data, id);
      }
      /** A stream silent for 45 s (heartbeats come every 15) is dead: cut it and reconnect. */
      armStall(ctrl) {
        clearTimeout(this.stallTimer);
        this.stallTimer = setTimeout(() => ctrl.abort(), 45000);
      }
      retry(ctrl) {
        if (this.stopped || ctrl !== this.ctrl) return;
        clearTimeout(this.stallTimer);
        ctrl.abort();
        this.onState('closed');
        const wait = Math.min(30000, 1000 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
        this.retryTimer = setTimeout(() => { if (!this.stopped) this.connect(); }, wait);
      }
    }

    /** Keys by target, learned from the store, lookups and events, to name targets in the log. */
    export const names = new Map();
    """#
}
