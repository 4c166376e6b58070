"""Configuration files: discovery, validation messages, extends chains, and the
settings they control (exclude, fail_on, pod_templates, limits, params)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write

from linter.config.file import find_config
from linter.config.rules import load_config, param_problem, rule_overrides, select_rules
from linter.core.errors import UsageError
from linter.core.rules import load_rules

REPLICAS_RULE = """\
id: ACME301
name: min-replicas
title: Deployments run enough replicas
severity: warning
target: {format: kubernetes, select: objects, kinds: [Deployment]}
check:
  assert:
    - {path: spec.replicas, min: "{min_replicas}"}
message: "{kind}/{object} spec.replicas {reason} (want {min_replicas})"
help:
  why: One replica is one outage.
  fix: Raise spec.replicas.
params: {min_replicas: 2}
"""


def test_nearest_config_wins_and_yaml_beats_pyproject(project: Path) -> None:
    write(project, ".deploylint.yaml", "fail_on: error\n")
    write(project, "apps/pyproject.toml", "[tool.deploylint]\nfail_on = 'warning'\n")
    write(project, "apps/web/.deploylint.yml", "fail_on: note\n")
    write(project, "apps/web/pyproject.toml", "[tool.deploylint]\nfail_on = 'warning'\n")
    (project / "apps/api").mkdir()
    assert find_config(project / "apps/web") == project / "apps/web/.deploylint.yml"
    assert find_config(project / "apps/api") == project / "apps/pyproject.toml"
    assert find_config(project / "other") == project / ".deploylint.yaml"
    assert load_config(None, project / "apps/api").fail_on == "warning"


def test_pyproject_without_table_is_skipped_and_walk_stops_at_repository_root(project: Path) -> None:
    write(project, "sub/pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(project / "sub") is None
    config = load_config(None, project / "sub")
    assert [f.display for f in config.files] == ["preset recommended"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("rules:\n  K8S104: enable\n  K8S999: disable\n", ".deploylint.yaml:3: rules.K8S999: unknown rule (try `deploylint rules`)"),
        ("fail_on: error\nrulez: {}\n", (".deploylint.yaml:2: rulez: unknown key (known: description, exclude, extends, fail_on, "
                                           "helm, kubernetes_version, limits, pod_templates, rules, rules_dirs, secret_patterns, suppressions)")),
        ("kubernetes_version: 1.30\n", ".deploylint.yaml:1: kubernetes_version: expected string, got 1.3"),
        ('kubernetes_version: "1.99"\n', ".deploylint.yaml:1: kubernetes_version: 1.99 is newer than the newest release deploylint knows (1.37)"),
        ("extends: strictest\n", (".deploylint.yaml:1: extends: unknown preset or missing file 'strictest' "
                                  "(presets: recommended, strict, production-checklist)")),
        ("rules:\n  K8S104: enabled\n", '.deploylint.yaml:2: rules.K8S104: expected one of enable, disable or a mapping, got "enabled"'),
        ("rules:\n  K8S104: {severity: fatal}\n", '.deploylint.yaml:2: rules.K8S104.severity: expected one of error, warning, note, got "fatal"'),
        ("limits:\n  max_file_bytes: lots\n", '.deploylint.yaml:2: limits.max_file_bytes: expected integer, got "lots"'),
        ("exclude: build/\n", '.deploylint.yaml:1: exclude: expected a list, got "build/"'),
        ("rules: [\n", ".deploylint.yaml:2: invalid YAML: while parsing a flow node did not find expected node content"),
        ("- a\n- b\n", ".deploylint.yaml:1: a config file must be a mapping of settings"),
        ("extends: recommended\nfail_on: warning\nexclude: [vendor/*]\nrules:\n  K8S104: enable\n  K8S301:\n    params: {min_replicas: three}\n",
         '.deploylint.yaml:7: rules.K8S301.params.min_replicas: expected integer, got "three"'),
        ("rules:\n  hpa-min-replicas: {params: {minimum: 3}}\n",
         ".deploylint.yaml:2: rules.hpa-min-replicas.params.minimum: unknown param (known: min_replicas)"),
        ("rules:\n  K8S104: {params: {min: 3}}\n", ".deploylint.yaml:2: rules.K8S104.params.min: unknown param for K8S104 (it takes none)"),
    ],
)
def test_config_mistakes_exit_2_with_one_precise_line(project: Path, capsys: pytest.CaptureFixture[str], config: str, message: str) -> None:
    write(project, ".deploylint.yaml", config)
    write(project, "k8s/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, out, err = run_cli(capsys, project, "k8s")
    assert (code, out, err) == (2, "", f"deploylint: error: {message}\n")


def test_param_types_are_checked_against_a_schema_rules_defaults(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "rules/ACME301-min-replicas.yaml", REPLICAS_RULE)
    write(project, ".deploylint.yaml", "rules_dirs: [rules]\nrules:\n  ACME301:\n    severity: error\n    params:\n      min_replicas: three\n")
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, _, err = run_cli(capsys, project, "app.yaml")
    assert code == 2
    assert err == 'deploylint: error: .deploylint.yaml:6: rules.ACME301.params.min_replicas: expected integer, got "three"\n'


def test_python_check_params_are_checked_against_their_dataclass() -> None:
    dl001 = next(r for r in load_rules() if r.id == "DL001")
    assert param_problem(dl001, "depth", 3) == "unknown param (known: none)"


def test_pyproject_errors_name_the_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "pyproject.toml", "[project]\nname = 'x'\n\n[tool.deploylint]\nfail_on = 'sometimes'\n")
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, _, err = run_cli(capsys, project, "app.yaml")
    assert (code, err) == (2, 'deploylint: error: pyproject.toml:5: fail_on: expected one of error, warning, note, got "sometimes"\n')


def test_extends_chains_apply_in_order_and_cycles_are_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "base.yaml", "extends: recommended\nrules:\n  K8S: {severity: warning}\n")
    write(project, ".deploylint.yaml", "extends: [base.yaml]\nrules:\n  K8S104: {severity: note}\n  DL: {severity: note}\n")
    rules = load_rules()
    overrides = rule_overrides(load_config(None, project), rules)
    assert overrides["K8S104"].severity is not None and overrides["K8S104"].severity.value == "note"
    write(project, "base.yaml", "extends: .deploylint.yaml\n")
    with pytest.raises(UsageError, match=r"extends cycle: \.deploylint\.yaml -> base\.yaml -> \.deploylint\.yaml"):
        load_config(None, project)


def test_prefix_then_specific_entries_within_one_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".deploylint.yaml", "rules:\n  K8S104: {severity: note}\n  K8S: {severity: warning}\n")
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, out, _ = run_cli(capsys, project, "app.yaml")
    assert "1 finding (1 note)" in out and code == 1


def test_disable_by_name_and_fail_on_from_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, ".deploylint.yaml", "fail_on: error\nrules:\n  container-memory-limit: {severity: warning}\n")
    code, out, _ = run_cli(capsys, project, "app.yaml")
    assert code == 0 and "app.yaml:14:13: warning[K8S104]" in out
    assert run_cli(capsys, project, "app.yaml", "--fail-on", "warning")[0] == 1
    write(project, ".deploylint.yaml", "rules:\n  container-memory-limit: disable\n")
    code, out, _ = run_cli(capsys, project, "app.yaml")
    assert (code, out) == (0, "0 findings, 0 suppressed, 1 file\n")


def test_explicit_config_overrides_discovery(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, ".deploylint.yaml", "rules:\n  K8S104: disable\n")
    write(project, "ci/strict.yaml", "extends: strict\n")
    assert run_cli(capsys, project, "app.yaml")[0] == 0
    assert run_cli(capsys, project, "--config", "ci/strict.yaml", "app.yaml")[0] == 1
    code, _, err = run_cli(capsys, project, "--config", "ci/missing.yaml", "app.yaml")
    assert (code, err) == (2, "deploylint: error: ci/missing.yaml: config file not found\n")


def test_exclude_is_honoured_for_files_named_explicitly(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "vendor/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, "deploy/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, ".deploylint.yaml", "exclude: [vendor/*]\n")
    code, out, _ = run_cli(capsys, project, "vendor/app.yaml", "deploy/app.yaml")
    assert out.splitlines()[0].startswith("deploy/app.yaml:14:13: error[K8S104]")
    assert out.endswith("1 finding (1 error), 0 suppressed, 1 file\n") and code == 1


def test_pod_templates_extend_container_rules_to_custom_resources(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cloneset = DEPLOYMENT_WITHOUT_LIMIT.replace("apps/v1", "apps.kruise.io/v1alpha1").replace("kind: Deployment", "kind: CloneSet")
    write(project, "cloneset.yaml", cloneset)
    assert run_cli(capsys, project, "cloneset.yaml")[1] == "0 findings, 0 suppressed, 1 file\n"
    write(project, ".deploylint.yaml", "pod_templates: {CloneSet: spec.template}\n")
    code, out, _ = run_cli(capsys, project, "cloneset.yaml")
    assert out.startswith("cloneset.yaml:14:13: error[K8S104] container 'api' in CloneSet/backend has no memory limit\n") and code == 1


def test_limits_map_onto_workspace_limits(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, ".deploylint.yaml", "limits: {max_file_bytes: 100}\n")
    code, out, _ = run_cli(capsys, project, "app.yaml")
    assert code == 1
    assert out.startswith("app.yaml:1:1: error[DL005] file is 641 bytes, over the 100-byte limit (max_file_bytes); skipped\n")


def test_each_path_takes_its_nearest_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "team-a/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, "team-b/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, "team-b/.deploylint.yaml", "rules: {K8S104: disable}\n")
    code, out, _ = run_cli(capsys, project, "team-a", "team-b")
    assert code == 1
    assert out == ("team-a/app.yaml:14:13: error[K8S104] container 'api' in Deployment/backend has no memory limit\n\n"
                   "1 finding (1 error), 0 suppressed, 2 files\n")


def test_a_directory_with_its_own_config_inside_a_scanned_tree_uses_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "deploy/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, "deploy/legacy/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(project, "deploy/legacy/.deploylint.yaml", "rules: {K8S104: {severity: note}}\n")
    write(project, "deploy/legacy/old/pyproject.toml", "[tool.deploylint]\nrules = {K8S104 = 'disable'}\n")
    write(project, "deploy/legacy/old/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, out, _ = run_cli(capsys, project, "deploy")
    assert code == 1
    assert out == ("deploy/app.yaml:14:13: error[K8S104] container 'api' in Deployment/backend has no memory limit\n"
                   "deploy/legacy/app.yaml:14:13: note[K8S104] container 'api' in Deployment/backend has no memory limit\n\n"
                   "2 findings (1 error, 1 note), 0 suppressed, 3 files\n")


def test_pyproject_inline_table_errors_point_at_their_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "pyproject.toml", "[tool.deploylint]\nfail_on = 'error'\nrules = {K8S104 = {severity = 'loud'}}\n")
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, _, err = run_cli(capsys, project, "app.yaml")
    assert (code, err) == (2, 'deploylint: error: pyproject.toml:3: rules.K8S104.severity: expected one of error, warning, note, got "loud"\n')


def test_a_configured_param_changes_what_an_assert_rule_accepts(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "rules/ACME301-min-replicas.yaml", REPLICAS_RULE)
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT.replace("replicas: 3", "replicas: 2"))
    assert run_cli(capsys, project, "--rules-dir", "rules", "--select", "ACME301", "app.yaml")[:2] == (0, "0 findings, 0 suppressed, 1 file\n")
    write(project, ".deploylint.yaml", "rules_dirs: [rules]\nrules: {ACME301: {params: {min_replicas: 3}}}\n")
    code, out, _ = run_cli(capsys, project, "--select", "ACME301", "app.yaml")
    assert (code, out.splitlines()[0]) == (1, "app.yaml:5:13: warning[ACME301] Deployment/backend spec.replicas must be at least 3 (want 3)")


HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: backend}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: backend}
  minReplicas: 3
  maxReplicas: 10
"""


