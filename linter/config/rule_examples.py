"""Running a rule's own help examples: the bad example must fire on exactly the
lines marked `# flagged` (`<!-- flagged -->` in XML), the good one must stay
silent. Used by `deploylint validate-rules` for custom rules; the test suite
applies the same convention to the built-in pack."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from linter.core.format import COMMON
from linter.core.rules import Rule
from linter.formats import REGISTRY

FLAG = re.compile(r"(#|<!--)\s*flagged\b")


def example_filename(rule: Rule) -> str:
    """The name a rule's examples are linted under: the help's own choice, else its format's."""
    return rule.help.get("example_filename") or REGISTRY.target(rule.target.format).example_file


def write_beside(rule: Rule, directory: Path) -> None:
    """Write the file a rule relating two files shows beside its examples (`help.example_beside`)."""
    beside = rule.help.get("example_beside")
    if isinstance(beside, dict):
        (directory / str(beside["filename"])).write_text(str(beside["text"]), encoding="utf-8")


def flagged_lines(text: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), 1) if FLAG.search(line)]


def finding_lines(rule: Rule, text: str) -> list[int]:
    """The lines where `rule` fires on `text`, linted alone in a scratch directory."""
    from linter.core.lint import run
    from linter.core.run_types import Settings

    hint = rule.target.format if rule.target.format != COMMON else None
    with tempfile.TemporaryDirectory(prefix="deploylint-example-") as scratch:
        root = Path(scratch)
        target = root / example_filename(rule)
        target.write_text(text, encoding="utf-8")
        write_beside(rule, root)
        result = run([str(target)], Settings(root=root, rules=[rule], formats=REGISTRY, format_hint=hint))
    return sorted({f.span.line for f in result.shown if f.rule_id == rule.id})


def example_problems(rule: Rule) -> list[tuple[str, str]]:
    """(help field, problem) for every way the examples disagree with the rule."""
    problems: list[tuple[str, str]] = []
    bad, good = rule.help.get("bad"), rule.help.get("good")
    if bad:
        fired = finding_lines(rule, bad)
        marked = flagged_lines(bad)
        if not fired:
            problems.append(("bad", "the bad example does not fire the rule"))
        elif marked and fired != marked:
            problems.append(("bad", f"the bad example fires on lines {fired} but marks {marked} as flagged"))
    if good:
        fired = finding_lines(rule, good)
        if fired:
            problems.append(("good", f"the good example fires the rule on lines {fired}"))
    return problems
