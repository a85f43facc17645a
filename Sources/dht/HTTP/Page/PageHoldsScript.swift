/// The script for what the node holds (its keys and time left) and the live activity log.
enum PageHoldsScript {
    /// The text of `holds.js`, served as `/page/holds.js`.
    static let text = #"""
    // holds.js: what this node holds (GET /api/v1/keys) and the live activity log.
    import { api, h, clear, short, duration, bytes, millis, clock, names, perFrame } from './core.js';

    /** The table of values and items held here, with their time left counting down. */
    export class Holdings {
      constructor({ body, count }) {
        Object.assign(this, { body, count, rows: [], fetchedAt: 0, busy: false, again: false });
      }
      /** Fetches the list again; calls during a fetch make one more afterwards. */
      async refresh() {
        if (this.busy) { this.again = true; return; }
        this.busy = true;
        try {
          const r = await api('/api/v1/keys');
          if (r.ok && r.data) {
            this.fetchedAt = performance.now();
            this.rows = [
              ...(r.data.keys || []).map((k) => ({ ...k, kind: 'value' })),
              ...(r.data.items || []).map((k) => ({ ...k, key: null, kind: k.mutable ? 'mutable item' : 'item' })),
            ];
            for (const k of this.rows) if (k.key != null && k.target) names.set(k.target, k.key);
            this.rows.sort((a, b) => (a.key ?? '\uffff' + a.target).localeCompare(b.key ?? '\uffff' + b.target));
            this.hidden = r.data.deleted_hidden || 0;
            this.render();
          }
        } catch { /* the badge tells */ }
        this.busy = false;
        if (this.again) { this.again = false; this.refresh(); }
      }
      /** Draws the rows; the time left is counted from when they were fetched. */
      render() {
        const gone = (performance.now() - this.fetchedAt) / 1000;
        const body = clear(this.body);
        const live = this.rows.filter((k) => !k.deleted);
        this.count.textContent = `${live.length} held` + (this.hidden ? `, ${this.hidden} deleted` : '');
        if (!this.rows.length) {
          body.append(h('tr', { class: 'empty' }, h('td', { colspan: 4, text: 'Nothing held yet. Values put anywhere land on the nodes closest to their key.' })));
          return;
        }
        for (const k of this.rows) {
          const name = k.key != null
            ? h('span', { class: 'key', title: k.key, text: k.key })
            : h('span', { class: 'key unnamed', title: k.target }, `${k.kind} `, h('code', { text: short(k.target) + '…' }));
          const left = k.expires_in_s == null ? null : k.expires_in_s - gone;
          body.append(h('tr', { class: k.deleted ? 'deleted' : '' },
            h('td', {}, name, k.deleted ? h('span', { class: 'tag', text: 'deleted' }) : null),
            h('td', { class: 'n', text: k.seq ?? '—' }),
            h('td', { class: 'n', text: bytes(k.size) }),
            h('td', { class: 'n', text: left == null ? '—' : duration(left) })));
        }
      }
    }

    const LIMIT = 200;
    const KIND = {
      contact_added: ['joined', 'contact'], contact_dropped: ['left', 'contact'],
      value_stored: ['stored', 'value'], value_deleted: ['deleted', 'delete'], value_expired: ['expired', 'expire'],
      lookup: ['lookup', 'lookup'], crawl: ['crawl', 'crawl'], lost: ['missed', 'warn'], stream: ['stream', 'warn'],
    };

    /** The live activity log: newest first, the last 200 rows, drawn once a frame. */
    export class ActivityLog {
      constructor(list) {
        this.list = list;
        this.queue = [];
        this.flush = perFrame(() => this.draw());
      }
      /** Logs one event of the node's stream (`stats` and unknown types are not logged). */
      event(type, d) {
        const kind = KIND[type];
        if (!kind) return;
        const text = describe(type, d);
        if (text == null) return;
        this.queue.push({ at: clock(), label: kind[0], cls: kind[1], text, title: d && (d.target || d.id) });
        if (this.queue.length > LIMIT) this.queue.splice(0, this.queue.length - LIMIT);
        this.flush();
      }
      draw() {
        const frag = document.createDocumentFragment();
        for (const e of this.queue.reverse()) {
          frag.append(h('li', { class: 'ev ' + e.cls },
            h('time', { text: e.at }), h('span', { class: 'ev-tag', text: e.label }),
            h('span', { class: 'ev-text', title: e.title || null, text: e.text })));
        }
        this.queue = [];
        this.list.querySelector('.empty')?.remove();
        this.list.prepend(frag);
        while (this.list.children.length > LIMIT) this.list.lastElementChild.remove();
      }
    }

    /** A key named by its target: “hello”, or the target's first digits. */
    function keyName(target, key) {
      if (key != null) return `“${key}”`;
      const known = target && names.get(target);
      return known != null ? `“${known}”` : `${short(target)}…`;
    }
    function describe(type, d) {
      switch (type) {
        case 'contact_added': return `${short(d.id)}… at ${d.address}`;
        case 'contact_dropped': return `${short(d.id)}… at ${d.address}`;
        case 'value_stored':
          if (d.key != null && d.target) names.set(d.target, d.key);
          return `${keyName(d.target, d.key)} seq ${d.seq}, ${bytes(d.bytes)}`;
        case 'value_deleted': return `${keyName(d.target, d.key)} seq ${d.seq}`;
        case 'value_expired': return `${keyName(d.target)} no longer held`;
        case 'lookup': {
          const outcome = d.outcome === 'found' ? 'found' : d.outcome === 'not_found' ? 'not found' : 'done';
          return `${d.op} ${keyName(d.target)} ${outcome} in ${millis(d.duration_ms)}, ${d.queries} queries, ${d.hops} hops`;
        }
        case 'crawl':
          if (d.state === 'started') return 'a crawl of the whole network started';
          return d.state === 'done'
            ? `done: ${d.found} nodes found, ${d.answered} answered, ${d.queries} queries in ${Number(d.seconds).toFixed(1)} s`
            : null;
        case 'lost': return `missed events after #${d.after}; the page read the node again`;
        case 'stream': return d.text;
        default: return null;
      }
    }
    """#
}
