"""The command line (design §3). Exit codes: 0 clean, 1 findings at or above
--fail-on, 2 usage/config error (one line, no traceback), 3 internal error
(the message names the traceback's log); 130 interrupted, 141 the reader of
standard output went away."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from linter import __version__
from linter.core.errors import RunAborted, UsageError
from linter.core.findings import printable
from linter.formats import REGISTRY

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a reader that went away
FORMATS = ("text", "concise", "full", "json", "json-lines", "sarif", "github", "gitlab", "junit", "markdown")


_COMMAND_LIKE = re.compile(r"[a-z][a-z-]*")


class DefaultGroup(click.Group):
    """`deploylint PATHS...` runs `check`; `deploylint rules` etc. are subcommands.

    A first word is a subcommand even when a file or directory has its name
    (`deploylint check rules` lints that), and the clash is said on stderr;
    a word that is neither a subcommand nor a path is a usage error that
    lists the subcommands, not a "no such file"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = args[0] if args else ""
        group_use = isinstance(self.commands.get(first), click.Group) and len(args) > 1  # `docs generate`: plainly the command
        if first in self.commands and first != "check" and not group_use and os.path.lexists(first):
            click.echo(f"deploylint: note: '{first}' is a subcommand; to lint the path {first}, run `deploylint check {first}`", err=True)
        elif first and first not in self.commands and _COMMAND_LIKE.fullmatch(first) and not os.path.lexists(first):
            commands = ", ".join(sorted(self.commands))
            raise click.UsageError(f"'{first}' is neither a subcommand ({commands}) nor a file or directory")
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deploylint")
def cli() -> None:
    """Lint Kubernetes manifests, nginx configs, ClickHouse XML and .env files
    against a deployment policy.

    `deploylint [OPTIONS] [PATHS]...` runs `check` (see `deploylint check --help`)."""


def without_parent_steps(path: str) -> str:
    """A named path with `..` in it, as the absolute path it names (`..` taken
    from the current directory, as the shell and the kernel do): the scanned
    root is what the user names, and a path that only looks as if it lay under
    the current directory (`../nginx`, `$PWD/../nginx`) must not be confined to it."""
    if ".." not in Path(path).parts:
        return path
    return os.path.normpath(os.path.join(os.getcwd(), path))


