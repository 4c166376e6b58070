"""`--strict-config` for CI: the policy is the pinned `--config` file only. A
config file a pull request adds under the linted paths is refused, as is any
`extends`, `rules_dirs` or `secret_patterns` outside the repository (refused
before it is read, so nothing of it is echoed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import run_cli, write

PRIVILEGED = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: registry.example.com/a:1.0.0
      securityContext: {privileged: true}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root, ".deploylint.yaml", "fail_on: warning\n")
    write(root, "k8s/pod.yaml", PRIVILEGED)
    return root


def test_a_nested_config_from_a_pull_request_is_reported_and_not_used(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "k8s/.deploylint.yaml", "rules:\n  ALL: disable\n")
    assert run_cli(capsys, repo, ".")[0] == 0  # without a pinned config the pull request wins
    for path in (".", "k8s", "k8s/pod.yaml"):
        code, out, err = run_cli(capsys, repo, "--strict-config", "--config", ".deploylint.yaml", path)
        assert code == 1
        assert "k8s/pod.yaml:8:37: error[K8S403] container 'a' in Pod/p is privileged" in out
        assert err == "deploylint: warning: k8s/.deploylint.yaml is not used: --strict-config applies only .deploylint.yaml\n"


def test_strict_config_needs_a_pinned_config(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, repo, "--strict-config", ".")
    assert code == 2 and "--strict-config needs --config FILE" in err


def test_the_pinned_config_lints_as_usual(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "policy/base.yaml", "rules:\n  K8S1: disable\n")
    write(repo, "policy/rules/.keep", "")
    write(repo, "ci.yaml", "extends: [recommended, policy/base.yaml]\nrules_dirs: [policy/rules]\n")
    code, out, _ = run_cli(capsys, repo, "--strict-config", "--config", "ci.yaml", "k8s")
    assert code == 1
    assert "k8s/pod.yaml:8:37: error[K8S403]" in out and "[K8S101]" not in out  # policy/base.yaml disabled K8S1


@pytest.mark.parametrize(
    ("setting", "line", "key"),
    [
        ("extends: {outside}\n", 1, "extends"),
        ("fail_on: warning\nextends: [recommended, {outside}]\n", 2, "extends.1"),
        ("rules_dirs: [../../elsewhere]\n", 1, "rules_dirs.0"),
        ("secret_patterns:\n  - ../../elsewhere/patterns.yaml\n", 2, "secret_patterns.0"),
    ],
)
def test_paths_outside_the_repository_are_refused_unread(
    repo: Path, capsys: pytest.CaptureFixture[str], setting: str, line: int, key: str
) -> None:
    outside = repo.parent / "outside.yaml"
    outside.write_text("rules:\n  LEAKED_VALUE_9: disable\n", encoding="utf-8")
    write(repo.parent, "elsewhere/patterns.yaml", "LEAKED_VALUE_9\n")
    write(repo, "ci/ci.yaml", setting.format(outside=outside))
    code, out, err = run_cli(capsys, repo, "--strict-config", "--config", "ci/ci.yaml", "k8s")
    assert (code, out) == (2, "")
    assert f"deploylint: error: ci/ci.yaml:{line}: {key}: names a path outside the repository" in err
    assert "LEAKED_VALUE_9" not in err
