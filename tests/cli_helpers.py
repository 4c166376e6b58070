"""Running the real command line in-process, in a scratch project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linter.cli import main

# Follows every built-in Kubernetes rule except K8S104 (no memory limit: 14:13).
DEPLOYMENT_WITHOUT_LIMIT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 3
  selector: {matchLabels: {app: backend}}
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.4.2
          resources:
            requests: {cpu: 500m, memory: 1Gi}
            limits: {cpu: "1"}
          livenessProbe: {httpGet: {path: /live, port: 8000}}
          readinessProbe: {httpGet: {path: /ready, port: 8000}}
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], cwd: Path, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `deploylint ARGS` run in `cwd`."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(list(args))
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_files(root: Path, files: dict[str, str]) -> None:
    """Each file of `files` (display path -> text) under `root`."""
    for name, text in files.items():
        write(root, name, text)


def located(root: Path, paths: list[str], select: list[str]) -> list[tuple[str, str, int, int, int, int, str]]:
    """(rule, file, line, column, end line, end column, message) of every finding shown."""
    from conftest import lint_paths

    result = lint_paths(paths, root, select=select)
    return [(f.rule_id, f.span.file, f.span.line, f.span.column, f.span.end_line, f.span.end_column, f.message)
            for f in result.shown]
