"""User mistakes on the command line: one clean `deploylint: error:` line on
stderr, nothing on stdout, exit 2; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write
from conftest import PROJECT


@pytest.mark.parametrize(("args", "error"), [
    (["--format", "nope", "app.yaml"], "Invalid value for '--format' / '--output-format': 'nope' is not one of 'text', 'concise', 'full', 'json', 'json-lines', 'sarif', 'github', 'gitlab', 'junit', 'markdown'."),
    (["missing.yaml"], "no such file or directory: missing.yaml"),
    ([""], "no such file or directory: ''"),
    (["--output", "out", "app.yaml"], "Invalid value for '-o' / '--output': File 'out' is a directory."),
    (["--output", "nowhere/report.txt", "app.yaml"], "cannot write nowhere/report.txt: No such file or directory"),
    (["--config", "nope.yaml", "app.yaml"], "nope.yaml: config file not found"),
    (["--shard", "3/2", "app.yaml"], "--shard: I must be between 1 and N (got 3/2)"),
    (["--shard", "1/0", "app.yaml"], "--shard: N must be at least 1 (got 1/0)"),
    (["--jobs", "-1", "app.yaml"], "Invalid value for '-j' / '--jobs': -1 is not in the range x>=0."),
    (["--select", "NOPE", "app.yaml"], "--select: 'NOPE' matches no rule (try `deploylint rules`)"),
    (["--nginx-prefix", "nope", "app.yaml"], "Invalid value for '--nginx-prefix': Directory 'nope' does not exist."),
    (["rule", "NOPE"], "unknown rule 'NOPE' (try `deploylint rules`)"),
    (["validate-rules", "nope"], "rules directory not found: nope"),
    (["merge-sarif", "merged.sarif", "nope.sarif"], "nope.sarif: no such file"),
    (["baseline", "write", "nowhere/baseline.json", "app.yaml"], "cannot write nowhere/baseline.json: No such file or directory"),
    (["docs", "generate", "--output-dir", "app.yaml/docs"], "cannot write app.yaml/docs: Not a directory"),
])
def test_a_user_mistake_is_one_line_and_exit_2(project: Path, capsys: pytest.CaptureFixture[str], args: list[str], error: str) -> None:
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    (project / "out").mkdir()
    assert run_cli(capsys, project, *args) == (2, "", f"deploylint: error: {error}\n")


def test_a_group_without_its_command_shows_its_help(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, project, "baseline")
    assert (code, out) == (2, "")
    assert err.startswith("Usage: deploylint baseline [OPTIONS] COMMAND [ARGS]...\n") and "write " in err


def test_a_reader_that_leaves_early_is_not_a_crash(tmp_path: Path) -> None:
    # `deploylint rules | head -1`: the pipe is closed before deploylint writes.
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "DEPLOYLINT_NO_CACHE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "linter", "rules"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    error = process.stderr.read()
    assert (process.wait(timeout=60), error) == (141, b"")
