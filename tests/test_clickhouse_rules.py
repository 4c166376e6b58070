"""CH rules beyond their help examples: the edges of each check."""

from __future__ import annotations

from conftest import triples

from linter.core.findings import Severity

HASH = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_profile_limit_of_zero_is_no_limit(lint) -> None:  # type: ignore[no-untyped-def]
    result = lint(
        "users.xml",
        "<clickhouse>\n<profiles><default>\n<max_memory_usage>0</max_memory_usage>\n</default></profiles>\n</clickhouse>\n",
        ["CH101"],
    )
    assert triples(result) == [("CH101", 3, 19)]
    assert "no limit" in result.shown[0].message


def test_default_profile_name_comes_from_the_server_config(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import lint_paths

    (tmp_path / "config.xml").write_text("<clickhouse><default_profile>etl</default_profile></clickhouse>\n")
    (tmp_path / "users.xml").write_text(
        "<clickhouse>\n<profiles>\n<default><max_threads>8</max_threads></default>\n<etl/>\n</profiles>\n</clickhouse>\n"
    )
    result = lint_paths(["users.xml"], tmp_path, select=["CH102"])
    assert triples(result) == [("CH102", 4, 1)]
    assert "'etl'" in result.shown[0].message


def test_server_level_setting_with_skip_check_is_a_warning(lint) -> None:  # type: ignore[no-untyped-def]
    result = lint(
        "config.xml",
        "<clickhouse>\n<skip_check_for_incorrect_settings>1</skip_check_for_incorrect_settings>\n<max_threads>8</max_threads>\n</clickhouse>\n",
        ["CH104"],
    )
    assert triples(result) == [("CH104", 3, 1)]
    assert result.shown[0].severity is Severity.WARNING and "ignored" in result.shown[0].message


def test_open_network_forms(lint) -> None:  # type: ignore[no-untyped-def]
    users = (
        "<clickhouse><users>\n"
        f"<a><password_sha256_hex>{HASH}</password_sha256_hex><networks><ip>0.0.0.0/0.0.0.0</ip></networks></a>\n"
        f"<b><password_sha256_hex>{HASH}</password_sha256_hex><networks><host_regexp>.*</host_regexp></networks></b>\n"
        f"<c><password_sha256_hex>{HASH}</password_sha256_hex><networks><ip>10.0.0.0/8</ip><ip>::/::</ip></networks></c>\n"
        f"<d><password_sha256_hex>{HASH}</password_sha256_hex><networks><ip>10.0.0.0/8</ip><host>etl.internal</host></networks></d>\n"
        "</users></clickhouse>\n"
    )
    lines = users.splitlines()
    expected = [("CH203", n, lines[n - 1].index(v) + 1) for n, v in ((2, "0.0.0.0/0.0.0.0"), (3, ".*<"), (4, "::/::"))]
    assert triples(lint("users.xml", users, ["CH203"])) == expected


def test_hash_checks(lint) -> None:  # type: ignore[no-untyped-def]
    users = (
        "<clickhouse><users>\n"
        "<a><password_sha256_hex>abc123</password_sha256_hex><networks><ip>10.0.0.0/8</ip></networks></a>\n"
        "<b><password_double_sha1_hex>be1bdec0aa74b4dcb079943e70528096cca985f8</password_double_sha1_hex><networks><ip>10.0.0.0/8</ip></networks></b>\n"
        f"<c><password_sha256_hex>{HASH}</password_sha256_hex><networks><ip>10.0.0.0/8</ip></networks></c>\n"
        "</users></clickhouse>\n"
    )
    result = lint("users.xml", users, ["CH202"])
    assert triples(result) == [("CH202", 2, 25), ("CH202", 3, 30)]
    assert "64 hex digits" in result.shown[0].message and "empty password" in result.shown[1].message


def test_empty_password_hash_on_an_exposed_server_is_critical(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import lint_paths

    (tmp_path / "config.xml").write_text("<clickhouse><listen_host>::</listen_host></clickhouse>\n")
    (tmp_path / "users.xml").write_text(
        f"<clickhouse><users><default>\n<password_sha256_hex>{EMPTY_SHA256}</password_sha256_hex>\n</default></users></clickhouse>\n"
    )
    result = lint_paths(["."], tmp_path, select=["CH202"])
    assert triples(result) == [("CH202", 2, 22)]
    assert result.shown[0].extra["security_severity"] >= 9


def test_server_secrets_are_classified_and_never_printed(lint) -> None:  # type: ignore[no-untyped-def]
    config = (
        "<clickhouse>\n"
        "<interserver_http_credentials><user>i</user><password>Xk9#mP2$vL8@qR4!</password></interserver_http_credentials>\n"
        "<storage_configuration><disks><s3><type>s3</type><secret_access_key>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</secret_access_key></s3></disks></storage_configuration>\n"
        "<storage_configuration><disks><s3><access_key_id>AKIA0000</access_key_id></s3></disks></storage_configuration>\n"
        "</clickhouse>\n"
    )
    result = lint("config.xml", config, ["CH202"])
    assert triples(result) == [("CH202", 2, 55), ("CH202", 3, 69)]  # access_key_id names a key, it is no secret
    assert "a placeholder" in result.shown[1].message
    assert not any(secret in f.message for f in result.shown for secret in ("mP2$vL8", "bPxRfiCY"))


def test_keeper_quorum_counts(lint) -> None:  # type: ignore[no-untyped-def]
    nodes = "".join(f"<node><host>zk{i}</host></node>" for i in range(4))
    servers = "<server><id>1</id></server>"
    config = f"<clickhouse>\n<zookeeper>{nodes}</zookeeper>\n<keeper_server><raft_configuration>{servers}</raft_configuration></keeper_server>\n</clickhouse>\n"
    result = lint("config.xml", config, ["CH401"])
    assert triples(result) == [("CH401", 2, 1), ("CH401", 3, 16)]
    assert "4 <node>" in result.shown[0].message and "1 <server>" in result.shown[1].message


def test_tls_protocols_require_tls12_and_missing_section(lint) -> None:  # type: ignore[no-untyped-def]
    config = (
        "<clickhouse><openSSL>\n"
        "<server><requireTLSv1_2>true</requireTLSv1_2></server>\n"
        "<client><cacheSessions>true</cacheSessions></client>\n"
        "</openSSL></clickhouse>\n"
    )
    assert triples(lint("config.xml", config, ["CH302"])) == [("CH302", 3, 1)]


def test_local_clusters_need_no_secret(lint) -> None:  # type: ignore[no-untyped-def]
    config = (
        "<clickhouse><remote_servers>\n"
        "<local><shard><replica><host>localhost</host></replica><replica><host>127.0.0.2</host></replica></shard></local>\n"
        "<remote><secret></secret><shard><replica><host>ch1.internal</host></replica></shard></remote>\n"
        "</remote_servers></clickhouse>\n"
    )
    assert triples(lint("config.xml", config, ["CH402"])) == [("CH402", 3, 1)]


def test_log_ttl_in_engine_counts(lint) -> None:  # type: ignore[no-untyped-def]
    config = (
        "<clickhouse>\n"
        "<query_log><engine>ENGINE = MergeTree ORDER BY event_time TTL event_date + INTERVAL 7 DAY</engine></query_log>\n"
        "<text_log><ttl></ttl></text_log>\n"
        "</clickhouse>\n"
    )
    assert triples(lint("config.xml", config, ["CH501"])) == [("CH501", 3, 1)]


def test_xml_comment_suppressions(lint) -> None:  # type: ignore[no-untyped-def]
    users = (
        "<clickhouse><users>\n"
        "<default><password></password> <!-- deploylint: ignore[CH201] local development only -->\n"
        "<networks><ip>127.0.0.1</ip></networks></default>\n"
        "</users></clickhouse>\n"
    )
    result = lint("users.xml", users, ["CH201"])
    assert triples(result) == []
    assert [(f.rule_id, f.span.line, f.suppression.reason if f.suppression else "") for f in result.suppressed] == [
        ("CH201", 2, "local development only")
    ]


ACCESS_TWICE = """<clickhouse>
<users>
<default>
<password_sha256_hex>{hash}</password_sha256_hex>
<networks><ip>127.0.0.1</ip></networks>
<access_management>1</access_management>
<access_management>1</access_management>
</default>
</users>
</clickhouse>
"""


def test_a_repeated_element_reads_as_its_first(lint) -> None:  # type: ignore[no-untyped-def]
    # As in ClickHouse's own authentication examples: the server reads the first.
    result = lint("users.xml", ACCESS_TWICE.format(hash=HASH), ["CH204"])
    assert triples(result) == [("CH204", 6, 20)]


def test_repeated_settings_and_sections_are_read_from_the_first(lint) -> None:  # type: ignore[no-untyped-def]
    text = ("<clickhouse>\n<openSSL><client><verificationMode>none</verificationMode></client></openSSL>\n"
            "<openSSL><client><verificationMode>strict</verificationMode></client></openSSL>\n"
            "<query_log><database>system</database></query_log>\n<query_log><ttl>event_date + INTERVAL 7 DAY</ttl></query_log>\n"
            "</clickhouse>\n")
    result = lint("config.xml", text, ["CH303", "CH501"])
    assert triples(result) == [("CH303", 2, 36), ("CH501", 4, 1)]


def test_a_file_carrying_remove_is_an_override(lint) -> None:  # type: ignore[no-untyped-def]
    text = ("<clickhouse>\n<query_log remove=\"1\"/>\n<trace_log remove=\"remove\"/>\n"
            "<openSSL replace=\"1\"><client><verificationMode>none</verificationMode></client></openSSL>\n</clickhouse>\n")
    result = lint("disable-logs.xml", text, ["CH"])
    # The removed tables are gone (no CH501), what it writes is still judged.
    assert triples(result) == [("CH303", 4, 48)]


def test_dot_files_in_override_folders_are_never_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import lint_paths

    (tmp_path / "config.xml").write_text("<clickhouse><listen_host>127.0.0.1</listen_host></clickhouse>\n")
    (tmp_path / "config.d").mkdir()
    (tmp_path / "config.d" / ".gitkeep.xml").write_text("")
    (tmp_path / "config.d" / ".swap.xml").write_text("<clickhouse><broken>\n")
    result = lint_paths(["."], tmp_path, select=["CH", "DL"])
    assert (result.files, triples(result)) == (["config.xml"], [])
