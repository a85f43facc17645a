/// The page's HTML: the panels and their hooks (ids and data- attributes the tests read), no inline script or style.
enum PageHTML {
    /// The text of `index.html`, served as `/`.
    static let text = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>dht · live node</title>
    <link rel="icon" href="/page/icon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="/page/style.css">
    <script type="module" src="/page/app.js"></script>
    </head>
    <body>
    <header class="top">
      <div class="brand">
        <img src="/page/icon.svg" alt="" width="30" height="30">
        <div><h1>dht</h1><p>a Kademlia node, live</p></div>
      </div>
      <div class="top-right">
        <form id="token-box" class="token" hidden>
          <input type="text" autocomplete="username" value="dht" hidden>
          <label for="token-input">API token</label>
          <input id="token-input" type="password" autocomplete="current-password" spellcheck="false" placeholder="the --http-token">
          <button id="token-save" type="submit">Use</button>
        </form>
        <span id="status-badge" class="badge" role="status" data-state="connecting">connecting…</span>
      </div>
    </header>

    <main class="grid">
      <section class="card node-card" aria-labelledby="h-node">
        <h2 id="h-node" class="visually-hidden">This node</h2>
        <dl class="facts">
          <div class="fact id"><dt>this node</dt><dd><code id="node-id">…</code></dd></div>
          <div class="fact"><dt>address</dt><dd id="node-address">…</dd></div>
          <div class="fact"><dt>uptime</dt><dd id="node-uptime">…</dd></div>
          <div class="fact"><dt>contacts</dt><dd id="node-contacts">…</dd></div>
          <div class="fact"><dt>keys held</dt><dd><span id="node-keys">…</span><small id="node-targets"></small></dd></div>
          <div class="fact rate"><dt>messages / s</dt>
            <dd><span id="node-rate">…</span><small id="node-rate-split"></small></dd>
            <svg id="node-spark" class="sparkline" viewBox="0 0 120 28" preserveAspectRatio="none" aria-hidden="true"></svg>
          </div>
        </dl>
      </section>

      <div class="col col-a">
      <section class="card ring-card" aria-labelledby="h-ring">
        <div class="card-head"><h2 id="h-ring">Routing table</h2><span id="ring-count" class="muted"></span></div>
        <svg id="ring" class="ring" viewBox="0 0 400 400" role="img" aria-labelledby="ring-title"><title id="ring-title">The routing table on the XOR ring</title></svg>
        <ul class="legend" aria-label="legend">
          <li><i class="lg self"></i>this node</li>
          <li><i class="lg contact"></i>contact, coloured by bucket</li>
          <li><i class="lg target"></i>a key’s target</li>
          <li><i class="lg holds"></i>holds it</li>
          <li><i class="lg nohold"></i>does not</li>
        </ul>
        <h3 class="sub">Buckets <span class="muted">— contacts of K = 8, and replacements waiting</span></h3>
        <ol id="buckets" class="buckets"></ol>
      </section>

      <section class="card keys-card" aria-labelledby="h-keys">
        <div class="card-head"><h2 id="h-keys">What it holds</h2><span id="keys-count" class="muted"></span></div>
        <div class="table-wrap" tabindex="0" aria-label="values held here">
          <table class="keys">
            <thead><tr><th scope="col">key</th><th scope="col" class="n">seq</th><th scope="col" class="n">size</th><th scope="col" class="n">time left</th></tr></thead>
            <tbody id="keys-body"></tbody>
          </table>
        </div>
      </section>
      </div>

      <div class="col col-b">
      <section class="card where-card" aria-labelledby="h-where">
        <h2 id="h-where">Where a key lives</h2>
        <div class="ask">
          <label for="where-key" class="visually-hidden">key to look up</label>
          <input id="where-key" type="text" autocomplete="off" spellcheck="false" placeholder="a key, then Enter">
          <button id="where-go" type="button">Look up</button>
        </div>
        <p id="where-status" class="muted" aria-live="polite">Its target shows on the ring, with spokes to the K closest nodes.</p>
        <ol id="where-nodes" class="holders"></ol>
        <h3 class="sub">The lookup’s path</h3>
        <div id="where-path" class="path"><p class="muted">Who was asked, in which round, and who answered.</p></div>
      </section>



      <section class="card watch-card" aria-labelledby="h-watch">
        <h2 id="h-watch">Watch a key</h2>
        <div class="ask">
          <label for="watch-key" class="visually-hidden">key to watch</label>
          <input id="watch-key" type="text" autocomplete="off" spellcheck="false" placeholder="a key, then Enter">
          <button id="watch-go" type="button">Watch</button>
          <button id="watch-stop" type="button" class="quiet" disabled>Stop</button>
        </div>
        <p id="watch-status" class="muted" aria-live="polite">New versions show as they are put, through any node.</p>
        <ol id="watch-list" class="versions"></ol>
      </section>
      </div>

      <section class="card log-card" aria-labelledby="h-log">
        <div class="card-head"><h2 id="h-log">Activity</h2><span class="muted">last 200</span></div>
        <ol id="log" class="log" tabindex="0" aria-label="activity, newest first"></ol>
      </section>

      <section class="card map-card" aria-labelledby="h-map">
        <div class="card-head">
          <h2 id="h-map">The whole network</h2>
          <button id="crawl-start" type="button">Crawl the network</button>
        </div>
        <p id="crawl-status" class="muted" aria-live="polite">A crawl asks every node it finds for its neighbours and its load (BEP 51), then draws them all.</p>
        <div id="crawl-progress" class="progress" hidden><span></span></div>
        <div class="map-body">
          <svg id="map" class="ring map" viewBox="0 0 400 400" role="group" aria-label="every node found, placed by id, sized and coloured by load"><title>The network map</title><circle cx="200" cy="200" r="150" class="track empty-track"/></svg>
          <div class="map-side">
            <svg id="hist" class="hist" viewBox="0 0 360 150" role="img" aria-label="histogram of load per node"><title>Load per node</title></svg>
            <ul class="legend">
              <li><i class="lg ld1"></i>under ½ the mean</li>
              <li><i class="lg ld2"></i>about the mean</li>
              <li><i class="lg ld3"></i>1.5–2.5×</li>
              <li><i class="lg ld4"></i>over 2.5×</li>
              <li><i class="lg ld0"></i>no answer</li>
            </ul>
            <dl id="crawl-figures" class="figures"></dl>
            <dl id="map-detail" class="detail" aria-live="polite"></dl>
          </div>
        </div>
      </section>
    </main>
    <footer class="foot muted">Everything here comes from this node’s own API: <code>/api/v1</code>.</footer>
    </body>
    </html>
    """#
}
