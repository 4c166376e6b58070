"""Hostile or broken YAML never crashes a run nor loses other files' results:
each case becomes a DL001/DL005 finding (or is skipped) while a valid manifest
linted in the same run still reports its finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lint_paths

from linter.core.run_types import RunResult
from linter.core.workspace import Limits

VALID = """\
apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  containers:
    - {name: c, image: "nginx:latest"}
"""
VALID_FINDING = ("K8S501", "ok.yaml", 6, 24)
SELECT = ["K8S501", "DL"]


def lint_dir(tmp_path: Path, files: dict[str, bytes], paths: list[str] | None = None, **settings: object) -> RunResult:
    (tmp_path / "ok.yaml").write_text(VALID)
    for name, data in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return lint_paths(paths or ["."], tmp_path, SELECT, **settings)


def findings(result: RunResult) -> list[tuple[str, str, int, int]]:
    return [(f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown]


def test_empty_file(tmp_path: Path) -> None:
    walked = lint_dir(tmp_path, {"empty.yaml": b""})
    assert findings(walked) == [VALID_FINDING]  # not a manifest: skipped silently
    named = lint_dir(tmp_path, {}, paths=["empty.yaml", "ok.yaml"], format_hint="kubernetes")
    assert findings(named) == [VALID_FINDING]
    assert named.files == ["empty.yaml", "ok.yaml"]


def test_nul_bytes(tmp_path: Path) -> None:
    result = lint_dir(tmp_path, {"corrupt.yaml": b"apiVersion: v1\nkind: Pod\n" + b"\x00" * 4096})
    assert findings(result) == [("DL001", "corrupt.yaml", 1, 1), VALID_FINDING]
    assert "NUL" in result.shown[0].message
    only_nul = lint_dir(tmp_path, {"zeros.yaml": b"\x00" * 4096}, paths=["zeros.yaml", "ok.yaml"], format_hint="kubernetes")
    assert ("DL001", "zeros.yaml", 1, 1) in findings(only_nul) and VALID_FINDING in findings(only_nul)


def test_latin1_text(tmp_path: Path) -> None:
    text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: team}\ndata:\n  owner: "M\u00fcller"\n'
    result = lint_dir(tmp_path, {"latin1.yaml": text.encode("latin-1")})
    assert findings(result) == [("DL001", "latin1.yaml", 5, 12), VALID_FINDING]
    assert "not valid UTF-8 (byte 0xFC)" in result.shown[0].message


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    text = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   labels: broken\nspec: {}\n"
    result = lint_dir(tmp_path, {"invalid.yaml": text})
    assert findings(result) == [("DL001", "invalid.yaml", 5, 10), VALID_FINDING]
    assert result.shown[0].message.startswith("invalid YAML: mapping values are not allowed")


HELM = b"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
spec:
  template:
    spec:
      containers:
      {{- range .Values.containers }}
        - name: {{ .name }}
      {{- end }}
"""


def test_helm_template_outside_a_chart_is_a_parse_error_with_a_hint(tmp_path: Path) -> None:
    result = lint_dir(tmp_path, {"deploy.yaml": HELM})
    # libyaml notices the `{{- range }}` line was not a key when it reaches the next line.
    assert findings(result) == [("DL001", "deploy.yaml", 10, 9), VALID_FINDING]
    assert "helm template" in result.shown[0].message


def test_helm_template_inside_a_chart_is_not_parsed_as_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chart's templates are rendered, not parsed (with no renderer: one
    DL009 on Chart.yaml; the rendering itself is tests/test_helm_charts.py)."""
    files = {"chart/Chart.yaml": b"apiVersion: v2\nname: app\nversion: 0.1.0\n", "chart/templates/deploy.yaml": HELM}
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    result = lint_dir(tmp_path, files, options={"helm_renderer": "binary"})
    assert [(f.rule_id, f.span.file) for f in result.shown if f.rule_id != "K8S501"] == [("DL009", "chart/Chart.yaml")]
    assert VALID_FINDING in findings(result)
    assert not [f for f in result.shown if f.span.file == "chart/templates/deploy.yaml"]  # no YAML parse error


def test_billion_laughs_is_stopped(tmp_path: Path) -> None:
    levels = ['  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"  {name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n" + "\n".join(levels) + "\n"
    result = lint_dir(tmp_path, {"laughs.yaml": text.encode()})
    rules = findings(result)
    assert [r[:2] for r in rules] == [("DL005", "laughs.yaml"), VALID_FINDING[:2]]
    assert "alias expansion" in result.shown[0].message


def big_manifest(path: Path, size: int) -> None:
    """A ConfigMap of about `size` bytes followed by a Pod with a finding."""
    line = "  key{:06d}: " + "x" * 990 + "\n"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n")
        for i in range(size // 1004):
            fh.write(line.format(i))
        fh.write("---\n" + VALID.replace("name: ok", "name: tail"))


def test_ten_megabyte_yaml_is_linted(tmp_path: Path) -> None:
    big_manifest(tmp_path / "big.yaml", 10_000_000)
    assert (tmp_path / "big.yaml").stat().st_size >= 10_000_000
    result = lint_dir(tmp_path, {})
    tail = [f for f in result.shown if f.span.file == "big.yaml"]
    assert [(f.rule_id, "Pod/tail" in f.message) for f in tail] == [("K8S501", True)]
    assert VALID_FINDING in findings(result)


def test_yaml_over_the_size_cap_is_dl005(tmp_path: Path) -> None:
    cap = 1_000_000
    big_manifest(tmp_path / "big.yaml", 2 * cap)
    result = lint_dir(tmp_path, {}, limits=Limits(max_file_bytes=cap))
    assert findings(result) == [("DL005", "big.yaml", 1, 1), VALID_FINDING]
    assert "max_file_bytes" in result.shown[0].message


def test_deep_nesting_is_stopped(tmp_path: Path) -> None:
    block = "".join("  " * (i + 2) + f"k{i}:\n" for i in range(400))
    flow = "[" * 5000 + "]" * 5000
    files = {
        "block.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep}}\ndata:\n  x:\n{block}".encode(),
        "flow.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep}}\ndata: {flow}\n".encode(),
    }
    result = lint_dir(tmp_path, files)
    assert [f[:2] for f in findings(result)] == [("DL005", "block.yaml"), ("DL001", "flow.yaml"), VALID_FINDING[:2]]
    assert "nesting deeper than 200 levels" in result.shown[0].message
    assert "nesting depth" in result.shown[1].message
