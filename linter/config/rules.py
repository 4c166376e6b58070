"""Which rules run, with which severity and params.

Rule selection follows ruff: `--select` / `--ignore` take IDs, names or ID
prefixes; the most specific selector wins, `ignore` beats `select` at equal
specificity. Configuration files (`config_file.py`) and their `extends` chains
of presets (`presets.py`) resolve to per-rule `RuleOverride`s here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from linter.config.file import ConfigFile, find_config, read_config, show_value
from linter.config.presets import PRESET_NAMES, preset_path
from linter.core.errors import UsageError
from linter.core.findings import Severity
from linter.core.model import Span, node_at
from linter.core.rules import Rule
from linter.core.workspace import limit_value


@dataclass(frozen=True, slots=True)
class LapsedIgnore:
    """A config `ignore` entry past its `until` day: it no longer applies."""

    rule: str
    glob: str  # as written
    until: str
    fields: tuple[tuple[str, str], ...]  # owner / ticket, as written
    span: Span  # the entry in its config file


@dataclass(slots=True)
class RuleOverride:
    enabled: bool | None = None
    severity: Severity | None = None
    params: dict[str, Any] = field(default_factory=dict)
    ignore: list[str] = field(default_factory=list)  # path globs where the rule is off
    lapsed: list[LapsedIgnore] = field(default_factory=list)  # entries past their day (not in `ignore`)


def specificity(selector: str, rules: list[Rule]) -> int:
    """How precisely a selector names rules: an exact ID or name beats a
    prefix, a longer prefix a shorter one, and ALL is the broadest."""
    if selector.upper() == "ALL":
        return 0
    if any(selector.upper() == r.id or selector == r.name for r in rules):
        return 1000
    return len(selector)


def check_selectors(rules: list[Rule], selectors: list[str], what: str) -> None:
    for s in selectors:
        if not any(r.matches(s) for r in rules):
            raise UsageError(f"{what}: '{s}' matches no rule (try `deploylint rules`)")


def select_rules(
    rules: list[Rule],
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    overrides: dict[str, RuleOverride] | None = None,
) -> list[Rule]:
    """The enabled rules, each a copy carrying its effective severity and params."""
    select = [s for s in (select or []) if s]
    ignore = [s for s in (ignore or []) if s]
    check_selectors(rules, select, "--select")
    check_selectors(rules, ignore, "--ignore")
    rank = {s: specificity(s, rules) for s in select + ignore}
    enabled: list[Rule] = []
    for rule in rules:
        override = (overrides or {}).get(rule.id)
        on = override.enabled if override and override.enabled is not None else True
        if select:
            best = max((rank[s] for s in select if rule.matches(s)), default=-1)
            on = best >= 0
        else:
            best = -1
        worst = max((rank[s] for s in ignore if rule.matches(s)), default=-1)
        if worst >= 0 and worst >= best:
            on = False
        if not on:
            continue
        if override is not None:
            rule = dataclasses.replace(
                rule,
                severity=override.severity or rule.severity,
                params={**rule.params, **override.params},
            )
        enabled.append(rule)
    return enabled


@dataclass(slots=True)
class RuleEntry:
    """One `rules:` entry of one config file, as written."""

    file: ConfigFile
    key: str  # ID, name, ID prefix or ALL
    setting: Any  # "enable" | "disable" | {enabled, severity, params, ignore}
    lenient: bool  # presets may name rules of packs that are not installed


@dataclass(slots=True)
class Config:
    """A resolved configuration: its `extends` chain merged, base first."""

    files: list[ConfigFile] = field(default_factory=list)
    entries: list[RuleEntry] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)  # anchored globs (see anchor_glob)
    rules_dirs: list[Path] = field(default_factory=list)
    fail_on: str | None = None
    pod_templates: dict[str, str] = field(default_factory=dict)
    kubernetes_version: str | None = None  # "1.30"; None: the newest the API table knows
    limits: dict[str, Any] = field(default_factory=dict)  # Limits fields, each checked by limit_value
    secret_patterns: list[Path] = field(default_factory=list)  # classifier data files extending ours
    helm_values: list[Path] = field(default_factory=list)  # values files rendered over each chart's values.yaml
    helm_renderer: str = "auto"
    suppressions: dict[str, Any] = field(default_factory=dict)  # require_reason, max_days (later files win per key)
    origin: Path | None = None  # the user's config file (--config or the nearest), None for the default preset

    @property
    def source(self) -> str:
        """The user's config file (the last of the chain), or the default preset."""
        return self.files[-1].display if self.files else "(defaults)"


DEFAULT_PRESET = "recommended"


