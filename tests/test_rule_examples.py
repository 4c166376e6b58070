"""Every rule's help examples are tests: the bad example fires the rule on
exactly the lines marked `flagged`, the good example stays silent. The same
text is the rule's documentation, so docs cannot drift from behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLES, all_rules, lint_paths, lint_text

from linter.config.rule_examples import example_filename, flagged_lines, write_beside
from linter.core.resources import rules_dir
from linter.core.rules import Rule, validate_rule_data
from linter.core.subject import Selector, Subject
from linter.formats import REGISTRY

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
    write_beside(rule, tmp_path)
    result = lint_text(tmp_path, example_filename(rule), text, select=[rule.id])
    lines = sorted({f.span.line for f in result.shown if f.rule_id == rule.id})
    assert lines, f"{rule.id}: bad example raised nothing: {[(f.rule_id, f.message) for f in result.shown]}"
    marked = flagged_lines(text)
    assert marked, f"{rule.id}: mark the flagged lines of the bad example with '# flagged'"
    assert lines == marked


@pytest.mark.parametrize("rule", [r for r in EXAMPLE_RULES if r.help.get("good")], ids=lambda r: r.id)
def test_good_example_is_silent(rule: Rule, tmp_path: Path) -> None:
    write_beside(rule, tmp_path)
    result = lint_text(tmp_path, example_filename(rule), rule.help["good"], select=[rule.id])
    assert [f.message for f in result.shown if f.rule_id == rule.id] == []


def test_rule_files_set_only_params_that_differ_from_the_checks_defaults() -> None:
    """A Python check's param default is written once, in its typed params; a
    rule file lists a param only to set another value (CH101-CH103 share one
    check with different settings)."""
    import dataclasses

    from linter.core.check import params_type_of
    from linter.core.rules import load_rules
    from linter.formats import REGISTRY

    repeated = []
    for rule in load_rules():
        params_type = params_type_of(rule, REGISTRY)
        if params_type is None:
            continue
        for f in dataclasses.fields(params_type):
            default = f.default if f.default is not dataclasses.MISSING else (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else dataclasses.MISSING)
            value = rule.params.get(f.name, dataclasses.MISSING)
            if value is not dataclasses.MISSING and (list(value) if isinstance(value, (list, tuple)) else value) == (
                    list(default) if isinstance(default, (list, tuple)) else default):
                repeated.append((rule.id, f.name))
    assert repeated == []


def test_every_selector_yields_the_data_types_it_declares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The typed seam holds at run time: over every rule's examples and the
    bundled examples, each subject's `data` is one of its selector's declared
    types, and it has a node exactly when the selector says so (what rule
    loading relies on to refuse a check of another type)."""
    wrong: list[str] = []
    walked: set[str] = set()
    original = Selector.__call__

    def checked(self: Selector, *args: object) -> Iterator[Subject]:
        for subject in original(self, *args):  # type: ignore[arg-type]
            walked.add(self.walk.__qualname__)
            if not isinstance(subject.data, self.yields) or (subject.node is not None) != self.nodes:
                wrong.append(f"{self.walk.__qualname__}: {type(subject.data).__name__}, node {subject.node is not None}")
            yield subject

    monkeypatch.setattr(Selector, "__call__", checked)
    for rule in EXAMPLE_RULES:
        for field in ("bad", "good"):
            if rule.help.get(field):
                lint_text(tmp_path / f"{rule.id}-{field}", example_filename(rule), rule.help[field], select=[rule.id])
    lint_paths([EXAMPLES], EXAMPLES.parent)
    assert wrong == []
    used = {REGISTRY.selector(r.target.format, r.target.select).walk.__qualname__ for r in all_rules()}
    assert used <= walked  # every selector a built-in rule names was exercised


def test_every_built_in_rule_pairs_a_check_with_a_selector_it_can_take() -> None:
    from linter.core.engine import CompiledRule

    for rule in all_rules():
        CompiledRule(rule, REGISTRY)  # raises UsageError on a mismatch
