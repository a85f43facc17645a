/// The page's HTML shell.
enum PageHTML {
    static let text = #"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>dht</title></head>
    <body><h1>dht</h1></body></html>
    """#
}
