/// The script for the whole network: the crawl, its nodes on a ring sized and coloured by load, a histogram, the figures.
enum PageMapScript {
    /// The text of `map.js`, served as `/page/map.js`.
    static let text = #"""
    // map.js: the whole network: a crawl's nodes on a second ring, sized and coloured by load
    // (BEP 51 num), a histogram of load per node, the spread and the crawl's figures.
    import { api, h, s, clear, polar, fraction, anchor, short, num, millis, emit } from './core.js';

    /** The load class of `load` against the mean: 1 under half, 2 about it, 3 up to 2.5×, 4 beyond. */
    function loadClass(load, mean) {
      if (load == null) return 'ld0';
      const x = mean > 0 ? load / mean : 1;
      return x < 0.5 ? 'ld1' : x <= 1.5 ? 'ld2' : x <= 2.5 ? 'ld3' : 'ld4';
    }

    /** The "whole network" panel. */
    export class NetMap {
      constructor({ start, progress, status, svg, hist, figures, detail }) {
        Object.assign(this, { start, progress, status, svg, hist, figures, detail, state: null, lastEvent: 0, poll: null, nodes: [], selected: null });
        start.addEventListener('click', () => this.begin());
        svg.addEventListener('keydown', (e) => this.key(e));
      }
      /** Asks the node to crawl; 409 means one is already running, which is as good. */
      async begin() {
        this.start.disabled = true;
        this.say('Starting a crawl…');
        let r;
        try { r = await api('/api/v1/crawl', { method: 'POST' }); } catch { r = { status: 0, data: null }; }
        if (r.status === 202 || r.status === 200 || r.status === 409) {
          this.running(r.status === 409 ? { state: 'running' } : r.data || { state: 'running' });
          if (r.data?.state === 'done') this.fetchResult();
        } else {
          this.start.disabled = false;
          this.say(r.status === 404 ? 'This node cannot crawl yet (no /api/v1/crawl).' : `The crawl did not start: ${r.data?.error ?? 'no answer'}.`, 'error');
        }
      }
      /** A `crawl` event of the node's stream. */
      event(d) {
        this.lastEvent = performance.now();
        if (d.state === 'done') this.fetchResult();
        else this.running(d);
      }
      running(d) {
        if (this.state !== 'running') emit('log', { type: 'crawl', data: { state: 'started' } });
        this.state = 'running';
        this.start.disabled = true;
        this.progress.hidden = false;
        this.say(`Crawling: ${d.found ?? 0} nodes found, ${d.answered ?? 0} answered, ${d.queries ?? 0} queries, ${num(d.seconds ?? 0)} s.`);
        // Without crawl events (an older stream, or none open) ask every 3 s until it is done.
        if (!this.poll) {
          this.poll = setInterval(() => { if (performance.now() - this.lastEvent > 2500) this.fetchResult(); }, 3000);
        }
      }
      /** Reads GET /api/v1/crawl and draws it once the crawl is done. */
      async fetchResult() {
        let r;
        try { r = await api('/api/v1/crawl'); } catch { return; }
        if (!r.ok || !r.data) return;
        if (r.data.state === 'running') { this.running(r.data); return; }
        clearInterval(this.poll); this.poll = null;
        this.state = r.data.state;
        this.start.disabled = false;
        this.progress.hidden = true;
        if (r.data.state !== 'done') return;
        this.say(`The crawl found ${r.data.found ?? (r.data.nodes || []).length} nodes. Click one, or focus the map and use the arrow keys and Enter.`);
        this.render(r.data);
      }
      say(text, cls = '') {
        this.status.textContent = text;
        this.status.className = 'muted ' + cls;
      }
      render(c) {
        const load = c.load || {};
        const nodes = (c.nodes || []).slice().sort((a, b) => fraction(a.id) - fraction(b.id));
        const loads = nodes.map((n) => n.load).filter((x) => x != null);
        const max = load.max ?? Math.max(0, ...loads);
        const mean = load.mean ?? (loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : 0);
        this.nodes = nodes;
        this.drawRing(nodes, max, mean);
        this.drawHist(loads, max, mean);
        const f = clear(this.figures);
        const fig = (label, value, cls) => f.append(h('div', { class: 'fig' + (cls ? ' ' + cls : '') }, h('dt', { text: label }), h('dd', { text: value })));
        fig('found', c.found ?? nodes.length); fig('answered', c.answered ?? '—'); fig('failed', c.failed ?? '—');
        fig('queries', c.queries ?? '—'); fig('seconds', num(c.seconds, 1));
        fig('load, all', load.total ?? loads.reduce((a, b) => a + b, 0), 'load'); fig('mean', num(mean, 2), 'load'); fig('max', max, 'load');
        fig('spread', load.spread != null ? `${num(load.spread, 2)}×` : mean ? `${num(max / mean, 2)}×` : '—', 'load key');
        this.show(nodes.find((n) => n.self) || nodes[0]);
      }
      drawRing(nodes, max, mean) {
        const svg = this.svg;
        for (const c of [...svg.children]) if (c.tagName !== 'title') c.remove();
        const guides = s('g', { class: 'guides' }, s('circle', { cx: 200, cy: 200, r: 150, class: 'track' }));
        for (const [f, label] of [[0, '0'], [0.25, '4'], [0.5, '8'], [0.75, 'c']]) {
          const [x1, y1] = polar(f, 145), [x2, y2] = polar(f, 155), [tx, ty] = polar(f, 188);
          guides.append(s('line', { x1, y1, x2, y2, class: 'tick' }),
            s('text', { x: tx, y: ty, class: 'tick-label', 'text-anchor': 'middle', 'dominant-baseline': 'central', text: `${label}0…` }));
        }
        const dots = s('g', { class: 'map-nodes', role: 'list' });
        nodes.forEach((n, i) => {
          const [x, y] = polar(fraction(n.id), 150);
          const r = n.load == null ? 3.5 : 3 + 9 * Math.sqrt(max > 0 ? n.load / max : 0);
          const label = `${n.self ? 'this node, ' : ''}${n.address}: load ${n.load ?? 'unknown'}` + (n.rtt_ms != null ? `, round trip ${millis(n.rtt_ms)}` : '');
          const attrs = { cx: x.toFixed(2), cy: y.toFixed(2), r: r.toFixed(2), class: `mnode ${loadClass(n.load, mean)}${n.self ? ' self' : ''}`,
            'data-map-node-id': n.id, tabindex: i === 0 ? 0 : -1, role: 'button', 'aria-label': label };
          if (n.load != null) attrs['data-load'] = n.load;
          const dot = s('circle', attrs, s('title', { text: `${label}\n${n.id}` }));
          dot.addEventListener('click', () => this.show(n, dot));
          dots.append(dot);
        });
        const self = nodes.find((n) => n.self);
        if (self) {
          const [x, y] = polar(fraction(self.id), 150), [lx, ly] = polar(fraction(self.id), anchor(fraction(self.id)) === 'middle' ? 122 : 130);
          guides.append(s('circle', { cx: x, cy: y, r: 15, class: 'self-halo' }),
            s('text', { x: lx, y: ly, class: 'self-label', 'text-anchor': anchor(fraction(self.id)), 'dominant-baseline': 'central', text: 'this node' }));
        }
        const t = s('text', { x: 200, y: 194, class: 'map-count', 'text-anchor': 'middle', text: String(nodes.length) });
        const t2 = s('text', { x: 200, y: 216, class: 'map-sub', 'text-anchor': 'middle', text: 'nodes' });
        svg.append(guides, s('g', {}, t, t2), dots);
      }
      drawHist(loads, max, mean) {
        const svg = this.hist;
        for (const c of [...svg.children]) if (c.tagName !== 'title') c.remove();
        const W = 360, H = 150, top = 14, bottom = 124, left = 44, right = 352;
        const width = max <= 24 ? 1 : Math.ceil((max + 1) / 16);
        const bins = Math.floor(max / width) + 1;
        const counts = new Array(bins).fill(0);
        for (const l of loads) counts[Math.floor(l / width)]++;
        const most = Math.max(1, ...counts);
        const bw = (right - left) / bins;
        const g = s('g', {});
        g.append(s('line', { x1: left, y1: bottom, x2: right, y2: bottom, class: 'axis' }));
        counts.forEach((c, i) => {
          const lo = i * width, hi = lo + width - 1;
          const bh = (c / most) * (bottom - top);
          const range = width === 1 ? `load ${lo}` : `load ${lo}–${hi}`;
          g.append(s('rect', { x: (left + i * bw + 1).toFixed(1), y: (bottom - bh).toFixed(1), width: Math.max(1, bw - 2).toFixed(1), height: bh.toFixed(1),
            class: `bar ${loadClass(lo + (width - 1) / 2, mean)}` }, s('title', { text: `${range}: ${c} node${c === 1 ? '' : 's'}` })));
        });
        if (mean > 0) {
          const x = left + ((mean + 0.5) / width) * bw;
          g.append(s('line', { x1: x, y1: top - 6, x2: x, y2: bottom, class: 'mean' }),
            s('text', { x: x + 4, y: top, class: 'hist-label', text: `mean ${num(mean, 1)}` }));
        }
        g.append(s('text', { x: left, y: bottom + 16, class: 'hist-label', text: '0' }),
          s('text', { x: right, y: bottom + 16, class: 'hist-label', 'text-anchor': 'end', text: `load ${max}` }),
          s('text', { x: left - 6, y: top + 4, class: 'hist-label', 'text-anchor': 'end', text: most }),
          s('text', { x: left - 6, y: top + 16, class: 'hist-label', 'text-anchor': 'end', text: 'nodes' }),
          s('text', { x: (left + right) / 2, y: H - 2, class: 'hist-label', 'text-anchor': 'middle', text: 'values held per node (BEP 51 num)' }));
        svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
        svg.append(g);
      }
      /** Shows node `n` in the detail box and marks its dot. */
      show(n, dot) {
        if (!n) return;
        dot = dot || [...this.svg.querySelectorAll('.mnode')].find((d) => d.getAttribute('data-map-node-id') === n.id);
        for (const d of this.svg.querySelectorAll('.mnode.sel')) d.classList.remove('sel');
        if (dot) dot.classList.add('sel');
        const box = clear(this.detail);
        const row = (k, v, cls) => box.append(h('dt', { text: k }), h('dd', { class: cls || null, text: v }));
        row('id', n.id, 'mono');
        row('address', n.address + (n.self ? ' (this node)' : ''));
        row('load', n.load ?? 'did not answer');
        row('round trip', n.rtt_ms == null ? '—' : millis(n.rtt_ms));
      }
      /** Arrow keys move along the ring, Enter or Space shows the focused node. */
      key(e) {
        const dots = [...this.svg.querySelectorAll('.mnode')];
        const at = dots.indexOf(document.activeElement);
        if (at < 0) return;
        let next = null;
        if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = (at + 1) % dots.length;
        else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = (at - 1 + dots.length) % dots.length;
        else if (e.key === 'Home') next = 0;
        else if (e.key === 'End') next = dots.length - 1;
        else if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); dots[at].dispatchEvent(new MouseEvent('click')); return; }
        if (next == null) return;
        e.preventDefault();
        dots[at].setAttribute('tabindex', -1);
        dots[next].setAttribute('tabindex', 0);
        dots[next].focus();
      }
    }
    """#
}
