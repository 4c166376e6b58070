"""The single-file call (a pre-commit hook) imports only what a clean run uses:
modules needed only when an internal error is logged stay unloaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import PROJECT

ONLY_ON_INTERNAL_ERROR = ("tempfile", "traceback", "shutil")

PROBE = """
import sys
from linter.cli import main
code = main(["--jobs", "1", "app.yaml"])
print(code, ",".join(m for m in sys.argv[1:] if m in sys.modules))
"""


def test_linting_one_clean_file_loads_no_error_log_machinery(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {mode: fast}\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", PROBE, *ONLY_ON_INTERNAL_ERROR], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(PROJECT), "PATH": "/usr/bin:/bin"}, check=True)
    code, _, loaded = out.stdout.splitlines()[-1].partition(" ")
    assert code in ("0", "1")
    assert loaded == "", f"imported on the start-up path: {loaded}"