def load_config(explicit: Path | None, start: Path, confine: tuple[Path, ...] = ()) -> Config:
    """The config for paths under `start`: `--config FILE` if given, else the
    nearest config file walking up, else the default preset. With `confine`
    (strict config), every file or directory a config names (`extends`,
    `rules_dirs`, `secret_patterns`) must lie under one of those directories:
    anything else is refused before it is read."""
    config = Config()
    path = explicit or find_config(start)
    if path is None:
        merge_chain(config, preset_path(DEFAULT_PRESET), [], preset=True)
    else:
        merge_chain(config, path, [], preset=False, top=True, confine=confine)
        config.origin = path
    return config


def preset_rules(name: str, rules: list[Rule]) -> list[Rule]:
    """The rules a preset enables, with its severities and params applied."""
    config = Config()
    merge_chain(config, preset_path(name), [], preset=True)
    return select_rules(rules, overrides=rule_overrides(config, rules))


def merge_chain(
    config: Config, path: Path, stack: list[Path], *, preset: bool, top: bool = False, confine: tuple[Path, ...] = ()
) -> None:
    real = path.resolve()
    if real in stack:
        cycle = " -> ".join(p.name for p in [*stack, real])
        raise UsageError(f"{path}: extends cycle: {cycle}")
    file = read_config(path, display=f"preset {path.stem}" if preset else None)
    extends = file.data.get("extends", DEFAULT_PRESET if top else [])
    for index, ref in enumerate([extends] if isinstance(extends, str) else extends):
        if ref in PRESET_NAMES:
            merge_chain(config, preset_path(ref), [*stack, real], preset=True)
            continue
        target = (path.parent / ref) if not Path(ref).is_absolute() else Path(ref)
        where: list[str | int] = ["extends", index] if isinstance(extends, list) else ["extends"]
        _refuse_outside(file, where, target, confine)
        if not target.is_file():
            raise file.error(where, f"unknown preset or missing file '{ref}' (presets: {', '.join(PRESET_NAMES)})")
        merge_chain(config, target, [*stack, real], preset=False, confine=confine)
    if not preset:
        for key in ("rules_dirs", "secret_patterns"):
            for index, name in enumerate(file.data.get(key, [])):
                _refuse_outside(file, [key, index], path.parent / name, confine)
    _merge_file(config, file, preset)


def _refuse_outside(file: ConfigFile, where: list[str | int], target: Path, confine: tuple[Path, ...]) -> None:
    """Under strict config, a path outside the repository (and the pinned config's directory) is refused."""
    if confine and not any(target.resolve().is_relative_to(inside) for inside in confine):
        raise file.error(where, "names a path outside the repository, which --strict-config refuses")


def _merge_file(config: Config, file: ConfigFile, preset: bool) -> None:
    data = file.data
    base = file.path.parent
    config.files.append(file)
    config.entries.extend(RuleEntry(file, key, setting, preset) for key, setting in (data.get("rules") or {}).items())
    config.exclude.extend(anchor_glob(glob, base) for glob in data.get("exclude", []))
    config.rules_dirs.extend(base / d for d in data.get("rules_dirs", []))
    if "fail_on" in data:
        config.fail_on = data["fail_on"]
    config.pod_templates.update(data.get("pod_templates", {}))
    if "kubernetes_version" in data:
        config.kubernetes_version = _kubernetes_version(file, data["kubernetes_version"])
    for name, value in (data.get("limits") or {}).items():
        try:
            config.limits[name] = limit_value(name, value)
        except ValueError as exc:
            raise file.error(["limits", name], str(exc)) from None
    config.suppressions.update(data.get("suppressions", {}))
    config.secret_patterns.extend(base / f for f in data.get("secret_patterns", []))
    helm = data.get("helm", {})
    config.helm_values.extend((base / f).absolute() for f in helm.get("values", []))
    config.helm_renderer = helm.get("renderer", config.helm_renderer)


def _kubernetes_version(file: ConfigFile, value: str) -> str:
    """The target release, refused when it is newer than the API table knows
    (its form is the config schema's business)."""
    from linter.formats.kubernetes.apis import load_table
    from linter.formats.kubernetes.schema_source import format_version, parse_version

    target, newest = parse_version(value), load_table().newest
    if target is not None and target > newest:
        raise file.error(["kubernetes_version"], f"{value} is newer than the newest release deploylint knows ({format_version(newest)})")
    return value


def anchor_glob(glob: str, base: Path) -> str:
    """A config glob with a `/` is relative to its config file's directory: make
    it absolute. A glob without one matches a path component anywhere: keep it."""
    if "/" not in glob.rstrip("/"):
        return glob
    return (base / glob.lstrip("/")).absolute().as_posix()


