"""Onboarding and introspection: `init`, `config show`, `rules`/`rule` with the
config's custom rules, and first words that are subcommands or paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write
from conftest import PROJECT

CONFIG = """\
extends: production-checklist
fail_on: warning
exclude: ["legacy/**"]
rules_dirs: [policy]
rules:
  K8S404: disable
  K8S301: {params: {min_replicas: 4}}
  NGX302: {severity: error, ignore: ["nginx/internal/*.conf"]}
"""


@pytest.fixture
def configured(tmp_path: Path) -> Path:
    write(tmp_path, ".deploylint.yaml", CONFIG)
    for rule in (PROJECT / "examples" / "custom-rules").glob("*.yaml"):
        write(tmp_path, f"policy/{rule.name}", rule.read_text(encoding="utf-8"))
    write(tmp_path, "k8s/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    return tmp_path


def test_init_writes_a_config_editors_validate_and_a_hook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, tmp_path, "init", "--preset", "strict")
    assert (code, out, err) == (0, "wrote .deploylint.yaml\nwrote .pre-commit-config.yaml\n", "")
    text = (tmp_path / ".deploylint.yaml").read_text(encoding="utf-8")
    schema = json.loads((PROJECT / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema['$id']}"
    assert yaml.safe_load(text) == {"extends": "strict"}
    shown = json.loads(run_cli(capsys, tmp_path, "config", "show", "--format", "json")[1])
    assert shown["config_files"][-2:] == ["preset strict", ".deploylint.yaml"] and shown["extends"][-1] == "strict"
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    published = {h["id"] for h in yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert [h["id"] for h in hooks["repos"][0]["hooks"]] == ["deploylint"] and "deploylint" in published


def test_init_never_replaces_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, ".deploylint.yaml", "extends: strict\n")
    code, _, err = run_cli(capsys, tmp_path, "init", "--no-pre-commit")
    assert code == 2 and ".deploylint.yaml exists; pass --force to replace it" in err
    assert (tmp_path / ".deploylint.yaml").read_text() == "extends: strict\n"
    assert run_cli(capsys, tmp_path, "init", "--no-pre-commit", "--force")[0] == 0
    assert "extends: recommended\n" in (tmp_path / ".deploylint.yaml").read_text()
    assert not (tmp_path / ".pre-commit-config.yaml").exists()


def test_init_leaves_an_existing_pre_commit_config_and_prints_the_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, ".pre-commit-config.yaml", "repos: []\n")
    code, out, _ = run_cli(capsys, tmp_path, "init")
    assert code == 0 and (tmp_path / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    assert ".pre-commit-config.yaml exists; add the hook to it:" in out and "      - id: deploylint\n" in out


def test_init_with_a_baseline_makes_the_next_run_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "k8s/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, out, _ = run_cli(capsys, tmp_path, "init", "--baseline", "--no-pre-commit")
    assert code == 0 and ".deploylint-baseline.json: recorded 1 finding(s) in 1 file(s)" in out
    assert run_cli(capsys, tmp_path, "--baseline", ".deploylint-baseline.json", "k8s")[:2] == (0, "0 findings, 1 suppressed, 1 file\n")


def test_config_show_names_files_rules_params_and_ignores(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, configured, "config", "show", "k8s", "--format", "json")
    shown = json.loads(out)
    assert code == 0
    assert shown["config_files"] == ["preset recommended", "preset production-checklist", ".deploylint.yaml"]
    # The config's own K8S404, and the strict-only rules the presets leave off.
    strict_only = ["K8S410", "K8S416", "K8S418", "K8S419", "K8S012", "K8S013"]
    assert (shown["fail_on"], shown["exclude"], shown["disabled"]) == ("warning", ["legacy/**"], sorted([*strict_only, "K8S404"]))
    assert shown["rules"]["K8S301"] == {"name": "hpa-min-replicas", "severity": "warning", "params": {"min_replicas": 4}}
    assert shown["rules"]["NGX302"]["severity"] == "error" and shown["rules"]["NGX302"]["ignore"] == ["nginx/internal/*.conf"]
    assert shown["rules"]["ORG101"]["name"] == "workload-owner-label"
    assert yaml.safe_load(run_cli(capsys, configured, "config", "show", "k8s")[1]) == shown


def test_rules_and_rule_know_the_configs_custom_rules(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, configured, "rule", "ORG101")
    assert code == 0 and out.startswith("ORG101 workload-owner-label (warning, kubernetes)\n")
    assert any(line.startswith("ORG201 ") for line in run_cli(capsys, configured, "rules")[1].splitlines())


def test_a_subcommand_named_like_a_path_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "rules/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, out, err = run_cli(capsys, tmp_path, "rules")
    assert code == 0 and out.startswith("CH101 ")
    assert err == "deploylint: note: 'rules' is a subcommand; to lint the path rules, run `deploylint check rules`\n"
    assert run_cli(capsys, tmp_path, "check", "rules")[0] == 1


def test_an_unknown_word_lists_the_subcommands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, tmp_path, "rulez")
    assert code == 2 and "'rulez' is neither a subcommand (baseline, check, config," in err and "nor a file or directory" in err
    code, _, err = run_cli(capsys, tmp_path, "app.yaml")
    assert code == 2 and "no such file or directory: app.yaml" in err


def test_a_group_used_with_its_subcommand_needs_no_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "config/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, _, err = run_cli(capsys, tmp_path, "config", "show", "--format", "json")
    assert (code, err) == (0, "")
