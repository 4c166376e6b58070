"""From command-line options and configuration files to engine runs.

Every file takes the nearest config walking up from it (`--config FILE`
overrides for all): each path on the command line starts from its own nearest
config, and a directory holding its own config inside a scanned tree is split
off with it, like ruff's hierarchical configuration. Paths sharing a config are
linted in one run (cross-file rules see each other's objects); runs are merged
into one result.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from linter.config.file import CONFIG_NAMES, PYPROJECT, find_config, has_config
from linter.config.rules import Config, LapsedIgnore, load_config, rule_overrides, select_rules
from linter.core.baseline import read_baseline
from linter.core.discover import DEFAULT_EXCLUDES
from linter.core.engine import CompiledRule, finding_order
from linter.core.errors import UsageError
from linter.core.findings import Finding
from linter.core.lint import run
from linter.core.repository import RepositoryPaths, project_directory, repository_root
from linter.core.rules import Rule, load_rules
from linter.core.run_types import RunResult, Settings, SuppressionPolicy
from linter.core.workspace import Limits
from linter.formats import REGISTRY


@dataclass(slots=True)
class Options:
    """What the command line says about policy (the rest is output formatting)."""

    root: Path
    config: Path | None = None
    rules_dirs: list[Path] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    format_hint: str | None = None
    ignore_unknown: bool = False
    inline_suppressions: bool = True
    respect_gitignore: bool = True
    baseline: Path | None = None
    stdin: tuple[str, str | bytes] | None = None
    nginx_prefix: str | None = None
    strict_config: bool = False  # CI: only the pinned --config, naming nothing outside the repository


@dataclass(slots=True)
class Plan:
    paths: list[str]
    config: Config
    settings: Settings
    lapsed: list[Finding] = field(default_factory=list)  # DL010 for config ignore entries past their day
    unused_configs: list[Path] = field(default_factory=list)  # --strict-config: config files that apply and are not used


def root_relative(glob: str, root: Path) -> str:
    """An anchored config glob (`anchor_glob`) made relative to the scan root,
    which is what display paths, and so excludes and ignores, are matched on."""
    return glob.removeprefix(root.absolute().as_posix().rstrip("/") + "/")


def refuse_uncompilable(rules: list[Rule]) -> None:
    """A user rule whose selector or check is unknown, or whose check cannot
    take what its selector yields, stops the run when rules load, whatever
    files the run meets (built-in rules are checked by the test suite)."""
    for rule in rules:
        if not rule.builtin:
            try:
                CompiledRule(rule, REGISTRY)
            except UsageError as exc:
                raise UsageError(f"{exc} (`deploylint validate-rules` names the line)") from None


def build_settings(config: Config, options: Options) -> tuple[Settings, list[Finding]]:
    """The run's settings, and DL010 findings for config ignore entries past their day."""
    rules = load_rules([*config.rules_dirs, *options.rules_dirs])
    refuse_uncompilable(rules)
    overrides = rule_overrides(config, rules)
    enabled = select_rules(rules, options.select, options.ignore, overrides)
    lapsed = []
    for rule in enabled:
        for ignore in overrides[rule.id].lapsed if rule.id in overrides else []:
            finding = lapsed_finding(ignore, enabled)
            if finding is not None:
                lapsed.append(finding)
    ignores = {
        rule.id: tuple(root_relative(glob, options.root) for glob in overrides[rule.id].ignore)
        for rule in enabled
        if rule.id in overrides and overrides[rule.id].ignore
    }
    return Settings(
        root=options.root,
        rules=enabled,
        formats=REGISTRY,
        excludes=tuple(root_relative(glob, options.root) for glob in config.exclude),
        format_hint=options.format_hint,
        ignore_unknown=options.ignore_unknown,
        limits=Limits(**config.limits),
        options={
            "pod_templates": dict(config.pod_templates),
            "kubernetes_version": config.kubernetes_version,
            "nginx_prefix": options.nginx_prefix,
            "secret_patterns": [str(p) for p in config.secret_patterns],
            "helm_values": [str(p) for p in config.helm_values],
            "helm_renderer": config.helm_renderer,
        },
        stdin=options.stdin,
        inline_suppressions=options.inline_suppressions,
        respect_gitignore=options.respect_gitignore,
        rule_ignores=ignores,
        catalogue=tuple((rule.id, rule.name) for rule in rules),
        suppression_policy=SuppressionPolicy(bool(config.suppressions.get("require_reason", False)), config.suppressions.get("max_days"),
                                             bool(config.suppressions.get("require_rule_list", False))),
        config_source=config.source,
        baseline=read_baseline(options.baseline) if options.baseline else None,
        repository=RepositoryPaths.for_run(options.root, config.origin),
    ), lapsed


def lapsed_finding(ignore: LapsedIgnore, rules: list[Rule]) -> Finding | None:
    from linter.core.messages import tool_finding

    who = ", ".join(f"{k} {v}" for k, v in ignore.fields)
    detail = (f"config ignore of {ignore.rule} for '{ignore.glob}' no longer applies: it expired after {ignore.until}"
              + (f" ({who})" if who else "") + "; what it hid is reported again")
    return tool_finding(rules, "DL010", detail, ignore.span, f"config/{ignore.rule}/{ignore.glob}")


