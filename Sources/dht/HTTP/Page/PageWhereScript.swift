/// The script for "where a key lives": the target on the ring, spokes to its K closest, holders, and the lookup's path.
enum PageWhereScript {
    /// The text of `where.js`, served as `/page/where.js`.
    static let text = #"""
    // where.js: where a key lives: its target on the ring, spokes to its K closest nodes
    // (holders filled), and the lookup's path round by round.
    import { api, keyPath, h, s, clear, polar, fraction, short, names } from './core.js';
    import { R } from './ring.js';

    /** The "where a key lives" panel and its drawing on the ring. */
    export class Where {
      constructor(ring, { input, button, status, list, path }) {
        Object.assign(this, { ring, input, status, list, pathBox: path, last: null });
        input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); this.lookup(input.value); } });
        button.addEventListener('click', () => this.lookup(input.value));
      }
      /** Asks the node where `key` lives and draws the answer. */
      async lookup(key) {
        if (!key) { this.status.textContent = 'Type a key first.'; return; }
        this.status.textContent = `Looking up “${key}”…`;
        this.status.classList.remove('error');
        let r;
        try { r = await api(keyPath('/api/v1/where/', key)); } catch { r = { ok: false, data: { error: 'the node could not be reached' } }; }
        if (!r.ok || !r.data) {
          this.status.textContent = `“${key}”: ${r.data?.error ?? 'the lookup failed'}.`;
          this.status.classList.add('error');
          clear(this.list); clear(this.pathBox); this.ring.overlay();
          this.last = null;
          return;
        }
        this.last = r.data;
        if (r.data.target) names.set(r.data.target, key);
        this.render(r.data);
      }
      /** Draws the last answer again (after the ring was redrawn). */
      redraw() { if (this.last) this.render(this.last); }
      render(d) {
        const nodes = Array.isArray(d.nodes) ? d.nodes : [];
        const holding = nodes.filter((n) => n.holds).length;
        this.status.textContent = '';
        this.status.append(`“${d.key}” hashes to `, h('code', { title: d.target, text: short(d.target) + '…' }),
          `: ${holding} of its ${nodes.length} closest nodes hold it.`);
        clear(this.list);
        nodes.forEach((n, i) => {
          const what = n.holds ? `seq ${n.seq}` : n.deleted ? `deleted (seq ${n.seq})` : 'holds nothing';
          this.list.append(h('li', { class: 'holder' + (n.holds ? ' yes' : ''), 'data-holder-id': n.id, 'data-holds': n.holds ? 'true' : 'false' },
            h('i', { class: 'mark', 'aria-hidden': 'true' }),
            h('span', { class: 'rank', text: `#${i + 1}` }),
            h('code', { class: 'nid', title: n.id, text: short(n.id) }),
            h('span', { class: 'addr', title: n.address ?? '' }, n.self ? h('span', { class: 'tag first', text: 'this node' }) : null, n.address ?? ''),
            h('span', { class: 'what', text: what })));
        });
        this.drawRing(d, nodes);
        this.drawPath(d.path);
      }
      drawRing(d, nodes) {
        const { under, over } = this.ring.overlay();
        if (!d.target) return;
        const [tx, ty] = polar(fraction(d.target), R);
        for (const n of nodes) {
          const [x, y] = polar(fraction(n.id), R);
          const cx = 200 + (tx + x - 400) * 0.22, cy = 200 + (ty + y - 400) * 0.22;
          under.append(s('path', { d: `M${tx.toFixed(1)} ${ty.toFixed(1)}Q${cx.toFixed(1)} ${cy.toFixed(1)} ${x.toFixed(1)} ${y.toFixed(1)}`, class: 'spoke' + (n.holds ? ' yes' : '') }));
        }
        for (const n of nodes) {
          const [x, y] = polar(fraction(n.id), R);
          const t = `${n.self ? 'this node' : n.address}\n${n.id}\n` + (n.holds ? `holds seq ${n.seq}` : n.deleted ? 'holds a tombstone' : 'holds nothing');
          under.append(s('circle', { cx: x, cy: y, r: 9, class: 'holder-mark' + (n.holds ? ' yes' : '') }, s('title', { text: t })));
        }
        const z = 8;
        over.append(s('path', { d: `M${tx} ${ty - z}L${tx + z} ${ty}L${tx} ${ty + z}L${tx - z} ${ty}Z`, class: 'target' },
          s('title', { text: `key “${d.key}”\ntarget ${d.target}` })));
        if (Array.isArray(d.path)) this.drawPathDots(under, d.path);
      }
      /** The nodes the lookup asked, one inner circle per round, nearer the centre each round. */
      drawPathDots(g, path) {
        const rounds = [...new Set(path.map((p) => p.round))].sort((a, b) => a - b);
        rounds.forEach((round, i) => {
          const r = Math.max(36, R - 22 - i * 18);
          g.append(s('circle', { cx: 200, cy: 200, r, class: 'round-guide' }));
          for (const p of path.filter((q) => q.round === round)) {
            const [x, y] = polar(fraction(p.id), r);
            g.append(s('circle', { cx: x, cy: y, r: 3, class: 'path-dot' + (p.answered ? ' ok' : ' no') },
              s('title', { text: `round ${round}: ${p.address}\n${p.id}\n${p.answered ? 'answered' : 'did not answer'}` })));
          }
        });
      }
      drawPath(path) {
        const box = clear(this.pathBox);
        if (!Array.isArray(path)) { box.append(h('p', { class: 'muted', text: 'This node does not report the lookup’s path.' })); return; }
        if (!path.length) { box.append(h('p', { class: 'muted', text: 'The lookup asked no other node.' })); return; }
        const rounds = [...new Set(path.map((p) => p.round))].sort((a, b) => a - b);
        const answered = path.filter((p) => p.answered).length;
        box.append(h('p', { class: 'muted', text: `${path.length} node${path.length === 1 ? '' : 's'} asked in ${rounds.length} round${rounds.length === 1 ? '' : 's'}; ${answered} answered.` }));
        const ol = h('ol', { class: 'rounds' });
        for (const round of rounds) {
          const asked = path.filter((p) => p.round === round);
          ol.append(h('li', {},
            h('span', { class: 'round-n', text: `round ${round}` }),
            h('span', { class: 'chips' }, asked.map((p) => h('code', {
              class: 'chip' + (p.answered ? ' ok' : ' no'),
              title: `${p.id}\n${p.address}\n${p.answered ? 'answered' : 'did not answer'}`,
              text: (p.answered ? '✓ ' : '✗ ') + short(p.id),
            })))));
        }
        box.append(ol);
      }
    }
    """#
}