def test_raising_a_python_checks_param_in_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "hpa.yaml", HPA)
    assert run_cli(capsys, project, "hpa.yaml")[:2] == (0, "0 findings, 0 suppressed, 1 file\n")
    write(project, ".deploylint.yaml", "rules:\n  K8S301: {params: {min_replicas: 4}}\n")
    code, out, _ = run_cli(capsys, project, "hpa.yaml")
    assert (code, out.splitlines()[0]) == (1, "hpa.yaml:6:16: warning[K8S301] HorizontalPodAutoscaler/backend: minReplicas 3 is below 4")


def test_globs_with_a_slash_are_relative_to_their_config_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "deploy/.deploylint.yaml", "exclude: [legacy/*]\nrules: {K8S104: {ignore: [staging/*.yaml, '*.tmp.yaml']}}\n")
    for name in ("deploy/app.yaml", "deploy/legacy/app.yaml", "deploy/staging/app.yaml", "deploy/x.tmp.yaml", "legacy/app.yaml"):
        write(project, name, DEPLOYMENT_WITHOUT_LIMIT)
    code, out, _ = run_cli(capsys, project, "deploy", "legacy", "--show-suppressed")
    assert code == 1
    assert [line.split(":")[0] + (" suppressed" if "[suppressed" in line else "") for line in out.splitlines()[:-2]] == [
        "deploy/app.yaml", "deploy/staging/app.yaml suppressed", "deploy/x.tmp.yaml suppressed", "legacy/app.yaml",
    ]


