"""Provider credential formats (SEC101): every pattern in the classifier data
carries a matching value and a near miss, and both are tested here; then SEC101
on real files of every available format, with exact spans."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import lint_text, triples

from linter.core.resources import rules_dir
from linter.formats import REGISTRY
from linter.formats.common.secrets import DATA_FILE, find_credentials

PROVIDERS: list[dict[str, Any]] = yaml.safe_load((rules_dir() / DATA_FILE).read_text())["providers"]
OPENAI = "sk-proj-XyR80RCcuvMxIoYg2liXQTFOimsiDPikdtU6KH8wx7oq1Tqh"
GITHUB = "ghp_1zcRMYxuWTqn6VL1xCPaKgQGZzZXyMltiKOp"


def test_every_provider_has_a_test_pair() -> None:
    assert len(PROVIDERS) >= 10
    for provider in PROVIDERS:
        assert set(provider.get("examples", {})) == {"match", "near_miss"}, provider["id"]


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p["id"])
def test_pattern_matches_its_example(provider: dict[str, Any]) -> None:
    value = provider["examples"]["match"]
    found = find_credentials(f"key: {value} # trailing")
    assert [c.provider for c in found] == [provider["id"]]
    assert found[0].start == len("key: ")


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p["id"])
def test_pattern_ignores_its_near_miss(provider: dict[str, Any]) -> None:
    assert find_credentials(provider["examples"]["near_miss"]) == []


@pytest.mark.parametrize(
    "fake",
    [
        "sk-" + "x" * 48,
        "ghp_" + "a" * 36,
        "AKIA0000000000000000",
        "sk-your-openai-api-key-here-please-fill-in-now",
        "AIza" + "0123456789" * 3 + "abcde",
        "sk_live_" + "ab" * 12,
        "sk-learn-pipeline-configuration-default-v2",  # a slug, not a key
        "ghp_" + "k3j5h7g9f1d3s5a7q9w2e4r6t8y0u1i2o3p4",  # no capital in 36 base62 characters: not random
    ],
)
def test_provider_shaped_placeholders_are_not_credentials(fake: str) -> None:
    assert find_credentials(fake) == []


def test_pem_private_key_with_real_line_breaks() -> None:
    body = base64.b64encode(bytes(range(200))).decode()
    pem = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body[:64]}\n{body[64:128]}\n-----END OPENSSH PRIVATE KEY-----\n"
    assert [c.provider for c in find_credentials(pem)] == ["private-key"]
    assert find_credentials("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----") == []


def test_hostile_runs_of_pattern_characters_are_scanned_without_blowing_up() -> None:
    # Each pattern anchors on a look-behind of its own alphabet, so these are linear.
    for text in ("eyJ-" * 50_000, "sk-" + "a-" * 100_000, "xoxb-1234567-" * 20_000):
        assert find_credentials(text) == []


def test_sec101_in_env_points_at_the_key_inside_the_value(tmp_path: Path) -> None:
    result = lint_text(tmp_path, ".env", f'HEADER="Bearer {OPENAI}"\n', select=["SEC101"])
    assert triples(result) == [("SEC101", 1, 16)]
    span = result.shown[0].span
    assert span.end_column == 16 + len(OPENAI)
    assert result.shown[0].message == "OpenAI API key committed in plain text (sk-proj-…(56 chars))"


K8S = f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: app}}
data:
  notes: "call with Authorization: token {GITHUB}"
  script: |
    #!/bin/sh
    curl -H "x-api-key: {OPENAI}" https://api.example.net
---
apiVersion: v1
kind: Secret
metadata: {{name: app}}
stringData:
  key: {GITHUB}
data:
  token: {base64.b64encode(GITHUB.encode()).decode()}
  plain: {base64.b64encode(b"just some configuration text").decode()}
---
apiVersion: v1
kind: Pod
metadata: {{name: app}}
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0.0
      env:
        - {{name: UPSTREAM, value: "{OPENAI}"}}
"""


def test_sec101_in_kubernetes_configmaps_secrets_and_env(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "app.yaml", K8S, select=["SEC101"])
    assert triples(result) == [
        ("SEC101", 5, 42),  # inside a quoted ConfigMap value
        ("SEC101", 8, 25),  # inside a block scalar
        ("SEC101", 14, 8),  # Secret stringData
        ("SEC101", 16, 10),  # Secret data, base64-decoded: the whole value
        ("SEC101", 27, 36),  # container env value
    ]
    assert "base64-encoded" in result.shown[3].message
    assert len({f.fingerprint() for f in result.shown}) == 5  # each keeps its own identity
    assert result.shown[4].logical == "#2/spec/containers/0/env/0/value/openai"


@pytest.mark.parametrize(
    ("fmt", "name", "text", "line"),
    [
        ("nginx", "nginx.conf", f'http {{\n  server {{\n    location / {{\n      proxy_set_header Authorization "Bearer {OPENAI}";\n    }}\n  }}\n}}\n', 4),
        ("clickhouse", "config.xml", f"<clickhouse>\n  <openai_key>{OPENAI}</openai_key>\n</clickhouse>\n", 2),
    ],
)
def test_sec101_in_nginx_and_xml_once_their_parsers_exist(tmp_path: Path, fmt: str, name: str, text: str, line: int) -> None:

    if fmt not in REGISTRY:
        pytest.skip(f"the {fmt} parser has not landed yet")
    result = lint_text(tmp_path, name, text, select=["SEC101"])
    assert [(f.rule_id, f.span.line) for f in result.shown] == [("SEC101", line)]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_jwt_whose_json_starts_with_whitespace_is_still_a_jwt(tmp_path: Path) -> None:
    # `{ "sub"` encodes as `eyAi`, `{\n` as `ew`: `eyJ` is not every JWT's prefix.
    header = _b64url(b'{"alg": "HS256", "typ": "JWT"}')
    for payload in (b'{ "sub": "etl-worker", "iat": 1700000000 }', b'{\n  "sub": "etl-worker"\n}'):
        token = f"{header}.{_b64url(payload)}.GgAzm6Hd7eCuM3qsZoHaoEQYVFTSge9HSLqn_2Sriw4"
        result = lint_text(tmp_path, ".env", f"AUTH_HEADER=Bearer {token}\n", select=["SEC101"])
        assert triples(result) == [("SEC101", 1, 20)]
    not_json = f"{header}.{_b64url(b'{ not json')}.GgAzm6Hd7eCuM3qsZoHaoEQYVFTSge9HSLqn_2Sriw4"
    assert find_credentials(not_json) == []