def scan_root(paths: list[str]) -> Path:
    """Display paths and confinement are relative to the current directory when
    every path lies under it, else to the paths' common parent."""
    cwd = Path.cwd()
    absolute = [Path(p).absolute() for p in paths if p != "-"]
    if all(p.is_relative_to(cwd) for p in absolute):
        return cwd
    return Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in absolute]))


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def check_options(command: Any) -> Any:
    """Options shared by `check` and `baseline write` (what is linted, and how)."""
    options = [
        click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this config file (default: the nearest .deploylint.yaml or pyproject.toml [tool.deploylint])."),
        click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False), help="Also load custom rules from this directory (repeatable)."),
        click.option("--select", multiple=True, metavar="RULES", help="Rule IDs, names or prefixes to run (comma-separated, repeatable)."),
        click.option("--ignore", multiple=True, metavar="RULES", help="Rule IDs, names or prefixes to skip."),
        click.option("--format-hint", type=click.Choice(REGISTRY.names()), help="Treat every file as this format."),
        click.option("--ignore-unknown", is_flag=True, help="Skip named files whose format cannot be told (for pre-commit)."),
        click.option("--nginx-prefix", type=click.Path(file_okay=False, exists=True), metavar="DIR",
                     help="nginx's configuration prefix: relative includes and stock-prefix absolute ones (/etc/nginx/...) resolve against it."),
        click.option("--stdin-filename", default="-", metavar="NAME", help="The name to show (and detect the format from) for `-`."),
        click.option("--no-inline-suppressions", is_flag=True, help="Ignore suppression comments and annotations (strict CI)."),
        click.option("--respect-gitignore/--no-respect-gitignore", default=True,
                     help="Skip what git ignores when walking directories (default: on; named files are always linted)."),
        click.option("--strict-config", is_flag=True,
                     help="CI: use only the --config file (required); refuse other config files under the paths and "
                          "extends/rules_dirs/secret_patterns outside the repository."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@cli.command("check", short_help="Lint files and directories (the default command).")
@click.argument("paths", nargs=-1, type=click.Path())
@check_options
@click.option("--format", "--output-format", "output_format", type=click.Choice(FORMATS), default=None,
              help="Output format (default: text, which is concise; github when GITHUB_ACTIONS=true).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file instead of stdout.")
@click.option("--report", "reports", multiple=True, metavar="FORMAT=FILE",
              help="Also write this report from the same run (repeatable), e.g. --report sarif=out.sarif.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), default=None,
              help="Lowest severity that makes the exit code 1 (default: the config's fail_on, else note).")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not recorded in this baseline file.")
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.option("--show-suppressed", is_flag=True, help="Also list suppressed findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--sarif-category", metavar="ID", help="SARIF runAutomationDetails.id (one per analysis in code scanning).")
@click.option("--sarif-include-suppressed", is_flag=True, help="Keep suppressed findings in SARIF, marked as such.")
@click.option("--color/--no-color", default=None, help="Colour text output (default: on a TTY, unless NO_COLOR).")
@click.option("--diff-only", is_flag=True, help="Lint only files changed since the merge base with the upstream, else with the default branch (origin/HEAD, main, master), else HEAD; and untracked ones.")
@click.option("--changed-since", metavar="REF", help="Lint only files changed since REF (its merge-base with HEAD), and untracked ones.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, metavar="N",
              help="Worker processes (default 0: one per CPU; small runs stay in one process).")
@click.option("--shard", metavar="I/N", help="Lint only shard I of N (1-based), to spread a big repo over CI machines.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: on a terminal, for runs over 2 s).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache (.deploylint_cache/, or $DEPLOYLINT_CACHE_DIR/results).")
@click.option("--fix", is_flag=True, help="Apply the safe fixes ([*] in the report), then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix, --diff or --fix-only: apply the unsafe fixes too (they may change behaviour).")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a unified diff and change nothing (exit 1 if there is a diff).")
@click.option("--fix-only", is_flag=True, help="Apply the fixes and do not report the findings that remain.")
def check_command(paths: tuple[str, ...], **options: Any) -> None:
    """Lint PATHS (files or directories, default `.`; `-` reads standard input)."""
    sys.exit(_guarded(lambda: run_check(list(paths) or ["."], options)))


def read_stdin() -> bytes:
    """Standard input as bytes: decoded later like any file, so binary or
    non-UTF-8 input is a DL001 finding rather than mangled text."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return bytes(buffer.read())
    return sys.stdin.read().encode("utf-8", "surrogateescape")


def changed_only(paths: list[str], options: dict[str, Any]) -> list[str]:
    """PATHS narrowed to the files git reports as changed (--diff-only / --changed-since)."""
    if options["diff_only"] and options["changed_since"]:
        raise UsageError("--diff-only and --changed-since are alternatives: give one")
    if "-" in paths:
        raise UsageError("--diff-only / --changed-since cannot be combined with `-` (standard input)")
    from linter.core.gitdiff import changed_files, restrict

    changes = changed_files(Path.cwd(), options["changed_since"])
    flag = "--diff-only" if options["diff_only"] else "--changed-since"
    click.echo(f"deploylint: {flag}: files changed since {printable(changes.base.description)}", err=True)
    return restrict(changes.files, paths)


def policy_options(paths: list[str], options: dict[str, Any]) -> tuple[list[str], Any]:
    """The paths to walk and the policy `Options` the command line gives."""
    from linter.config.planning import Options

    if "" in paths:  # a script's empty variable; Path("") would quietly mean "."
        raise UsageError("no such file or directory: ''")
    paths = [without_parent_steps(p) for p in paths]
    stdin = None
    if "-" in paths:
        paths = [p for p in paths if p != "-"]
        stdin = (options["stdin_filename"], read_stdin())
    baseline = options.get("baseline")
    return paths, Options(
        root=scan_root(paths) if paths else Path.cwd(),
        config=Path(options["config_file"]) if options["config_file"] else None,
        rules_dirs=[Path(d) for d in options["rules_dirs"]],
        select=_split(options["select"]),
        ignore=_split(options["ignore"]),
        format_hint=options["format_hint"],
        ignore_unknown=options["ignore_unknown"],
        inline_suppressions=not options["no_inline_suppressions"],
        respect_gitignore=options["respect_gitignore"],
        baseline=Path(baseline) if baseline else None,
        stdin=stdin,
        nginx_prefix=options["nginx_prefix"],
        strict_config=options["strict_config"],
    )


def run_check(paths: list[str], options: dict[str, Any]) -> int:
    from linter.config.planning import fail_on, plan_runs, run_plans
    from linter.core.findings import Severity

    extra = _extra_reports(options["reports"])
    diff_mode = bool(options["diff_only"] or options["changed_since"])
    if diff_mode:
        # Changed files include READMEs and code: skip what is not ours to lint.
        paths, options = changed_only(paths, options), {**options, "ignore_unknown": True}
    paths, policy = policy_options(paths, options)
    plans = plan_runs(paths, policy)
    report_unused_configs(plans, policy.config)
    progress = _progress_bar(options["progress"])
    shard = _shard(options["shard"])
    fixing = options["fix"] or options["fix_only"] or options["show_diff"]
    for plan in plans:  # how to run, not what to check: the same for every config
        plan.settings.jobs = options["jobs"]
        plan.settings.shard = shard
        plan.settings.progress = progress
        if not (fixing or options.get("no_cache")):
            plan.settings.cache = _result_cache(plan.settings)
    try:
        if fixing:
            outcome = _fix(plans, policy.root, options)
            if options["show_diff"] or options["fix_only"]:
                return _fix_exit(outcome, bool(options["show_diff"]))
            result = outcome.result
        else:
            result = run_plans(plans)
    finally:
        if progress is not None:
            progress.close()
    write_output(render(result, output_format(options), options, policy.root), options["output"])
    for fmt, file in extra:
        write_output(render(result, fmt, {**options, "color": False}, policy.root), file)
    if not result.files:
        click.echo(f"deploylint: warning: nothing was linted: {_why_nothing(paths, diff_mode)}", err=True)
    threshold = Severity(fail_on(plans, options["fail_on"])).rank
    failing = [f for f in result.shown if f.severity.rank >= threshold]
    return EXIT_FINDINGS if failing and not options["exit_zero"] else EXIT_CLEAN


def _fix(plans: list[Any], root: Path, options: dict[str, Any]) -> Any:
    """Lint and apply the fixes (--fix, --fix-only), or compute them (--diff)."""
    from linter.config.planning import run_plans
    from linter.core.findings import printable
    from linter.core.fix_loop import fix_loop

    if any(plan.settings.stdin is not None for plan in plans):
        raise UsageError("--fix, --diff and --fix-only fix files: they cannot be combined with `-` (standard input)")
    formats = plans[0].settings.formats if plans else REGISTRY

    def lint(texts: Mapping[str, str]) -> Any:
        for plan in plans:
            plan.settings.texts = dict(texts)
        return run_plans(plans)

    outcome = fix_loop(lint, root, formats, unsafe=options["unsafe_fixes"], write=not options["show_diff"])
    for warning in outcome.warnings:
        click.echo(f"deploylint: warning: {printable(warning)}", err=True)
    outcome.result.fixed = outcome.fixed
    return outcome


def _fix_exit(outcome: Any, show_diff: bool) -> int:
    """--diff: the diff, exit 1 when there is one; --fix-only: how many were fixed, exit 0."""
    if show_diff:
        sys.stdout.write("".join(outcome.diffs))
        click.echo(f"deploylint: would fix {outcome.fixed} finding(s) in {len(outcome.changed)} file(s)", err=True)
        return EXIT_FINDINGS if outcome.changed else EXIT_CLEAN
    click.echo(f"deploylint: fixed {outcome.fixed} finding(s) in {len(outcome.changed)} file(s)", err=True)
    return EXIT_CLEAN


def _why_nothing(paths: list[str], diff_mode: bool) -> str:
    if diff_mode and not paths:
        return "no changed file of a format deploylint reads (--diff-only / --changed-since)"
    return ("no file there is of a format deploylint reads, or every one is excluded "
            "(`deploylint config show` lists the excludes)")


def report_unused_configs(plans: list[Any], pinned: Path | None) -> None:
    """--strict-config: each config file that would apply but is not used, one line on stderr."""
    for unused in (path for plan in plans for path in plan.unused_configs):
        shown = os.path.relpath(unused) if unused.is_relative_to(Path.cwd()) else str(unused)
        click.echo(f"deploylint: warning: {printable(shown)} is not used: --strict-config applies only {printable(str(pinned))}", err=True)


def _result_cache(settings: Any) -> Any:
    """The run's result cache, in the repository's top level (else the config's
    directory, else the scanned root); None when off or unusable."""
    from linter.core.result_cache import ResultCache

    anchor = settings.repository.anchor if settings.repository is not None else settings.root
    return ResultCache.open(anchor)


def _shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    from linter.core.shard import parse_shard

    return parse_shard(text)


def _progress_bar(wanted: bool | None) -> Any:
    """A bar when asked for, or (unless --no-progress) on a terminal for long runs."""
    if wanted is False or (wanted is None and not sys.stderr.isatty()):
        return None
    from linter.report.progress import ProgressBar

    return ProgressBar(forced=bool(wanted))


def output_format(options: dict[str, Any]) -> str:
    if options["output_format"]:
        return str(options["output_format"])
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def use_colour(options: dict[str, Any]) -> bool:
    """--color/--no-color win; otherwise colour only on a terminal, and never
    when NO_COLOR is set to anything non-empty (no-color.org)."""
    if options["color"] is not None:
        return bool(options["color"])
    return not options["output"] and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _extra_reports(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """--report FORMAT=FILE values, checked before the run starts."""
    reports = []
    for value in values:
        fmt, sep, file = value.partition("=")
        if not sep or not file:
            raise UsageError(f"--report: expected FORMAT=FILE, got '{value}'")
        if fmt not in FORMATS:
            raise UsageError(f"--report: unknown format '{fmt}' (one of {', '.join(FORMATS)})")
        reports.append((fmt, file))
    return reports


def github_run_url() -> str:
    """The workflow run's page, when running on GitHub Actions."""
    parts = [os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    return f"{parts[0]}/{parts[1]}/actions/runs/{parts[2]}" if all(parts) else ""


def github_blob_base() -> str:
    """Where a repository path links to on GitHub (the commit's blob URL), or ''."""
    parts = [os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")]
    return f"{parts[0]}/{parts[1]}/blob/{parts[2]}/" if all(parts) else ""


def changed_line_test(options: dict[str, Any], root: Path) -> Callable[[Any], bool] | None:
    """Whether a finding sits on a line the change touched, when the base is
    known (--changed-since, --diff-only, or a pull request's base branch on GitHub Actions);
    None when it is not, or git cannot tell."""
    since = options.get("changed_since") or (f"origin/{os.environ['GITHUB_BASE_REF']}" if os.environ.get("GITHUB_BASE_REF") else None)
    if not since and not options.get("diff_only"):
        return None
    from linter.core.gitdiff import changed_lines

    try:
        lines = changed_lines(root, since)
    except UsageError:
        return None  # e.g. a shallow checkout without the base: keep the engine's order

    def on_changed_line(finding: Any) -> bool:
        changed = lines.get((root / finding.span.file).resolve(), set())
        return changed is None or finding.span.line in changed

    return on_changed_line


def render(result: Any, fmt: str, options: dict[str, Any], root: Path) -> str | Iterator[str]:
    from .report.location import cwd_relative

    if fmt == "json":
        from .report import json as json_report

        return json_report.render(result, show_suppressed=options["show_suppressed"], with_statistics=options["statistics"],
                                  show_path=cwd_relative(root))
    if fmt == "json-lines":
        from .report import json_lines

        return json_lines.render(result, show_suppressed=options["show_suppressed"])
    if fmt in ("text", "concise", "full"):
        from .report import text

        return text.render_lines(result, colour=use_colour(options), show_suppressed=options["show_suppressed"],
                           with_statistics=options["statistics"], full=fmt == "full", show_path=cwd_relative(root))
    from .report.location import source_root_prefix

    prefix = source_root_prefix(root)
    if fmt == "github":
        from .report import github

        hint = "`deploylint --format text` lists them all" + (f"; this run: {github_run_url()}" if github_run_url() else "")
        return github.render(result, uri_prefix=prefix, on_changed_line=changed_line_test(options, root), full_report=hint)
    if fmt == "gitlab":
        from .report import gitlab

        return gitlab.render(result, uri_prefix=prefix)
    if fmt == "junit":
        from .report import junit

        return junit.render(result, uri_prefix=prefix)
    if fmt == "markdown":
        from .report import markdown

        return markdown.render(result, uri_prefix=prefix, link_base=github_blob_base())
    from .report import sarif

    return sarif.render(result, include_suppressed=options["sarif_include_suppressed"], category=options["sarif_category"],
                        uri_prefix=prefix)


def write_output(text: str | Iterable[str], output: str | None) -> None:
    """The report (a string, or its pieces in order) to standard output or the named file."""
    if not output:
        sys.stdout.writelines((text,) if isinstance(text, str) else text)
        return
    from linter.core.atomic import write_output as write_file

    write_file(Path(output), text)


@cli.command("render", short_help="Print what the rules see for a Kustomize overlay or a Helm chart.")
@click.argument("path", type=click.Path(exists=True))
def render_command(path: str) -> None:
    """Print the objects deploylint builds from PATH (a directory holding a
    kustomization or a Helm chart, or the file), as YAML; secret values are
    never printed.
    Problems that stopped the build go to stderr (exit 1)."""
    sys.exit(_guarded(lambda: _render(Path(path))))


def _render(path: Path) -> int:
    from linter.config.planning import Options, plan_runs
    from linter.core.loader import Loader
    from linter.core.workspace import Workspace

    root = scan_root([str(path)])
    # The config's limits and options (a chart's renderer and values files) apply as in a lint run.
    settings = plan_runs([str(path)], Options(root=root))[0].settings
    loader = Loader(Workspace(root, settings.limits, settings.options), REGISTRY)
    for fmt in REGISTRY:
        rendered = fmt.render(path, loader)
        if rendered is not None:
            text, problems = rendered
            sys.stdout.write(text)
            for problem in problems:
                click.echo(printable(f"{problem.span.file}:{problem.span.line}:{problem.span.column}: {problem.rule_id} {problem.message}"), err=True)
            return EXIT_FINDINGS if problems else EXIT_CLEAN
    raise UsageError(f"{path}: nothing to render (a directory holding a kustomization.yaml or a Chart.yaml, or the file)")


@cli.command("server", short_help="Serve diagnostics to editors (Language Server Protocol over stdio).")
@click.option("--debounce-ms", type=click.IntRange(min=0), default=300, show_default=True, metavar="MS",
              help="Lint a changed document once it has been still this long.")
def server_command(debounce_ms: int) -> None:
    """Run the Language Server on stdin/stdout: open files are linted as you
    type (unsaved text from memory, other files from disk, with the nearest
    config, as `deploylint FILE` lints them), with each rule's help on hover.
    Needs the `lsp` extra: pip install 'deploylint[lsp]'."""
    sys.exit(_guarded(lambda: _serve(debounce_ms / 1000)))


def _serve(debounce: float) -> int:
    try:
        from linter.server.server import serve
    except ImportError as exc:
        if exc.name not in ("pygls", "lsprotocol") and not str(exc.name).startswith(("pygls.", "lsprotocol.")):
            raise
        raise UsageError("`deploylint server` needs the lsp extra: pip install 'deploylint[lsp]'") from None
    serve(debounce)
    return EXIT_CLEAN


@cli.command("merge-sarif", short_help="Merge the SARIF files of `--shard` runs.")
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
def merge_sarif_command(output: str, inputs: tuple[str, ...]) -> None:
    """Merge the SARIF files of `--shard` runs into OUTPUT (`-`: stdout)."""
    sys.exit(_guarded(lambda: _merge_sarif(output, list(inputs))))


def _merge_sarif(output: str, inputs: list[str]) -> int:
    from linter.report.sarif_merge import merge_files

    write_output(merge_files(inputs), None if output == "-" else output)
    return EXIT_CLEAN


@cli.command("rules", short_help="List the rules, or what a preset enables.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="Output format.")
@click.option("--preset", type=click.Choice(["recommended", "strict", "production-checklist"]), help="Only the rules this preset enables, with its params.")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False), help="Include custom rules from this directory.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this config's rules_dirs (default: the nearest config).")
def rules_command(output_format: str, preset: str | None, rules_dirs: tuple[str, ...], config_file: str | None) -> None:
    """List the rules (built-in, and custom ones from --rules-dir and the config's rules_dirs), or what a preset enables."""
    sys.exit(_guarded(lambda: _list_rules(output_format, preset, known_rules_dirs(rules_dirs, config_file))))


def known_rules_dirs(given: tuple[str, ...], config_file: str | None) -> list[Path]:
    """The custom rule directories a lint here would load: the config's
    `rules_dirs` (nearest config, or --config) and the --rules-dir ones."""
    from linter.config.rules import load_config

    config = load_config(Path(config_file) if config_file else None, Path.cwd())
    return list(dict.fromkeys([*config.rules_dirs, *(Path(d) for d in given)]))


def _list_rules(output_format: str, preset: str | None, rules_dirs: list[Path]) -> int:
    from linter.config.rules import preset_rules
    from linter.core.rules import load_rules

    rules = load_rules(rules_dirs)
    if preset:
        rules = preset_rules(preset, rules)
    if output_format == "json":
        import json

        click.echo(json.dumps([{"id": r.id, "name": r.name, "title": r.title, "severity": r.severity.value,
                                "format": r.target.format, "tags": r.tags, "params": r.params} for r in rules], indent=2))
    elif output_format == "markdown":
        click.echo("| ID | name | format | severity | title | params |\n|---|---|---|---|---|---|")
        for r in rules:
            click.echo(f"| {r.id} | {r.name} | {r.target.format} | {r.severity.value} | {r.title} | {_params_text(r.params)} |")
    else:
        for r in rules:
            params = f"  [{_params_text(r.params)}]" if r.params and preset else ""
            click.echo(f"{r.id:<8} {r.name:<28} {r.severity.value:<8} {r.title}{params}")
    return EXIT_CLEAN


def _params_text(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


@cli.command("rule")
@click.argument("rule_id")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False), help="Include custom rules from this directory.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this config's rules_dirs (default: the nearest config).")
def rule_command(rule_id: str, rules_dirs: tuple[str, ...], config_file: str | None) -> None:
    """Show the full help of one rule (by ID or name), custom rules of the config included."""
    sys.exit(_guarded(lambda: _show_rule(rule_id, known_rules_dirs(rules_dirs, config_file))))


def _show_rule(rule_id: str, rules_dirs: list[Path]) -> int:
    from linter.core.rules import load_rules
    from linter.report.docs import presets_by_rule, rule_help

    rules = load_rules(rules_dirs)
    for r in rules:
        if r.id == rule_id.upper() or r.name == rule_id:
            click.echo(rule_help(r, presets_by_rule(rules)[r.id]), nl=False)
            return EXIT_CLEAN
    raise UsageError(f"unknown rule '{rule_id}' (try `deploylint rules`)")


@cli.command("validate-rules", short_help="Check a directory of custom rules.")
@click.argument("directory", type=click.Path())
def validate_rules_command(directory: str) -> None:
    """Check a directory of custom rules: schema, regexes, IDs, and their examples."""
    sys.exit(_guarded(lambda: _validate_rules(Path(directory))))


def _validate_rules(directory: Path) -> int:
    from linter.config.custom_rules import validate_rules_dir
    from linter.core.rules import rule_files

    problems = validate_rules_dir(directory)
    for problem in problems:
        click.echo(printable(problem))
    if problems:
        return EXIT_USAGE
    click.echo(printable(f"{directory}: {len(rule_files(directory))} rule file(s) valid"))
    return EXIT_CLEAN


@cli.group("baseline", short_help="Record findings so that only new ones are reported.")
def baseline_group() -> None:
    """Record today's findings so that only new ones are reported (`--baseline`)."""


@baseline_group.command("write")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, type=click.Path())
@check_options
@click.option("--until", metavar="YYYY-MM-DD", help="The last day the entries suppress (after it they are DL010 findings).")
def baseline_write_command(file: str, paths: tuple[str, ...], **options: Any) -> None:
    """Write FILE with the findings of PATHS (default: `.`). Entries already in
    FILE keep the day they were added."""
    sys.exit(_guarded(lambda: _write_baseline(Path(file), list(paths) or ["."], options)))


