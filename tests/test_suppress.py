"""Suppressions: comments (every comment syntax), file-level comments,
Kubernetes annotations, config ignore globs, other scanners' markers, DL002."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write
from conftest import lint_text

from linter.core.model import ParsedFile, SourceFile
from linter.core.run_types import RunResult
from linter.core.suppress import comment_directives

TWO_CONTAINERS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  annotations:
    deploylint.dev/ignore.sidecar: "K8S104: memory is capped by the mesh"
spec:
  template:
    spec:
      containers:
        - name: api
          resources: {}
        - name: sidecar
          resources: {}
"""

TOKEN_RULE = """\
id: ACME701
name: configmap-token
title: ConfigMaps hold no API token
severity: error
tags: [security, secrets]
target: {format: kubernetes, select: objects, kinds: [ConfigMap]}
check:
  assert:
    - {path: data.API_TOKEN, present: false}
message: "{kind}/{object}: data.API_TOKEN {reason}"
help: {why: Tokens belong in Secrets., fix: Move it to a Secret.}
"""


def shown_and_suppressed(result: RunResult) -> tuple[list[tuple[str, int]], list[tuple[str, int, str, str]]]:
    return (
        [(f.rule_id, f.span.line) for f in result.shown],
        [(f.rule_id, f.span.line, f.suppression.kind, f.suppression.reason) for f in result.suppressed],
    )


def test_trailing_and_preceding_comments_by_id_name_and_prefix(tmp_path: Path) -> None:
    text = DEPLOYMENT_WITHOUT_LIMIT.replace(
        '            limits: {cpu: "1"}\n',
        "            # deploylint: ignore[K8S1] sized by the autoscaler\n"
        "            # a second comment line between directive and target is fine\n"
        '            limits: {cpu: "1"}\n',
    )
    text += """\
        - name: worker
          resources: {}  # deploylint: ignore[container-memory-limit] - batch worker
        - name: cron
          resources: {}
"""
    result = lint_text(tmp_path, "app.yaml", text, select=["K8S104", "DL002"])
    assert shown_and_suppressed(result) == (
        [("K8S104", 27)],
        [("K8S104", 16, "inline", "sized by the autoscaler"), ("K8S104", 25, "inline", "batch worker")],
    )


def test_file_level_comment_with_and_without_a_rule_list(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "a.yaml", "# deploylint: ignore-file[K8S104]: generated\n" + DEPLOYMENT_WITHOUT_LIMIT, select=["K8S104", "DL002"])
    assert shown_and_suppressed(result) == ([], [("K8S104", 15, "file", "generated")])
    result = lint_text(tmp_path, "b.yaml", DEPLOYMENT_WITHOUT_LIMIT + "# deploylint: ignore-file\n", select=["K8S104", "DL002"])
    assert shown_and_suppressed(result) == ([], [("K8S104", 14, "file", "")])


def test_annotations_on_the_object_and_per_container(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "a.yaml", TWO_CONTAINERS, select=["K8S104", "DL002"])
    assert shown_and_suppressed(result) == ([("K8S104", 12)], [("K8S104", 14, "annotation", "memory is capped by the mesh")])
    whole = TWO_CONTAINERS.replace("deploylint.dev/ignore.sidecar", "deploylint.dev/ignore")
    result = lint_text(tmp_path, "b.yaml", whole, select=["K8S104", "DL002"])
    assert [f.span.line for f in result.suppressed] == [12, 14] and result.shown == []


def test_unused_suppressions_are_dl002_only_for_rules_that_ran(tmp_path: Path) -> None:
    text = TWO_CONTAINERS.replace("ignore.sidecar", "ignore.nosuch").replace(
        "        - name: api\n", "        - name: api\n          # deploylint: ignore[K8S104,DL004] reason\n"
    )
    result = lint_text(tmp_path, "a.yaml", text, select=["K8S104", "DL002", "DL004"])
    assert [(f.rule_id, f.span.line, f.span.column, f.message) for f in result.shown] == [
        ("DL002", 6, 5, "suppression annotation for 'K8S104' suppressed nothing; remove it"),
        ("DL002", 12, 11, "suppression comment for 'DL004' suppressed nothing; remove it"),
        ("K8S104", 15, 11, "container 'sidecar' in Deployment/backend has no memory limit"),
    ]
    # K8S104 did not run: its suppressions are not reported as unused.
    assert [f.rule_id for f in lint_text(tmp_path, "b.yaml", text, select=["DL002"]).shown] == []


