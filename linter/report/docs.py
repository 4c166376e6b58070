"""Rule documentation from the rule files: one help text feeds `deploylint rule
ID`, `docs/rules/<ID>.md` and its index (SARIF's help comes from the same
fields). The docs are generated, never edited:

    python -m linter.report.docs            # (re)write docs/rules/ and schemas/config.schema.json
    python -m linter.report.docs --check    # exit 1 when either drifted from rules/
"""

from __future__ import annotations

import sys
from pathlib import Path

from linter.config.presets import PRESET_NAMES
from linter.config.rule_examples import example_filename
from linter.config.rules import effective_params, preset_rules
from linter.core.errors import UsageError
from linter.core.fix import SAFE
from linter.core.resources import rules_dir
from linter.core.rules import Rule, load_rules
from linter.formats import REGISTRY

DOCS_HEADER = "<!-- Generated from rules/ by `python -m linter.report.docs`; do not edit. -->"


def default_docs_dir() -> Path:
    return rules_dir().parent / "docs" / "rules"


def presets_by_rule(rules: list[Rule]) -> dict[str, list[str]]:
    """Rule ID -> the presets under which it runs."""
    enabled: dict[str, list[str]] = {r.id: [] for r in rules}
    for name in PRESET_NAMES:
        for rule in preset_rules(name, rules):
            enabled[rule.id].append(name)
    return enabled


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.rstrip().splitlines())


def fix_safety(rule: Rule) -> str:
    """Whether `--fix` fixes the rule's findings, and how safe that is (ruff's "Fix safety")."""
    fix = rule.fix
    if fix is None:
        return "Not fixable automatically."
    if fix.safety == SAFE:
        text = ("Fixable with `deploylint --fix` ([*] in the report). The fix is safe: it writes only what the "
                "rule asks for, and every other byte of the file (comments, quoting, indentation, key order) stays.")
    else:
        text = ("Fixable with `deploylint --fix --unsafe-fixes`. The fix is unsafe: it may change how the "
                "deployment behaves, so `--fix` alone leaves it.")
    return f"{text} {fix.note.strip()}" if fix.note else text


def rule_help(rule: Rule, presets: list[str]) -> str:
    """The full help shown by `deploylint rule ID`."""
    h = rule.help
    lines = [f"{rule.id} {rule.name} ({rule.severity.value}, {rule.target.format})", "", rule.title, "", "Why", _indent(h.get("why", "").strip())]
    beside = h.get("example_beside")
    if isinstance(beside, dict):
        lines += ["", f"Beside it, {beside['filename']}", _indent(str(beside["text"]))]
    if h.get("bad"):
        lines += ["", f"Example (flagged){_as_named(rule)}", _indent(h["bad"])]
    if h.get("good"):
        lines += ["", "Use instead", _indent(h["good"])]
    lines += ["", "Fix", _indent(h.get("fix", "").strip()), "", "Fix safety", _indent(fix_safety(rule))]
    params = effective_params(rule)
    if params:
        lines += ["", "Params (defaults)"] + [f"    {k}: {v!r}" for k, v in params.items()]
    lines += ["", "Presets", "    " + (", ".join(presets) if presets else "none (enable it in your config)")]
    if rule.references:
        lines += ["", "References"] + [f"    {ref}" for ref in rule.references]
    return "\n".join(lines) + "\n"


def _as_named(rule: Rule) -> str:
    """The examples' file name, when a file beside them makes it matter."""
    return f", as {example_filename(rule)}" if rule.help.get("example_beside") else ""


def _example_fence(rule: Rule) -> str:
    """The fence of the language the examples are written in: the rule's
    format's, or the holder's for a config shown inside a manifest (RDS105)."""
    name = example_filename(rule)
    written = REGISTRY.detect(Path(name), rule.help.get("bad", "")[:8192], Path("."))
    fmt = REGISTRY.find(written) if written is not None else None
    return (fmt or REGISTRY.target(rule.target.format)).code_fence


