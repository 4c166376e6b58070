"""Rule docs are generated from the rule files and checked in: they must not
drift. `deploylint rule ID` prints the same help."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import run_cli

from linter.report.docs import default_docs_dir, main, sync_docs


def test_checked_in_docs_match_the_rule_files() -> None:
    drifted = sync_docs(default_docs_dir(), check=True)
    assert drifted == [], f"docs/rules is out of date for {drifted}: run `python -m linter.report.docs`"


def test_check_mode_reports_drift_and_generation_repairs_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--output-dir", str(tmp_path)]) == 0
    (tmp_path / "K8S104.md").write_text("edited by hand\n")
    (tmp_path / "K8S999.md").write_text("a removed rule\n")
    assert main(["--output-dir", str(tmp_path), "--check"]) == 1
    assert "out of date: K8S104.md, K8S999.md" in capsys.readouterr().err
    assert main(["--output-dir", str(tmp_path)]) == 0
    assert main(["--output-dir", str(tmp_path), "--check"]) == 0
    assert not (tmp_path / "K8S999.md").exists()
    index = (tmp_path / "README.md").read_text()
    assert "| [K8S104](K8S104.md) | container-memory-limit | error | Containers set a memory limit | recommended, strict, production-checklist |" in index


def test_rule_command_prints_the_full_help(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, project, "rule", "container-memory-limit")
    assert code == 0
    headings = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert headings == ["K8S104 container-memory-limit (error, kubernetes)", "Containers set a memory limit", "Why",
                        "Example (flagged)", "Use instead", "Fix", "Fix safety", "Presets", "References"]
    assert "    recommended, strict, production-checklist\n" in out
    assert "              resources:  # flagged\n" in out
    assert run_cli(capsys, project, "rule", "K8S000")[::2] == (2, "deploylint: error: unknown rule 'K8S000' (try `deploylint rules`)\n")


def test_rule_help_lists_params_with_defaults(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from test_config import REPLICAS_RULE

    (project / "rules").mkdir()
    (project / "rules" / "ACME301-min-replicas.yaml").write_text(REPLICAS_RULE)
    code, out, _ = run_cli(capsys, project, "rule", "ACME301", "--rules-dir", "rules")
    assert "\nParams (defaults)\n    min_replicas: 2\n" in out and code == 0
