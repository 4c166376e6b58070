"""What the Language Server lints for a buffer (`linter/server/buffer.py`, no
pygls needed): the CLI's judgement of the file, with the buffer's text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import run_cli, write
from conftest import EXAMPLES

from linter.core.errors import UsageError
from linter.server.buffer import lint_buffer, project_root

PRIVILEGED_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - {name: app, image: nginx, securityContext: {privileged: true}}
"""


def where(findings: list[object]) -> list[tuple[str, int, int, int, int]]:
    return [(f.rule_id, f.span.line, f.span.column, f.span.end_line, f.span.end_column) for f in findings]  # type: ignore[attr-defined]


def test_each_broken_example_file_is_judged_as_the_cli_judges_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every file of the broken example, opened unchanged: the buffer's
    findings are the CLI's findings for that file (Kustomize bases and
    overlays, nginx includes, ClickHouse config.d with their context on disk)."""
    root = tmp_path / "ai-etl-broken"
    shutil.copytree(EXAMPLES / "ai-etl-broken", root)
    (root / ".git").mkdir()
    files = sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
    assert len(files) > 20
    for path in files:
        relative = path.relative_to(root).as_posix()
        _, out, _ = run_cli(capsys, root, "--format", "json", "--exit-zero", relative)
        expected = [(f["rule"], f["line"], f["column"], f["end_line"], f["end_column"])
                    for f in json.loads(out)["findings"] if f["file"] == relative and not f.get("suppressed")]
        linted = lint_buffer(path, path.read_text(encoding="utf-8"), root)
        assert where(linted.findings) == expected, relative
        assert set(linted.rules) == {rule for rule, *_ in expected}


def test_unsaved_text_is_linted_and_tells_the_format(tmp_path: Path) -> None:
    """A .yaml saved empty is no manifest on disk; the buffer's text says it is one."""
    (tmp_path / ".git").mkdir()
    path = write(tmp_path, "k8s/new.yaml", "")
    linted = lint_buffer(path, PRIVILEGED_POD, tmp_path)
    column = PRIVILEGED_POD.splitlines()[5].index("true") + 1
    assert ("K8S403", 6, column, 6, column + 4) in where(linted.findings)
    assert path.read_text(encoding="utf-8") == ""


def test_nearest_config_from_the_file_and_its_excludes(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".deploylint.yaml", "rules:\n  ALL: disable\n")
    write(tmp_path, "team/.deploylint.yaml", "extends: strict\nexclude: [generated/]\n")
    outer = write(tmp_path, "pod.yaml", PRIVILEGED_POD)
    inner = write(tmp_path, "team/pod.yaml", PRIVILEGED_POD)
    generated = write(tmp_path, "team/generated/pod.yaml", PRIVILEGED_POD)
    assert lint_buffer(outer, PRIVILEGED_POD, tmp_path).findings == []
    assert "K8S403" in {f.rule_id for f in lint_buffer(inner, PRIVILEGED_POD, tmp_path).findings}
    assert lint_buffer(generated, PRIVILEGED_POD, tmp_path).findings == []


def test_a_file_of_no_known_format_is_left_alone(tmp_path: Path) -> None:
    """Editors send every YAML file; a GitHub workflow is not deploylint's (no DL008 as the CLI warns)."""
    (tmp_path / ".git").mkdir()
    workflow = "on: push\njobs:\n  test: {runs-on: ubuntu-latest, steps: [{run: make}]}\n"
    path = write(tmp_path, ".github/workflows/ci.yml", workflow)
    assert lint_buffer(path, workflow, tmp_path).findings == []


def test_a_config_mistake_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".deploylint.yaml", "rules:\n  K8S999: disable\n")
    path = write(tmp_path, "pod.yaml", PRIVILEGED_POD)
    with pytest.raises(UsageError, match=r"\.deploylint\.yaml:2: rules\.K8S999: unknown rule"):
        lint_buffer(path, PRIVILEGED_POD, tmp_path)


def test_project_root(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    path = write(tmp_path, "repo/app/k8s/pod.yaml", PRIVILEGED_POD)
    app = tmp_path / "repo" / "app"
    assert project_root(path, [tmp_path / "repo", app]) == app  # the innermost folder
    assert project_root(path, [tmp_path / "elsewhere"]) == tmp_path / "repo"  # the repository's top
    loose = write(tmp_path, "loose/pod.yaml", PRIVILEGED_POD)
    assert project_root(loose, []) == tmp_path / "loose"


def test_server_without_the_lsp_extra_says_how_to_install_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    for name in [m for m in sys.modules if m.split(".")[0] in ("pygls", "lsprotocol") or m in ("linter.server.server", "linter.server.diagnostics")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "lsprotocol", None)  # as if not installed: importing it raises ImportError
    monkeypatch.setitem(sys.modules, "pygls", None)
    code, out, err = run_cli(capsys, tmp_path, "server")
    assert (code, out) == (2, "")
    assert err == "deploylint: error: `deploylint server` needs the lsp extra: pip install 'deploylint[lsp]'\n"
