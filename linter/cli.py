"""The command line (design §3). Exit codes: 0 clean, 1 findings at or above
--fail-on, 2 usage/config error (one line, no traceback), 3 internal error."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import UsageError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = ("text", "json", "sarif")


class DefaultGroup(click.Group):
    """`deploylint PATHS...` runs `check`; `deploylint rules` etc. are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deploylint")
def cli() -> None:
    """Lint Kubernetes manifests, nginx configs, ClickHouse XML and .env files
    against a deployment policy. `deploylint [PATHS]` lints (default: `.`)."""


def scan_root(paths: list[str]) -> Path:
    """Display paths and confinement are relative to the current directory when
    every path lies under it, else to the paths' common parent."""
    cwd = Path.cwd()
    absolute = [Path(p).absolute() for p in paths if p != "-"]
    if all(_under(p, cwd) for p in absolute):
        return cwd
    common = Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in absolute]))
    return common


def _under(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None, help="Output format (default: text).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file instead of stdout.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), default="note", show_default=True,
              help="Lowest severity that makes the exit code 1.")
@click.option("--select", multiple=True, help="Rule IDs, names or prefixes to run (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, help="Rule IDs, names or prefixes to skip.")
@click.option("--format-hint", type=click.Choice(["kubernetes", "nginx", "clickhouse", "env"]), help="Treat every file as this format.")
@click.option("--ignore-unknown", is_flag=True, help="Skip named files whose format cannot be told (for pre-commit).")
@click.option("--stdin-filename", default="-", help="The name to show (and detect the format from) for `-`.")
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.option("--show-suppressed", is_flag=True, help="Also list suppressed findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--sarif-category", help="SARIF runAutomationDetails.id (one per analysis in code scanning).")
@click.option("--sarif-include-suppressed", is_flag=True, help="Keep suppressed findings in SARIF, marked as such.")
@click.option("--color/--no-color", default=None, help="Colour text output (default: on a TTY, unless NO_COLOR).")
def check_command(paths: tuple[str, ...], **options: Any) -> None:
    """Lint PATHS (files or directories; `-` reads standard input)."""
    sys.exit(_guarded(lambda: run_check(list(paths) or ["."], options)))


def run_check(paths: list[str], options: dict[str, Any]) -> int:
    from .config import select_rules
    from .engine import Settings, run
    from .findings import Severity
    from .rules import load_rules

    rules = select_rules(load_rules(), _split(options["select"]), _split(options["ignore"]))
    stdin = None
    if "-" in paths:
        paths = [p for p in paths if p != "-"]
        stdin = (options["stdin_filename"], sys.stdin.read())
    settings = Settings(
        root=scan_root(paths) if paths else Path.cwd(),
        rules=rules,
        format_hint=options["format_hint"],
        ignore_unknown=options["ignore_unknown"],
        stdin=stdin,
    )
    result = run(paths, settings)
    text = render(result, options)
    write_output(text, options["output"])
    threshold = Severity(options["fail_on"]).rank
    failing = [f for f in result.shown if f.severity.rank >= threshold]
    return EXIT_FINDINGS if failing and not options["exit_zero"] else EXIT_CLEAN


def render(result: Any, options: dict[str, Any]) -> str:
    fmt = options["output_format"] or "text"
    if fmt == "json":
        from .report import json as json_report

        return json_report.render(result, show_suppressed=options["show_suppressed"])
    if fmt == "sarif":
        from .report import sarif

        return sarif.render(result, include_suppressed=options["sarif_include_suppressed"], category=options["sarif_category"])
    from .report import text

    colour = options["color"]
    if colour is None:
        colour = not options["output"] and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return text.render(result, colour=colour, show_suppressed=options["show_suppressed"], with_statistics=options["statistics"])


def write_output(text: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(text)
        return
    # Atomic: an interrupted run never leaves half a report behind.
    target = Path(output)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules_command(output_format: str) -> None:
    """List the built-in rules."""
    sys.exit(_guarded(lambda: _list_rules(output_format)))


def _list_rules(output_format: str) -> int:
    from .rules import load_rules

    rules = load_rules()
    if output_format == "json":
        import json

        click.echo(json.dumps([{"id": r.id, "name": r.name, "title": r.title, "severity": r.severity.value,
                                "format": r.target.format, "tags": r.tags, "params": r.params} for r in rules], indent=2))
    elif output_format == "markdown":
        click.echo("| ID | name | format | severity | title |\n|---|---|---|---|---|")
        for r in rules:
            click.echo(f"| {r.id} | {r.name} | {r.target.format} | {r.severity.value} | {r.title} |")
    else:
        for r in rules:
            click.echo(f"{r.id:<8} {r.name:<28} {r.severity.value:<8} {r.title}")
    return EXIT_CLEAN


@cli.command("rule")
@click.argument("rule_id")
def rule_command(rule_id: str) -> None:
    """Show the full help of one rule (by ID or name)."""
    sys.exit(_guarded(lambda: _show_rule(rule_id)))


def _show_rule(rule_id: str) -> int:
    from .rules import load_rules

    for r in load_rules():
        if r.id == rule_id.upper() or r.name == rule_id:
            click.echo(rule_help(r))
            return EXIT_CLEAN
    raise UsageError(f"unknown rule '{rule_id}' (try `deploylint rules`)")


def rule_help(r: Any) -> str:
    h = r.help
    lines = [f"{r.id} {r.name} ({r.severity.value}, {r.target.format})", "", r.title, "", "Why", "  " + h.get("why", "").strip()]
    if h.get("bad"):
        lines += ["", "Example (flagged)", _indent(h["bad"])]
    if h.get("good"):
        lines += ["", "Use instead", _indent(h["good"])]
    lines += ["", "Fix", "  " + h.get("fix", "").strip()]
    if r.params:
        lines += ["", "Params (defaults)"] + [f"  {k}: {v!r}" for k, v in r.params.items()]
    if r.references:
        lines += ["", "References"] + [f"  {ref}" for ref in r.references]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.rstrip().splitlines())


def _guarded(action: Any) -> int:
    """Run a command: user errors print one line (exit 2), bugs print where
    the traceback went (exit 3)."""
    try:
        return int(action())
    except UsageError as exc:
        click.echo(f"deploylint: error: {exc}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("deploylint: interrupted", err=True)
        return 130
    except Exception as exc:
        from .errorlog import ErrorLog, format_error

        path = ErrorLog().write("deploylint crashed", exc)
        where = f"traceback written to {path}" if path is not None else "traceback:\n" + format_error(exc)
        click.echo(f"deploylint: internal error ({type(exc).__name__}); {where}", err=True)
        return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="deploylint", standalone_mode=False)
    except click.exceptions.UsageError as exc:
        click.echo(f"deploylint: error: {exc.format_message()}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        return 130
    except SystemExit as exc:
        return int(exc.code or 0)
    return EXIT_CLEAN
