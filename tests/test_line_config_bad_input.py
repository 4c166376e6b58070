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
