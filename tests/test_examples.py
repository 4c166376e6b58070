"""The bundled examples: `ai-etl` lints clean, `ai-etl-broken` yields exactly
the golden findings (one golden file per format). Regenerate after an
intended change with `UPDATE_GOLDEN=1 python -m pytest tests/test_examples.py`
and review the diff."""

from __future__ import annotations

import os
from collections import defaultdict

from conftest import EXAMPLES, PROJECT, lint_paths

GOLDEN = PROJECT / "tests" / "golden"


def test_clean_example_has_no_findings() -> None:
    result = lint_paths(["examples/ai-etl"], PROJECT)
    assert result.files, "the clean example should contain lintable files"
    assert [(f.rule_id, f.span.file, f.span.line, f.message) for f in result.shown] == []


def test_broken_example_matches_golden_findings() -> None:
    result = lint_paths(["examples/ai-etl-broken"], PROJECT)
    by_format: dict[str, list[str]] = defaultdict(list)
    for f in result.shown:
        by_format[result.formats.get(f.span.file, "unknown")].append(f"{f.rule_id} {f.span.file}:{f.span.line}:{f.span.column}")
    if os.environ.get("UPDATE_GOLDEN"):
        for old in GOLDEN.glob("ai-etl-broken.*.txt"):
            old.unlink()
        for fmt, lines in by_format.items():
            (GOLDEN / f"ai-etl-broken.{fmt}.txt").write_text("\n".join(lines) + "\n")
    expected = {p.name.split(".")[1]: p.read_text().splitlines() for p in GOLDEN.glob("ai-etl-broken.*.txt")}
    assert dict(by_format) == expected


def test_examples_exist() -> None:
    assert (EXAMPLES / "ai-etl").is_dir() and (EXAMPLES / "ai-etl-broken").is_dir()


def test_broken_example_fingerprints_are_unique() -> None:
    """Two findings sharing a fingerprint would merge in a baseline (and in code
    scanning): every finding of the broken example has its own identity."""
    result = lint_paths(["examples/ai-etl-broken"], PROJECT)
    prints = [f.fingerprint() for f in result.shown]
    duplicates = {p for p in prints if prints.count(p) > 1}
    assert not duplicates, [(f.rule_id, f.span.file, f.span.line) for f in result.shown if f.fingerprint() in duplicates]
