/// The script that draws the routing table as the XOR ring, contacts coloured by bucket, and the bucket bars.
enum PageRingScript {
    /// The text of `ring.js`, served as `/page/ring.js`.
    static let text = #"""
    // ring.js: the routing table drawn as the XOR ring it is, and its bucket bars.
    import { s, h, clear, fraction, polar, anchor, bucketOf, bucketClass, arcPath, short, millis } from './core.js';

    /** The contacts' radius; the buckets' arcs run outside it. */
    export const R = 150;
    const ARC_R = 169;
    const K = 8;
    const SUP = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

    /** The share of the id space bucket `i` covers: "1/2", "1/4", "1/8", then 2⁻ⁿ. */
    function share(i) {
      const n = 160 - i;
      if (n <= 3) return ['', '½', '¼', '⅛'][n];
      return '2⁻' + String(n).replace(/\d/g, (d) => SUP[d]);
    }

    /** The ring: guides, the buckets' arcs, one dot per contact, this node, and layers for overlays. */
    export class Ring {
      constructor(svg, list) {
        this.svg = svg;
        this.list = list;
        this.self = null;
        this.contacts = new Map();
        this.layers = {};
        for (const name of ['guides', 'arcs', 'under', 'contacts', 'self', 'over']) {
          svg.append(this.layers[name] = s('g', { class: 'layer-' + name }));
        }
        this.title = svg.querySelector('title');
        this.drawGuides();
      }
      drawGuides() {
        const g = this.layers.guides;
        g.append(s('circle', { cx: 200, cy: 200, r: R, class: 'track' }));
        for (const [f, label] of [[0, '0'], [0.25, '4'], [0.5, '8'], [0.75, 'c']]) {
          const [x1, y1] = polar(f, R - 5), [x2, y2] = polar(f, R + 5), [tx, ty] = polar(f, 188);
          g.append(s('line', { x1, y1, x2, y2, class: 'tick' }));
          g.append(s('text', { x: tx, y: ty, class: 'tick-label', 'text-anchor': 'middle', 'dominant-baseline': 'central', text: `${label}0…` }));
        }
      }
      /** Marks this node (its id in hex) on the ring. */
      setSelf(id) {
        if (this.self === id) return;
        this.self = id;
        const g = clear(this.layers.self);
        const f = fraction(id);
        const [x, y] = polar(f, R), [lx, ly] = polar(f, anchor(f) === 'middle' ? R - 25 : R - 17);
        g.append(s('circle', { cx: x, cy: y, r: 10, class: 'self-halo' }),
          s('circle', { cx: x, cy: y, r: 5.5, class: 'self-dot' }, s('title', { text: `this node\n${id}` })),
          s('text', { x: lx, y: ly, class: 'self-label', 'text-anchor': anchor(f), 'dominant-baseline': 'central', text: 'this node' }));
      }
      /** Where `id` sits on the contacts' circle, or at radius `r`. */
      point(id, r = R) { return polar(fraction(id), r); }
      /** Makes the dots match `peers` (GET /api/v1/peers): new ones come in, missing ones leave. */
      sync(peers, animate) {
        const seen = new Set();
        for (const p of peers) {
          seen.add(p.id);
          this.add(p.id, p.address, animate, p);
        }
        for (const id of [...this.contacts.keys()]) if (!seen.has(id)) this.drop(id, animate);
      }
      /** A contact entered the table: its dot pops in at its place. */
      add(id, address, animate = true, info = {}) {
        if (!this.self || !/^[0-9a-f]{40}$/i.test(id)) return;
        const b = info.bucket ?? bucketOf(this.self, id);
        const text = `${id}\n${address}\nbucket ${b}` + (info.rtt_ms != null ? `\nround trip ${millis(info.rtt_ms)}` : '');
        const known = this.contacts.get(id);
        if (known) { known.title.textContent = text; return; }
        const [x, y] = this.point(id);
        const title = s('title', { text });
        const g = s('g', { class: `contact ${bucketClass(b)}${animate ? ' enter' : ''}`, 'data-contact-id': id, transform: `translate(${x.toFixed(2)} ${y.toFixed(2)})` },
          animate ? s('circle', { r: 5, class: 'ripple' }) : null,
          s('circle', { r: 5, class: 'dot' }, title));
        this.contacts.set(id, { g, title });
        this.layers.contacts.append(g);
        if (animate) setTimeout(() => { g.classList.remove('enter'); g.querySelector('.ripple')?.remove(); }, 1300);
        this.retitle();
      }
      /** A contact left the table: its dot fades out (and stops counting at once). */
      drop(id, animate = true) {
        const c = this.contacts.get(id);
        if (!c) return;
        this.contacts.delete(id);
        c.g.removeAttribute('data-contact-id');
        if (animate) {
          c.g.classList.add('leave');
          setTimeout(() => c.g.remove(), 900);
        } else c.g.remove();
        this.retitle();
      }
      retitle() {
        if (this.title) this.title.textContent = `The routing table: ${this.contacts.size} contacts placed on the 160-bit XOR ring by id`;
      }
      /** Draws the buckets (status `buckets`): an arc for the part of the ring each covers, and a bar each. */
      setBuckets(buckets) {
        const sorted = [...buckets].sort((a, b) => b.index - a.index);
        this.drawArcs(sorted);
        const list = clear(this.list);
        for (const b of sorted) {
          const slots = h('span', { class: 'slots', 'aria-hidden': 'true' });
          for (let i = 0; i < K; i++) slots.append(h('i', { class: i < b.count ? `slot on ${bucketClass(b.index)}` : 'slot' }));
          const waiting = b.replacements ?? null;
          const label = `bucket ${b.index}, ${share(b.index)} of the ring: ${b.count} of ${K} places` +
            (waiting != null ? `, ${waiting} waiting to replace one` : '');
          list.append(h('li', { class: 'bucket', 'data-bucket': b.index, title: label, 'aria-label': label },
            h('span', { class: 'b-name' }, h('i', { class: `swatch ${bucketClass(b.index)}` }), String(b.index)),
            h('span', { class: 'b-share', text: share(b.index) }),
            slots,
            h('span', { class: 'b-count', text: `${b.count}/${K}` }),
            h('span', { class: 'b-repl' + (waiting ? ' some' : ''), text: waiting == null ? '' : waiting ? `+${waiting}` : '·' })));
        }
        if (!sorted.length) list.append(h('li', { class: 'empty', text: 'No contacts yet: this node knows no other.' }));
      }
      drawArcs(sorted) {
        const g = clear(this.layers.arcs);
        if (!this.self) return;
        const me = parseInt(this.self.slice(0, 13), 16) / 2 ** 52;
        for (const b of sorted) {
          const p = 159 - b.index;
          let start, width;
          if (p < 50) {
            width = 2 ** -(p + 1);
            const base = Math.floor(me * 2 ** p) / 2 ** p;
            start = base + (Math.floor(me * 2 ** (p + 1)) % 2 ? 0 : width);
          } else { start = me; width = 0; }
          const min = 0.006;
          if (width < min) { start = start + width / 2 - min / 2; width = min; }
          const end = Math.min(start + width, start + 0.9999);
          g.append(s('path', { d: arcPath(start, end, ARC_R), class: `arc ${bucketClass(b.index)}` },
            s('title', { text: `bucket ${b.index}: ${share(b.index)} of the ring, ${b.count} contacts` })));
        }
      }
      /** Clears the overlay layers and gives them to the caller (the key lookup draws there). */
      overlay() { return { under: clear(this.layers.under), over: clear(this.layers.over) }; }
      /** How many contacts are shown. */
      get size() { return this.contacts.size; }
      /** The label for `id` in lists: short hex. */
      static label(id) { return short(id); }
    }
    """#
}