def _write_baseline(file: Path, paths: list[str], options: dict[str, Any]) -> int:
    from datetime import date

    from linter.config.planning import plan_runs, run_plans
    from linter.core.baseline import write_baseline

    until = None
    if options["until"]:
        try:
            until = date.fromisoformat(options["until"])
        except ValueError:
            raise UsageError(f"--until: expected a date (YYYY-MM-DD), got '{options['until']}'") from None
    paths, policy = policy_options(paths, options)
    result = run_plans(plan_runs(paths, policy))
    write_baseline(file, result.shown, until=until)
    click.echo(printable(f"{file}: recorded {len(result.shown)} finding(s) in {len(result.files)} file(s)"))
    return EXIT_CLEAN


@baseline_group.command("prune")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, type=click.Path())
@check_options
def baseline_prune_command(file: str, paths: tuple[str, ...], **options: Any) -> None:
    """Drop from FILE the entries that no finding of PATHS (default: `.`) matches
    any more (fixed problems); the others keep their dates."""
    sys.exit(_guarded(lambda: _prune_baseline(Path(file), list(paths) or ["."], options)))


def _prune_baseline(file: Path, paths: list[str], options: dict[str, Any]) -> int:
    from linter.config.planning import plan_runs, run_plans
    from linter.core.baseline import prune_baseline

    paths, policy = policy_options(paths, options)
    result = run_plans(plan_runs(paths, policy))
    dropped, kept = prune_baseline(file, result.shown)
    click.echo(f"{file}: dropped {dropped} entr{'y' if dropped == 1 else 'ies'} no finding matches, kept {kept}")
    return EXIT_CLEAN


