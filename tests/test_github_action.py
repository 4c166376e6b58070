"""The composite GitHub Action (`action.yml`) and the documented workflow.

Static checks stand in for GitHub's own loader: every `inputs.X` and
`steps.ID` reference resolves, run steps declare a shell, the upload runs even
after findings and the failure comes after it. The lint step's script is then
run for real with bash, as the runner would, against a small tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PROJECT

ACTION = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
DOC = PROJECT / "docs" / "github-code-scanning.md"
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
STEPS = ACTION["runs"]["steps"]


def step(step_id: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("id") == step_id)


def expressions(value: Any) -> list[str]:
    return EXPRESSION.findall(json.dumps(value))


def test_metadata_and_inputs() -> None:
    assert ACTION["name"] and ACTION["description"]
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    assert {"paths", "config", "fail-on", "category", "version"} <= set(inputs)
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert isinstance(spec.get("default", ""), str), f"{name}: action inputs are strings"


def test_every_reference_resolves() -> None:
    inputs = set(ACTION["inputs"])
    seen_steps: set[str] = set()
    for s in STEPS:
        for expr in expressions(s):
            for name in re.findall(r"\binputs\.([A-Za-z0-9_-]+)", expr):
                assert name in inputs, f"step '{s['name']}' uses unknown input '{name}'"
            for ref in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.", expr):
                assert ref in seen_steps, f"step '{s['name']}' refers to step '{ref}' before it runs"
        if "id" in s:
            seen_steps.add(s["id"])
    for name, output in ACTION["outputs"].items():
        for ref in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.", output["value"]):
            assert ref in seen_steps, f"output '{name}' refers to unknown step '{ref}'"


def test_steps_are_well_formed() -> None:
    for s in STEPS:
        assert s.get("name"), s
        assert ("run" in s) != ("uses" in s), s["name"]
        if "run" in s:
            assert s.get("shell") == "bash", f"composite run steps need a shell: {s['name']}"
            assert not expressions(s["run"]), f"{s['name']}: pass inputs through env, never into the script text"
        else:
            assert re.search(r"@(v\d+|[0-9a-f]{40})$", s["uses"]), f"{s['uses']} is not pinned"


def test_upload_even_after_findings_then_fail() -> None:
    names = [s.get("id") or s["name"] for s in STEPS]
    upload = next(s for s in STEPS if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["uses"].endswith("@v3")
    assert "always()" in upload["if"] and "steps.lint.outputs.sarif-file" in upload["if"]
    assert upload["with"] == {"sarif_file": "${{ steps.lint.outputs.sarif-file }}", "category": "${{ inputs.category }}"}
    fail = next(s for s in STEPS if s["name"] == "Fail on findings")
    assert "steps.lint.outputs.exit-code == '1'" in fail["if"] and "exit 1" in fail["run"]
    assert names.index("install") < names.index("lint") < STEPS.index(upload) < STEPS.index(fail)


def test_scripts_parse() -> None:
    """bash -n on every run script, and shellcheck where installed (the test extra ships it)."""
    shellcheck = shutil.which("shellcheck") or shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    for s in (s for s in STEPS if "run" in s):
        done = subprocess.run(["bash", "-n"], input=s["run"], text=True, check=False, capture_output=True)
        assert done.returncode == 0, f"{s['name']}: {done.stderr}"
        if shellcheck:
            done = subprocess.run([shellcheck, "-s", "bash", "-"], input="#!/bin/bash\n" + s["run"], text=True, check=False, capture_output=True)
            assert done.returncode == 0, f"{s['name']}: {done.stdout}"


def test_documented_workflow_uses_the_action_soundly() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    workflow = yaml.safe_load(blocks[0])
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["deploylint"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    ours = next(s for s in steps if "deploylint@" in s.get("uses", ""))
    assert set(ours["with"]) <= set(ACTION["inputs"])


def substitute(text: str, inputs: dict[str, str]) -> str:
    """`${{ inputs.X }}` replaced as the runner would."""
    return EXPRESSION.sub(lambda m: inputs[m.group(1).strip().removeprefix("inputs.")], text)


def run_lint_step(tmp_path: Path, inputs: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """Run the action's lint step with bash, as the runner does (inputs as env)."""
    lint = step("lint")
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    values = {**defaults, **inputs}
    env_values = {key: substitute(value, values) for key, value in lint["env"].items() if "steps." not in value}
    output_file = tmp_path / "github_output"
    output_file.write_text("")
    (tmp_path / "runner").mkdir(exist_ok=True)
    # Stands in for the installed entry point: isolated (-I), as a console
    # script is, so the checkout's own modules are never imported.
    entry_point = tmp_path / "deploylint-entry-point"
    entry_point.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I -c "import sys; sys.path.insert(0, \'{PROJECT}\'); '
                           f'from linter.cli import main; sys.exit(main(sys.argv[1:]))" "$@"\n')
    entry_point.chmod(0o755)
    env = {**{k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}, **env_values,
           "DEPLOYLINT": str(entry_point), "GITHUB_OUTPUT": str(output_file), "RUNNER_TEMP": str(tmp_path / "runner"),
           "GITHUB_JOB": "deploylint", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary.md")}
    script = tmp_path / "step.sh"
    script.write_text(lint["run"])
    cwd = tmp_path / "repo" / substitute(lint["working-directory"], values)
    # The runner's own invocation for `shell: bash`.
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env, check=False, capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
    return done.returncode, outputs, done.stdout + done.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "deploy").mkdir()
    shutil.copy(PROJECT / "tests" / "fixtures" / "worker-without-memory-limit.yaml", root / "deploy" / "backend.yaml")
    (root / "docs").mkdir()
    shutil.copy(PROJECT / "examples" / "ai-etl" / "k8s" / "backend.yaml", root / "docs" / "clean.yaml")
    return root


