/// The page's stylesheet: Okabe–Ito colours, light and dark, three columns on a laptop and one on a phone.
enum PageStyle {
    /// The text of `style.css`, served as `/page/style.css`.
    static let text = #"""
    /* style.css: the live page. Okabe–Ito colours; light and dark; one column on phones. */
    :root {
      color-scheme: light dark;
      --bg: #f3f4f6; --card: #ffffff; --fg: #1d232b; --muted: #5d6773; --line: #e0e4e9; --soft: #eef1f4;
      --accent: #0072b2; --ok: #007a5c; --bad: #b9470b; --focus: #0072b2; --shadow: 0 1px 2px rgb(16 24 40 / 6%);
      --c0: #0072b2; --c1: #e69f00; --c2: #009e73; --c3: #cc79a7; --c4: #56b4e9; --c5: #d55e00; --c6: #d9c700;
      --l0: #9aa3ad; --l1: #56b4e9; --l2: #009e73; --l3: #e69f00; --l4: #d55e00;
      --mono: ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace;
      --radius: 12px;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #0d1117; --card: #161b22; --fg: #e6edf3; --muted: #9ba6b2; --line: #2b323b; --soft: #1e242c;
        --accent: #56b4e9; --ok: #3cc79c; --bad: #ff9a5c; --focus: #7cc6f0; --shadow: none;
        --c0: #56b4e9; --c4: #3f8fd0; --c6: #f0e442; --l0: #6b7580;
      }
    }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body {
      margin: 0; background: var(--bg); color: var(--fg);
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
    }
    code, .mono { font-family: var(--mono); font-size: 0.92em; }
    h1, h2, h3 { margin: 0; font-weight: 650; letter-spacing: -0.01em; }
    h2 { font-size: 15px; }
    h3.sub { font-size: 12.5px; margin: 14px 0 6px; color: var(--fg); }
    .muted { color: var(--muted); }
    small { display: block; color: var(--muted); font-size: 11.5px; font-weight: 400; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    [hidden] { display: none !important; }

    /* Controls: big enough to hit, always a visible focus. */
    button, input { font: inherit; color: inherit; }
    input[type="text"], input[type="password"] {
      min-width: 0; flex: 1; padding: 7px 10px; border: 1px solid var(--line); border-radius: 8px; background: var(--bg);
    }
    button {
      padding: 7px 14px; border: 1px solid var(--accent); border-radius: 8px; background: var(--accent); color: #fff;
      font-weight: 600; cursor: pointer; white-space: nowrap;
    }
    button.quiet { background: transparent; color: var(--fg); border-color: var(--line); }
    button:disabled { opacity: 0.5; cursor: default; }
    @media (prefers-color-scheme: dark) { button:not(.quiet) { color: #07121c; } }
    :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
    input:focus-visible { outline-offset: 0; }

    /* The header. */
    .top {
      display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap;
      max-width: 1320px; margin: 0 auto; padding: 14px 16px 4px;
    }
    .brand { display: flex; align-items: center; gap: 10px; }
    .brand h1 { font-size: 19px; line-height: 1.1; }
    .brand p { margin: 0; color: var(--muted); font-size: 12px; }
    .top-right { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
    .token { display: flex; align-items: center; gap: 6px; }
    .token label { font-size: 12px; color: var(--muted); }
    .badge {
      display: inline-flex; align-items: center; gap: 7px; padding: 4px 11px 4px 9px; border-radius: 999px;
      border: 1px solid var(--line); background: var(--card); font-weight: 600; font-size: 12.5px; color: var(--muted);
    }
    .badge::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--l0); }
    .badge[data-state="open"] { color: var(--ok); border-color: color-mix(in srgb, var(--ok) 40%, var(--line)); }
    .badge[data-state="open"]::before { background: var(--ok); box-shadow: 0 0 0 3px color-mix(in srgb, var(--ok) 22%, transparent); }
    .badge[data-state="closed"], .badge[data-state="unauthorized"] { color: var(--bad); }
    .badge[data-state="closed"]::before, .badge[data-state="unauthorized"]::before { background: var(--bad); }

    /* The grid: three columns on a laptop, two on a tablet, one on a phone (cards then in reading order). */
    .grid {
      max-width: 1320px; margin: 0 auto; padding: 10px 16px 20px; display: grid; gap: 14px;
      grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr) minmax(0, 0.9fr);
      grid-template-areas: "node node node" "a b log" "map map map";
      align-items: start;
    }
    .col { display: flex; flex-direction: column; gap: 14px; min-width: 0; }
    .node-card { grid-area: node; } .col-a { grid-area: a; } .col-b { grid-area: b; } .map-card { grid-area: map; }
    .log-card { grid-area: log; align-self: stretch; display: flex; flex-direction: column; min-height: 0; }
    @media (max-width: 1120px) {
      .grid { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); grid-template-areas: "node node" "a b" "a log" "map map"; }
    }
    @media (max-width: 760px) {
      .grid { grid-template-columns: minmax(0, 1fr); grid-template-areas: none; padding: 8px 10px 16px; gap: 10px; }
      .col { display: contents; }
      .grid > *, .col > * { grid-area: auto; }
      .node-card { order: 1; } .ring-card { order: 2; } .where-card { order: 3; } .watch-card { order: 4; }
      .keys-card { order: 5; } .log-card { order: 6; } .map-card { order: 7; }
      .top { padding: 10px 10px 2px; }
    }
    .card {
      background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 14px 16px; box-shadow: var(--shadow);
      min-width: 0;
    }
    .card > h2, .card-head { margin-bottom: 10px; }
    .card-head { display: flex; align-items: baseline; justify-content: space-between; gap: 10px; flex-wrap: wrap; }
    .card-head .muted { font-size: 12px; }

    /* This node: a strip of figures. */
    .node-card { padding: 12px 16px; }
    .facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; align-items: flex-start; justify-content: space-between; }
    .fact dt { font-size: 11px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); font-weight: 600; }
    .fact dd { margin: 2px 0 0; font-size: 17px; font-weight: 650; font-variant-numeric: tabular-nums; }
    .fact.id { flex: 0 1 auto; min-width: 0; }
    .fact.id dd { font-size: 14px; font-weight: 500; word-break: break-all; }
    .fact.id code { font-size: 14px; }
    .fact.rate { display: grid; grid-template-columns: auto 120px; column-gap: 10px; align-items: end; }
    .fact.rate dt { grid-column: 1 / 3; }
    .sparkline { width: 120px; height: 28px; overflow: visible; }
    .spark-base { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
    .spark { fill: none; stroke: var(--accent); stroke-width: 1.5; vector-effect: non-scaling-stroke; stroke-linejoin: round; }

    /* The rings (routing table and network map). */
    .ring { display: block; width: 100%; max-width: 440px; margin: 0 auto; height: auto; overflow: visible; }
    .track { fill: none; stroke: var(--line); stroke-width: 1.5; }
    .tick { stroke: var(--muted); stroke-width: 1; }
    .tick-label { fill: var(--muted); font: 10.5px var(--mono); }
    .arc { fill: none; stroke-width: 7; stroke-linecap: butt; opacity: 0.85; }
    .self-halo { fill: color-mix(in srgb, var(--fg) 8%, transparent); stroke: var(--fg); stroke-width: 1.5; stroke-dasharray: 2 2; }
    .self-dot { fill: var(--fg); stroke: var(--card); stroke-width: 2; }
    .self-label { fill: var(--fg); font-size: 11px; font-weight: 650; paint-order: stroke; stroke: var(--card); stroke-width: 3px; }
    .contact .dot { stroke: var(--card); stroke-width: 1.5; }
    .bc0 { --c: var(--c0); } .bc1 { --c: var(--c1); } .bc2 { --c: var(--c2); } .bc3 { --c: var(--c3); }
    .bc4 { --c: var(--c4); } .bc5 { --c: var(--c5); } .bc6 { --c: var(--c6); }
    .contact .dot, .contact .ripple { fill: var(--c); }
    .arc { stroke: var(--c); }
    .contact .ripple { fill: none; stroke: var(--c); stroke-width: 2; opacity: 0; }
    .contact .dot, .contact .ripple, .contact { transform-box: fill-box; transform-origin: center; }
    .contact.enter .dot { animation: pop 0.6s cubic-bezier(0.2, 1.6, 0.4, 1); }
    .contact.enter .ripple { animation: ripple 1.2s ease-out; }
    .contact.leave .dot { animation: leave 0.85s ease-in forwards; }
    @keyframes pop { from { transform: scale(0); } to { transform: scale(1); } }
    @keyframes ripple { from { transform: scale(1); opacity: 0.9; } to { transform: scale(4.5); opacity: 0; } }
    @keyframes leave { 0% { transform: scale(1.6); opacity: 1; fill: var(--bad); } 100% { transform: scale(0); opacity: 0; fill: var(--bad); } }
    @media (prefers-reduced-motion: reduce) {
      .contact.enter .dot, .contact.enter .ripple, .contact.leave .dot, .version.fresh, .progress span { animation: none; }
      .contact.leave { opacity: 0; }
    }
    .spoke { fill: none; stroke: var(--muted); stroke-width: 1; stroke-dasharray: 3 3; opacity: 0.8; }
    .spoke.yes { stroke: var(--fg); stroke-dasharray: none; opacity: 0.55; stroke-width: 1.25; }
    .holder-mark { fill: var(--card); stroke: var(--fg); stroke-width: 1.5; }
    .holder-mark.yes { fill: var(--fg); stroke: var(--fg); }
    .target { fill: var(--c1); stroke: var(--fg); stroke-width: 1.5; }
    .round-guide { fill: none; stroke: var(--line); stroke-width: 1; stroke-dasharray: 1 3; }
    .path-dot.ok { fill: var(--muted); }
    .path-dot.no { fill: var(--card); stroke: var(--bad); stroke-width: 1.5; }
    .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; margin: 4px 0 0; padding: 0; font-size: 12px; color: var(--muted); justify-content: center; }
    .legend li { display: inline-flex; align-items: center; gap: 5px; }
    .lg { display: inline-block; width: 10px; height: 10px; border-radius: 50%; }
    .lg.self { background: var(--fg); box-shadow: 0 0 0 2px var(--card), 0 0 0 3px var(--fg); }
    .lg.contact { background: conic-gradient(var(--c0) 0 33%, var(--c1) 0 66%, var(--c2) 0); }
    .lg.target { background: var(--c1); border-radius: 1px; transform: rotate(45deg) scale(0.85); outline: 1.5px solid var(--fg); }
    .lg.holds { background: var(--fg); }
    .lg.nohold { border: 2px solid var(--fg); }
    .lg.ld0 { border: 1.5px dashed var(--l0); } .lg.ld1 { background: var(--l1); } .lg.ld2 { background: var(--l2); }
    .lg.ld3 { background: var(--l3); } .lg.ld4 { background: var(--l4); }

    /* Bucket bars. */
    .buckets { list-style: none; margin: 0; padding: 0; display: grid; gap: 3px; font-size: 12px; font-variant-numeric: tabular-nums; }
    .bucket { display: grid; grid-template-columns: 52px 38px minmax(0, 1fr) 32px 26px; align-items: center; gap: 8px; }
    .b-name { display: inline-flex; align-items: center; gap: 6px; font-family: var(--mono); }
    .swatch { width: 9px; height: 9px; border-radius: 50%; background: var(--c); }
    .b-share { color: var(--muted); font-size: 11px; }
    .slots { display: grid; grid-template-columns: repeat(8, 1fr); gap: 2px; }
    .slot { height: 9px; border-radius: 2px; background: var(--soft); border: 1px solid var(--line); }
    .slot.on { background: var(--c); border-color: transparent; }
    .b-count { text-align: right; }
    .b-repl { color: var(--muted); text-align: left; }
    .b-repl.some { color: var(--fg); font-weight: 600; }
    .buckets .empty { color: var(--muted); }

    /* Where a key lives. */
    .ask { display: flex; gap: 8px; margin-bottom: 8px; }
    .error { color: var(--bad); }
    .holders, .rounds, .versions, .log { list-style: none; margin: 0; padding: 0; }
    .holders { display: grid; gap: 2px; font-size: 12.5px; }
    .holder { display: grid; grid-template-columns: 12px 24px 72px minmax(0, 1fr) auto; gap: 6px; align-items: center; padding: 3px 6px; border-radius: 6px; }
    .holder:nth-child(odd) { background: var(--soft); }
    .holder .mark { width: 10px; height: 10px; border-radius: 50%; border: 2px solid var(--fg); }
    .holder.yes .mark { background: var(--fg); }
    .holder .rank { color: var(--muted); font-size: 11px; }
    .holder .addr { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .holder .what { font-variant-numeric: tabular-nums; }
    .tag { display: inline-block; margin-left: 4px; padding: 0 6px; border-radius: 999px; font-size: 10.5px; font-weight: 600; background: var(--soft); border: 1px solid var(--line); color: var(--muted); white-space: nowrap; }
    .tag.first { margin: 0 6px 0 0; }
    .rounds { display: grid; gap: 4px; font-size: 12px; }
    .rounds li { display: grid; grid-template-columns: 58px minmax(0, 1fr); gap: 6px; align-items: start; }
    .round-n { color: var(--muted); padding-top: 1px; }
    .chips { display: flex; flex-wrap: wrap; gap: 3px; }
    .chip { padding: 0 5px; border-radius: 5px; border: 1px solid var(--line); font-size: 11px; }
    .chip.ok { background: var(--soft); }
    .chip.no { color: var(--bad); border-style: dashed; }
    .path > p { margin: 0 0 6px; font-size: 12.5px; }

    /* Activity. */
    .log { flex: 1 1 0; overflow-y: auto; min-height: 240px; font-size: 12.5px; margin: 0 -6px; padding: 0 6px; }
    .ev { display: grid; grid-template-columns: 58px 62px minmax(0, 1fr); gap: 6px; padding: 3px 0; border-bottom: 1px solid var(--soft); align-items: baseline; }
    .ev time { color: var(--muted); font-variant-numeric: tabular-nums; font-size: 11.5px; }
    .ev-tag { font-size: 10.5px; font-weight: 650; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
    .ev-text { overflow-wrap: anywhere; }
    .ev.contact .ev-tag { color: var(--c0); } .ev.value .ev-tag { color: var(--ok); }
    .ev.delete .ev-tag, .ev.warn .ev-tag { color: var(--bad); } .ev.expire .ev-tag { color: var(--muted); }
    .ev.lookup .ev-tag { color: var(--c3); } .ev.crawl .ev-tag { color: var(--c1); }

    /* What it holds. */
    .table-wrap { overflow-x: auto; max-height: 320px; overflow-y: auto; }
    table.keys { width: 100%; border-collapse: collapse; font-size: 12.5px; table-layout: fixed; }
    .keys th { text-align: left; font-size: 11px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); font-weight: 600; padding: 4px 6px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: var(--card); }
    .keys th:first-child { width: auto; } .keys th:nth-child(2) { width: 56px; } .keys th:nth-child(3) { width: 70px; } .keys th:nth-child(4) { width: 90px; }
    .keys td { padding: 4px 6px; border-bottom: 1px solid var(--soft); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .keys .n { text-align: right; font-variant-numeric: tabular-nums; }
    .keys .unnamed { color: var(--muted); font-style: italic; }
    .keys tr.deleted td { color: var(--muted); text-decoration: line-through; }
    .keys tr.empty td { color: var(--muted); white-space: normal; }

    /* Watch a key. */
    .versions { display: grid; gap: 4px; max-height: 260px; overflow-y: auto; }
    .version { display: flex; align-items: baseline; gap: 8px; padding: 5px 8px; border-radius: 8px; background: var(--soft); font-size: 13px; }
    .version .seq { font-family: var(--mono); font-size: 11px; color: var(--muted); white-space: nowrap; }
    .version .value { flex: 1; min-width: 0; overflow-wrap: anywhere; font-weight: 600; }
    .version .value.b64 { font-family: var(--mono); font-weight: 400; }
    .version time { color: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
    .version.deleted .value { display: none; }
    .version.fresh { animation: fresh 1.6s ease-out; }
    @keyframes fresh { from { background: color-mix(in srgb, var(--c1) 35%, var(--soft)); } to { background: var(--soft); } }
    .versions .empty, .log .empty { color: var(--muted); font-size: 12.5px; }
    #watch-status[data-state="open"]::before { content: "● "; color: var(--ok); }

    /* The whole network. */
    .map-body { display: grid; grid-template-columns: minmax(0, 420px) minmax(0, 1fr); gap: 20px; align-items: start; }
    .map { max-width: 420px; }
    .mnode { stroke: var(--card); stroke-width: 1; cursor: pointer; }
    .mnode.ld0 { fill: var(--card); stroke: var(--l0); stroke-dasharray: 2 1.5; }
    .mnode.ld1, .bar.ld1 { fill: var(--l1); } .mnode.ld2, .bar.ld2 { fill: var(--l2); }
    .mnode.ld3, .bar.ld3 { fill: var(--l3); } .mnode.ld4, .bar.ld4 { fill: var(--l4); }
    .mnode.sel { stroke: var(--fg); stroke-width: 2.5; }
    .mnode:focus { outline: none; }
    .mnode:focus-visible { stroke: var(--focus); stroke-width: 4; filter: drop-shadow(0 0 3px var(--focus)); }
    .map-count { fill: var(--fg); font-size: 30px; font-weight: 700; }
    .map-sub { fill: var(--muted); font-size: 12px; }
    .hist { width: 100%; max-width: 440px; height: auto; display: block; }
    .axis { stroke: var(--line); }
    .mean { stroke: var(--fg); stroke-dasharray: 3 3; }
    .hist-label { fill: var(--muted); font-size: 10.5px; }
    .figures { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 6px; margin: 12px 0; }
    .figures .fig.load { background: transparent; border: 1px solid var(--line); }
    .figures .fig.key dd { color: var(--accent); }
    .figures .fig { background: var(--soft); border-radius: 8px; padding: 6px 10px; }
    .figures dt { font-size: 10.5px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
    .figures dd { margin: 0; font-size: 16px; font-weight: 650; font-variant-numeric: tabular-nums; }
    .detail { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 2px 12px; margin: 0; font-size: 12.5px; }
    .detail dt { color: var(--muted); }
    .detail dd { margin: 0; overflow-wrap: anywhere; }
    .progress { height: 4px; border-radius: 2px; background: var(--soft); overflow: hidden; margin: 4px 0 10px; }
    .progress span { display: block; height: 100%; width: 30%; background: var(--accent); animation: slide 1.4s ease-in-out infinite; }
    @keyframes slide { from { transform: translateX(-100%); } to { transform: translateX(340%); } }
    @media (max-width: 760px) {
      .map-body { grid-template-columns: minmax(0, 1fr); }
      .figures { grid-template-columns: repeat(3, minmax(0, 1fr)); }
      .fact.rate { grid-template-columns: auto 90px; }
      .sparkline { width: 90px; }
      .facts { gap: 8px 18px; }
      .fact dd { font-size: 15px; }
      .fact.id code { font-size: 12.5px; }
      .log { max-height: 360px; }
      .holder { grid-template-columns: 12px 22px 70px minmax(0, 1fr) auto; }
    }
    .foot { max-width: 1320px; margin: 0 auto; padding: 0 16px 24px; font-size: 12px; }
    """#
}
