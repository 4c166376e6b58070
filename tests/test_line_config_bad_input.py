"""Redis and PostgreSQL files that cannot be read are their DL001 alone: no
setting is judged "missing" in a file nobody could read."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lint_paths


@pytest.mark.parametrize("name", ["redis.conf", "postgresql.conf"])
def test_a_binary_config_is_one_dl001_and_nothing_else(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"\x00\x01binary\xff" * 50)
    found = [(f.rule_id, f.span.line, f.span.column) for f in lint_paths([name], tmp_path).shown]
    assert found == [("DL001", 1, 1)]  # before: also RDS103/RDS203, PG101/PG106 on the unread file


@pytest.mark.parametrize(("name", "text", "unresolved"), [
    ("redis.conf", "include /etc/redis/overrides.conf\nbind 0.0.0.0\n", "RDS001"),
    ("redis.conf", "include missing.conf\nbind 0.0.0.0\n", "RDS001"),
    ("postgresql.conf", "include 'missing.conf'\nlisten_addresses = '*'\n", "PG001"),
])
def test_no_setting_is_missing_behind_an_include_not_followed(tmp_path: Path, name: str, text: str, unresolved: str) -> None:
    # The include may set what the file does not (a password, maxmemory, ssl):
    # only the include itself is reported, nothing on the absence of a setting.
    (tmp_path / name).write_text(text, encoding="utf-8")
    found = {f.rule_id for f in lint_paths([name], tmp_path).shown}
    assert found == {unresolved}


@pytest.mark.parametrize(("name", "text"), [
    ("redis.conf", "bind 0.0.0.0\n"),
    ("postgresql.conf", "listen_addresses = '*'\n"),
])
def test_without_includes_missing_settings_are_judged(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    found = {f.rule_id for f in lint_paths([name], tmp_path).shown}
    assert {"RDS101", "RDS103", "RDS201"} <= found if name == "redis.conf" else {"PG101", "PG106", "PG108", "PG109"} <= found