def rule_overrides(config: Config, rules: list[Rule]) -> dict[str, RuleOverride]:
    """Per rule ID, the merged settings of every config entry that names it."""
    overrides: dict[str, RuleOverride] = {}
    by_file: dict[int, list[RuleEntry]] = {}
    for entry in config.entries:
        by_file.setdefault(id(entry.file), []).append(entry)
    for entries in by_file.values():
        # Within one file, broad entries apply first so specific ones win.
        for entry in sorted(entries, key=lambda e: specificity(e.key, rules)):
            matched = [r for r in rules if r.matches(entry.key)]
            if not matched:
                if entry.lenient:
                    continue
                raise entry.file.error(["rules", entry.key], "unknown rule (try `deploylint rules`)", key=True)
            for rule in matched:
                _apply(overrides.setdefault(rule.id, RuleOverride()), entry, rule)
    return overrides


def _apply(override: RuleOverride, entry: RuleEntry, rule: Rule) -> None:
    setting = entry.setting
    if isinstance(setting, str):
        override.enabled = setting == "enable"
        return
    if "enabled" in setting:
        override.enabled = setting["enabled"]
    if "severity" in setting:
        override.severity = Severity(setting["severity"])
    for name, value in (setting.get("params") or {}).items():
        # Built-in presets' params are checked by the test suite (and again when
        # their rule is compiled): checking them here would import every pack's
        # checks on every run, pre-commit's single file included.
        problem = None if entry.lenient else param_problem(rule, name, value)
        if problem:
            raise entry.file.error(["rules", entry.key, "params", name], problem, key=problem.startswith("unknown"))
        override.params[name] = value
    for index, item in enumerate(setting.get("ignore", [])):
        glob = item if isinstance(item, str) else item["path"]
        lapsed = _lapsed(entry, rule, index, item) if isinstance(item, dict) else None
        if lapsed is not None:
            override.lapsed.append(lapsed)
        else:
            override.ignore.append(anchor_glob(glob, entry.file.path.parent))


def _lapsed(entry: RuleEntry, rule: Rule, index: int, item: dict[str, Any]) -> LapsedIgnore | None:
    """The entry, when its `until` day has passed (None while it applies)."""
    until = item.get("until")
    if until is None:
        return None
    where: list[str | int] = ["rules", entry.key, "ignore", index]
    try:
        end = date.fromisoformat(until)
    except ValueError:
        raise entry.file.error([*where, "until"], f"not a date: {until}") from None
    if date.today() <= end:
        return None
    node = node_at(entry.file.root, where) if entry.file.root is not None else None
    span = node.span if node is not None else Span.point(entry.file.display, entry.file.line_of(where) or 1, 1)
    fields = tuple((k, str(item[k])) for k in ("owner", "ticket") if item.get(k))
    return LapsedIgnore(rule.id, item["path"], end.isoformat(), fields,
                        Span(entry.file.display, span.line, span.column, span.end_line, span.end_column))


def effective_params(rule: Rule) -> dict[str, Any]:
    """The rule's params with their defaults: a Python check's typed defaults,
    overridden by the rule file's `params`."""
    from linter.core.check import params_type_of
    from linter.formats import REGISTRY

    params: dict[str, Any] = {}
    params_type = params_type_of(rule, REGISTRY)
    if params_type is not None:
        for f in dataclasses.fields(params_type):
            if f.default is not dataclasses.MISSING:
                params[f.name] = f.default
            elif f.default_factory is not dataclasses.MISSING:
                params[f.name] = f.default_factory()
    params.update(rule.params)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def param_problem(rule: Rule, name: str, value: Any) -> str | None:
    """Why a configured param does not fit the rule: Python checks by their typed
    params dataclass, schema/assert rules by the types of the rule's defaults."""
    from linter.core.check import param_type_error, params_type_of
    from linter.formats import REGISTRY

    params_type = params_type_of(rule, REGISTRY)
    if params_type is not None:
        return param_type_error(params_type, name, value)
    if name not in rule.params:
        known = f"known: {', '.join(sorted(rule.params))}" if rule.params else "it takes none"
        return f"unknown param for {rule.id} ({known})"
    default = rule.params[name]
    expected = _json_type(default)
    if expected and expected != _json_type(value) and not (expected == "number" and _json_type(value) == "integer"):
        return f"expected {expected}, got {show_value(value)}"
    return None


# Checked in order: bool before int (a bool is an int in Python).
_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "list"), (dict, "mapping"),
)


def _json_type(value: Any) -> str:
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), "")
