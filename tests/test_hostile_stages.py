"""Hostile input that costs in a stage before the checks (composing YAML,
decoding, a rule's own regexes): each is bounded by a `limits:` value or the
same time bound as the checks, is a finding on that file, and the rest of the
run goes on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_cli, write

# One K8S501 finding (mutable tag) at 6:24.
INTACT = 'apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers:\n    - {name: c, image: "nginx:latest"}\n'
PRIVILEGED = "apiVersion: v1\nkind: Pod\nmetadata: {name: root}\nspec:\n  containers:\n    - name: c\n      securityContext: {privileged: true}\n"


def lint_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli(capsys, root, "--format", "json", *args, ".")
    assert not err, err
    return code, json.loads(out)


def where(document: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    return [(f["rule"], f["file"], f["line"], f["column"]) for f in document["findings"]]


def merge_bomb(levels: int, fan_out: int = 60) -> str:
    """`aN: &aN {<<: [*aN-1, ...]}` over an empty `a0`: no pair is ever built,
    yet composing it merges fan_out ** levels mappings."""
    lines = ["a0: &a0 {}"]
    lines += [f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * fan_out)}]}}" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_yaml_merge_key_bomb_is_bounded_by_the_alias_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, ".deploylint.yaml", "limits:\n  max_yaml_alias_nodes: 1000\n")
    write(tmp_path, "intact.yaml", INTACT)
    # 60 ** 3 = 216,000 merges from 250 bytes (a fourth level takes minutes unbounded).
    write(tmp_path, "bomb.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n" + "".join(
        "  " + line + "\n" for line in merge_bomb(3).splitlines()
    ))
    _, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL")
    assert where(document) == [("DL005", "bomb.yaml", 5, 7), ("K8S501", "intact.yaml", 6, 24)]
    assert "alias expansion exceeds 1000 nodes" in document["findings"][0]["message"]


def test_many_alias_free_documents_are_not_taken_for_a_billion_laughs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, ".deploylint.yaml", "limits:\n  max_yaml_alias_nodes: 100\n")
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n"
    write(tmp_path, "many.yaml", "---\n".join([service] * 300 + [PRIVILEGED]))
    _, document = lint_json(capsys, tmp_path, "--select", "K8S403,DL")
    # The Pod is document 301: 4 lines per Service and a `---` each.
    assert where(document) == [("K8S403", "many.yaml", 300 * 5 + 7, 37)]


@pytest.mark.parametrize(
    "encoding, body",
    [
        ("undefined", b"<clickhouse/>"),  # a codec whose every decode raises
        ("punycode", b"<clickhouse>\xff-\xff</clickhouse>"),  # not valid punycode (and quadratic when it is)
        ("unicode_escape", b"<clickhouse>" + b"\\n" * 9 + b"</clickhouse>"),  # one line decoded as ten
        ("utf-7", b"<clickhouse>+ADw-x/+AD4-</clickhouse>"),  # markup smuggled past a byte-level reader
        ("idna", b"<clickhouse/>"),
    ],
)
def test_an_xml_prolog_may_declare_only_a_text_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str, body: bytes
) -> None:
    write(tmp_path, "intact.yaml", INTACT)
    (tmp_path / "ch").mkdir()
    (tmp_path / "ch" / "config.xml").write_bytes(b'<?xml version="1.0" encoding="' + encoding.encode() + b'"?>' + body + b"\n")
    code, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL")
    assert where(document) == [("DL001", "ch/config.xml", 1, 1), ("K8S501", "intact.yaml", 6, 24)]
    assert f"the declared encoding '{encoding}' is not a text encoding" in document["findings"][0]["message"]
    assert code == 1


EVIL_SCHEMA_RULE = """\
id: ACME201
name: name-pattern
title: Names follow the pattern
severity: warning
target: {{format: kubernetes, select: objects}}
check:
  schema:
    properties:
      metadata:
{schema}
message: "{{kind}}/{{object}}: {{reason}}"
help: {{why: Names are routed by pattern., fix: Rename.}}
"""

# Backtracks exponentially in `re` and in `regex` alike (33 `a`s: seconds; each more doubles it).
EVIL = "^(a|aa)+$"
EVIL_VALUE = "a" * 33 + "b"


# A pattern that timed out once fails fast for the rest of the run: where
# intact.yaml has a value for it, the rule is not run there either, and says so.
AGAIN = [("DL005", "intact.yaml", 1, 1)]


@pytest.mark.parametrize(
    "schema, intact",
    [
        # the fast evaluator's `pattern`
        (f"        properties: {{name: {{pattern: '{EVIL}'}}}}", AGAIN),
        # its `patternProperties` (and `additionalProperties` beside them); intact.yaml has no labels
        (f"        properties: {{labels: {{patternProperties: {{'{EVIL}': {{type: string}}}}, additionalProperties: false}}}}", []),
        # a schema handed to jsonschema (`uniqueItems` is not in the fast subset)
        (f"        properties: {{name: {{pattern: '{EVIL}'}}, finalizers: {{uniqueItems: true}}}}", AGAIN),
    ],
    ids=["pattern", "patternProperties", "jsonschema"],
)
def test_a_custom_rule_schema_pattern_runs_under_the_regex_time_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schema: str, intact: list[tuple[str, str, int, int]]
) -> None:
    write(tmp_path, "rules/r.yaml", EVIL_SCHEMA_RULE.format(schema=schema))
    write(tmp_path, ".deploylint.yaml", "rules_dirs: [rules]\n")
    write(tmp_path, "cm.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {EVIL_VALUE}\n  labels: {{{EVIL_VALUE}: x}}\n")
    write(tmp_path, "intact.yaml", INTACT)
    _, document = lint_json(capsys, tmp_path, "--select", "ACME201,K8S501,DL")
    assert where(document) == [("DL005", "cm.yaml", 1, 1), *intact, ("K8S501", "intact.yaml", 6, 24)]
    message = document["findings"][0]["message"]
    assert message.startswith(f"rule ACME201's pattern '{EVIL}' timed out (over 0.25 s on one value")
    assert message.endswith("is not run again; the rule did not (fully) run on this file")


def test_the_guarded_jsonschema_keywords_report_what_jsonschema_does() -> None:
    import jsonschema

    from linter.core.checks.guarded_jsonschema import guarded_validator

    schema = {
        "properties": {"a": {"pattern": "^x+$"}, "tags": {"uniqueItems": True}},
        "patternProperties": {"^p-": {"type": "integer"}, "^q": {"type": "string"}},
        "additionalProperties": False,
    }
    instance = {"a": "xy", "p-1": "s", "q": 1, "zz": 0, "yy": 1, "tags": [1, 1]}
    ours = [(list(e.absolute_path), e.validator, e.message) for e in guarded_validator(schema).iter_errors(instance)]
    theirs = [(list(e.absolute_path), e.validator, e.message) for e in jsonschema.Draft202012Validator(schema).iter_errors(instance)]
    assert ours == theirs and len(ours) == 5


HUGE = "9" * 5000  # more digits than Python converts to an int


def test_a_huge_number_is_a_value_not_an_internal_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "pod.yaml", (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n"
        f"      resources: {{requests: {{cpu: {HUGE}m}}, limits: {{cpu: '1'}}}}\n"
    ))
    write(tmp_path, ".env", f"REDIS_URL=redis://cache:{HUGE}/0\nDB_PASSWORD=hunter2\n")
    _, document = lint_json(capsys, tmp_path, "--select", "K8S105,K8S501,ENV102,DL")
    # Before: a DL006 each for K8S105 (the request) and for the .env's URL rules.
    assert where(document) == [("ENV102", ".env", 2, 13), ("K8S501", "pod.yaml", 7, 14)]


@pytest.mark.parametrize(
    "setting, problem",
    [
        ("max_file_bytes: 1.0e+29", "1e+29 is greater than the maximum of 1073741824"),  # was exit 3
        ("max_file_bytes: 100000000000000000000000000000", "100000000000000000000000000000 is greater than the maximum of 1073741824"),
        ("max_seconds_per_file: .nan", "expected a finite number, got nan"),  # passed, and disabled the budget
        ("max_seconds_per_file: .inf", "inf is greater than the maximum of 86400"),
        ("max_yaml_alias_nodes: .nan", "expected integer, got NaN"),
    ],
)
def test_limits_are_finite_numbers_in_range(tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, problem: str) -> None:
    write(tmp_path, ".deploylint.yaml", f"limits:\n  {setting}\n")
    write(tmp_path, "intact.yaml", INTACT)
    code, out, err = run_cli(capsys, tmp_path, ".")
    key = setting.split(":")[0]
    assert (code, out, err) == (2, "", f"deploylint: error: .deploylint.yaml:2: limits.{key}: {problem}\n")


def test_an_integral_float_limit_is_an_integer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, ".deploylint.yaml", "limits:\n  max_file_bytes: 2.0e+2\n")
    write(tmp_path, "intact.yaml", INTACT)
    write(tmp_path, "big.yaml", INTACT + "# padding\n" * 20)
    _, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL")
    assert where(document) == [("DL005", "big.yaml", 1, 1), ("K8S501", "intact.yaml", 6, 24)]
    assert "over the 200-byte limit (max_file_bytes)" in document["findings"][0]["message"]


WIDE_MESSAGE_RULE = """\
id: ACME301
name: wide-message
title: Objects carry a team label
severity: warning
target: {format: kubernetes, select: objects}
check:
  assert:
    - {path: "metadata.labels.team", present: true}