def test_no_inline_suppressions_ignores_comments_and_annotations(tmp_path: Path) -> None:
    text = TWO_CONTAINERS.replace("          resources: {}\n        - name: sidecar", "          resources: {}  # deploylint: ignore[K8S104]\n        - name: sidecar")
    assert [f.span.line for f in lint_text(tmp_path, "a.yaml", text, select=["K8S104"]).shown] == []
    result = lint_text(tmp_path, "b.yaml", text, select=["K8S104", "DL002"], inline_suppressions=False)
    assert shown_and_suppressed(result) == ([("K8S104", 12), ("K8S104", 14)], [])


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (".env", "# deploylint: ignore[ENV105] staging only\nLOG_LEVEL=DEBUG\nDEBUG=true  # deploylint: ignore[ENV105]\n",
         [("inline", ("ENV105",), "staging only", (1, 2)), ("inline", ("ENV105",), "", (3, 3))]),
        ("nginx.conf", "server {\n    # deploylint: ignore[NGX301,hsts] legacy vhost\n\n    server_tokens on;\n}\n",
         [("inline", ("NGX301", "hsts"), "legacy vhost", (2, 4))]),
        ("config.xml", ("<clickhouse>\n  <!-- deploylint: ignore[CH201] local dev only -->\n  <users><default/></users>\n"
                        "  <x/> <!-- deploylint: ignore-file[CH5] -->\n</clickhouse>\n"),
         [("inline", ("CH201",), "local dev only", (2, 3)), ("file", ("CH5",), "", (0, 0))]),
        ("a.yaml", 'value: "# deploylint: ignore"\n# deploylint: ignoreall[K8S104]\n', []),
    ],
)
def test_comment_syntax_of_every_format(name: str, text: str, expected: list[tuple[object, ...]]) -> None:
    parsed = ParsedFile(SourceFile(name, name, text), "any")
    found = [(d.kind, d.tokens, d.reason, d.lines) for d in comment_directives(parsed)]
    assert found == expected


def test_secret_scanners_markers_suppress_only_secret_rules(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "rules/ACME701-configmap-token.yaml", TOKEN_RULE)
    configmap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  API_TOKEN: abc  # pragma: allowlist secret\n"
    write(project, "cm.yaml", configmap)
    write(project, "cm2.yaml", configmap.replace("# pragma: allowlist secret", "# gitleaks:allow"))
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT.replace("resources:", "resources:  # pragma: allowlist secret"))
    code, out, _ = run_cli(capsys, project, "--rules-dir", "rules", "--select", "ACME,K8S104", "--show-suppressed", ".")
    assert code == 1
    assert out.splitlines() == [
        "app.yaml:14:13: error[K8S104] container 'api' in Deployment/backend has no memory limit",
        "cm.yaml:5:14: error[ACME701] ConfigMap/app: data.API_TOKEN must not be set [suppressed (inline): pragma: allowlist secret]",
        "cm2.yaml:5:14: error[ACME701] ConfigMap/app: data.API_TOKEN must not be set [suppressed (inline): gitleaks:allow]",
        "",
        "1 finding (1 error), 2 suppressed, 3 files",
    ]


def test_config_ignore_globs_per_rule(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "legacy/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, "deploy/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, ".deploylint.yaml", "rules:\n  K8S104: {ignore: [legacy/*]}\n")
    code, out, _ = run_cli(capsys, project, "--show-suppressed", "--format", "json", ".")
    assert code == 1
    import json

    document = json.loads(out)
    assert [(f["file"], f.get("suppressed")) for f in document["findings"]] == [
        ("deploy/app.yaml", None),
        ("legacy/app.yaml", {"kind": "config", "reason": "ignored for this path in .deploylint.yaml"}),
    ]
    assert document["summary"]["suppressed_by_kind"] == {"config": 1} and document["summary"]["findings"] == 1


def test_suppressed_findings_are_counted_and_listed_on_request(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "a.yaml", TWO_CONTAINERS)
    code, out, _ = run_cli(capsys, project, "a.yaml", "--select", "K8S104")
    assert code == 1
    assert out == "a.yaml:12:11: error[K8S104] container 'api' in Deployment/backend has no memory limit\n\n1 finding (1 error), 1 suppressed, 1 file\n"
    _, out, _ = run_cli(capsys, project, "a.yaml", "--select", "K8S104", "--show-suppressed")
    assert "a.yaml:14:11: error[K8S104] container 'sidecar' in Deployment/backend has no memory limit " \
           "[suppressed (annotation): memory is capped by the mesh]\n" in out


def test_pod_template_annotations_are_not_suppressions(tmp_path: Path) -> None:
    text = TWO_CONTAINERS.replace("spec:\n  template:\n", "spec:\n  template:\n    metadata:\n      annotations: {deploylint.dev/ignore: K8S104}\n")
    result = lint_text(tmp_path, "a.yaml", text, select=["K8S104", "DL002"])
    assert shown_and_suppressed(result) == ([("K8S104", 14)], [("K8S104", 16, "annotation", "memory is capped by the mesh")])


def test_all_names_every_rule_in_a_suppression(tmp_path: Path) -> None:
    text = DEPLOYMENT_WITHOUT_LIMIT.replace('            limits: {cpu: "1"}\n', '            limits: {cpu: "1"}  # deploylint: ignore[all] legacy\n')
    result = lint_text(tmp_path, "app.yaml", text, select=["K8S104", "DL002"])
    assert shown_and_suppressed(result) == ([], [("K8S104", 14, "inline", "legacy")])


def test_a_suppression_naming_no_rule_is_a_dl002_not_silence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    limits = '            limits: {cpu: "1"}'
    write(tmp_path, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT.replace(limits, limits + "  # deploylint: ignore[K8S1O4, K8S404] sized later"))
    code, out, _ = run_cli(capsys, tmp_path, "--ignore", "K8S404", "app.yaml")
    assert out.splitlines()[:2] == [
        "app.yaml:14:13: error[K8S104] container 'api' in Deployment/backend has no memory limit",
        f"app.yaml:14:{len(limits) + 3}: warning[DL002] suppression comment names no rule: 'K8S1O4' (did you mean 'K8S104'?); it suppresses nothing",
    ]
    assert "K8S404" not in out  # a rule the run disables may still be suppressed
    assert code == 1