@cli.command("init", short_help="Start using deploylint here: config, pre-commit hook, baseline.")
@click.option("--preset", type=click.Choice(["recommended", "strict", "production-checklist"]), default=None,
              help="The preset the config extends (default: asked on a terminal, else recommended).")
@click.option("--baseline", "baseline_file", is_flag=False, flag_value=".deploylint-baseline.json", default=None, metavar="[FILE]",
              help="Also record today's findings in a baseline (default name .deploylint-baseline.json).")
@click.option("--pre-commit/--no-pre-commit", "precommit", default=True, show_default=True,
              help="Write .pre-commit-config.yaml (or print the lines to add when it exists).")
@click.option("--force", is_flag=True, help="Replace files that exist.")
def init_command(preset: str | None, baseline_file: str | None, precommit: bool, force: bool) -> None:
    """Write .deploylint.yaml (with the editor schema modeline) in the current
    directory, a pre-commit configuration and optionally a baseline. Never
    replaces a file without --force."""
    sys.exit(_guarded(lambda: _init(preset, baseline_file, precommit, force)))


def _init(preset: str | None, baseline_file: str | None, precommit: bool, force: bool) -> int:
    from linter.config.init import write_files

    if preset is None:
        choices = click.Choice(["recommended", "strict", "production-checklist"])
        preset = click.prompt("Preset", type=choices, default="recommended") if sys.stdin.isatty() else "recommended"
    if baseline_file and Path(baseline_file).exists() and not force:
        raise UsageError(f"{baseline_file} exists; pass --force to replace it")
    plan = write_files(Path.cwd(), str(preset), baseline=baseline_file, precommit=precommit, force=force)
    for path in plan.written:
        click.echo(f"wrote {path.name}")
    if baseline_file:
        _write_baseline(Path(baseline_file), ["."], {**_default_check_options(), "until": None})
    if plan.snippet:
        click.echo("\n.pre-commit-config.yaml exists; add the hook to it:\n\n" + plan.snippet, nl=False)
    return EXIT_CLEAN


