"""Resource bounds, each set through the config's `limits:` key: exceeding one
gives a finding naming the limit on that file, and every other file of the run
is still linted (its findings equal a run without the hostile file)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_cli, write

import linter.core.budget
import linter.formats.kubernetes.checks
from linter.core.check import PythonCheck, Violation
from linter.core.subject import Subject
from linter.formats.kubernetes.selectors import ContainerOwner

# One K8S501 finding (mutable tag) at 6:24, and nothing else with --select K8S501.
INTACT = 'apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers:\n    - {name: c, image: "nginx:latest"}\n'
INTACT_FINDING = ("K8S501", "intact.yaml", 6, 24)


def lint_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli(capsys, root, "--format", "json", *args, ".")
    assert not err, err
    return code, json.loads(out)


def where(document: dict[str, Any], rule: str | None = None) -> list[tuple[str, str, int, int]]:
    return [(f["rule"], f["file"], f["line"], f["column"]) for f in document["findings"] if rule is None or f["rule"] == rule]


def limited(root: Path, **limits: object) -> None:
    write(root, ".deploylint.yaml", "limits:\n" + "".join(f"  {k}: {v}\n" for k, v in limits.items()))
    write(root, "intact.yaml", INTACT)


def test_file_size_cap_skips_each_format_with_a_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    limited(tmp_path, max_file_bytes=400)
    write(tmp_path, "big.yaml", INTACT.replace("name: ok", "name: big") + "# padding\n" * 40)
    write(tmp_path, ".env", "A=1\n" + "# padding\n" * 40)
    write(tmp_path, "nginx/nginx.conf", "events {}\nhttp {\n" + "  # padding\n" * 40 + "}\n")
    code, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL005")
    dl005 = [f for f in document["findings"] if f["rule"] == "DL005"]
    assert [(f["file"], f["line"], f["column"]) for f in dl005] == [
        (".env", 1, 1),
        ("big.yaml", 1, 1),
        ("nginx/nginx.conf", 1, 1),
    ]
    assert all("over the 400-byte limit (max_file_bytes); skipped" in f["message"] for f in dl005)
    assert where(document, "K8S501") == [INTACT_FINDING]
    assert document["summary"]["unparsable_files"] == 3 and code == 1


BILLION_LAUGHS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
data:
  a: &a [lol, lol, lol, lol, lol, lol, lol, lol]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a]
  c: [*b, *b, *b, *b, *b, *b, *b, *b]
"""


def test_yaml_alias_expansion_bound_is_configurable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    limited(tmp_path, max_yaml_alias_nodes=50)
    write(tmp_path, "laughs.yaml", BILLION_LAUGHS)
    write(
        tmp_path,
        "anchors.yaml",
        INTACT.replace("name: ok", "name: anchors") + "---\n" + BILLION_LAUGHS.split("  b:")[0] + "  b: *a\n",
    )
    _, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL")
    # 9 nodes from `b: *a` are within the bound; `b` alone expands 8 * 9 = 72 nodes
    # (the finding points at the node whose copy went over the bound).
    assert where(document) == [("K8S501", "anchors.yaml", 6, 24), INTACT_FINDING, ("DL005", "laughs.yaml", 5, 30)]
    assert "alias expansion exceeds 50 nodes" in document["findings"][2]["message"]


def test_nesting_depth_bound_is_configurable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    limited(tmp_path, max_depth=6)
    nested = "".join("  " * (i + 1) + f"k{i}:\n" for i in range(8))
    write(tmp_path, "deep.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n" + nested)
    write(
        tmp_path,
        "nginx/nginx.conf",
        "events {}\nhttp {\n" + "".join("  " * i + "location / {\n" for i in range(1, 8)) + "}" * 7 + "\n}\n",
    )
    _, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL")
    # The first node (YAML) or block (nginx) below the sixth level.
    assert where(document) == [("DL005", "deep.yaml", 11, 15), INTACT_FINDING, ("DL001", "nginx/nginx.conf", 8, 24)]
    assert "nesting deeper than 6 levels" in document["findings"][0]["message"]
    assert "blocks nested deeper than 6 levels" in document["findings"][2]["message"]


def nginx_chain(root: Path, length: int) -> None:
    """nginx.conf includes c1.conf, which includes c2.conf, ... up to c<length>.conf."""
    write(root, "nginx/nginx.conf", "events {}\nhttp {\n  include c1.conf;\n}\n")
    for i in range(1, length + 1):
        nxt = f"include c{i + 1}.conf;\n" if i < length else "server_tokens on;\n"
        write(root, f"nginx/c{i}.conf", nxt)


def nginx_wide(root: Path) -> None:
    """nginx.conf includes conf.d/*.conf: five files."""
    write(root, "nginx/nginx.conf", "events {}\nhttp {\n  include conf.d/*.conf;\n}\n")
    for i in range(5):
        write(root, f"nginx/conf.d/s{i}.conf", f"server {{ listen {8000 + i}; }}\n")


def nginx_heavy(root: Path) -> None:
    """nginx.conf includes a.conf and b.conf, 82 bytes each."""
    write(root, "nginx/nginx.conf", "events {}\nhttp {\n  include a.conf;\n  include b.conf;\n}\n")
    for name in "ab":
        write(root, f"nginx/{name}.conf", "# " + name * 60 + "\nserver_tokens off;\n")


