"""Faults around a run: a worker killed under `--jobs N` (exit 3, one clear
line, no report rather than a report of fewer files), a file that vanishes
between discovery and reading (a finding for it, the rest linted), an output
directory that cannot be written (exit 2, one line, the old report intact)."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_cli, write

import linter.core.atomic
import linter.core.runner
from linter.core import parallel

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec: {{ports: [{{port: 80}}]}}\n"


@pytest.fixture
def three_files(project: Path) -> Path:
    for name in ("a", "b", "c"):
        write(project, f"k8s/{name}/service.yaml", SERVICE.format(name=name))
    write(project, "out/report.json", "previous report\n")
    return project


def _dies_on_b(monkeypatch: pytest.MonkeyPatch, die: Any) -> None:
    """Workers (forked: they inherit the patch) linting k8s/b/service.yaml end abruptly."""
    monkeypatch.setattr(parallel, "WORK_PER_WORKER", 0)
    real = linter.core.runner.lint_candidates

    def lint_candidates(mine: list[Any], settings: Any, **options: Any) -> Any:
        if any(c.relpath == "k8s/b/service.yaml" for c in mine):
            die()
        return real(mine, settings, **options)

    monkeypatch.setattr(linter.core.runner, "lint_candidates", lint_candidates)


@pytest.mark.skipif(parallel._start_method() != "fork", reason="the patch reaches workers only when they are forked")
@pytest.mark.parametrize(
    ("die", "how"),
    [
        (lambda: os.kill(os.getpid(), signal.SIGKILL), "was killed by SIGKILL"),
        (lambda: os._exit(0), "exited (code 0) without a result"),
    ],
    ids=["sigkill", "clean-exit"],
)
def test_a_lost_worker_fails_the_run_and_writes_no_report(
    three_files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, die: Any, how: str
) -> None:
    _dies_on_b(monkeypatch, die)
    code, out, err = run_cli(capsys, three_files, "--jobs", "3", "--format", "json", "-o", "out/report.json", "k8s")
    assert (code, out) == (3, "")
    assert err.startswith(f"deploylint: error: worker 2 of 3 {how} while linting k8s/b/service.yaml; no report was written")
    assert len(err.splitlines()) == 1
    assert sorted(p.name for p in (three_files / "out").iterdir()) == ["report.json"]
    assert (three_files / "out/report.json").read_text() == "previous report\n"


def test_a_file_that_vanishes_after_discovery_is_a_finding_and_the_rest_is_linted(
    three_files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = linter.core.runner.discover

    def discover(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        (three_files / "k8s/b/service.yaml").unlink()
        return found

    monkeypatch.setattr(linter.core.runner, "discover", discover)
    code, out, _ = run_cli(capsys, three_files, "--select", "DL", "k8s")
    assert code == 1
    assert out.splitlines() == [
        "k8s/b/service.yaml:1:1: error[DL001] cannot read file: No such file or directory",
        "",
        "1 finding (1 error), 0 suppressed, 3 files, 1 could not be parsed",
    ]


def test_a_read_only_output_directory_is_one_line_and_the_old_report_stays(
    three_files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(".tmp") and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(linter.core.atomic.os, "open", read_only)
    code, out, err = run_cli(capsys, three_files, "--format", "json", "-o", "out/report.json", "k8s")
    assert (code, out) == (2, "")
    assert err == f"deploylint: error: cannot write out/report.json: {os.strerror(errno.EROFS)}\n"
    assert sorted(p.name for p in (three_files / "out").iterdir()) == ["report.json"]
    assert (three_files / "out/report.json").read_text() == "previous report\n"
