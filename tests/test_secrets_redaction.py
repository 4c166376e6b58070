"""No output ever contains a secret: ten distinct secrets planted across the
formats, every output format run through the real CLI (with --statistics and
--show-suppressed), and not one of them, nor any 8-character piece of one,
appears in stdout, stderr or the report files. nginx and ClickHouse cases join
in once their parsers exist."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from linter.cli import FORMATS, main
from linter.formats import REGISTRY
from linter.formats.common.secrets import public_prefix

OPENAI = "sk-Qohb6fqKXOnhXfyxj0FjD68AXBJ10zJfa3SYgTcKvIJGY2Jw"
GITHUB = "ghp_xDR7ePHVLapN6l5y0toGYomubPhgK0cV4jA0"
SLACK = "xoxp-219302223322-862724917320-9ce149b7f483221f040bf5b1a8548637"
AWS = "AKIA5N7SIA4XZM3ER32Z"
# A restricted key: `sk_live_` itself is 8 characters of public documentation.
STRIPE = "rk_live_qBHnDdfzIimSh2VcCoskDxVtEvShmxKZ"
DB_URL_PASSWORD = "oMW3VBUxBmMnnM"
WEAK_JWT = "54MDT0tn3MRTQh"
K8S_ENV_PASSWORD = "I1ysDiXlPYL8rl"
CONFIGMAP_TOKEN = "EYA8RHUck8Amsa"
TEMPLATE_SECRET = "IMcsbKqHrTf3iri6iB1zJnXbzKBElcycyJd4FJG1"
NGINX_TOKEN = "AIzazA64M0nogpxyWZ7c2Bl7NsPEcSNf5PdEnmf"
XML_PASSWORD = "wSZszhe7b0SVjS"

PLANTED = [OPENAI, GITHUB, SLACK, AWS, STRIPE, DB_URL_PASSWORD, WEAK_JWT, K8S_ENV_PASSWORD, CONFIGMAP_TOKEN, TEMPLATE_SECRET]
GITHUB_B64 = base64.b64encode(GITHUB.encode()).decode()

FILES = {
    ".env.production": f"""APP_ENV=production
OPENAI_API_KEY={OPENAI}
JWT_SECRET={WEAK_JWT}
DATABASE_URL=postgresql://app:{DB_URL_PASSWORD}@db.prod.example.net/app
SLACK_TOKEN="{SLACK}
LOG_LEVEL=INFO
""",
    ".env.example": f"SESSION_SECRET={TEMPLATE_SECRET}\nSTRIPE_KEY={STRIPE}\n",
    "k8s/app.yaml": f"""apiVersion: v1
kind: Secret
metadata: {{name: app}}
data:
  github: {GITHUB_B64}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  annotations: {{ci/key: {AWS}}}
data:
  API_TOKEN: {CONFIGMAP_TOKEN}
---
apiVersion: v1
kind: Pod
metadata: {{name: app}}
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0.0
      env:
        - {{name: DB_PASSWORD, value: {K8S_ENV_PASSWORD}}}
""",
}


def _has_parser(fmt: str) -> bool:
    return fmt in REGISTRY


OPTIONAL_FILES = {
    "nginx": ("nginx/nginx.conf", NGINX_TOKEN,
              (f'http {{\n  server {{\n    listen 80;\n    location / {{\n'
               f'      proxy_set_header Authorization "Bearer {NGINX_TOKEN}";\n      proxy_pass http://api;\n    }}\n  }}\n}}\n')),
    "clickhouse": ("clickhouse/users.xml", XML_PASSWORD,
                   f"<clickhouse><users><etl><password>{XML_PASSWORD}</password></etl></users></clickhouse>\n"),
}


def _pieces(secret: str) -> set[str]:
    """Every 8 characters of the secret, except its provider's documented prefix
    (`rk_live_`, shown on purpose: it tells which provider to revoke the key at)."""
    public = len(public_prefix(secret))
    return {secret[i:i + 8] for i in range(len(secret) - 7) if i + 8 > public}


def _plant(root: Path) -> list[str]:
    planted = list(PLANTED) + [GITHUB_B64]
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    for fmt, (name, secret, text) in OPTIONAL_FILES.items():
        if _has_parser(fmt):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
            planted.append(secret)
    return planted


RUNS = [
    ["--format", "text", "--statistics", "--show-suppressed"],
    ["--format", "json", "--show-suppressed"],
    ["--format", "sarif", "--sarif-include-suppressed"],
] + [["--format", fmt] for fmt in FORMATS if fmt not in ("text", "json", "sarif")]  # github, ... as they land


@pytest.mark.parametrize("args", RUNS, ids=lambda a: a[1])
def test_no_output_format_reveals_a_planted_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    planted = _plant(tmp_path)
    report = tmp_path / "report.out"
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        to_stdout = main(["check", ".", *args])
        to_file = main(["check", ".", *args, "--output", str(report)])
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    assert to_stdout == to_file == 1
    everything = captured.out + captured.err + report.read_text(encoding="utf-8")
    # The run did report on the planted values (otherwise there is nothing to leak).
    # GitHub annotations stop at what GitHub shows per severity: some rules are only counted.
    reported = [r for r in ("SEC101", "ENV102", "ENV103", "ENV106", "ENV202", "K8S701", "K8S702", "K8S703") if r in everything]
    if args[1] == "github":
        assert reported and "more findings not annotated" in everything
    else:
        assert len(reported) == 8, reported
    leaked = sorted({piece for secret in planted for piece in _pieces(secret) if piece in everything})
    assert leaked == []


def test_planted_secrets_are_distinct_and_long_enough() -> None:
    assert len(set(PLANTED)) == 10
    assert all(len(s) >= 12 for s in PLANTED)