def test_secret_patterns_extend_the_classifier(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A team's own secret-like key names, added by a data file named in the config."""
    write(project, ".env.production", "ACME_VAULT_SEAL=changeme\n")
    assert run_cli(capsys, project, ".env.production", "--select", "ENV101")[0] == 0
    write(project, "policy/secrets.yaml", "secret_keys:\n  - vault_seal\n")
    write(project, ".deploylint.yaml", "secret_patterns: [policy/secrets.yaml]\n")
    code, out, _ = run_cli(capsys, project, ".env.production", "--select", "ENV101")
    assert code == 1 and ".env.production:1:17: error[ENV101]" in out


def test_a_configs_secret_patterns_stay_in_its_own_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two trees, one with extra secret key names: each is judged by its own
    config whatever the order of the arguments (the extra names once stayed
    installed for the rest of the process)."""
    write(tmp_path, "a/policy/secrets.yaml", "secret_keys:\n  - vault_seal\n")
    write(tmp_path, "a/.deploylint.yaml", "secret_patterns: [policy/secrets.yaml]\n")
    write(tmp_path, "a/.env", "ACME_VAULT_SEAL=changeme\n")
    write(tmp_path, "b/.deploylint.yaml", "extends: recommended\n")
    write(tmp_path, "b/.env", "ACME_VAULT_SEAL=changeme\n")
    outputs = []
    for order in (["a", "b"], ["b", "a"]):
        code, out, _ = run_cli(capsys, tmp_path, *order, "--select", "ENV101")
        outputs.append((code, sorted(line for line in out.splitlines() if "ENV101" in line)))
    assert outputs[0] == outputs[1]
    assert outputs[0][1] == ["a/.env:1:17: error[ENV101] " + outputs[0][1][0].split(" error[ENV101] ", 1)[1]]


@pytest.mark.parametrize(("select", "ignore", "expected"), [
    (["K8S"], ["ALL"], "K8S"),  # any prefix is more specific than ALL, however short
    (["DL"], ["ALL"], "DL"),
    (["K8S1"], ["ALL"], "K8S1"),
    (["ALL"], ["ALL"], ""),  # equal specificity: ignore wins
    (["K8S104"], ["K8S"], "K8S104"),
    (["K8S"], ["K8S"], ""),
    (["ALL"], ["K8S", "DL", "ENV", "CH", "NGX", "SEC", "RDS", "PG"], ""),
])
def test_the_most_specific_selector_wins(select: list[str], ignore: list[str], expected: str) -> None:
    rules = load_rules()
    enabled = [r.id for r in select_rules(rules, select, ignore)]
    assert enabled == [r.id for r in rules if expected and r.id.startswith(expected)]


def test_config_files_are_decoded_like_linted_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    # A BOM (Windows editors) is not part of the TOML.
    (project / "pyproject.toml").write_bytes(b"\xef\xbb\xbf[tool.deploylint]\nrules = {K8S104 = 'disable'}\n")
    assert run_cli(capsys, project, "app.yaml")[:2] == (0, "0 findings, 0 suppressed, 1 file\n")
    (project / "bad.yaml").write_bytes(b"rules:\n  K8S104: {severity: \xff}\n")
    assert run_cli(capsys, project, "--config", "bad.yaml", "app.yaml") == (
        2, "", "deploylint: error: bad.yaml:2: not valid UTF-8 (byte 0xFF); save the file as UTF-8\n")


def test_a_whole_rule_id_names_that_rule_alone() -> None:
    from linter.core.rules import names_rule

    # K8S101 exists; a later K8S1010 must not fall under configs written for it.
    assert names_rule("K8S101", "K8S101", "container-cpu-request")
    assert not names_rule("K8S101", "K8S1010", "some-later-rule")
    assert names_rule("k8s10", "K8S101", "container-cpu-request") and names_rule("K8S1", "K8S1010", "x")
    assert names_rule("container-cpu-request", "K8S101", "container-cpu-request")
    assert names_rule("ALL", "DL001", "parse-error") and names_rule("K8S", "K8S001", "service-selects-no-pods")
