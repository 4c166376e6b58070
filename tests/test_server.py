"""`deploylint server` driven over stdio by pygls's LSP client, as an editor
drives it: diagnostics from the unsaved buffer at exact 0-based UTF-16 ranges,
the nearest config applied, cross-file context read from disk, hovers with the
rule's help, diagnostics cleared by a fix and on close."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")
from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

from linter.core.rules import load_rules  # noqa: E402

TIMEOUT = 60  # seconds for one notification (the first lint imports the engine)

PRIVILEGED = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - {name: "\U0001f680app", image: nginx, securityContext: {privileged: true}}
"""
FIXED = PRIVILEGED.replace("privileged: true", "privileged: false")
# Only K8S403, lowered to a warning: the diagnostics show this config was read.
CONFIG = "rules:\n  ALL: disable\n  K8S403: {enabled: true, severity: warning}\n"

NGINX_MAIN = """\
events {}
http {
    add_header X-Frame-Options DENY always;
    include conf.d/*.conf;
}
"""
NGINX_SITE = """\
server {
    listen 80;
    add_header X-Content-Type-Options nosniff always;
}
"""


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class Session:
    """A client talking to `deploylint server`, collecting publishDiagnostics by URI."""

    def __init__(self) -> None:
        self.client = LanguageClient("deploylint-test", "1")
        self.published: dict[str, asyncio.Queue[types.PublishDiagnosticsParams]] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.queue(params.uri).put_nowait(params)

    def queue(self, uri: str) -> asyncio.Queue[types.PublishDiagnosticsParams]:
        return self.published.setdefault(uri, asyncio.Queue())

    async def next(self, uri: str) -> types.PublishDiagnosticsParams:
        return await asyncio.wait_for(self.queue(uri).get(), TIMEOUT)

    async def start(self, root: Path) -> types.InitializeResult:
        await self.client.start_io(sys.executable, "-m", "linter", "server", cwd=str(root))
        result = await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16])),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
        )), TIMEOUT)
        self.client.initialized(types.InitializedParams())
        return result

    def open(self, path: Path, text: str, language: str = "yaml") -> str:
        uri = path.as_uri()
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))
        return uri

    async def stop(self) -> None:
        await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), TIMEOUT)


def drive(root: Path, script: Callable[[Session], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        session = Session()
        await session.start(root)
        try:
            return await script(session)
        finally:
            await session.stop()

    return asyncio.run(main())


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the repository's top: config discovery stops here
    (tmp_path / ".deploylint.yaml").write_text(CONFIG, encoding="utf-8")
    # On disk the manifest is clean: what is flagged comes from the editor's buffer.
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "pod.yaml").write_text(FIXED, encoding="utf-8")
    return tmp_path


def test_buffer_diagnostics_ranges_hover_fix_and_close(project: Path) -> None:
    manifest = project / "k8s" / "pod.yaml"
    why = next(r for r in load_rules() if r.id == "K8S403").help["why"].split()

    async def script(session: Session) -> None:
        uri = session.open(manifest, PRIVILEGED)
        opened = await session.next(uri)
        assert [d.code for d in opened.diagnostics] == ["K8S403"]
        diagnostic = opened.diagnostics[0]
        line = PRIVILEGED.splitlines()[5]
        start = utf16(line[: line.index("true")])  # the rocket before it is two UTF-16 units
        assert diagnostic.range == types.Range(types.Position(5, start), types.Position(5, start + 4))
        assert diagnostic.severity == types.DiagnosticSeverity.Warning  # the config's severity
        assert diagnostic.source == "deploylint"
        assert diagnostic.message == "container '\U0001f680app' in Pod/web is privileged"
        assert diagnostic.code_description is not None and diagnostic.code_description.href.endswith("/rules/K8S403")
        assert opened.version == 1

        shown = await asyncio.wait_for(session.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(5, start + 2))), TIMEOUT)
        assert shown is not None and isinstance(shown.contents, types.MarkupContent)
        assert "K8S403 privileged-container" in shown.contents.value
        assert " ".join(why[:12]) in " ".join(shown.contents.value.split())
        assert shown.range == diagnostic.range
        outside = await asyncio.wait_for(session.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 0))), TIMEOUT)
        assert outside is None

        session.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=FIXED)]))
        fixed = await session.next(uri)
        assert fixed.version == 2 and list(fixed.diagnostics) == []

        session.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=PRIVILEGED)]))
        assert [d.code for d in (await session.next(uri)).diagnostics] == ["K8S403"]
        session.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        assert list((await session.next(uri)).diagnostics) == []

    drive(project, script)
    assert manifest.read_text(encoding="utf-8") == FIXED  # the server never writes the user's file


def test_typing_is_debounced_into_one_lint(project: Path) -> None:
    manifest = project / "k8s" / "pod.yaml"

    async def script(session: Session) -> None:
        uri = session.open(manifest, FIXED)
        assert list((await session.next(uri)).diagnostics) == []
        # Keystrokes faster than the debounce: only the last text is linted.
        for version, text in enumerate([PRIVILEGED, FIXED, PRIVILEGED], start=2):
            session.client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        last = await session.next(uri)
        assert last.version == 4 and [d.code for d in last.diagnostics] == ["K8S403"]
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(session.queue(uri).get(), 1.5)

    drive(project, script)


def test_nginx_include_is_judged_with_its_includer_from_disk(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".deploylint.yaml").write_text("rules:\n  ALL: disable\n  NGX106: enable\n", encoding="utf-8")
    (tmp_path / "nginx" / "conf.d").mkdir(parents=True)
    (tmp_path / "nginx" / "nginx.conf").write_text(NGINX_MAIN, encoding="utf-8")
    site = tmp_path / "nginx" / "conf.d" / "site.conf"
    site.write_text("server {\n    listen 80;\n}\n", encoding="utf-8")

    async def script(session: Session) -> None:
        uri = session.open(site, NGINX_SITE, language="nginx")
        published = await session.next(uri)
        # NGX106 needs the http block of nginx.conf (on disk) to know a header is dropped.
        assert [(d.code, d.range.start.line, d.range.start.character) for d in published.diagnostics] == [("NGX106", 2, 4)]
        assert "X-Frame-Options" in published.diagnostics[0].message

    drive(tmp_path, script)
