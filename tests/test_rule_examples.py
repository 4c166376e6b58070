"""Every rule's help examples are tests: the bad example fires the rule on
exactly the lines marked `flagged`, the good example stays silent. The same
text is the rule's documentation, so docs cannot drift from behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import all_rules, lint_text

from linter.config.rule_examples import example_filename, flagged_lines
from linter.core.resources import rules_dir
from linter.core.rules import Rule, validate_rule_data

EXAMPLE_RULES = [r for r in all_rules() if r.help.get("bad") or r.help.get("good")]


def test_every_rule_file_is_valid() -> None:
    import yaml

    files = [p for p in rules_dir().glob("*/*.yaml") if p.parent.name != "presets"]
    assert files
    for path in files:
        validate_rule_data(yaml.safe_load(path.read_text()), str(path))


def test_rule_ids_and_names_are_unique() -> None:
    """IDs are unique; a name is unique within its format (the catalogue names
    both NGX201 and CH302 `tls-protocols`: a name selects the rule of each format)."""
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    named = [(r.target.format, r.name) for r in rules]
    assert len(set(named)) == len(named)


def test_rule_file_names_match_ids() -> None:
    for rule in all_rules():
        assert Path(rule.source).name == f"{rule.id}-{rule.name}.yaml"


@pytest.mark.parametrize("rule", [r for r in EXAMPLE_RULES if r.help.get("bad")], ids=lambda r: r.id)
def test_bad_example_fires_on_flagged_lines(rule: Rule, tmp_path: Path) -> None:
    text = rule.help["bad"]
    result = lint_text(tmp_path, example_filename(rule), text, select=[rule.id])
    lines = sorted({f.span.line for f in result.shown if f.rule_id == rule.id})
    assert lines, f"{rule.id}: bad example raised nothing: {[(f.rule_id, f.message) for f in result.shown]}"
    marked = flagged_lines(text)
    assert marked, f"{rule.id}: mark the flagged lines of the bad example with '# flagged'"
    assert lines == marked


@pytest.mark.parametrize("rule", [r for r in EXAMPLE_RULES if r.help.get("good")], ids=lambda r: r.id)
def test_good_example_is_silent(rule: Rule, tmp_path: Path) -> None:
    result = lint_text(tmp_path, example_filename(rule), rule.help["good"], select=[rule.id])
    assert [f.message for f in result.shown if f.rule_id == rule.id] == []