message: "%s"
help: {why: Routing alerts needs a team., fix: Add the label.}
"""


@pytest.mark.parametrize(
    "template, shown",
    [
        ("{kind:>10000000}/{object} has no team", "Pod/ok has no team"),  # 10 MB per finding, unbounded
        ("{kind:{object}}/{object} has no team", "Pod/ok has no team"),  # a width taken from the file
        ("{kind:>6}/{object!r} has no team", "   Pod/'ok' has no team"),  # a small spec is kept
    ],
)
def test_a_message_template_cannot_make_a_message_huge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], template: str, shown: str
) -> None:
    write(tmp_path, "rules/r.yaml", WIDE_MESSAGE_RULE % template)
    write(tmp_path, ".deploylint.yaml", "rules_dirs: [rules]\n")
    write(tmp_path, "intact.yaml", INTACT)
    _, document = lint_json(capsys, tmp_path, "--select", "ACME301")
    assert [(f["rule"], f["line"], f["message"]) for f in document["findings"]] == [("ACME301", 3, shown)]


def test_a_yaml_file_with_too_many_nodes_is_not_composed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 10 MiB flow list (`[a,a,...]`, 5 million nodes) took 2.6 GB and two minutes."""
    write(tmp_path, ".deploylint.yaml", "limits:\n  max_yaml_nodes: 1000\n")
    write(tmp_path, "intact.yaml", INTACT)
    write(tmp_path, "wide.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: [" + "a," * 2000 + "a]\n")
    # Many characters that may start a node, few nodes: counted, and parsed as usual.
    write(tmp_path, "dashes.yaml", INTACT.replace("name: ok", "name: dashes") + "# " + "-" * 3000 + "\n")
    _, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL")
    # Node 1,001: the document's mapping, 10 keys and values, then the 990th `a`.
    assert where(document) == [("K8S501", "dashes.yaml", 6, 24), ("K8S501", "intact.yaml", 6, 24), ("DL005", "wide.yaml", 4, 7 + 989 * 2 + 1)]
    assert document["findings"][2]["message"] == "more than 1,000 YAML nodes (max_yaml_nodes); the file was not checked"
