"""Presets are data: what each enables, with which params (the packs' param
contract), resolved leniently for rules that are not installed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write

from linter.config.presets import PRESET_NAMES
from linter.config.rules import preset_rules
from linter.core.rules import Rule, load_rules


def stand_in(rule_id: str, params: dict[str, object]) -> Rule:
    """A rule of a pack this test does not depend on, with its documented defaults."""
    k8s104 = next(r for r in load_rules() if r.id == "K8S104")
    return dataclasses.replace(k8s104, id=rule_id, name=f"stand-in-{rule_id.lower()}", params=params)


PACK = [
    stand_in("K8S301", {"min_replicas": 3}),
    stand_in("K8S302", {"min_replicas": 2}),
    stand_in("NGX104", {"min_max_age": 31536000}),
    stand_in("NGX105", {"mode": "deprecated"}),
    stand_in("ENV102", {"min_bits": 128, "min_bits_signing": 256}),
    stand_in("CH103", {}),
    stand_in("CH401", {}),
]


def enabled(preset: str) -> dict[str, dict[str, object]]:
    return {r.id: r.params for r in preset_rules(preset, PACK)}


def test_recommended_is_best_practice_without_the_checklist_only_rules() -> None:
    assert enabled("recommended") == {
        "K8S301": {"min_replicas": 3},
        "K8S302": {"min_replicas": 2},
        "NGX104": {"min_max_age": 31536000},
        "NGX105": {"mode": "deprecated"},
        "ENV102": {"min_bits": 128, "min_bits_signing": 256},
        "CH401": {},
    }


def test_production_checklist_requires_x_xss_protection_and_max_query_size() -> None:
    rules = enabled("production-checklist")
    assert rules["NGX105"] == {"mode": "required"} and "CH103" in rules and rules["K8S301"] == {"min_replicas": 3}


def test_strict_enables_everything() -> None:
    assert sorted(enabled("strict")) == sorted(r.id for r in PACK)


def test_presets_resolve_against_the_installed_packs() -> None:
    """Rules a preset names but no pack provides are skipped; the params it sets
    on installed rules must fit their typed params (this fails on contract drift)."""
    builtin = {r.id for r in load_rules()}
    enabled = {name: {r.id for r in preset_rules(name, load_rules())} for name in PRESET_NAMES}
    # The checklist's role-dependent choices: max_query_size, Redis AOF and eviction, PostgreSQL sizing and PITR.
    checklist = {"CH103", "K8S010", "RDS101", "RDS104", "PG107", "PG108", "PG109"}
    # The restricted Pod Security profile's own checks and hygiene conventions: strict's alone.
    strict_only = {"K8S410", "K8S416", "K8S418", "K8S419", "K8S012", "K8S013"}
    assert strict_only <= builtin - enabled["recommended"] <= checklist | strict_only
    assert enabled["production-checklist"] == builtin - strict_only
    assert enabled["strict"] == builtin


def test_rules_preset_lists_what_a_preset_enables(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, project, "rules", "--preset", "production-checklist", "--format", "json")
    assert code == 0 and "K8S104" in [r["id"] for r in json.loads(out)]
    code, _, err = run_cli(capsys, project, "rules", "--preset", "lax")
    assert code == 2 and "'lax' is not one of 'recommended', 'strict', 'production-checklist'" in err


def test_statistics_in_json_and_exit_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT + "---\n" + DEPLOYMENT_WITHOUT_LIMIT.replace("backend", "worker"))
    code, out, _ = run_cli(capsys, project, "app.yaml", "--format", "json", "--statistics")
    assert code == 1
    assert json.loads(out)["statistics"] == [{"rule": "K8S104", "name": "container-memory-limit", "count": 2}]
    code, out, _ = run_cli(capsys, project, "app.yaml", "--statistics", "--exit-zero")
    assert code == 0 and "\n    2  K8S104   container-memory-limit\n" in out