def rule_markdown(rule: Rule, presets: list[str]) -> str:
    h = rule.help
    fence = _example_fence(rule)
    tags = ", ".join(f"`{t}`" for t in rule.tags) or "-"
    parts = [
        DOCS_HEADER,
        f"# {rule.id} {rule.name}",
        "",
        f"**{rule.title}**",
        "",
        "| severity | format | tags | presets |",
        "|---|---|---|---|",
        f"| {rule.severity.value} | {rule.target.format} | {tags} | {', '.join(presets) or 'none'} |",
        "",
        "## Why is this a problem?",
        "",
        h.get("why", "").strip(),
    ]
    beside = h.get("example_beside")
    if h.get("bad"):
        parts += ["", "## Example", ""]
        if isinstance(beside, dict):  # the other file of a rule relating two (both examples are linted beside it)
            parts += [f"`{beside['filename']}`:", "", f"```{fence}", str(beside["text"]).rstrip(), "```", "",
                      f"`{example_filename(rule)}` beside it:", ""]
        parts += [f"```{fence}", h["bad"].rstrip(), "```"]
    if h.get("good"):
        parts += ["", "## Use instead", "", f"```{fence}", h["good"].rstrip(), "```"]
    parts += ["", "## Fix", "", h.get("fix", "").strip(), "", "## Fix safety", "", fix_safety(rule)]
    params = effective_params(rule)
    if params:
        parts += ["", "## Params", "", "| name | default |", "|---|---|"]
        parts += [f"| `{k}` | `{v!r}` |" for k, v in params.items()]
        parts += ["", f"Set them per rule in `.deploylint.yaml`: `rules: {{{rule.id}: {{params: {{...}}}}}}`."]
    parts += ["", "## Suppress", "", suppress_hint(rule)]
    if rule.references:
        parts += ["", "## References", ""] + [f"- <{ref}>" for ref in rule.references]
    return "\n".join(parts) + "\n"


def suppress_hint(rule: Rule) -> str:
    """How to suppress this rule, in its format's comment syntax."""
    fmt = REGISTRY.target(rule.target.format)
    hint = f"`{fmt.comment.wrap(f'deploylint: ignore[{rule.id}] reason')}` on the line or the line above"
    if fmt.data_suppression:
        hint += ", or " + fmt.data_suppression.format(rule=rule.id)
    return hint + "."


def index_markdown(rules: list[Rule], presets: dict[str, list[str]]) -> str:
    parts = [DOCS_HEADER, "# deploylint rules", "", f"{len(rules)} rules. Presets: {', '.join(PRESET_NAMES)} (default: recommended)."]
    for fmt in (*REGISTRY.formats, REGISTRY.common):
        title = fmt.title
        group = [r for r in rules if r.target.format == fmt.name]
        if not group:
            continue
        parts += ["", f"## {title}", "", "| ID | name | severity | title | presets |", "|---|---|---|---|---|"]
        for r in group:
            parts.append(f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity.value} | {r.title} | {', '.join(presets[r.id]) or '-'} |")
    return "\n".join(parts) + "\n"


def expected_docs(rules: list[Rule]) -> dict[str, str]:
    """File name -> content of every generated doc."""
    presets = presets_by_rule(rules)
    docs = {f"{r.id}.md": rule_markdown(r, presets[r.id]) for r in rules}
    docs["README.md"] = index_markdown(rules, presets)
    return docs


def sync_docs(out_dir: Path, check: bool) -> list[str]:
    """Write (or with `check`, compare) the docs; returns the names that differ
    (stale docs of removed rules included)."""
    expected = expected_docs([r for r in load_rules() if r.builtin])
    drifted = []
    for name, text in expected.items():
        path = out_dir / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            drifted.append(name)
            if not check:
                _write(path, text)
    for stale in sorted(out_dir.glob("*.md")) if out_dir.is_dir() else []:
        if stale.name not in expected:
            drifted.append(stale.name)
            if not check:
                stale.unlink()
    return sorted(drifted)


def _write(path: Path, text: str) -> None:
    from linter.core.atomic import write_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write {path.parent}: {exc.strerror or exc}") from None
    write_atomically(path, text)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m linter.report.docs", description="Generate docs/rules/ from the rule files.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the docs are out of date instead of writing them")
    parser.add_argument("--output-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    code = report_sync(args.output_dir or default_docs_dir(), args.check)
    if args.output_dir is None:  # the project's own docs: its config schema is generated from the same rules
        from linter.report import config_schema

        code = max(code, config_schema.report_sync(args.check))
    return code


def report_sync(out_dir: Path, check: bool) -> int:
    drifted = sync_docs(out_dir, check)
    if check and drifted:
        print(f"{out_dir}: out of date: {', '.join(drifted)} (run `python -m linter.report.docs`)", file=sys.stderr)
        return 1
    verb = "up to date" if not drifted else f"wrote {len(drifted)} file(s)"
    print(f"{out_dir}: {verb}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
