"""One redaction pass over every message and suppression reason: a URL's
password and secret query values, provider keys, and a secret-like token a
parse error quotes never reach any output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_cli, write

PW = "Zq8vLx2mPw9rTk4n"
KEY = "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"

CASES = [
    # (file, text, rule, line, column, what the message shows)
    ("a/.env", f"REDIS_URL=redis://default:{PW}\n", "ENV103", 1, 27, "(redis://default:***)"),
    ("b/.env", f"DATABASE_URL=postgresql://app:Xs3cr3t-pass@db.internal/app?sslmode=require;password={PW}\n",
     "ENV103", 1, 31, "(postgresql://app:***@db.internal/app?sslmode=require;password=***)"),
    ("c/nginx.conf", f"http {{\n  server {{\n    listen 443 ssl;\n    location / {{\n      proxy_pass https://u:{PW}@backend.example.com;\n"
     "    }\n  }\n}\n", "NGX302", 5, 7, "'https://u:***@backend.example.com'"),
    ("d/nginx.conf", f"http {{\n  map $http_x $y {{\n    {PW}AKIA2E0A8F3B244C9986 1\n  }}\n}}\n", "DL001", 3, 42, "after '…(36 chars)'"),
    ("e/nginx.conf", f"http {{\n  map $http_x $y {{\n    {PW}AKIA2E0A8F3B244C9986 {{\n  }}\n}}\n", "DL001", 3, 5,
     "'…(36 chars)' block opened here is never closed"),
    ("f/cm.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  {PW}x9: a\n  {PW}x9: b\n", "DL004", 6, 3,
     "duplicate key '…(18 chars)' (first at line 5)"),
]


@pytest.mark.parametrize(("name", "text", "rule", "line", "column", "shown"), CASES, ids=[c[2] + c[0][0] for c in CASES])
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_no_output_format_carries_the_secret(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, rule: str, line: int, column: int, shown: str, fmt: str
) -> None:
    write(project, name, text)
    code, out, err = run_cli(capsys, project, "--format", fmt, name)
    assert PW not in out + err
    if fmt == "text":
        mine = [row for row in out.splitlines() if f"[{rule}] " in row]
        assert mine and mine[0].startswith(f"{name}:{line}:{column}: ") and mine[0].split(" ")[1].endswith(f"[{rule}]")
        assert shown in mine[0]


def test_a_url_without_a_host_has_a_password_not_a_host(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".env", f"REDIS_URL=redis://default:{PW}\n")
    code, out, _ = run_cli(capsys, project, ".env")
    assert [row.split(" ")[1] for row in out.splitlines() if row.startswith(".env:")] == ["error[ENV103]"]  # no ENV104 to host 'default:PW'


def test_a_semicolon_separates_query_parameters(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".env", "DATABASE_URL=postgresql://db.internal/app?application_name=x;sslmode=require\n")
    assert run_cli(capsys, project, ".env")[:2] == (0, "0 findings, 0 suppressed, 1 file\n")  # sslmode=require is read: no ENV104


def test_suppression_reasons_are_redacted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, ".env", f"REDIS_URL=redis://default:{PW}  # deploylint: ignore[ENV103] was {KEY}, see https://u:{PW}@h.example.com/x\n")
    for fmt in ("text", "json", "sarif"):
        code, out, err = run_cli(capsys, project, "--format", fmt, "--show-suppressed", "--sarif-include-suppressed", ".env")
        assert code == 0
        assert PW not in out + err and KEY not in out + err
        assert "ghp_…(40 chars)" in out and "https://u:***@h.example.com/x" in out
    code, out, _ = run_cli(capsys, project, "--format", "json", "--show-suppressed", ".env")
    finding, = json.loads(out)["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("ENV103", 1, 27)
