"""`deploylint server`: a Language Server over stdio (the optional `lsp` extra).

`buffer.py` lints one editor buffer as the CLI lints its file; `diagnostics.py`
turns findings into LSP diagnostics and hovers; `server.py` is the protocol
wiring (pygls), the debounce and the document lifecycle.
"""