def _default_check_options() -> dict[str, Any]:
    """What `check_options` gives when none is on the command line."""
    return {"config_file": None, "rules_dirs": (), "select": (), "ignore": (), "format_hint": None, "ignore_unknown": False,
            "nginx_prefix": None, "stdin_filename": "-", "no_inline_suppressions": False, "respect_gitignore": True,
            "strict_config": False}


@cli.group("config", short_help="Show the configuration that applies to a path, or where its schema is.")
def config_group() -> None:
    """The configuration deploylint uses (`config show`), and its schema for editors (`config schema`)."""


@config_group.command("schema")
def config_schema_command() -> None:
    """Print the path of the installed config schema (schemas/config.schema.json),
    for an editor that validates .deploylint.yaml offline."""
    from linter.core.resources import schemas_dir

    click.echo(str(schemas_dir() / "config.schema.json"))


@config_group.command("show")
@click.argument("path", default=".", type=click.Path(exists=True))
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Use this config file instead of the nearest one.")
@click.option("--format", "output_format", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True, help="Output format.")
def config_show_command(path: str, config_file: str | None, output_format: str) -> None:
    """The effective configuration for PATH: the config files that apply, the
    presets, every enabled rule with its severity and params, excludes and ignores."""
    sys.exit(_guarded(lambda: _show_config(path, config_file, output_format)))