def test_lint_step_defers_failure_until_after_upload(tmp_path: Path, repo: Path) -> None:
    code, outputs, log = run_lint_step(tmp_path, {"paths": "deploy\ndocs", "category": "deploylint/k8s"})
    assert code == 0, log
    assert outputs["exit-code"] == "1"
    sarif = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))
    run = sarif["runs"][0]
    assert run["automationDetails"] == {"id": "deploylint/k8s/"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"deploy/backend.yaml"}


def test_lint_step_fail_on_none_reports_only(tmp_path: Path, repo: Path) -> None:
    code, outputs, log = run_lint_step(tmp_path, {"fail-on": "none"})
    assert (code, outputs["exit-code"]) == (0, "0"), log
    assert Path(outputs["sarif-file"]).is_file()


def test_lint_step_from_a_subfolder_keeps_repository_paths(tmp_path: Path, repo: Path) -> None:
    code, outputs, log = run_lint_step(tmp_path, {"working-directory": "deploy"})
    assert (code, outputs["exit-code"]) == (0, "1"), log
    run = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))["runs"][0]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {"deploy/backend.yaml"}


def test_lint_step_rejects_an_unknown_fail_on(tmp_path: Path, repo: Path) -> None:
    code, outputs, log = run_lint_step(tmp_path, {"fail-on": "sometimes"})
    assert code == 2 and "fail-on must be error, warning, note or none" in log
    assert "sarif-file" not in outputs


def test_lint_step_writes_the_step_summary_and_logs_the_text_report(tmp_path: Path, repo: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n")
    code, outputs, log = run_lint_step(tmp_path, {"paths": "deploy"})
    assert (code, outputs["exit-code"]) == (0, "1"), log
    assert "deploy/backend.yaml:10:11: error[K8S104] container 'main' in Deployment/worker has no memory limit" in log
    text = summary.read_text(encoding="utf-8")
    assert re.match(r"earlier step\n## deploylint: \d+ findings \(\d+ errors?", text), text
    assert "[10:11](deploy/backend.yaml#L10)" in text


def test_lint_step_summary_can_be_turned_off_and_never_reuses_a_stale_report(tmp_path: Path, repo: Path) -> None:
    (tmp_path / "runner").mkdir()
    stale = tmp_path / "runner" / "deploylint-deploylint-1.sarif"
    stale.write_text("{}")
    code, outputs, log = run_lint_step(tmp_path, {"paths": "deploy", "summary": "false", "config": "missing.yaml"})
    assert code == 2 and "sarif-file" not in outputs and not stale.exists(), log
    assert not (tmp_path / "step_summary.md").exists()


def test_a_linter_package_in_the_checkout_never_runs_instead_of_deploylint(tmp_path: Path, repo: Path) -> None:
    """Before: the step ran `python -m linter` in the checkout, so a repository
    with its own `linter/` took over the step (exit 0, no SARIF, green)."""
    (repo / "linter").mkdir()
    (repo / "linter" / "__init__.py").write_text("")
    (repo / "linter" / "__main__.py").write_text("print('HIJACKED'); raise SystemExit(0)\n")
    (repo / "linter.py").write_text("print('HIJACKED')\n")
    code, outputs, log = run_lint_step(tmp_path, {"paths": "deploy"})
    assert "HIJACKED" not in log
    assert (code, outputs["exit-code"]) == (0, "1") and Path(outputs["sarif-file"]).is_file(), log


def test_paths_one_per_line_may_hold_spaces(tmp_path: Path, repo: Path) -> None:
    (repo / "deploy").rename(repo / "my deploy")
    code, outputs, log = run_lint_step(tmp_path, {"paths": "my deploy\n  docs  \n"})
    assert (code, outputs["exit-code"]) == (0, "1"), log
    run = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))["runs"][0]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {"my%20deploy/backend.yaml"}  # a SARIF URI is percent-encoded


def test_a_pinned_config_is_the_only_policy(tmp_path: Path, repo: Path) -> None:
    """With a pinned config the step runs --strict-config: a nested config is
    named as not used, and the pinned file may not extend one from outside the
    repository (a pull request could point it anywhere)."""
    (repo / ".github").mkdir()
    (repo / ".github/deploylint.yaml").write_text("fail_on: error\n", encoding="utf-8")
    (repo / "deploy/.deploylint.yaml").write_text("rules: {ALL: disable}\n", encoding="utf-8")
    code, outputs, log = run_lint_step(tmp_path, {"paths": "deploy", "config": ".github/deploylint.yaml"})
    assert (code, outputs["exit-code"]) == (0, "1"), log
    assert "deploy/.deploylint.yaml is not used" in log
    (tmp_path / "outside.yaml").write_text("rules: {ALL: disable}\n", encoding="utf-8")
    (repo / ".github/deploylint.yaml").write_text(f"extends: {tmp_path / 'outside.yaml'}\n", encoding="utf-8")
    code, outputs, log = run_lint_step(tmp_path, {"paths": "deploy", "config": ".github/deploylint.yaml"})
    assert (code, outputs.get("exit-code")) == (2, "2"), log
    code, outputs, log = run_lint_step(tmp_path, {"paths": "deploy", "config": ".github/deploylint.yaml", "strict-config": "false"})
    assert (code, outputs["exit-code"]) == (0, "0"), log
