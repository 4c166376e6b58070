"""The shape of a configuration file, as `file.py` validates it when it is read.

This is the source of `schemas/config.schema.json`: `linter/report/config_schema.py`
publishes it for editors with what only the rule files know added (every rule
ID and name, each rule's typed params, the presets). The reader validates the
shape alone: rule names and params are checked once the rules are loaded
(custom ones included), with messages naming the rule (`rules.py`).
"""

from __future__ import annotations

import functools
from typing import Any

SCHEMA_ID = "https://deploylint.dev/schemas/config.schema.json"

_PATHS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_SEVERITY = {"enum": ["error", "warning", "note"]}


def _limit(kind: str, description: str, **bounds: Any) -> dict[str, Any]:
    return {"type": kind, **bounds, "description": description}


@functools.cache
def structure() -> dict[str, Any]:
    """The config schema without rule knowledge (cached: never mutate it)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "deploylint configuration",
        "description": "A .deploylint.yaml file, the [tool.deploylint] table of pyproject.toml, or a preset.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "description": {"type": "string", "description": "Free text (used by presets)."},
            "extends": {
                "description": ("A preset name (recommended, strict, production-checklist) or a path to another config, "
                                "or a list of them (applied in order, later wins). Default: recommended."),
                "oneOf": [{"type": "string", "minLength": 1}, {"type": "array", "items": {"type": "string", "minLength": 1}}],
            },
            "rules": {
                "type": "object",
                "description": "Per rule (ID, name or ID prefix; ALL for every rule): enable, disable, or settings.",
                "additionalProperties": {"$ref": "#/$defs/rule_setting"},
            },
            "exclude": {**_PATHS, "description": "Path globs never linted, even when named explicitly."},
            "rules_dirs": {**_PATHS, "description": "Directories of custom rule files, relative to this file."},
            "fail_on": {**_SEVERITY, "description": "The lowest severity that makes a run fail (exit 1); --fail-on overrides. Default: note."},
            "secret_patterns": {**_PATHS, "description": ("YAML files extending the secret classifier's data (secret_keys, "
                                                          "placeholders, providers, ..., thresholds), relative to this file.")},
            "pod_templates": {
                "type": "object",
                "description": "Custom resource kind -> dotted path of its pod template, e.g. {Rollout: spec.template}.",
                "additionalProperties": {"type": "string", "pattern": "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$"},
            },
            "helm": {
                "type": "object",
                "additionalProperties": False,
                "description": "How Helm charts are rendered.",
                "properties": {
                    "values": {**_PATHS, "description": ("More values files, relative to this file: each is one more render over the "
                                                         "chart's values.yaml (of the chart holding it, or of every chart when it lies outside all charts).")},
                    "renderer": {"enum": ["auto", "sdk", "binary"],
                                 "description": "auto: helm-python-sdk when installed, else a helm binary on PATH; sdk or binary: only that one."},
                },
            },
            "suppressions": {
                "type": "object",
                "description": "What every suppression comment and annotation must say (DL011 reports those that do not).",
                "additionalProperties": False,
                "properties": {
                    "require_reason": {"type": "boolean", "description": "A suppression must give a reason."},
                    "max_days": {"type": "integer", "minimum": 1, "description": "A suppression must have an until= date at most this many days ahead."},
                    "require_rule_list": {"type": "boolean",
                                          "description": "A bare `deploylint: ignore` (no rule list, so no effect) is reported, not only counted."},
                },
            },
            "kubernetes_version": {
                "type": "string", "pattern": "^v?1\\.[0-9]{1,2}$",
                "description": ("The Kubernetes release the manifests target, quoted (\"1.30\"): APIs it no longer serves are errors, "
                                "those it deprecates warnings, and fields are checked against its schemas. Default: the newest release deploylint knows."),
            },
            "limits": {
                "type": "object",
                "additionalProperties": False,
                "description": "Bounds on what one hostile file can cost; exceeding one is a finding naming it, and the run goes on.",
                "properties": {
                    "max_file_bytes": _limit("integer", "Larger files are skipped (DL005). Default: 10 MiB.", minimum=1, maximum=1073741824),
                    "max_yaml_alias_nodes": _limit("integer", "Nodes built by YAML alias expansion in one file (DL005). Default: 100000.",
                                                   minimum=0, maximum=100000000),
                    "max_yaml_nodes": _limit("integer", "Nodes written in one YAML file, counted before it is composed (DL005). Default: 1000000.",
                                             minimum=1, maximum=100000000),
                    "max_depth": _limit("integer", "YAML and XML nesting (DL005), nginx blocks (DL001). Default: 200.", minimum=1, maximum=400),
                    "max_xml_elements": _limit("integer", "Elements in one XML file (DL005). Default: 200000.", minimum=1, maximum=100000000),
                    "max_includes": _limit("integer", "Include targets of one main file (DL003). Default: 500.", minimum=0, maximum=100000),
                    "max_include_depth": _limit("integer", "Nested includes (DL003). Default: 16.", minimum=0, maximum=100),
                    "max_include_bytes": _limit("integer", "Bytes read through one main file's includes (DL003). Default: 50 MiB.",
                                                minimum=1, maximum=4294967296),
                    "max_seconds_per_file": _limit("number", "Seconds of checks on one lint unit; then its remaining rules are skipped (DL005). Default: 30.",
                                                   exclusiveMinimum=0, maximum=86400),
                },
            },
        },
        "$defs": {
            "rule_setting": rule_setting({"type": "object"}),
            "rule_ignore": {
                "type": "array",
                "description": "Path globs where this rule is off (findings counted as suppressed); an entry may have an end and an owner.",
                "items": {
                    "oneOf": [
                        {"type": "string", "minLength": 1},
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["path"],
                            "properties": {
                                "path": {"type": "string", "minLength": 1, "description": "A path glob."},
                                "until": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                                          "description": "The last day the entry applies (YYYY-MM-DD); after it, a DL010 finding."},
                                "owner": {"type": "string", "minLength": 1},
                                "ticket": {"type": "string", "minLength": 1},
                                "reason": {"type": "string", "minLength": 1},
                            },
                        },
                    ],
                },
            },
        },
    }


def rule_setting(params: dict[str, Any], description: str = "") -> dict[str, Any]:
    """One `rules:` entry: enable, disable, or settings whose `params` are `params`."""
    setting: dict[str, Any] = {"description": description} if description else {}
    setting["oneOf"] = [
        {"enum": ["enable", "disable"]},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "severity": {**_SEVERITY, "description": "The severity its findings are reported with."},
                "params": params,
                "ignore": {"$ref": "#/$defs/rule_ignore"},
            },
        },
    ]
    return setting