def effective_config(path: str, config_file: str | None) -> dict[str, Any]:
    import dataclasses

    from linter.config.planning import Options, plan_runs
    from linter.config.rules import DEFAULT_PRESET, effective_params

    (plan, *_) = plan_runs([path], Options(root=scan_root([path]), config=Path(config_file) if config_file else None))
    config, settings = plan.config, plan.settings
    chain = [f.display for f in config.files]
    return {
        "path": path,
        "config_files": chain or [f"preset {DEFAULT_PRESET}"],
        "extends": [e for f in config.files for e in _as_list(f.data.get("extends"))],
        "fail_on": config.fail_on or "note",
        "exclude": list(settings.excludes),
        "rules_dirs": [str(d) for d in config.rules_dirs],
        "rules": {r.id: {"name": r.name, "severity": r.severity.value, **({"params": effective_params(r)} if effective_params(r) else {}),
                         **({"ignore": list(settings.rule_ignores[r.id])} if r.id in settings.rule_ignores else {})}
                  for r in settings.rules},
        "disabled": sorted(rid for rid, _ in settings.catalogue if rid not in {r.id for r in settings.rules}),
        "limits": dataclasses.asdict(settings.limits),
    }


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _show_config(path: str, config_file: str | None, output_format: str) -> int:
    shown = effective_config(path, config_file)
    if output_format == "json":
        import json

        click.echo(json.dumps(shown, indent=2))
    else:
        import yaml

        click.echo(yaml.safe_dump(shown, sort_keys=False, allow_unicode=True, width=120), nl=False)
    return EXIT_CLEAN


