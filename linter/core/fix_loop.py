"""The fix loop: lint, apply the applicable fixes, re-lint the fixed texts,
until nothing is left to fix (at most `MAX_PASSES` passes); then write each
changed file once.

Format-blind: it is handed a function that lints the paths with some texts in
place of their files' (`Workspace.texts`), and parses a fixed text with the
file's format only to check that it still parses. A file is fixed only when
it lies inside the scanned root and its bytes are exactly its UTF-8 text (so
writing the text back changes nothing but the edits); a pass whose fixes make
a file parse worse is dropped for that file, with a warning. Writes are atomic
(`atomic.write_output`); with `write=False` (`--diff`) nothing is written.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from linter.core.fix import MAX_PASSES, apply_edits, choose, fixable, masked
from linter.core.format import FormatRegistry
from linter.core.run_types import RunResult

# Parse problems a fix must not add (a file that no longer parses, or a parser crash).
_BREAKING = ("DL001", "DL006")


@dataclass(slots=True)
class FixOutcome:
    result: RunResult  # the lint of the fixed texts
    fixed: int = 0  # findings whose fix was applied
    # Unified diffs, one per pass and changed file: values an edit removes
    # masked, secrets it writes shown as its `shown` text (so, unlike the
    # files, these do not add up to the fixed texts).
    diffs: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # display paths of the changed files
    warnings: list[str] = field(default_factory=list)


Lint = Callable[[Mapping[str, str]], RunResult]


def fix_loop(lint: Lint, root: Path, formats: FormatRegistry, *, unsafe: bool, write: bool) -> FixOutcome:
    texts: dict[str, str] = {}  # display path -> fixed text
    originals: dict[str, str] = {}
    outcome = FixOutcome(lint(texts))
    refused: set[str] = set()  # files not to fix again (a warning said why)
    for _ in range(MAX_PASSES):
        fixed = _one_pass(outcome, root, formats, unsafe, texts, originals, refused)
        if not fixed:
            break
        outcome.fixed += fixed
        outcome.result = lint(texts)
    outcome.changed = [path for path in sorted(texts) if texts[path] != originals[path]]
    for path in outcome.changed:
        if write:
            from linter.core.atomic import write_output

            write_output(root / path, texts[path])
    return outcome


def _one_pass(
    outcome: FixOutcome, root: Path, formats: FormatRegistry, unsafe: bool,
    texts: dict[str, str], originals: dict[str, str], refused: set[str],
) -> int:
    """Apply one pass of fixes to `texts`; how many findings they fix."""
    count = 0
    result = outcome.result
    for path, fixes in sorted(fixable(result.shown, unsafe).items()):
        fmt = result.formats.get(path)
        if path in refused or fmt is None:
            continue
        text = texts.get(path)
        if text is None:
            text = _fixable_text(root, path, outcome)
            if text is None:
                refused.add(path)
                continue
            originals[path] = text
        chosen, _waiting = choose(fixes)  # the others, next pass
        try:
            fixed = apply_edits(text, [e for fix in chosen for e in fix.edits])
        except ValueError as exc:
            outcome.warnings.append(f"{path}: fixes not applied: {exc}")
            refused.add(path)
            continue
        if fixed == text:
            continue
        if _problems(fixed, root, path, fmt, formats) > _problems(text, root, path, fmt, formats):
            rules = ", ".join(sorted({f.rule_id for f in result.shown if f.fix in chosen}))
            outcome.warnings.append(f"{path}: fixes of {rules} not applied: the fixed file would not parse")
            refused.add(path)
            continue
        texts[path] = fixed
        edits = [e for fix in chosen for e in fix.edits]
        shown = masked(text, [h for e in edits for h in e.hidden])
        outcome.diffs.append(unified_diff(path, shown, apply_edits(shown, [e.displayed() for e in edits])))
        count += len([f for f in result.shown if f.fix in chosen])
    return count


def _fixable_text(root: Path, path: str, outcome: FixOutcome) -> str | None:
    """The file's text when it may be rewritten from it; None (with a warning) when not."""
    from linter.core.workspace import Workspace

    target = root / path
    if Workspace(root).confined(target) is None:
        outcome.warnings.append(f"{path}: not fixed: outside the scanned root")
        return None
    try:
        data = target.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        outcome.warnings.append(f"{path}: not fixed: not a readable UTF-8 file")
        return None
    if text.startswith("\ufeff"):
        outcome.warnings.append(f"{path}: not fixed: it starts with a byte order mark, which would not be kept")
        return None
    return text


def _problems(text: str, root: Path, path: str, fmt: str, formats: FormatRegistry) -> int:
    from linter.core.loader import Loader
    from linter.core.model import SourceFile
    from linter.core.workspace import Workspace

    parsed = Loader(Workspace(root), formats).parse_guarded(SourceFile(path, str(root / path), text), fmt)
    return sum(1 for p in parsed.problems if p.rule_id in _BREAKING)


def unified_diff(path: str, before: str, after: str) -> str:
    # No context lines: a neighbouring line may hold a secret value, and no
    # edit here touches one.
    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}", n=0,
    ))
