"""Fingerprints are keyed by the file's path in the repository (its `.git`
top level, else the config's directory, else the scan root), so SARIF
`partialFingerprints`, JSON fingerprints and baselines are the same whether a
run starts at the root or in a subdirectory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write


def _sarif_fingerprints(capsys: pytest.CaptureFixture[str], cwd: Path, path: str) -> list[tuple[str, str, int]]:
    code, out, _ = run_cli(capsys, cwd, "--format", "sarif", path)
    assert code == 1
    results = json.loads(out)["runs"][0]["results"]
    return [(r["ruleId"], r["partialFingerprints"]["deploylint/v1"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results]


def test_sarif_fingerprints_match_from_the_root_and_from_a_subdirectory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "deploy/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    from_root = _sarif_fingerprints(capsys, project, "deploy")
    from_sub = _sarif_fingerprints(capsys, project / "deploy", ".")
    assert from_root[0][0] == "K8S104" and from_root[0][2] == 14
    assert from_sub == from_root


def test_a_baseline_written_at_the_root_covers_the_findings_seen_from_a_subdirectory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "deploy/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    assert run_cli(capsys, project, "baseline", "write", "baseline.json", "deploy")[0] == 0
    entry, = json.loads((project / "baseline.json").read_text())["findings"].values()
    assert {k: v for k, v in entry.items() if k != "added"} == {"rule": "K8S104", "file": "deploy/app.yaml", "count": 1}
    code, out, _ = run_cli(capsys, project / "deploy", "--baseline", "../baseline.json", "app.yaml")
    assert (code, out) == (0, "0 findings, 1 suppressed, 1 file\n")
    # and the other way round: written in the subdirectory, read at the root
    assert run_cli(capsys, project / "deploy", "baseline", "write", "b2.json", ".")[0] == 0
    assert json.loads((project / "deploy/b2.json").read_text())["findings"] == json.loads((project / "baseline.json").read_text())["findings"]
    code, out, _ = run_cli(capsys, project, "--baseline", "deploy/b2.json", "deploy")
    assert (code, out) == (0, "0 findings, 1 suppressed, 1 file\n")


def test_without_git_the_config_directory_anchors_fingerprints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "repo/.deploylint.yaml", "fail_on: note\n")
    write(tmp_path, "repo/deploy/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    from_root = _sarif_fingerprints(capsys, tmp_path / "repo", "deploy")
    from_sub = _sarif_fingerprints(capsys, tmp_path / "repo" / "deploy", ".")
    assert from_root and from_sub == from_root
    code, out, _ = run_cli(capsys, tmp_path / "repo" / "deploy", "--format", "json", "app.yaml")
    finding = json.loads(out)["findings"][0]
    code, out, _ = run_cli(capsys, tmp_path / "repo", "--format", "json", "deploy/app.yaml")
    assert json.loads(out)["findings"][0]["fingerprint"] == finding["fingerprint"]