@pytest.mark.parametrize(
    ("limit", "value", "tree", "where_", "message"),
    [
        (
            "max_include_depth",
            3,
            lambda root: nginx_chain(root, 6),
            ("nginx/c3.conf", 1, 9),
            "includes nested deeper than 3 levels (max_include_depth); not read",
        ),
        (
            "max_includes",
            3,
            nginx_wide,
            ("nginx/nginx.conf", 3, 11),
            "more than 3 included files (max_includes); the rest is not read",
        ),
        (
            "max_include_bytes",
            100,
            nginx_heavy,
            ("nginx/nginx.conf", 4, 11),
            "included files exceed 100 bytes (max_include_bytes); the rest is not read",
        ),
    ],
)
def test_nginx_include_bounds(
    limit: str,
    value: int,
    tree: Any,
    where_: tuple[str, int, int],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    limited(tmp_path, **{limit: value})
    tree(tmp_path)
    _, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL003")
    assert where(document) == [INTACT_FINDING, ("DL003", *where_)]
    assert document["findings"][1]["message"] == message


# --- the per-file time budget ---------------------------------------------------------

SLOW_RULE = """\
id: AAA901
name: slow-check
title: A check that takes 50 clock seconds per container named slow-*
severity: warning
target: {format: kubernetes, select: containers}
check: {python: test-slow}
message: "container '{name}' was checked slowly"
help: {why: exercises the per-file time budget, fix: nothing to fix}
"""


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_time_budget_stops_checks_on_one_file_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()

    def slow(subject: Subject, params: object) -> Iterator[Violation]:
        if subject.context["name"].startswith("slow-"):
            clock.now += 50
            yield Violation(subject.node.anchor_span)  # type: ignore[union-attr]

    monkeypatch.setattr(linter.core.budget, "monotonic", clock)
    monkeypatch.setitem(linter.formats.kubernetes.checks.CHECKS, "test-slow", PythonCheck(slow, takes=(ContainerOwner,)))
    write(tmp_path, "rules/AAA901-slow-check.yaml", SLOW_RULE)
    limited(tmp_path, max_seconds_per_file=60)
    slow_pod = INTACT.replace("name: ok", "name: slow").replace("- {name: c,", "- {name: slow-a,")
    for name in ("slow-b", "slow-c"):
        slow_pod += f'    - {{name: {name}, image: "nginx:latest"}}\n'
    write(tmp_path, "slow.yaml", slow_pod)
    code, document = lint_json(capsys, tmp_path, "--rules-dir", "rules", "--select", "AAA901,K8S501,DL005")
    # slow-a (50 s) and slow-b (100 s) ran; the clock is checked before slow-c and
    # the rule stops; K8S501, after it, is not run on slow.yaml; intact.yaml is checked.
    assert where(document) == [
        INTACT_FINDING,
        ("DL005", "slow.yaml", 1, 1),
        ("AAA901", "slow.yaml", 6, 7),
        ("AAA901", "slow.yaml", 7, 7),
    ]
    assert document["findings"][1]["message"] == (
        "checks on this file took over 60 s (max_seconds_per_file); AAA901, K8S501 did not (fully) run"
    )
    assert code == 1


def test_time_budget_default_lets_normal_files_through(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "intact.yaml", INTACT)
    _, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL005")
    assert where(document) == [INTACT_FINDING]


def test_xml_depth_and_element_bounds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    limited(tmp_path, max_depth=6, max_xml_elements=20)
    nested = "".join(f"<e{i}>" for i in range(8)) + "".join(f"</e{i}>" for i in reversed(range(8)))
    write(tmp_path, "deep/config.xml", f"<clickhouse>\n  <profiles>{nested}</profiles>\n</clickhouse>\n")
    write(tmp_path, "wide/config.xml", "<clickhouse>\n" + "  <macro>x</macro>\n" * 25 + "</clickhouse>\n")
    write(tmp_path, "small/config.xml", "<clickhouse>\n" + "  <macro>x</macro>\n" * 5 + "</clickhouse>\n")
    _, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL")
    # <e4> is the seventh level; the 21st element is the 20th <macro>.
    assert where(document) == [("DL005", "deep/config.xml", 2, 29), INTACT_FINDING, ("DL005", "wide/config.xml", 21, 3)]
    assert "elements nested deeper than 6 levels (max_depth)" in document["findings"][0]["message"]
    assert "more than 20 elements (max_xml_elements)" in document["findings"][2]["message"]
    assert document["summary"]["unparsable_files"] == 2


def test_xml_entities_are_refused_not_expanded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "intact.yaml", INTACT)
    lol = '<!DOCTYPE clickhouse [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    write(tmp_path, "bomb/config.xml", f'<?xml version="1.0"?>\n{lol}\n<clickhouse><x>&b;</x></clickhouse>\n')
    write(tmp_path, "xxe/config.xml", '<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<clickhouse>&x;</clickhouse>\n')
    _, document = lint_json(capsys, tmp_path, "--select", "K8S501,DL")
    assert where(document) == [("DL005", "bomb/config.xml", 2, 1), INTACT_FINDING, ("DL005", "xxe/config.xml", 1, 1)]
    assert all("refused" in f["message"] for f in document["findings"] if f["rule"] == "DL005")
    assert "root:" not in json.dumps(document)
