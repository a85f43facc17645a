/// The script for "watch a key": one watch stream, a row per version seen.
enum PageWatchScript {
    /// The text of `watch.js`, served as `/page/watch.js`.
    static let text = #"""
    // watch.js: follow one key; every new version put or deleted anywhere shows as it comes.
    import { EventStream, keyPath, h, clear, clock } from './core.js';

    const LIMIT = 100;

    /** The "watch a key" panel: one watch stream at a time. */
    export class Watch {
      constructor({ input, button, stop, status, list }) {
        Object.assign(this, { input, stopButton: stop, status, list, stream: null, key: null, seen: new Set() });
        input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); this.watch(input.value); } });
        button.addEventListener('click', () => this.watch(input.value));
        stop.addEventListener('click', () => this.stop());
      }
      /** Starts watching `key` (and stops watching the previous one). */
      watch(key) {
        if (!key) { this.say('Type a key first.'); return; }
        this.stop();
        this.key = key;
        this.seen = new Set();
        clear(this.list);
        this.list.append(h('li', { class: 'empty', text: 'Waiting for the current version…' }));
        this.stopButton.disabled = false;
        this.say(`Watching “${key}”: connecting…`);
        this.stream = new EventStream(keyPath('/api/v1/keys/', key, '/watch'), {
          onEvent: (type, d) => { if (type === 'version') this.version(d); },
          onState: (st) => this.say(st === 'open' ? `Watching “${key}”: new versions show as they are put anywhere.`
            : st === 'unauthorized' ? `Watching “${key}” needs the API token.` : `Watching “${key}”: reconnecting…`, st),
        });
        this.stream.start();
      }
      /** Stops the watch stream. */
      stop() {
        if (this.stream) this.stream.stop();
        this.stream = null;
        this.stopButton.disabled = true;
        if (this.key != null) this.say(`Stopped watching “${this.key}”.`);
      }
      /** Restarts the watch (after a new token). */
      restart() { if (this.stream) this.watch(this.key); }
      say(text, st = '') {
        this.status.textContent = text;
        this.status.dataset.state = st;
      }
      version(d) {
        if (d.found === false && !d.deleted) {
          const empty = this.list.querySelector('.empty');
          if (empty) empty.textContent = 'Nothing stored under this key yet: the first version put will show here.';
          return;
        }
        const mark = `${d.seq}/${d.deleted ? 'd' : 'v'}`;
        if (this.seen.has(mark)) return;
        this.seen.add(mark);
        this.list.querySelector('.empty')?.remove();
        const value = d.deleted ? '' : d.value ?? d.value_base64 ?? '';
        const li = h('li', { class: 'version' + (d.deleted ? ' deleted' : '') + (this.list.children.length ? ' fresh' : '') },
          h('span', { class: 'seq', text: `seq ${d.seq}` }),
          h('span', { class: 'value' + (d.value_base64 != null ? ' b64' : ''), 'data-watch-value': '', 'data-seq': d.seq, text: value }),
          d.deleted ? h('span', { class: 'tag', text: 'deleted' }) : null,
          d.value_base64 != null ? h('span', { class: 'tag', text: 'base64' }) : null,
          h('time', { text: clock() }));
        this.list.prepend(li);
        while (this.list.children.length > LIMIT) this.list.lastElementChild.remove();
      }
    }
    """#
}
