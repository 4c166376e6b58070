"""Every finding lies inside the file it names, on the lines and columns an
editor or a SARIF viewer shows (the property is `fuzz_support.span_fault`):
over every rule's examples, every example tree and fixture, and the inputs
the fuzzers found pointing past their file or line (the mutated inputs
themselves are checked by tests/test_fuzz_parsers.py, deeper by bench/fuzz.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES, PROJECT, all_rules
from fuzz_support import decoded_texts, span_fault

from linter.config.rule_examples import example_filename
from linter.config.rules import select_rules
from linter.core.format import COMMON
from linter.core.lint import run
from linter.core.model import LineIndex, Span
from linter.core.rules import Rule
from linter.core.run_types import RunResult, Settings
from linter.formats import REGISTRY


def _faults(result: RunResult, root: Path) -> list[tuple[str, Span, str]]:
    texts = decoded_texts(root)
    return [(f.rule_id, f.span, fault) for f in result.findings if (fault := span_fault(f.span, texts)) is not None]


def _lint(root: Path, paths: list[Path], hint: str | None = None, rules: list[Rule] | None = None) -> RunResult:
    rules = rules if rules is not None else select_rules(all_rules())
    return run([str(p) for p in paths], Settings(root=root, rules=rules, formats=REGISTRY, format_hint=hint))


EXAMPLE_CASES = [(rule, part) for rule in all_rules() for part in ("bad", "good") if rule.help.get(part)]


@pytest.mark.parametrize(("rule", "part"), EXAMPLE_CASES, ids=[f"{r.id}-{p}" for r, p in EXAMPLE_CASES])
def test_every_finding_on_a_rule_example_lies_inside_it(rule: Rule, part: str, tmp_path: Path) -> None:
    target = tmp_path / example_filename(rule)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(rule.help[part], encoding="utf-8")
    result = _lint(tmp_path, [target], rule.target.format if rule.target.format != COMMON else None)
    assert _faults(result, tmp_path) == []


TREES = [*sorted(p for p in EXAMPLES.iterdir() if p.is_dir()), PROJECT / "tests" / "fixtures"]


@pytest.mark.parametrize("tree", TREES, ids=lambda p: p.name)
def test_every_finding_on_the_examples_and_fixtures_lies_inside_its_file(tree: Path) -> None:
    result = _lint(tree, [tree])
    assert result.files
    if tree.name.endswith("broken") or tree.name == "fixtures":
        assert result.findings  # the property is not vacuous
    assert _faults(result, tree) == []


# Inputs the fuzzers found with a finding past its file or its line, minimized:
# (format, file name, bytes, the finding's rule, its span as (line, column, end line, end column)).
FOUND = [
    # An unexpected end of the stream: libyaml places it on the line after the last one.
    ("kubernetes", "pod.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: 'a\n", "DL001", (3, 19, 3, 20)),
    # An anchor cut at the end of its line: the error was one column past it.
    ("kubernetes", "pod.yaml", b"&\n$#", "DL001", (1, 1, 1, 2)),
    # A ';' missing at the end of the file: pointed one past the last word.
    ("nginx", "nginx.conf", b"events {}\nworker_processes 2", "DL001", (2, 18, 2, 19)),
    # Lone CRs: whitespace to nginx, line breaks to an editor; `listen` was placed on line 1, past its end.
    ("nginx", "nginx.conf", b"http {\r  server {\r    listen 80;\r  }\r}\r", "NGX203", (3, 5, 3, 14)),
    # Whitespace only: expat's "no element found" on a line after the last.
    ("clickhouse", "config.xml", b" \t\r\n", "DL001", (1, 2, 1, 3)),
    # The end of an unclosed element at the end of the last line.
    ("clickhouse", "config.xml", b"<clickhouse>\n  <users>", "DL001", (2, 9, 2, 10)),
    # A NUL in a file whose first line is empty: the 1:1 point was one past that line.
    ("env", ".env", b"\nA=1\x00\n", "DL001", (1, 1, 1, 1)),
    # An invalid byte after a lone CR: counted on the line before, past its end.
    ("env", ".env", b"A=1\rBB=2\xad\n", "DL001", (2, 5, 2, 6)),
    # An empty file: its missing settings were a 1:1 point one past its only (empty) line.
    ("redis", "redis.conf", b"", "RDS103", (1, 1, 1, 1)),
    ("postgresql", "postgresql.conf", b"", "PG101", (1, 1, 1, 1)),
]


@pytest.mark.parametrize(("fmt", "name", "data", "rule_id", "span"), FOUND, ids=[f"{c[0]}-{i}" for i, c in enumerate(FOUND)])
def test_found_offenders_stay_inside_their_file(
    fmt: str, name: str, data: bytes, rule_id: str, span: tuple[int, int, int, int], tmp_path: Path
) -> None:
    target = tmp_path / name
    target.write_bytes(data)
    result = _lint(tmp_path, [target], fmt)
    assert _faults(result, tmp_path) == []
    spans = [(f.span.line, f.span.column, f.span.end_line, f.span.end_column) for f in result.findings if f.rule_id == rule_id]
    assert span in spans, spans


@pytest.mark.parametrize(
    ("text", "given", "fitted"),
    [
        ("abc\n", (2, 1, 2, 2), (1, 3, 1, 4)),  # past the last line: on the last character
        ("abc", (1, 4, 1, 5), (1, 3, 1, 4)),  # past the line: on its last character
        ("ab\n\n", (3, 1, 3, 2), (2, 1, 2, 1)),  # the last line is empty: its empty region
        ("", (1, 1, 1, 2), (1, 1, 1, 1)),  # an empty file is one empty line
        ("a\r\nb\rc", (3, 1, 3, 2), (3, 1, 3, 2)),  # inside already: unchanged (CRLF and CR both end a line)
        ("abc\nde", (1, 2, 9, 9), (1, 2, 2, 3)),  # the end past the file: the last line's end
    ],
)
def test_fit_moves_a_span_inside_its_text(text: str, given: tuple[int, int, int, int], fitted: tuple[int, int, int, int]) -> None:
    span = LineIndex(text).fit(Span("f", *given))
    assert (span.line, span.column, span.end_line, span.end_column) == fitted
    assert span_fault(span, {"f": text}) is None
