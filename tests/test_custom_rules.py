"""Custom rules: the shipped examples are valid and behave, `validate-rules`
reports each problem as file:line, user regexes run under a time bound, and
user rules load from `--rules-dir` / `rules_dirs` without clashing."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write
from conftest import EXAMPLES, PROJECT

from linter.config.custom_rules import validate_rules_dir
from linter.config.rule_examples import finding_lines
from linter.core.rules import load_rules

CUSTOM = EXAMPLES / "custom-rules"

GOOD_RULE = """\
id: ACME101
name: team-label
title: Objects carry a team label
severity: warning
target: {format: kubernetes, select: objects}
check:
  assert:
    - {path: "metadata.labels[example.com/team]", present: true}
message: "{kind}/{object}: label example.com/team {reason}"
help:
  why: Routing alerts needs a team.
  bad: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: app}  # flagged
  good: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: app, labels: {example.com/team: core}}
  fix: Add the label.
"""


def test_shipped_custom_rule_examples_are_valid_and_their_examples_pass(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_rules_dir(CUSTOM) == []
    code, out, _ = run_cli(capsys, PROJECT, "validate-rules", "examples/custom-rules")
    assert (code, out) == (0, "examples/custom-rules: 2 rule file(s) valid\n")
    rules = {r.id: r for r in load_rules([CUSTOM]) if not r.builtin}
    assert sorted(rules) == ["ORG101", "ORG201"]
    assert finding_lines(rules["ORG101"], rules["ORG101"].help["bad"]) == [5, 16]


def test_custom_rules_run_from_the_command_line_and_from_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT.replace("registry.example.com/api", "docker.io/library/nginx"))
    code, out, _ = run_cli(capsys, project, "--rules-dir", str(CUSTOM), "app.yaml")
    assert out.splitlines()[:3] == [
        "app.yaml:3:1: warning[ORG101] Deployment/backend: label app.kubernetes.io/owner is missing",
        "app.yaml:11:18: error[ORG201] container 'api' in Deployment/backend: image must match '^registry\\\\.example\\\\.com/'",
        "app.yaml:14:13: error[K8S104] container 'api' in Deployment/backend has no memory limit",
    ]
    write(project, ".deploylint.yaml", f"rules_dirs: [{CUSTOM}]\nrules:\n  ORG1: disable\n")
    code, out, _ = run_cli(capsys, project, "app.yaml")
    assert code == 1
    assert [line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines()[:2]] == ["ORG201", "K8S104"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD_RULE.replace("severity: warning", "severity: fatal"), ["r.yaml:4: severity: expected one of error, warning, note, got \"fatal\""]),
        (GOOD_RULE.replace("id: ACME101", "id: K8S104"), ["r.yaml:1: id: K8S104 is already used by"]),
        (GOOD_RULE.replace("present: true}", "present: true, matches: '(unclosed'}"),
         ["r.yaml:8: check.assert.0.matches: invalid regex: missing ) at position 9"]),
        (GOOD_RULE.replace("select: objects", "select: pods"), ["r.yaml:5: unknown selector 'pods' for format 'kubernetes' (known: api-objects, containers, deployed-pod-specs, deployment-objects, objects, pod-specs"]),
        (GOOD_RULE.replace("  assert:\n    - {path: \"metadata.labels[example.com/team]\", present: true}", "  python: image-mutable-tag"),
         ["r.yaml:7: check 'image-mutable-tag' takes ContainerOwner subjects, but `select: objects` yields K8sObject "
          "(selectors it can check: containers)"]),
        (GOOD_RULE.replace("format: kubernetes, select: objects", "format: nginx, select: servers"),
         ["r.yaml:7: assert checks read a node, and `select: servers` yields subjects without one: use a python check"]),
        (GOOD_RULE.replace("  # flagged", ""), []),
        (GOOD_RULE.replace("{name: app}  # flagged", "{name: app, labels: {example.com/team: core}}  # flagged"),
         ["r.yaml:12: help.bad: the bad example does not fire the rule"]),
        (GOOD_RULE.replace("labels: {example.com/team: core}", "labels: {}"), ["r.yaml:16: help.good: the good example fires the rule on lines [3]"]),
        (GOOD_RULE.replace("title: Objects", "titel: Objects"), ["r.yaml:3: titel: unknown key (known: check, fix, help, id, message,", "r.yaml:1: missing required key 'title'"]),
        ("id: [\n", ["r.yaml:2: invalid YAML"]),
        (GOOD_RULE.replace("present: true}", "present: true, min: '{replicas}'}"),
         ["r.yaml:8: check.assert.0.min: names param 'replicas', which the rule's `params` does not define"]),
    ],
)
def test_validate_rules_reports_each_problem_with_file_and_line(tmp_path: Path, text: str, expected: list[str]) -> None:
    (tmp_path / "r.yaml").write_text(text)
    problems = [p.replace(f"{tmp_path.as_posix()}/", "") for p in validate_rules_dir(tmp_path)]
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problem


def test_validate_rules_exit_code(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "rules/r.yaml", GOOD_RULE.replace("severity: warning", "severity: fatal"))
    code, out, _ = run_cli(capsys, project, "validate-rules", "rules")
    assert (code, out) == (2, 'rules/r.yaml:4: severity: expected one of error, warning, note, got "fatal"\n')


def test_a_user_rule_clashing_with_a_built_in_id_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "rules/r.yaml", GOOD_RULE.replace("id: ACME101", "id: K8S104"))
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, _, err = run_cli(capsys, project, "--rules-dir", "rules", "app.yaml")
    assert code == 2 and err.startswith("deploylint: error: rules/r.yaml: rule ID K8S104 is already used by ")


def test_catastrophic_user_regex_is_bounded_and_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = GOOD_RULE.replace("present: true}", "present: true, matches: '^(a|aa)+$'}").replace("example.com/team: core", "example.com/team: " + "a" * 3000 + "b")
    write(project, "rules/r.yaml", evil)
    write(project, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels:\n    example.com/team: " + "a" * 3000 + "b\n")
    code, out, _ = run_cli(capsys, project, "--rules-dir", "rules", "--select", "ACME101", "cm.yaml")
    assert code == 1
    assert out.startswith("cm.yaml:6:23: warning[ACME101] ConfigMap/app: label example.com/team could not be checked: "
                          "the rule's pattern '^(a|aa)+$' timed out (catastrophic backtracking)\n")


def test_a_malformed_rule_in_a_rules_dir_stops_the_run_naming_file_and_field(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "rules/r.yaml", GOOD_RULE.replace("severity: warning", "severity: fatal"))
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, out, err = run_cli(capsys, project, "--rules-dir", "rules", "app.yaml")
    assert (code, out) == (2, "")
    assert err == ('deploylint: error: rules/r.yaml: severity: expected one of error, warning, note, got "fatal" '
                   "(`deploylint validate-rules` lists every problem with its line)\n")


def test_rules_dir_loading_and_validation_read_the_same_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A folder named like a rule file is not one: both the run and validate-rules skip it.
    write(project, "rules/r.yaml", GOOD_RULE)
    (project / "rules" / "drafts.yaml").mkdir()
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    assert run_cli(capsys, project, "validate-rules", "rules") == (0, "rules: 1 rule file(s) valid\n", "")
    code, out, err = run_cli(capsys, project, "--rules-dir", "rules", "--select", "ACME101", "app.yaml")
    assert (code, out.splitlines()[0], err) == (1, "app.yaml:3:1: warning[ACME101] Deployment/backend: label example.com/team is missing", "")


def test_a_rules_dir_that_is_a_file_is_named_as_such(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "rules.yaml", GOOD_RULE)
    assert run_cli(capsys, project, "validate-rules", "rules.yaml") == (2, "", "deploylint: error: rules.yaml: not a directory\n")
    assert run_cli(capsys, project, "validate-rules", "nope") == (2, "", "deploylint: error: rules directory not found: nope\n")


def test_a_rule_file_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_bytes(GOOD_RULE.replace("Objects carry", "Objects \xff carry").encode("latin-1"))
    assert validate_rules_dir(tmp_path) == [f"{tmp_path.as_posix()}/r.yaml:3: not valid UTF-8 (byte 0xFF); save the file as UTF-8"]


def test_a_user_rule_pairing_a_check_with_a_selector_of_another_type_stops_every_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused when rules load, not when a unit of its format shows up: a rule
    that could never fire must not pass silently on a tree without nginx."""
    rule = GOOD_RULE.replace("format: kubernetes, select: objects", "format: nginx, select: servers")
    rule = rule.replace("  assert:\n    - {path: \"metadata.labels[example.com/team]\", present: true}", "  python: tls-ciphers")
    write(project, "rules/r.yaml", rule)
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, out, err = run_cli(capsys, project, "--rules-dir", "rules", "app.yaml")
    assert (code, out) == (2, "")
    assert err == ("deploylint: error: rules/r.yaml: check 'tls-ciphers' takes DirectiveGroup or MissingSetting subjects, "
                   "but `select: servers` yields BlockGroup (selectors it can check: directives, settings) "
                   "(`deploylint validate-rules` names the line)\n")


def test_a_rules_dir_named_in_the_config_and_on_the_command_line_is_read_once(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, "rules/r.yaml", GOOD_RULE)
    write(project, ".deploylint.yaml", "rules_dirs: [rules]\n")
    write(project, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n")
    code, out, err = run_cli(capsys, project, "--rules-dir", "rules", "--select", "ACME101", "cm.yaml")
    assert (code, err) == (1, "")
    assert out.startswith("cm.yaml:3:1: warning[ACME101] ConfigMap/app: label example.com/team")
