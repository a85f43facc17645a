/// The script that starts the page: the snapshot, the node's event stream, the node's figures, the badge and the token.
enum PageAppScript {
    /// The text of `app.js`, served as `/page/app.js`.
    static let text = #"""
    // app.js: the page's start: the snapshot, the event stream, the node's figures, the token.
    import { initToken, setToken, api, on, EventStream, s, clear, duration, num, debounce } from './core.js';
    import { Ring } from './ring.js';
    import { Where } from './where.js';
    import { Holdings, ActivityLog } from './holds.js';
    import { Watch } from './watch.js';
    import { NetMap } from './map.js';

    const $ = (id) => document.getElementById(id);
    initToken();

    const ring = new Ring($('ring'), $('buckets'));
    const where = new Where(ring, { input: $('where-key'), button: $('where-go'), status: $('where-status'), list: $('where-nodes'), path: $('where-path') });
    const holdings = new Holdings({ body: $('keys-body'), count: $('keys-count') });
    const log = new ActivityLog($('log'));
    const watch = new Watch({ input: $('watch-key'), button: $('watch-go'), stop: $('watch-stop'), status: $('watch-status'), list: $('watch-list') });
    const map = new NetMap({ start: $('crawl-start'), progress: $('crawl-progress'), status: $('crawl-status'), svg: $('map'), hist: $('hist'), figures: $('crawl-figures'), detail: $('map-detail') });

    /** Whether the page reads the last crawl (GET /api/v1/crawl) when it opens, so a reload keeps the map. */
    const READ_LAST_CRAWL = true;
    const node = { uptime: null, uptimeAt: 0, prev: null, rates: [], opened: 0, authorized: true };
    const SPARK = 60;

    /** Reads GET /api/v1/status into the node's figures, the ring's centre and the bucket bars. */
    async function loadStatus() {
      const r = await api('/api/v1/status');
      if (!r.ok || !r.data) return false;
      const d = r.data;
      $('node-id').textContent = d.id;
      $('node-address').textContent = d.address;
      ring.setSelf(d.id);
      if (d.uptime_s != null) { node.uptime = d.uptime_s; node.uptimeAt = performance.now(); }
      $('node-contacts').textContent = d.total_nodes;
      $('node-keys').textContent = d.stored_keys;
      $('node-targets').textContent = d.held_targets != null ? `${d.held_targets} targets with items and torrents` : `${d.tombstones ?? 0} deleted`;
      const nb = (d.buckets || []).length;
      $('ring-count').textContent = `${d.total_nodes} contact${d.total_nodes === 1 ? '' : 's'} in ${nb} bucket${nb === 1 ? '' : 's'}`;
      ring.setBuckets(d.buckets || []);
      tick();
      return true;
    }
    /** Reads GET /api/v1/peers onto the ring. */
    async function loadPeers(animate) {
      const r = await api('/api/v1/peers');
      if (r.ok && r.data) ring.sync(r.data.peers || [], animate);
    }
    /** The whole picture again: after the start, a reconnect, or missed events. */
    async function snapshot(animate = false) {
      try {
        if (!(await loadStatus())) return;
        await loadPeers(animate);
        where.redraw();
        holdings.refresh();
        if (READ_LAST_CRAWL && !node.crawlAsked) { node.crawlAsked = true; map.fetchResult(); }
      } catch { /* unreachable: the badge says so */ }
    }
    const refreshTable = debounce(async () => { try { if (await loadStatus()) await loadPeers(true); } catch { /* later */ } }, 1000);
    const refreshKeys = debounce(() => holdings.refresh(), 500);

    /** The uptime, counted on from the status's figure. */
    function tick() {
      const up = $('node-uptime');
      if (node.uptime == null) { up.textContent = '—'; up.title = 'this node does not report its uptime'; return; }
      up.textContent = duration(node.uptime + (performance.now() - node.uptimeAt) / 1000);
    }

    /** A `stats` event: contacts, keys, and messages a second from the counters' deltas. */
    function stats(d) {
      const now = performance.now();
      const p = node.prev;
      node.prev = { at: now, inn: d.messages_in, out: d.messages_out };
      $('node-contacts').textContent = d.nodes;
      $('node-keys').textContent = d.keys;
      tick();
      if (!p) return;
      const dt = (now - p.at) / 1000;
      const rin = (d.messages_in - p.inn) / dt, rout = (d.messages_out - p.out) / dt;
      if (!(dt > 0.2) || rin < 0 || rout < 0) return;
      $('node-rate').textContent = num(rin + rout, 1);
      $('node-rate-split').textContent = `${num(rin, 1)} in · ${num(rout, 1)} out`;
      node.rates.push(rin + rout);
      if (node.rates.length > SPARK) node.rates.shift();
      spark();
    }
    function spark() {
      const svg = $('node-spark');
      const max = Math.max(1, ...node.rates);
      const pts = node.rates.map((v, i) => `${(120 - (node.rates.length - 1 - i) * 2).toFixed(1)},${(26 - (v / max) * 22).toFixed(1)}`);
      clear(svg).append(s('line', { x1: 0, y1: 26, x2: 120, y2: 26, class: 'spark-base' }), s('polyline', { points: pts.join(' '), class: 'spark' }),
        s('title', { text: `messages a second over the last ${node.rates.length} s (peak ${num(max, 1)})` }));
    }

    /** The badge: `live` while the event stream is up. */
    function badge(st) {
      const b = $('status-badge');
      b.dataset.state = st;
      b.textContent = st === 'open' ? 'live' : st === 'unauthorized' ? 'token needed' : 'reconnecting…';
    }

    const events = new EventStream('/api/v1/events', {
      resume: true,
      onEvent(type, d) {
        switch (type) {
          case 'stats': stats(d); break;
          case 'contact_added': ring.add(d.id, d.address, true); log.event(type, d); refreshTable(); break;
          case 'contact_dropped': ring.drop(d.id, true); log.event(type, d); refreshTable(); break;
          case 'value_stored': case 'value_deleted': case 'value_expired': log.event(type, d); refreshKeys(); break;
          case 'lookup': log.event(type, d); break;
          case 'crawl': map.event(d); if (d.state === 'done') log.event(type, d); break;
          case 'lost': log.event(type, d); snapshot(); break;
          default: break;
        }
      },
      onState(st) {
        badge(st);
        if (st === 'open' && node.opened++ > 0) snapshot(true);
        if (st === 'closed') node.prev = null;
      },
    });

    on('log', ({ type, data }) => log.event(type, data));
    on('unauthorized', () => {
      if (!node.authorized) return;
      node.authorized = false;
      events.stop();
      badge('unauthorized');
      $('token-box').hidden = false;
      $('token-input').focus();
    });
    /** Starts again with the token just given (in the field, or in a new `#token=` fragment). */
    function useToken() {
      if ($('token-input').value) setToken($('token-input').value);
      $('token-input').value = '';
      $('token-box').hidden = true;
      node.authorized = true;
      node.opened = 0;
      events.start();
      snapshot();
      watch.restart();
    }
    window.addEventListener('hashchange', () => { if (initToken()) useToken(); });
    $('token-box').addEventListener('submit', (e) => { e.preventDefault(); useToken(); });

    log.event('stream', { text: 'page opened: following this node’s events' });
    snapshot();
    events.start();
    setInterval(tick, 5000);
    setInterval(() => { if (node.authorized) snapshot(); }, 30000);
    """#
}
