"""Helm charts: rendered (by a `helm` on PATH, or helm-python-sdk), each
finding at the template line or the values key that wrote it; a chart that
cannot be rendered is one clear finding, never a silent skip."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from conftest import lint_paths

from linter.core.workspace import Limits
from linter.formats.common.yaml_tree import parse_yaml_documents
from linter.formats.kubernetes.helm.provenance import Provenance
from linter.formats.kubernetes.helm.template_lines import template_lines

FIXTURES = Path(__file__).parent / "fixtures" / "helm"
HAS_SDK = importlib.util.find_spec("helm_python") is not None


def chart(tmp_path: Path) -> Path:
    """The `web` fixture chart, copied under tmp_path/web."""
    target = tmp_path / "web"
    shutil.copytree(FIXTURES / "web", target)
    return target


def fake_helm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """A `helm` on PATH (and nothing else there): a Python script whose body
    runs with `args` (its arguments) and `out` (its binary stdout)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "helm"
    script.write_text(f"#!{sys.executable}\nimport sys, time\nargs = sys.argv[1:]\nout = sys.stdout.buffer\n{body}\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return script


def emits(stream: Path) -> str:
    """The body of a fake helm printing `stream`; with `--values` (the
    hardened ci file) its image is the pinned one, as Helm would print it."""
    return (f"data = open({str(stream)!r}, 'rb').read()\n"
            "out.write(data.replace(b'nginx:latest', b'nginx:1.27.3') if '--values' in args else data)")


def lint_chart(root: Path, renderer: str = "binary", **settings: object) -> list[tuple[str, str, int, int]]:
    result = lint_paths(["web"], root, options={"helm_renderer": renderer}, **settings)
    return sorted((f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown)


TEMPLATE_FINDING = ("K8S402", "web/templates/deployment.yaml", 34, 39)  # `allowPrivilegeEscalation: true`, a literal line
VALUES_FINDING = ("K8S501", "web/values.yaml", 3, 8)  # `image: {{ .Values.image.ref | quote }}` printed `ref: nginx:latest`
# Every rule runs here, the strict-only ones too: the pod names no serviceAccountName
# (at the template's `spec:`) and the labels helper sets no instance label (at `labels:`).
STRICT_FINDINGS = [("K8S013", "web/templates/deployment.yaml", 5, 3), ("K8S419", "web/templates/deployment.yaml", 16, 5)]


def test_no_renderer_is_one_warning_on_chart_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    result = lint_paths(["web"], tmp_path, options={"helm_renderer": "binary"})
    assert [(f.rule_id, f.span.file, f.span.line, f.span.column, f.severity.value) for f in result.shown] == [
        ("DL009", "web/Chart.yaml", 1, 1, "warning")]
    assert "install deploylint[helm] or helm" in result.shown[0].message


def test_findings_map_to_the_template_line_and_the_values_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart(tmp_path)
    fake_helm(tmp_path, monkeypatch, emits(FIXTURES / "web-template-output.yaml"))
    assert lint_chart(tmp_path) == sorted([*STRICT_FINDINGS, TEMPLATE_FINDING, VALUES_FINDING])


def test_a_template_passed_alone_is_judged_in_its_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As pre-commit passes it: the chart is rendered, and only the findings
    in the template passed are reported (the values.yaml one is not its)."""
    chart(tmp_path)
    fake_helm(tmp_path, monkeypatch, emits(FIXTURES / "web-template-output.yaml"))
    result = lint_paths(["web/templates/deployment.yaml"], tmp_path, options={"helm_renderer": "binary"})
    assert sorted((f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown) == sorted([*STRICT_FINDINGS, TEMPLATE_FINDING])


def test_a_comment_in_the_template_suppresses_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = chart(tmp_path)
    template = root / "templates" / "deployment.yaml"
    text = template.read_text().replace("allowPrivilegeEscalation: true", "allowPrivilegeEscalation: true  # deploylint: ignore[K8S402] tested")
    template.write_text(text)
    stream = tmp_path / "stream.yaml"  # Helm prints the comment with its line
    stream.write_text((FIXTURES / "web-template-output.yaml").read_text().replace(
        "allowPrivilegeEscalation: true", "allowPrivilegeEscalation: true  # deploylint: ignore[K8S402] tested"))
    fake_helm(tmp_path, monkeypatch, emits(stream))
    result = lint_paths(["web"], tmp_path, options={"helm_renderer": "binary"})
    assert [(f.rule_id, f.span.line) for f in result.suppressed] == [("K8S402", 34)]
    assert sorted((f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown) == sorted([*STRICT_FINDINGS, VALUES_FINDING])


def test_each_ci_values_file_is_one_more_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hardened values fix the image: its render adds nothing, and the
    finding both renders share is reported once."""
    chart(tmp_path)
    (tmp_path / "args.log").write_text("")
    body = f"open({str(tmp_path / 'args.log')!r}, 'a').write(' '.join(args) + '\\n')\n" + emits(FIXTURES / "web-template-output.yaml")
    fake_helm(tmp_path, monkeypatch, body)
    assert lint_chart(tmp_path) == sorted([*STRICT_FINDINGS, TEMPLATE_FINDING, VALUES_FINDING])
    calls = (tmp_path / "args.log").read_text().splitlines()
    assert len(calls) == 2
    assert calls[0].startswith("template release-name ") and "--values" not in calls[0]
    assert calls[1].endswith("--values " + str(tmp_path / "web" / "ci" / "hardened-values.yaml"))


def test_a_values_file_the_config_lists_is_rendered_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.config.planning import Options, plan_runs
    from linter.core.lint import run

    chart(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "prod-values.yaml").write_text("replicas: 1\n")
    (tmp_path / ".deploylint.yaml").write_text("helm:\n  renderer: binary\n  values: [prod-values.yaml]\n")
    (tmp_path / "args.log").write_text("")
    body = f"open({str(tmp_path / 'args.log')!r}, 'a').write(' '.join(args) + '\\n')\n" + emits(FIXTURES / "web-template-output.yaml")
    fake_helm(tmp_path, monkeypatch, body)
    monkeypatch.chdir(tmp_path)
    [plan] = plan_runs(["web"], Options(root=tmp_path))
    result = run(plan.paths, plan.settings)
    calls = (tmp_path / "args.log").read_text().splitlines()
    assert [c.rpartition("--values ")[2] for c in calls[1:]] == [
        str(tmp_path / "web" / "ci" / "hardened-values.yaml"), str(tmp_path / "prod-values.yaml")]
    assert "K8S501" in {f.rule_id for f in result.shown}


def test_the_helm_config_key_is_validated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.config.planning import Options, plan_runs
    from linter.core.errors import UsageError

    (tmp_path / ".git").mkdir()
    (tmp_path / ".deploylint.yaml").write_text("helm:\n  renderer: podman\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=r"\.deploylint\.yaml:2: helm\.renderer"):
        plan_runs(["."], Options(root=tmp_path))


def test_a_template_syntax_error_is_dl001_where_helm_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart(tmp_path)
    message = "Error: parse error at (web/templates/deployment.yaml:8): unexpected \"}\" in operand"
    fake_helm(tmp_path, monkeypatch, f"sys.stderr.write({message!r})\nsys.exit(1)")
    findings = lint_chart(tmp_path)
    assert ("DL001", "web/templates/deployment.yaml", 8, 1) in findings


def test_an_execution_error_keeps_its_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart(tmp_path)
    message = ("Error: template: web/templates/deployment.yaml:24:20: executing \"web/templates/deployment.yaml\" "
               "at <.Values.image.ref>: nil pointer evaluating interface {}.ref")
    fake_helm(tmp_path, monkeypatch, f"sys.stderr.write({message!r})\nsys.exit(1)")
    result = lint_paths(["web"], tmp_path, options={"helm_renderer": "binary"})
    found = [f for f in result.shown if f.rule_id == "DL001"]
    assert [(f.span.file, f.span.line, f.span.column) for f in found] == [("web/templates/deployment.yaml", 24, 20)]
    assert "nil pointer" in found[0].message


def test_a_render_that_never_ends_is_stopped_by_the_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart(tmp_path)
    fake_helm(tmp_path, monkeypatch, "while True:\n    time.sleep(0.05)")
    findings = lint_chart(tmp_path, limits=Limits(max_seconds_per_file=0.5))
    assert ("DL005", "web/Chart.yaml", 1, 1) in findings


def test_a_render_of_100_mb_is_stopped_by_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart(tmp_path)
    fake_helm(tmp_path, monkeypatch, "chunk = b'# ' + b'x' * (1 << 20) + b'\\n'\nfor _ in range(100):\n    out.write(chunk)")
    result = lint_paths(["web"], tmp_path, options={"helm_renderer": "binary"})
    limited = [f for f in result.shown if f.rule_id == "DL005"]
    assert [(f.span.file, f.span.line) for f in limited] == [("web/Chart.yaml", 1)] * len(limited) and limited
    assert "max_file_bytes" in limited[0].message


def test_values_that_are_not_a_mapping_are_dl001_on_the_values_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = chart(tmp_path)
    (root / "values.yaml").write_text("- replicas\n- 2\n")
    (tmp_path / "called").write_text("no")
    fake_helm(tmp_path, monkeypatch, f"open({str(tmp_path / 'called')!r}, 'w').write('yes')")
    findings = lint_chart(tmp_path)
    assert ("DL001", "web/values.yaml", 1, 1) in findings
    assert (tmp_path / "called").read_text() == "no"  # not rendered with values Helm would refuse


def test_a_chart_linking_out_of_the_root_is_not_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = chart(tmp_path / "repo")
    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: ConfigMap\n")
    (root / "templates" / "stolen.yaml").symlink_to(outside)
    (tmp_path / "called").write_text("no")
    fake_helm(tmp_path, monkeypatch, f"open({str(tmp_path / 'called')!r}, 'w').write('yes')")
    result = lint_paths(["web"], tmp_path / "repo", options={"helm_renderer": "binary"})
    assert [(f.rule_id, f.span.file, f.span.line) for f in result.shown] == [("DL009", "web/Chart.yaml", 1)]
    assert "templates/stolen.yaml" in result.shown[0].message
    assert (tmp_path / "called").read_text() == "no"


def test_a_library_chart_is_not_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = chart(tmp_path)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: web\ntype: library\nversion: 0.1.0\n")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert lint_chart(tmp_path) == []


def test_render_prints_the_rendered_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from linter.cli import cli

    chart(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".deploylint.yaml").write_text("helm: {renderer: binary}\n")  # render reads the config, as lint does
    fake_helm(tmp_path, monkeypatch, emits(FIXTURES / "web-template-output.yaml"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "web"])
    assert result.exit_code == 0, result.output
    assert "# Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\n" in result.output
    assert "image: nginx:latest" in result.output


def test_render_never_prints_a_secret_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from linter.cli import cli

    chart(tmp_path)
    (tmp_path / ".git").mkdir()
    stream = tmp_path / "secret.yaml"
    stream.write_text("---\n# Source: web/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                      "stringData: {password: hunter2-very-secret}\n")
    fake_helm(tmp_path, monkeypatch, emits(stream))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("linter.formats.kubernetes.helm.renderers.importlib.util.find_spec", lambda name: None)
    result = CliRunner().invoke(cli, ["render", "web"])
    assert "hunter2" not in result.output
    assert "<redacted: 19 characters>" in result.output


def test_a_line_printed_by_an_action_points_at_that_action() -> None:
    """`toYaml` output matches no template line: it is the `toYaml` line's."""
    template = "spec:\n  resources:\n    {{- toYaml .Values.resources | nindent 4 }}\n  name: x\n"
    rendered = "spec:\n  resources:\n    limits:\n      cpu: 1\n  name: x\n"
    documents, _ = parse_yaml_documents(rendered, "t.yaml")
    Provenance("t.yaml", template_lines(template), None).remap(rendered, documents)
    spec = documents[0].get("spec")  # type: ignore[union-attr]
    limits = spec.get("resources").get("limits")  # type: ignore[union-attr]
    assert (limits.key.span.line, limits.key.span.column) == (3, 5)
    name = spec.get("name")  # type: ignore[union-attr]
    assert (name.span.line, name.span.column) == (4, 9)


def test_a_value_with_no_values_key_points_at_its_action() -> None:
    template = "metadata:\n  name: {{ .Values.missing | default \"web\" }}\n"
    rendered = "metadata:\n  name: web\n"
    documents, _ = parse_yaml_documents(rendered, "t.yaml")
    Provenance("t.yaml", template_lines(template), lambda path: None).remap(rendered, documents)
    name = documents[0].get("metadata").get("name")  # type: ignore[union-attr]
    assert (name.span.line, name.span.column, name.span.end_column) == (2, 9, 46)


@pytest.mark.skipif(not HAS_SDK, reason="helm-python-sdk (deploylint[helm]) is not installed")
def test_the_sdk_renders_offline_with_the_same_mapping(tmp_path: Path) -> None:
    chart(tmp_path)
    assert lint_chart(tmp_path, renderer="sdk") == sorted([*STRICT_FINDINGS, TEMPLATE_FINDING, VALUES_FINDING])


@pytest.mark.skipif(not HAS_SDK, reason="helm-python-sdk (deploylint[helm]) is not installed")
def test_the_sdk_reports_a_template_error_where_helm_names_it(tmp_path: Path) -> None:
    root = chart(tmp_path)
    (root / "templates" / "broken.yaml").write_text("kind: ConfigMap\n{{ if }}\n")
    findings = lint_chart(tmp_path, renderer="sdk")
    assert ("DL001", "web/templates/broken.yaml", 2, 1) in findings


@pytest.mark.skipif(not HAS_SDK, reason="helm-python-sdk (deploylint[helm]) is not installed")
def test_the_sdk_lookup_returns_nothing_offline(tmp_path: Path) -> None:
    root = chart(tmp_path)
    (root / "templates" / "lookup.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\n"
        "data:\n  found: {{ (lookup \"v1\" \"Secret\" \"default\" \"db\") | len | quote }}\n")
    findings = lint_chart(tmp_path, renderer="sdk")
    assert not [f for f in findings if f[0] == "DL001"]


def test_lines_a_loop_repeats_map_to_the_loop_body() -> None:
    template = "items:\n{{- range .Values.apps }}\n  - name: {{ .name }}\n    port: 80\n{{- end }}\nlast: true\n"
    rendered = "items:\n  - name: a\n    port: 80\n  - name: b\n    port: 80\nlast: true\n"
    documents, _ = parse_yaml_documents(rendered, "t.yaml")
    Provenance("t.yaml", template_lines(template), None).remap(rendered, documents)
    items = documents[0].get("items")  # type: ignore[union-attr]
    places = [(item.get("name").span.line, item.get("port").key.span.line) for item in items]  # type: ignore[union-attr]
    assert places == [(3, 4), (3, 4)]
    last = documents[0].get("last")  # type: ignore[union-attr]
    assert (last.span.line, last.span.column) == (6, 7)


def test_a_block_printed_by_toyaml_points_into_the_values_file() -> None:
    """`toYaml .Values.resources` prints the values subtree: each printed key
    and value is the values file's; the key written in the template stays there."""
    values, _ = parse_yaml_documents("resources:\n  limits:\n    memory: 64Gi\n", "values.yaml")
    template = "spec:\n  resources:\n    {{- toYaml .Values.resources | nindent 4 }}\n"
    rendered = "spec:\n  resources:\n    limits:\n      memory: 64Gi\n"
    documents, _ = parse_yaml_documents(rendered, "t.yaml")
    lookup = {("resources",): values[0].get("resources")}  # type: ignore[union-attr]
    Provenance("t.yaml", template_lines(template), lambda path: lookup.get(path)).remap(rendered, documents)
    resources = documents[0].get("spec").get("resources")  # type: ignore[union-attr]
    memory = resources.get("limits").get("memory")  # type: ignore[union-attr]
    assert (resources.key.span.file, resources.key.span.line) == ("t.yaml", 2)
    assert (memory.span.file, memory.span.line, memory.span.column) == ("values.yaml", 3, 13)
    assert (memory.key.span.file, memory.key.span.line, memory.key.span.column) == ("values.yaml", 3, 5)