def nested_config_dirs(directory: Path) -> list[Path]:
    """The outermost directories below `directory` that hold their own config."""
    found: list[Path] = []
    for current, dirnames, _ in os.walk(directory, followlinks=False):
        base = Path(current)
        kept = []
        for name in sorted(dirnames):
            child = base / name
            if name in DEFAULT_EXCLUDES or child.is_symlink():
                continue
            if has_config(child):
                found.append(child)
            else:
                kept.append(name)
        dirnames[:] = kept
    return found


def plan_runs(paths: list[str], options: Options) -> list[Plan]:
    """One plan per distinct config among the paths (stdin goes with the cwd's)."""
    groups: dict[str, tuple[Config, list[str], list[str]]] = {}  # key -> (config, paths, excluded subtrees)
    queue = list(paths)
    if options.stdin is not None or not queue:
        queue.append("")
    confine, unused = strict_confinement(paths, options) if options.strict_config else ((), [])
    while queue:
        path = queue.pop(0)
        config = load_config(options.config, Path(path or "."), confine)
        key = "\0".join(str(f.path) for f in config.files)
        group = groups.setdefault(key, (config, [], []))
        group[1].append(path)
        if options.config is None and path and Path(path).is_dir():
            for nested in nested_config_dirs(Path(path)):
                queue.append(str(nested))
                group[2].append(_subtree_glob(nested, options.root))
    plans = []
    for config, group_paths, subtrees in groups.values():
        settings, lapsed = build_settings(config, options)
        settings.excludes += tuple(subtrees)
        settings.project = project_directory([p for p in group_paths if p], options.root, config.origin)
        if "" not in group_paths:
            settings.stdin = None
        plans.append(Plan([p for p in group_paths if p], config, settings, lapsed))
    plans[0].unused_configs = unused
    return plans


def strict_confinement(paths: list[str], options: Options) -> tuple[tuple[Path, ...], list[Path]]:
    """`--strict-config`: the pinned config is the only policy. Returns the
    directories whatever a config names must lie under (the repository, and
    the pinned config's own directory) and the other config files that would
    apply to the paths without `--config` (a pull request adding
    `k8s/.deploylint.yaml` changes nothing, and is reported)."""
    if options.config is None:
        raise UsageError("--strict-config needs --config FILE: the policy is the file the CI job names")
    pinned = options.config.resolve()
    others: list[Path] = []
    for path in paths or ["."]:
        nearest = find_config(Path(path))
        if nearest is not None:
            others.append(nearest)
        if Path(path).is_dir():
            others.extend(_config_file(d) for d in nested_config_dirs(Path(path)))
    unused = [p for p in dict.fromkeys(p.absolute() for p in others) if p.resolve() != pinned]
    top = repository_root(options.root) or options.root.resolve()
    return tuple(dict.fromkeys([top, pinned.parent])), unused


def _config_file(directory: Path) -> Path:
    return next((directory / name for name in CONFIG_NAMES if (directory / name).is_file()), directory / PYPROJECT)


def _subtree_glob(directory: Path, root: Path) -> str:
    """An exclude pattern for everything below `directory` (glob characters escaped)."""
    relative = directory.absolute().relative_to(root.absolute()).as_posix()
    return re.sub(r"([*?\[])", r"[\1]", relative) + "/*"


def run_plans(plans: list[Plan]) -> RunResult:
    result = _run_all(plans)
    expired = baseline_expiry(plans) + [f for plan in plans for f in plan.lapsed]
    expired = list({f.fingerprint(): f for f in expired}.values())  # one per entry, however many plans share a config
    if expired:
        result.findings = sorted(result.findings + expired, key=finding_order)
    return result


def baseline_expiry(plans: list[Plan]) -> list[Finding]:
    """DL010 for the baseline's expired entries, once per run (every plan reads the same file)."""
    from linter.core.baseline import expired_findings

    found: dict[str, Finding] = {}
    for plan in plans:
        if plan.settings.baseline is not None:
            for finding in expired_findings(plan.settings.baseline, plan.settings.rules):
                found.setdefault(finding.fingerprint(), finding)
    return list(found.values())


def _run_all(plans: list[Plan]) -> RunResult:
    results = [run(plan.paths, plan.settings) for plan in plans]
    if len(results) == 1:
        return results[0]
    rules = {r.id: r for result in results for r in result.rules}
    merged = RunResult(
        findings=sorted((f for r in results for f in r.findings), key=finding_order),
        files=sorted({f for r in results for f in r.files}),
        rules=[rules[k] for k in sorted(rules)],
        unparsable=sum(r.unparsable for r in results),
        bare_ignores=sum(r.bare_ignores for r in results),
    )
    for result in results:
        merged.formats.update(result.formats)
    return merged


def fail_on(plans: list[Plan], given: str | None) -> str:
    """--fail-on, else the (first) config's fail_on, else any finding fails."""
    if given:
        return given
    return next((p.config.fail_on for p in plans if p.config.fail_on), "note")
