"""Confinement to the scanned root and no network: a symlink (to a file or a
directory, walked or named on the command line, or reached by an nginx
include) never makes deploylint open a file outside the root, and a planted
secret there never shows in any output format. The examples lint the same with
every socket call failing."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_cli, write
from conftest import EXAMPLES
from fuzz_support import time_bound

from linter.core.loader import Loader
from linter.formats import REGISTRY

# A provider-shaped key (SEC101 would flag it): if it were read, it would be reported.
SECRET = "sk-proj-" + "Zq7Xb2Lm9Kp4Rt6Vw8Yc1Nd3Fg5Hj0QsTu2Ae4Wx6Cv8Bn1Mk3"
PLANTED = {
    "secret.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: planted-object-xq}}\ndata:\n  api_key: {SECRET}\n",
    ".env": f"OPENAI_API_KEY={SECRET}\n",
    "secret.conf": f'server_tokens on;\nproxy_set_header Authorization "Bearer {SECRET}";\n',
}
FORMATS = ("text", "json", "sarif")

_opened: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], (str, bytes, Path)):
        _opened.append(str(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed; this one records only inside `opened_files`


class OpenedFiles:
    def __init__(self) -> None:
        self.paths: list[str] = []

    def under(self, directory: Path) -> list[str]:
        real = str(directory.resolve())
        return [p for p in self.paths if str(Path(p).resolve()).startswith(real)]


@pytest.fixture
def opened() -> Iterator[OpenedFiles]:
    """Every path opened by this process while the test runs."""
    global _opened
    record = OpenedFiles()
    _opened = record.paths
    try:
        yield record
    finally:
        _opened = None


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """(root, outside): `outside` holds files with a planted secret; root has a normal manifest."""
    outside, root = tmp_path / "outside", tmp_path / "repo"
    for name, text in PLANTED.items():
        write(outside, name, text)
    write(
        root,
        "ok.yaml",
        'apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers:\n    - {name: c, image: "nginx:latest"}\n',
    )
    return root, outside


def outputs(capsys: pytest.CaptureFixture[str], root: Path, *paths: str) -> list[tuple[int, str]]:
    """(exit code, stdout + stderr) of a run in every output format."""
    results = []
    for fmt in FORMATS:
        code, out, err = run_cli(capsys, root, "--format", fmt, "--select", "ALL", *paths)
        results.append((code, out + err))
    return results


def assert_confined(results: list[tuple[int, str]], opened: OpenedFiles, outside: Path) -> None:
    assert opened.under(outside) == []
    for code, text in results:
        assert code == 1  # ok.yaml's finding, and nothing else went wrong
        assert SECRET not in text and SECRET[8:20] not in text
        assert "planted-object-xq" not in text


def test_symlinked_files_out_of_the_root_are_never_read(
    layout: tuple[Path, Path], opened: OpenedFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    root, outside = layout
    (root / "leak.yaml").symlink_to(outside / "secret.yaml")
    (root / ".env").symlink_to(outside / ".env")
    (root / "nginx").mkdir()
    (root / "nginx" / "nginx.conf").symlink_to(outside / "secret.conf")
    walked = outputs(capsys, root, ".")
    named = outputs(capsys, root, "leak.yaml", ".env", "nginx/nginx.conf", "ok.yaml")
    assert_confined(walked + named, opened, outside)
    assert json.loads(walked[1][1])["summary"]["files"] == 1


def test_symlinked_directories_out_of_the_root_are_never_entered(
    layout: tuple[Path, Path], opened: OpenedFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    root, outside = layout
    (root / "linked").symlink_to(outside, target_is_directory=True)
    results = (
        outputs(capsys, root, ".") + outputs(capsys, root, "linked", "ok.yaml") + outputs(capsys, root, "linked/.env", "ok.yaml")
    )
    assert_confined(results, opened, outside)


def test_nginx_includes_stay_in_the_root(
    layout: tuple[Path, Path], opened: OpenedFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    root, outside = layout
    write(
        root,
        "nginx/nginx.conf",
        f"events {{}}\nhttp {{\n  include {outside / 'secret.conf'};\n  include ../../outside/*.conf;\n  include link.conf;\n}}\n",
    )
    (root / "nginx" / "link.conf").symlink_to(outside / "secret.conf")
    results = outputs(capsys, root, ".")
    assert_confined(results, opened, outside)
    findings = json.loads(results[1][1])["findings"]
    unresolved = [(f["rule"], f["file"], f["line"], f["column"]) for f in findings if f["rule"] == "DL003"]
    assert unresolved == [
        ("DL003", "nginx/nginx.conf", 3, 11),
        ("DL003", "nginx/nginx.conf", 4, 11),
        ("DL003", "nginx/nginx.conf", 5, 11),
    ]
    assert all("outside the scanned root" in f["message"] for f in findings if f["rule"] == "DL003")


def _no_network(*args: object, **kwargs: object) -> Any:
    raise OSError("network access attempted")


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_examples_lint_the_same_without_network(
    example: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = EXAMPLES / example
    normal = outputs(capsys, root, ".")
    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname", "socketpair", "fromfd"):
        monkeypatch.setattr(socket, name, _no_network)
    offline = outputs(capsys, root, ".")
    assert offline == normal
    assert {code for code, _ in offline} == {1 if example.endswith("broken") else 0}


def test_workspace_reads_are_confined_whoever_asks(layout: tuple[Path, Path], opened: OpenedFiles) -> None:
    """A parser following a reference (include, config.d) cannot read out of the root
    even if it forgets to check: the read itself refuses."""
    from linter.core.model import ParseProblem
    from linter.core.workspace import Workspace

    root, outside = layout
    (root / "link.env").symlink_to(outside / ".env")
    loader = Loader(Workspace(root), REGISTRY)
    for path in (outside / ".env", root / "link.env", root / ".." / "outside" / ".env"):
        problem = loader.load(path, "env")
        assert isinstance(problem, ParseProblem) and problem.rule_id == "DL001"
        assert problem.message == "outside the scanned root (after resolving symlinks); not read"
    assert opened.under(outside) == []


def test_link_loops_dangling_links_and_fifos_are_skipped(layout: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A symlink loop used to end the run (exit 3); opening a FIFO blocks until
    someone writes to it. Neither is a configuration: both are skipped."""
    root, _ = layout
    (root / "a.yaml").symlink_to("b.yaml")
    (root / "b.yaml").symlink_to("a.yaml")
    (root / ".env").symlink_to(".env")
    (root / "gone.yaml").symlink_to("nowhere.yaml")
    os.mkfifo(root / "pipe.yaml")
    write(root, "nginx/nginx.conf", "events {}\nhttp {\n  include ../pipe.yaml;\n  include ../a.yaml;\n}\n")
    with time_bound():
        code, out, err = run_cli(capsys, root, "--format", "json", ".")
    document = json.loads(out)
    meta = [(f["rule"], f["file"], f["line"], f["column"]) for f in document["findings"] if f["rule"].startswith("DL")]
    assert meta == [("DL003", "nginx/nginx.conf", 4, 11), ("DL001", "pipe.yaml", 1, 1)]  # the loop, the FIFO
    assert document["findings"][-1]["message"] == "not a regular file (a FIFO, socket or device); not read"
    assert {f["file"] for f in document["findings"]} == {"ok.yaml", "nginx/nginx.conf", "pipe.yaml"}
    assert code == 1 and err == ""
