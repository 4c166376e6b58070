"""The Redis pack: the lexer's positions and quoting, includes through the
loader, units and sizes, each rule at its exact (rule, line, column), and
passwords never printed."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import lint_paths, lint_text, triples

from linter.formats.redis.parser import parse_text
from linter.formats.redis.sizes import parse_size

SECURE = """bind 0.0.0.0
port 0
tls-port 6379
tls-cert-file /tls/tls.crt
tls-key-file /tls/tls.key
aclfile /run/secrets/users.acl
appendonly yes
appendfsync everysec
maxmemory 2gb
maxmemory-policy allkeys-lru
rename-command FLUSHALL ""
rename-command FLUSHDB ""
rename-command CONFIG ""
"""


def test_quoting_escapes_and_columns() -> None:
    lines, problems = parse_text('  Rename-Command  "FLU\\x53H\\"ALL"  \'\'\nsave 900 1\n# appendonly yes\n', "redis.conf")
    assert problems == []
    assert [line.key for line in lines] == ["rename-command", "save"]
    first = lines[0]
    assert first.values == ['FLUSH"ALL', ""]
    assert (first.name.span.line, first.name.span.column) == (1, 3)
    assert (first.args[0].span.column, first.args[0].span.end_column) == (19, 34)
    assert first.args[1].quoted and first.args[1].span.column == 36


def test_text_at_an_offset_keeps_true_positions() -> None:
    """A config held in a YAML block scalar: its first line and indentation."""
    lines, problems = parse_text("maxmemory 2gb\nappendonly 'no\n", "cm.yaml", line_offset=7, column_offset=4)
    assert (lines[0].args[0].span.line, lines[0].args[0].span.column) == (8, 15)
    assert [(p.rule_id, p.span.line, p.span.column) for p in problems] == [("DL001", 9, 16)]


def test_unterminated_quote_and_text_after_a_closing_quote(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "redis.conf", 'requirepass "abc\nrename-command "x"y ""\nappendonly yes\n', select=["DL001", "RDS101"])
    assert triples(result) == [("DL001", 1, 13), ("DL001", 2, 19)]


def test_huge_line_is_read_in_linear_time(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "redis.conf", "save " + "1 " * 200_000 + "\n" + SECURE, select=["DL001", "RDS101"])
    assert triples(result) == []


def test_sizes_follow_the_server_and_refuse_overflow() -> None:
    assert parse_size("1gb").bytes == 1024**3
    assert parse_size("1G").bytes == 10**9
    assert parse_size("100MB").bytes == 100 * 1024**2
    assert parse_size("99999999999gb").bytes is None
    assert parse_size("lots").bytes is None


def test_secure_config_is_clean(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "redis.conf", SECURE, select=["RDS", "DL"])
    assert triples(result) == []


def test_exposed_without_auth_and_plaintext(tmp_path: Path) -> None:
    text = "appendonly yes\nmaxmemory 1gb\nmaxmemory-policy allkeys-lru\nbind 127.0.0.1 10.0.0.5\n"
    result = lint_text(tmp_path, "redis.conf", text, select=["RDS201", "RDS204"])
    assert triples(result) == [("RDS201", 4, 1), ("RDS204", 4, 1)]
    loopback = lint_text(tmp_path, "redis.conf", text.replace(" 10.0.0.5", " -::1"), select=["RDS201", "RDS204"])
    assert triples(loopback) == []
    opened = lint_text(tmp_path, "redis.conf", "protected-mode no\n", select=["RDS201"])
    assert triples(opened) == [("RDS201", 1, 1)]


def test_acl_users_count_as_auth_and_restrict_commands(tmp_path: Path) -> None:
    text = "bind 0.0.0.0\nuser default off\nuser app on >Zq8fLp2xW9rT4mK7vB3n ~app:* +@all -@dangerous\nuser ops on #0c1e ~* +@all\n"
    result = lint_text(tmp_path, "redis.conf", text, select=["RDS201", "RDS203"])
    # ops may run FLUSHALL, FLUSHDB and CONFIG; DEBUG is off by default (Redis 7)
    assert triples(result) == [("RDS203", 4, 1), ("RDS203", 4, 1), ("RDS203", 4, 1)]


def test_passwords_are_flagged_and_never_printed(tmp_path: Path) -> None:
    secret = "Zq8fLp2xW9rT4mK7vB3n"
    text = f"requirepass {secret}\nmasterauth '{secret}'\nuser app on >{secret} +@read\n"
    target = tmp_path / "redis.conf"
    target.write_text(text)
    result = lint_paths(["redis.conf"], tmp_path, select=["RDS202"])
    assert triples(result) == [("RDS202", 1, 13), ("RDS202", 2, 12), ("RDS202", 3, 13)]
    shown = json.dumps([f.message for f in result.shown])
    assert secret not in shown and secret[:4] not in shown


def test_replica_and_sentinel_quorum(tmp_path: Path) -> None:
    replica = lint_text(tmp_path, "redis.conf", "replicaof 10.0.0.1 6379\n", select=["RDS205"])
    assert triples(replica) == [("RDS205", 1, 1)]
    sentinel = "sentinel monitor main 10.0.0.1 6379 2\nsentinel known-sentinel main 10.0.0.2 26379 abc\n"
    result = lint_text(tmp_path, "sentinel.conf", sentinel, select=["RDS301", "RDS101"])
    assert triples(result) == [("RDS301", 1, 37)]  # two Sentinels: even and too few; server rules skip it
    three = sentinel + "sentinel known-sentinel main 10.0.0.3 26379 def\n"
    assert triples(lint_text(tmp_path, "sentinel.conf", three, select=["RDS301"])) == []


def test_includes_are_inlined_in_order_and_confined(tmp_path: Path) -> None:
    (tmp_path / "redis").mkdir()
    (tmp_path / "redis" / "redis.conf").write_text("appendonly yes\ninclude common/*.conf\ninclude ../../etc/x.conf\n")
    (tmp_path / "redis" / "common").mkdir()
    (tmp_path / "redis" / "common" / "10-persist.conf").write_text("appendonly no\n")
    result = lint_paths(["redis"], tmp_path, select=["RDS001", "RDS101"])
    assert sorted((f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown) == [
        ("RDS001", "redis/redis.conf", 3, 9), ("RDS101", "redis/common/10-persist.conf", 1, 12)]


def test_include_cycle_is_one_finding(tmp_path: Path) -> None:
    (tmp_path / "redis.conf").write_text("include other.redis.conf\n")
    (tmp_path / "other.redis.conf").write_text("include redis.conf\n")
    result = lint_paths(["."], tmp_path, select=["RDS001"])
    assert [(f.rule_id, f.span.file, f.span.line) for f in result.shown] == [("RDS001", "redis.conf", 1)]  # where the cycle closes


def test_what_is_not_set_is_reported_at_the_first_directive(tmp_path: Path) -> None:
    """Not at 1:1: comments added above the configuration move the finding with it."""
    result = lint_text(tmp_path, "redis.conf", "# cache\n\n  maxmemory 1gb\nappendonly no\n", select=["RDS104"])
    assert triples(result) == [("RDS104", 3, 3)]
    empty = lint_text(tmp_path, "redis.conf", "# nothing yet\n", select=["RDS104"])
    assert triples(empty) == [("RDS104", 1, 1)]


def test_sentinel_passwords_are_flagged_too(tmp_path: Path) -> None:
    text = "sentinel monitor main 10.0.0.1 6379 2\nsentinel auth-pass main Zq8fLp2xW9rT4mK7vB3n\n"
    result = lint_text(tmp_path, "sentinel.conf", text, select=["RDS202"])
    assert triples(result) == [("RDS202", 2, 25)]
    assert "Zq8f" not in result.shown[0].message


def test_absolute_include_is_a_warning_not_read(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "redis.conf", "include /etc/redis/overrides.conf\n", select=["RDS001"])
    assert triples(result) == [("RDS001", 1, 9)]
    assert result.shown[0].severity.value == "warning" and "not checked" in result.shown[0].message


def test_an_acl_file_leaves_command_restrictions_unknown(tmp_path: Path) -> None:
    assert triples(lint_text(tmp_path, "redis.conf", "aclfile /run/secrets/users.acl\n", select=["RDS203"])) == []
    assert len(lint_text(tmp_path, "redis.conf", "appendonly yes\n", select=["RDS203"]).shown) == 3


def test_include_depth_is_bounded(tmp_path: Path) -> None:
    for n in range(20):
        (tmp_path / f"{n:02d}.redis.conf").write_text(f"include {n + 1:02d}.redis.conf\n")
    (tmp_path / "20.redis.conf").write_text("appendonly yes\n")
    result = lint_paths(["00.redis.conf"], tmp_path, select=["RDS001"])
    assert [(f.span.file, f.message.split(" (")[0]) for f in result.shown] == [
        ("16.redis.conf", "includes nested deeper than 16 levels")]
