"""The wheel as users get it: built from this checkout, installed into a fresh
virtualenv (its dependencies come from the package index, as for a user), and
run from an unrelated folder, with the policy pack and schemas shipped inside."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLES, PROJECT


def run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GITHUB_ACTIONS", "VIRTUAL_ENV")}
    return subprocess.run(args, cwd=cwd, env=env, check=False, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_lints_from_elsewhere(tmp_path: Path) -> None:
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "work"
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dist), str(PROJECT)], tmp_path)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("deploylint-*.whl")

    project_rules = sorted(p.relative_to(PROJECT).as_posix() for p in (PROJECT / "rules").rglob("*") if p.is_file())
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {f"linter/{name}" for name in project_rules} <= names
    assert "linter/schemas/rule.schema.json" in names
    assert not any(name.startswith(("tests/", "examples/")) for name in names)

    assert run([sys.executable, "-m", "venv", str(venv)], tmp_path).returncode == 0
    python, deploylint = venv / "bin" / "python", venv / "bin" / "deploylint"
    installed = run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr

    shutil.copytree(EXAMPLES / "ai-etl-broken", work / "ai-etl-broken")
    where = run([str(python), "-c", "import linter, pathlib; print(pathlib.Path(linter.__file__).parent)"], work)
    package = Path(where.stdout.strip())
    assert package.is_relative_to(venv), f"linter imported from {package}, not the fresh venv"
    assert (package / "rules").is_dir() and (package / "schemas" / "rule.schema.json").is_file()

    lint = run([str(deploylint), "ai-etl-broken", "--no-color"], work)
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert re.search(r"^ai-etl-broken/\S+:\d+:\d+: error\[K8S104\] container '\w+' in Deployment/\w+ has no memory limit$", lint.stdout, re.MULTILINE)

    listing = run([str(deploylint), "rules"], work)
    assert listing.returncode == 0 and any(line.startswith("K8S104 ") for line in listing.stdout.splitlines())
    help_text = run([str(deploylint), "rule", "K8S104"], work)
    assert help_text.returncode == 0 and help_text.stdout.startswith("K8S104 container-memory-limit")
    module = run([str(python), "-m", "linter", "--version"], work)
    assert module.returncode == 0 and "deploylint" in module.stdout
