"""The PostgreSQL pack: postgresql.conf and pg_hba.conf lexing with exact
positions, includes, the data-directory unit (auto.conf, pg_hba.conf beside
the config), units and overflow, IPv6 records, and each rule's position."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_paths, lint_text, triples

from linter.formats.postgresql.model import hba_entry
from linter.formats.postgresql.parser import HBA, parse_text
from linter.formats.postgresql.sizes import BLOCK, KB, parse_size

SECURE_CONF = """listen_addresses = '*'
ssl = on
ssl_cert_file = '/tls/tls.crt'
ssl_key_file = '/tls/tls.key'
password_encryption = scram-sha-256
log_connections = on
max_connections = 200
shared_buffers = 1GB
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --stanza=main archive-push %p'
"""
SECURE_HBA = "local all postgres peer\nhostssl app app 10.0.0.0/8 scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n"


def _tree(tmp_path: Path, conf: str, hba: str | None = None) -> Path:
    (tmp_path / "pg").mkdir(exist_ok=True)
    (tmp_path / "pg" / "postgresql.conf").write_text(conf)
    if hba is not None:
        (tmp_path / "pg" / "pg_hba.conf").write_text(hba)
    return tmp_path


def _found(result: object) -> list[tuple[str, str, int, int]]:
    return sorted((f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown)  # type: ignore[attr-defined]


def test_conf_lexing_positions_and_quotes() -> None:
    lines, problems = parse_text("Shared_Buffers=4GB # memory\n  archive_command = 'cp ''%p'' /a' \ninclude_dir 'conf.d'\n", "postgresql.conf")
    assert problems == []
    assert [(line.key, line.arg(0)) for line in lines] == [("shared_buffers", "4GB"), ("archive_command", "cp '%p' /a"), ("include_dir", "conf.d")]
    assert (lines[0].args[0].span.column, lines[0].args[0].span.end_column) == (16, 19)
    assert (lines[1].name.span.line, lines[1].name.span.column, lines[1].args[0].span.column) == (2, 3, 21)


def test_conf_problems_do_not_stop_the_file(tmp_path: Path) -> None:
    text = "ssl = 'on\nwork_mem = 4 MB extra\n= 3\nlog_connections = on\n"
    lines, problems = parse_text(text, "postgresql.conf")
    assert [(p.span.line, p.span.column) for p in problems] == [(1, 7), (2, 14), (3, 1)]
    assert [line.key for line in lines] == ["log_connections"]


def test_text_at_an_offset_keeps_true_positions() -> None:
    lines, _ = parse_text("hostssl all all ::/0 scram-sha-256\n", "cm.yaml", HBA, line_offset=10, column_offset=6)
    entry = hba_entry(lines[0])
    assert entry is not None and entry.address is not None
    assert (entry.address.span.line, entry.address.span.column) == (11, 23)


def test_hba_fields_ipv6_masks_quotes_and_continuations() -> None:
    text = 'host "all" all fe80::1%eth0/64 md5\nhost all all 10.0.0.0 255.0.0.0 \\\n   scram-sha-256\nhost all all ::1/128 trust # local\n'
    lines, problems = parse_text(text, "pg_hba.conf", HBA)
    assert problems == []
    entries = [hba_entry(line) for line in lines]
    assert [e.method.value if e and e.method else None for e in entries] == ["md5", "scram-sha-256", "trust"]
    assert entries[0] is not None and entries[0].database is not None and entries[0].database.quoted
    assert entries[1] is not None and entries[1].mask is not None and entries[1].mask.value == "255.0.0.0"
    assert entries[2] is not None and entries[2].loopback()
    assert entries[1].method is not None and (entries[1].method.span.line, entries[1].method.span.column) == (3, 4)


def test_sizes_with_units_and_overflow() -> None:
    assert parse_size("1GB", BLOCK).bytes == 1024**3
    assert parse_size("16384", BLOCK).bytes == 128 * 1024**2  # bare numbers are 8kB blocks
    assert parse_size("64", KB).bytes == 64 * 1024
    assert parse_size("1gb", BLOCK).bytes is None  # units are case-sensitive
    assert parse_size("99999999999999TB", BLOCK).bytes is None


def test_secure_cluster_is_clean(tmp_path: Path) -> None:
    result = lint_paths(["pg"], _tree(tmp_path, SECURE_CONF, SECURE_HBA), select=["PG", "DL"])
    assert _found(result) == []


def test_listen_everywhere_with_weak_hba_records(tmp_path: Path) -> None:
    hba = "host all all 0.0.0.0/0 md5\nhostssl all all ::/0 trust\nhost all all 127.0.0.1/32 trust\nlocal all all trust\n"
    result = lint_paths(["pg"], _tree(tmp_path, SECURE_CONF, hba), select=["PG103", "PG104", "PG105"])
    assert _found(result) == [
        ("PG103", "pg/pg_hba.conf", 1, 24), ("PG103", "pg/pg_hba.conf", 2, 22),
        ("PG104", "pg/pg_hba.conf", 1, 14), ("PG104", "pg/pg_hba.conf", 2, 17),
        ("PG105", "pg/pg_hba.conf", 1, 1)]
    loopback = lint_paths(["pg"], _tree(tmp_path, SECURE_CONF.replace("'*'", "'localhost'"), hba), select=["PG103"])
    assert _found(loopback) == []


def test_hba_alone_reads_the_config_beside_it_but_reports_only_itself(tmp_path: Path) -> None:
    _tree(tmp_path, "listen_addresses = 'localhost'\n", "host all all 10.0.0.0/8 trust\n")
    result = lint_paths(["pg/pg_hba.conf"], tmp_path, select=["PG"])
    assert _found(result) == [("PG105", "pg/pg_hba.conf", 1, 1)]  # not PG103: it listens on loopback only


def test_include_dir_and_auto_conf_order(tmp_path: Path) -> None:
    _tree(tmp_path, SECURE_CONF + "include_dir 'conf.d'\ninclude 'missing.conf'\ninclude_if_exists 'optional.conf'\n")
    (tmp_path / "pg" / "conf.d").mkdir()
    (tmp_path / "pg" / "conf.d" / "20-pool.conf").write_text("max_connections = 40\n")
    (tmp_path / "pg" / "conf.d" / "10-pool.conf").write_text("max_connections = 500\n")
    (tmp_path / "pg" / "postgresql.auto.conf").write_text("shared_buffers = '64MB'\n")
    result = lint_paths(["pg"], tmp_path, select=["PG001", "PG107", "PG108"])
    assert _found(result) == [
        ("PG001", "pg/postgresql.conf", 13, 9),
        ("PG107", "pg/conf.d/20-pool.conf", 1, 19),
        ("PG108", "pg/postgresql.auto.conf", 1, 18)]


def test_include_escape_and_cycle(tmp_path: Path) -> None:
    _tree(tmp_path, SECURE_CONF + "include '../../outside.conf'\ninclude 'a.conf'\n")
    (tmp_path / "pg" / "a.conf").write_text("include 'postgresql.conf'\n")
    result = lint_paths(["pg"], tmp_path, select=["PG001"])
    assert [(f.span.file, f.span.line, f.message.split(":")[0]) for f in result.shown] == [
        ("pg/a.conf", 1, "include cycle"), ("pg/postgresql.conf", 12, "include '../../outside.conf' points outside the scanned root; not read")]


def test_settings_rules_at_their_lines(tmp_path: Path) -> None:
    conf = "ssl = off\npassword_encryption = md5\nlog_connections = off\nwal_level = minimal\n"
    result = lint_text(tmp_path, "postgresql.conf", conf, select=["PG101", "PG102", "PG106", "PG109", "PG108", "PG107"])
    assert triples(result) == [("PG108", 1, 1), ("PG101", 1, 7), ("PG102", 2, 23), ("PG106", 3, 19), ("PG109", 4, 13)]


def test_suppression_comments_and_binary_files(tmp_path: Path) -> None:
    (tmp_path / "pg_hba.conf").write_text("host all all 10.0.0.0/8 scram-sha-256  # deploylint: ignore[PG105] mesh mTLS\n")
    (tmp_path / "postgresql.conf").write_bytes(b"ssl = on\x00\n")
    (tmp_path / "redis.conf").write_text("# deploylint: ignore[RDS102] the volume fsyncs\nappendfsync no\n")
    result = lint_paths(["."], tmp_path, select=["PG105", "RDS102", "DL001", "DL002"])
    assert _found(result) == [("DL001", "postgresql.conf", 1, 1)]
    assert len(result.suppressed) == 2


def test_hba_includes_are_a_warning_that_they_are_not_followed(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "pg_hba.conf", "local all all peer\ninclude_dir 'hba.d'\n", select=["PG001"])
    assert triples(result) == [("PG001", 2, 13)]
    assert result.shown[0].severity.value == "warning"
