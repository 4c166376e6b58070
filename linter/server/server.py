"""The Language Server: diagnostics for open documents as the user types.

A change waits `debounce` seconds for the next keystroke before it is linted;
lints run one at a time in a worker thread (the run's state is not shared
between threads), so the protocol keeps answering hovers meanwhile. A lint
whose document changed or closed while it ran is dropped: the newer one is due.
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from linter import __version__
from linter.core.errors import RunAborted, UsageError
from linter.server.buffer import BufferLint, lint_buffer, project_root
from linter.server.diagnostics import Published, diagnostics, hover

DEBOUNCE_SECONDS = 0.3


class DeploylintServer(LanguageServer):
    def __init__(self, debounce: float = DEBOUNCE_SECONDS) -> None:
        super().__init__("deploylint", __version__)
        self.debounce = debounce
        self.pending: dict[str, asyncio.TimerHandle] = {}  # uri -> the lint waiting for its debounce
        self.published: dict[str, list[Published]] = {}  # uri -> what the client shows (for hovers)
        self.linter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deploylint-lint")
        self.shown_error = ""  # the last config error shown, so typing does not repeat it

    def schedule(self, uri: str, delay: float) -> None:
        """Lint `uri` after `delay` seconds, replacing a lint still waiting."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        loop = asyncio.get_running_loop()
        self.pending[uri] = loop.call_later(delay, lambda: loop.create_task(self.lint(uri)))

    def forget(self, uri: str) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.published.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def lint(self, uri: str) -> None:
        self.pending.pop(uri, None)
        document = self.workspace.text_documents.get(unquote(uri))
        local = to_fs_path(uri) if uri.startswith("file:") else None
        if document is None or local is None or not Path(local).is_file():
            return  # an untitled buffer or a file not on disk: nothing the CLI could lint
        path = Path(local).absolute()
        version, text = document.version, document.source
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(self.linter, lint_buffer, path, text, self.root_for(path))
        except UsageError as exc:  # the config's mistake: say it once, keep the last diagnostics
            self.show_error(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a bug on one buffer must not end the session
            self.show_error(self.logged(exc))
            return
        self.shown_error = ""
        current = self.workspace.text_documents.get(unquote(uri))
        if current is None or current.version != version:
            return
        self.publish(uri, version, text, outcome)

    def publish(self, uri: str, version: int | None, text: str, outcome: BufferLint) -> None:
        published = diagnostics(outcome.findings, outcome.rules, text, self.workspace.position_codec)
        self.published[uri] = published
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[p.diagnostic for p in published], version=version))

    def root_for(self, path: Path) -> Path:
        folders = [Path(p) for p in (to_fs_path(f.uri) for f in self.workspace.folders.values()) if p]
        if self.workspace.root_path:
            folders.append(Path(self.workspace.root_path))
        return project_root(path, [f.absolute() for f in folders])

    def show_error(self, message: str) -> None:
        if message != self.shown_error:
            self.shown_error = message
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"deploylint: {message}"))

    @staticmethod
    def logged(exc: Exception) -> str:
        from linter.core.errorlog import ErrorLog, format_error

        if isinstance(exc, RunAborted):
            return str(exc)
        path = ErrorLog().write("deploylint server", exc)
        return f"internal error ({type(exc).__name__}); " + (f"traceback written to {path}" if path else format_error(exc))


def build_server(debounce: float = DEBOUNCE_SECONDS) -> DeploylintServer:
    server = DeploylintServer(debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DeploylintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: DeploylintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DeploylintServer, params: types.DidSaveTextDocumentParams) -> None:
        # A saved file may be another open file's context (a base, an include, the config).
        for uri in list(ls.published):
            ls.schedule(uri, ls.debounce)
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DeploylintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: DeploylintServer, params: types.HoverParams) -> types.Hover | None:
        return hover(ls.published.get(params.text_document.uri, []), params.position)

    return server


def serve(debounce: float = DEBOUNCE_SECONDS) -> None:
    """Serve LSP on stdin/stdout until the client says exit."""
    server = build_server(debounce)
    channel = sys.stdout.buffer
    sys.stdout = sys.stderr  # stdout is the protocol's: a stray print must not corrupt it
    server.start_io(sys.stdin.buffer, channel)
