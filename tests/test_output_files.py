"""`-o FILE` writes what the user names without destroying it: a regular file
is replaced at once (no temp file left on SIGINT, SIGTERM or, by the next
write, SIGKILL); a character device or FIFO is written through; a symlink
inside its directory keeps being a symlink, one to elsewhere is refused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write

# A script that writes a report with the write interrupted where the rename
# would be: by the signal named in argv[2], sent to itself.
INTERRUPTED_WRITE = """\
import os, signal, sys, time
from pathlib import Path
import linter.core.atomic as atomic

def interrupted(src, dst):
    os.kill(os.getpid(), getattr(signal, sys.argv[2]))
    time.sleep(5)

atomic.os.replace = interrupted
try:
    atomic.write_output(Path(sys.argv[1]), "report\\n")
except KeyboardInterrupt:
    sys.exit(130)
"""


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write(root, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    return root


def lint_to(capsys: pytest.CaptureFixture[str], root: Path, output: Path) -> tuple[int, str]:
    code, out, err = run_cli(capsys, root, "--format", "json", "-o", str(output), ".")
    assert out == ""
    return code, err


def test_a_symlink_to_a_character_device_is_written_through(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    code, err = lint_to(capsys, root, link)
    assert (code, err) == (1, "")
    assert link.is_symlink() and os.readlink(link) == os.devnull  # a regular file here once replaced /dev/null
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "project"]


def test_a_fifo_reader_gets_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, err = lint_to(capsys, root, fifo)
    reader.join(timeout=30)
    assert (code, err) == (1, "")
    assert [f["rule"] for f in json.loads(received[0])["findings"]] == ["K8S104"]
    assert fifo.is_fifo()


def test_a_symlink_inside_its_directory_is_written_through(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    reports = tmp_path / "reports"
    (reports / "runs").mkdir(parents=True)
    (reports / "runs" / "42.json").write_text("previous\n")
    (reports / "latest.json").symlink_to(Path("runs") / "42.json")
    code, err = lint_to(capsys, root, reports / "latest.json")
    assert (code, err) == (1, "")
    assert (reports / "latest.json").is_symlink()
    assert [f["rule"] for f in json.loads((reports / "runs" / "42.json").read_text())["findings"]] == ["K8S104"]
    assert sorted(p.name for p in (reports / "runs").iterdir()) == ["42.json"]


def test_a_symlink_to_outside_its_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    (tmp_path / "home").mkdir()
    precious = tmp_path / "home" / ".bashrc"
    precious.write_text("precious\n")
    write(root, "out/report.json", "")
    (root / "out" / "report.json").unlink()
    (root / "out" / "report.json").symlink_to(precious)  # planted in a checkout
    code, err = lint_to(capsys, root, root / "out" / "report.json")
    assert code == 2
    assert err == f"deploylint: error: cannot write {root / 'out' / 'report.json'}: a symlink to outside its directory; not followed\n"
    assert precious.read_text() == "precious\n" and (root / "out" / "report.json").is_symlink()


@pytest.mark.parametrize("name, code", [("SIGTERM", 128 + signal.SIGTERM), ("SIGINT", 130)])
def test_an_interrupted_write_leaves_the_old_report_and_no_temp_file(tmp_path: Path, name: str, code: int) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous\n")
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_WRITE, str(target), name], capture_output=True, timeout=60)
    assert done.returncode == code, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert target.read_text() == "previous\n"


def test_a_temp_file_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    reports = tmp_path / "reports"
    reports.mkdir()
    target = reports / "out.sarif"
    killed = subprocess.run([sys.executable, "-c", INTERRUPTED_WRITE, str(target), "SIGKILL"], capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    [left] = [p.name for p in reports.iterdir()]
    assert left.startswith(".out.sarif.") and left.endswith(".tmp")
    code, err = lint_to(capsys, root, target)
    assert (code, err) == (1, "")
    assert sorted(p.name for p in reports.iterdir()) == ["out.sarif"]