@cli.group("docs")
def docs_group() -> None:
    """Rule documentation generated from the rule files."""


@docs_group.command("generate", short_help="Write (or --check) docs/rules from the rule files.")
@click.option("--check", is_flag=True, help="Exit 1 when the docs are out of date instead of writing them.")
@click.option("--output-dir", type=click.Path(file_okay=False), help="Where to write (default: the project's docs/rules).")
def docs_generate_command(check: bool, output_dir: str | None) -> None:
    """Write docs/rules/<ID>.md and docs/rules/README.md from the rule files."""
    from linter.report.docs import default_docs_dir, report_sync

    sys.exit(_guarded(lambda: report_sync(Path(output_dir) if output_dir else default_docs_dir(), check)))


def _guarded(action: Callable[[], int]) -> int:
    """Run a command: user errors print one line (exit 2), bugs print where
    the traceback went (exit 3)."""
    try:
        return action()
    except UsageError as exc:
        say_error(str(exc))
        return EXIT_USAGE
    except RunAborted as exc:
        say_error(str(exc))
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        click.echo("deploylint: interrupted", err=True)
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except Exception as exc:
        from linter.core.errorlog import ErrorLog, format_error

        path = ErrorLog().write("deploylint crashed", exc)
        where = f"traceback written to {path}" if path is not None else "traceback:\n" + format_error(exc)
        click.echo(f"deploylint: internal error ({type(exc).__name__}); {where}", err=True)
        return EXIT_INTERNAL


def say_error(message: str) -> None:
    """One `deploylint: error:` line on stderr. Messages name config keys, file
    names and arguments as given: their control characters are escaped, so a
    key like "x\\n::error::..." cannot start a line a CI runner obeys."""
    click.echo(f"deploylint: error: {printable(message)}", err=True)


def _reader_gone() -> int:
    """The reader of standard output left early (`deploylint rules | head`): not
    an error. Later writes, and the flush at exit, go to /dev/null instead."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


def main(argv: list[str] | None = None) -> int:
    code = _main(argv)
    try:
        sys.stdout.flush()  # here, not at interpreter exit, where a broken pipe is a traceback
    except BrokenPipeError:
        return _reader_gone()
    return code


def _main(argv: list[str] | None) -> int:
    try:
        cli.main(args=argv, prog_name="deploylint", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # `deploylint baseline`: the group's help, not an "error: Usage:"
        click.echo(exc.format_message(), err=True)
        return EXIT_USAGE
    except click.exceptions.UsageError as exc:
        say_error(exc.format_message())
        return EXIT_USAGE
    except click.exceptions.Abort:
        return 130
    except SystemExit as exc:
        return int(exc.code or 0)
    return EXIT_CLEAN
