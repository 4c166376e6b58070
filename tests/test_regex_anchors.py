"""The literal anchors that let `find_credentials` skip a provider's scan: a
set is only ever one every match begins with (else None), and the gated
search finds exactly what the full scan finds."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from linter.core.resources import rules_dir
from linter.formats.common import secrets
from linter.formats.common.regex_anchors import anchors
from linter.formats.common.secrets import DATA_FILE, bundled_policy, find_credentials, policy_in_effect


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?<![A-Za-z0-9])(?:AKIA|ASIA)(?P<body>[A-Z0-9]{16})", ("AKIA", "ASIA")),
        (r"(?<![A-Za-z0-9_])(?:sk|rk)_live_(?P<body>[A-Za-z0-9]{24,})", ("rk_live_", "sk_live_")),
        (r"gh[pousr]_[A-Za-z0-9]{36}", ("gho_", "ghp_", "ghr_", "ghs_", "ghu_")),
        (r"sk-(?!ant-)[A-Za-z0-9]{32,}", ("sk-",)),  # a lookahead after the prefix ends it
        (r"(?<!x)\bfoo(bar|baz)+", ("foo",)),  # a repeat is not part of the prefix
        (r"e[wy][A-Za-z0-9_-]{8,}", ("ew", "ey")),
    ],
)
def test_anchors_are_the_literal_prefixes(pattern: str, expected: tuple[str, ...]) -> None:
    assert anchors(re.compile(pattern)) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?i)akia[0-9]{16}",  # case-insensitive: `AKIA` in the text is not required
        r"(?i:ab)cd",
        r"ab|c",  # one alternative starts with a single letter
        r"x*abc",  # may start with `a` or `x`
        r"(?:ab)?cd",
        r"[0-9a-f]{40}",
        r"[ab][cd][ef][gh][ij][kl]x",  # 64 combinations: no cheaper than the scan
    ],
)
def test_no_anchors_where_no_prefix_is_required(pattern: str) -> None:
    assert anchors(re.compile(pattern)) is None


def test_every_bundled_provider_is_anchored() -> None:
    assert all(p.anchors for p in bundled_policy().providers)


def _texts() -> list[str]:
    """The classifier's own examples and every test fixture's text: matches,
    near misses and ordinary YAML, each alone and inside running text."""
    data = (rules_dir() / DATA_FILE).read_text(encoding="utf-8")
    texts = [data, *data.splitlines()]
    for path in sorted((Path(__file__).parent / "fixtures").rglob("*")):
        if path.is_file() and path.stat().st_size < 200_000:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return texts


def test_gated_search_finds_what_the_full_scan_finds() -> None:
    policy = bundled_policy()
    ungated = dataclasses.replace(policy, providers=tuple(dataclasses.replace(p, anchors=None) for p in policy.providers))
    texts = _texts()
    with policy_in_effect(policy):
        gated_found = [find_credentials(t) for t in texts]
    with policy_in_effect(ungated):
        full_found = [find_credentials(t) for t in texts]
    assert gated_found == full_found
    assert sum(map(len, full_found)) >= 10  # the texts do hold credentials


def test_a_run_classifies_each_value_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    original = secrets._classify

    def counting(key: str, value: str, min_bits: int | None, min_bits_signing: int | None) -> secrets.Verdict:
        calls.append((key, value))
        return original(key, value, min_bits, min_bits_signing)

    monkeypatch.setattr(secrets, "_classify", counting)
    with policy_in_effect(None):
        first = secrets.classify("DB_PASSWORD", "hunter2")
        assert secrets.classify("DB_PASSWORD", "hunter2") is first
        stronger = secrets.classify("DB_PASSWORD", "hunter2", min_bits=256)
    with policy_in_effect(None):  # a new run asks again
        secrets.classify("DB_PASSWORD", "hunter2")
    assert first.kind is secrets.ValueKind.WEAK and first.required_bits == 128
    assert stronger.required_bits == 256
    assert calls == [("DB_PASSWORD", "hunter2")] * 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Server=db;Password=hunter2;", "Server=db;Password=***;"),
        ("paſſword=hunter2", "paſſword=***"),  # the case-blind pattern reads ſ as s; so must its gate
        ("PWD = x2", "PWD = ***"),
        ("see postgres://u:pw@h/db now", "see postgres://u:***@h/db now"),
        ("url 'redis://:s3cr@t@h:6379/0'", "url 'redis://:***@h:6379/0'"),
        ("token ghp_1zcRMYxuWTqn6VL1xCPaKgQGZzZXyMltiKOp", "token ghp_…(40 chars)"),
        ("container 'app' has no memory limit (key ey)", "container 'app' has no memory limit (key ey)"),
    ],
)
def test_redaction_passes_run_wherever_they_could_match(text: str, expected: str) -> None:
    assert secrets.redact_text(text) == expected


def test_a_provider_without_anchors_turns_the_gate_off(tmp_path: Path) -> None:
    extra = tmp_path / "patterns.yaml"
    extra.write_text(
        "providers:\n"
        "  - {id: acme, name: ACME key, pattern: '(?i)acme[0-9a-z]{24}'}\n",
        encoding="utf-8",
    )
    policy = secrets.load_policy(extra)
    assert policy.credential_gate is None
    assert bundled_policy().credential_gate is not None
    with policy_in_effect(policy):
        found = find_credentials("key: ACMEq8w7e6r5t4y3u2i1o9p0a8s7 end")
    assert [(c.provider, c.start) for c in found] == [("acme", 5)]


def test_thresholds_left_to_the_policy_or_spelled_out_are_one_question(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int | None, int | None]] = []
    original = secrets._classify

    def counting(key: str, value: str, min_bits: int | None, min_bits_signing: int | None) -> secrets.Verdict:
        calls.append((min_bits, min_bits_signing))
        return original(key, value, min_bits, min_bits_signing)

    monkeypatch.setattr(secrets, "_classify", counting)
    with policy_in_effect(None):
        left = secrets.classify("JWT_SECRET", "s3cr3t-value")  # as ENV101 asks
        spelled = secrets.classify("JWT_SECRET", "s3cr3t-value", min_bits=128, min_bits_signing=256)  # as ENV102 does
        other = secrets.classify("JWT_SECRET", "s3cr3t-value", min_bits_signing=64)
    assert spelled is left and left.required_bits == 256
    assert other.required_bits == 64
    assert calls == [(128, 256), (128, 64)]
