"""Real ClickHouse configs nobody on this project wrote (shared corpus)."""

from __future__ import annotations

import pytest
from conftest import SHARED, lint_paths

CORPUS = SHARED / "corpus" / "real" / "clickhouse"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")


def _found(name: str) -> list[tuple[str, int, int]]:
    result = lint_paths([name], CORPUS)
    return [(f.rule_id, f.span.line, f.span.column) for f in result.shown]


def test_upstream_users_xml_is_open_by_default() -> None:
    found = _found("upstream-users.xml")
    assert ("CH201", 55, 13) in found  # <password></password> of default
    assert ("CH203", 78, 21) in found  # <ip>::/0</ip>
    assert ("CH204", 88, 32) in found  # access_management 1 on default
    assert ("CH101", 7, 9) in found  # the default profile has no max_memory_usage
    assert not [f for f in found if f[0].startswith("DL")]


def test_fork_config_with_wildcard_listen_host() -> None:
    result = lint_paths(["fork-config-listen-0000.xml"], CORPUS)
    found = [(f.rule_id, f.span.line, f.span.column) for f in result.shown]
    assert ("CH301", 104, 5) in found  # plain tcp_port with listen_host 0.0.0.0
    assert ("CH303", 285, 31) in found  # openSSL server verificationMode none
    assert ("CH501", 928, 5) in found  # query_log without TTL (the TTL is commented out)
    # Commented-out secrets and passwords are not configuration.
    assert not [f for f in found if f[0] in ("CH202", "CH201") or f[0].startswith("DL")]
    assert all("<secret>" not in f.message for f in result.shown)
