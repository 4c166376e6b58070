"""Server-style merging of config.d / users.d / conf.d overrides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, SHARED, lint_paths

from linter.core.discover import discover
from linter.formats import REGISTRY
from linter.formats.clickhouse.merge import merge
from linter.formats.clickhouse.xml import parse_xml

HASH = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"

USERS = f"""<clickhouse>
  <profiles>
    <default>
      <max_memory_usage>10000000000</max_memory_usage>
      <max_threads>16</max_threads>
      <max_query_size>1000000</max_query_size>
    </default>
  </profiles>
  <users>
    <default>
      <password_sha256_hex>{HASH}</password_sha256_hex>
      <networks><ip>127.0.0.1</ip></networks>
    </default>
  </users>
</clickhouse>
"""

PLAIN_SERVER = """<clickhouse>
  <listen_host>::</listen_host>
  <http_port>8123</http_port>
  <tcp_port>9000</tcp_port>
</clickhouse>
"""


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _found(result) -> list[tuple[str, str, int, int]]:  # type: ignore[no-untyped-def]
    return [(f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown]


def _element(text: str):  # type: ignore[no-untyped-def]
    root, problems = parse_xml(text, "x.xml")
    assert root is not None, problems
    return root


def test_merge_replace_remove_and_append() -> None:
    base = _element(
        "<clickhouse><logger><level>trace</level><log>a.log</log></logger>"
        "<listen_host>::1</listen_host><listen_host>127.0.0.1</listen_host>"
        "<query_log><table>q</table></query_log><tcp_port>9000</tcp_port></clickhouse>"
    )
    override = _element(
        "<clickhouse><logger><level>warning</level></logger><listen_host>10.0.0.1</listen_host>"
        '<query_log replace="1"><database>system</database></query_log><tcp_port remove="1"/>'
        '<macros><shard>01</shard><replica remove="1">r</replica></macros></clickhouse>'
    )
    merged = merge(base, override)
    assert [c.tag for c in merged.children] == ["logger", "listen_host", "listen_host", "query_log", "macros"]
    logger = merged.children[0]
    assert [(c.tag, c.text) for c in logger.children] == [("level", "warning"), ("log", "a.log")]
    assert [c.text for c in merged.children[1:3]] == ["10.0.0.1", "127.0.0.1"]  # first match is merged
    assert [c.tag for c in merged.children[3].children] == ["database"]  # replaced whole
    assert [c.tag for c in merged.children[4].children] == ["shard"]  # remove-marked new child dropped
    assert "replace" not in merged.children[3].attributes
    assert [c.tag for c in base.children] == ["logger", "listen_host", "listen_host", "query_log", "tcp_port"]  # input untouched


def test_attributes_take_part_in_matching() -> None:
    base = _element(
        '<clickhouse><zookeeper><node index="1"><host>a</host></node><node index="2"><host>b</host></node></zookeeper></clickhouse>'
    )
    override = _element('<clickhouse><zookeeper><node index="2"><host>c</host></node></zookeeper></clickhouse>')
    nodes = merge(base, override).children[0].children
    assert [n.children[0].text for n in nodes] == ["a", "c"]


def test_overrides_apply_in_lexical_order_and_point_into_their_file(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "config.xml": "<clickhouse>\n  <listen_host>127.0.0.1</listen_host>\n</clickhouse>\n",
            "config.d/20-public.xml": "<clickhouse>\n  <listen_host>0.0.0.0</listen_host>\n  <tcp_port>9000</tcp_port>\n</clickhouse>\n",
            "config.d/10-local.xml": "<clickhouse>\n  <listen_host>::1</listen_host>\n</clickhouse>\n",
        },
    )
    result = lint_paths(["."], tmp_path, select=["CH3"])
    assert _found(result) == [("CH301", "config.d/20-public.xml", 3, 3)]
    assert "0.0.0.0" in result.shown[0].message  # the last override in lexical order wins


def test_override_that_fixes_an_issue_silences_it(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "config.xml": PLAIN_SERVER,
            "config.d/tls.xml": (
                '<clickhouse>\n  <http_port remove="1"/>\n  <tcp_port remove="1"/>\n'
                "  <https_port>8443</https_port>\n  <tcp_port_secure>9440</tcp_port_secure>\n</clickhouse>\n"
            ),
        },
    )
    assert _found(lint_paths(["."], tmp_path, select=["CH301"])) == []
    assert _found(lint_paths(["config.xml"], tmp_path, select=["CH301"])) == []  # the overrides still apply


def test_override_that_introduces_an_issue_is_reported_in_the_override(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "users.xml": USERS,
            "users.d/etl.xml": "<clickhouse>\n  <users>\n    <etl>\n      <password>hunter2-hunter2</password>\n      <networks><ip>::/0</ip></networks>\n    </etl>\n  </users>\n</clickhouse>\n",
        },
    )
    result = lint_paths(["."], tmp_path, select=["CH2", "CH1"])
    assert _found(result) == [("CH202", "users.d/etl.xml", 4, 17), ("CH203", "users.d/etl.xml", 5, 21)]
    assert "hunter2" not in result.shown[0].message


def test_replace_in_an_override_swaps_the_whole_user(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "users.xml": USERS,
            "users.d/default.xml": '<clickhouse>\n  <users>\n    <default replace="1">\n      <profile>default</profile>\n    </default>\n  </users>\n</clickhouse>\n',
        },
    )
    result = lint_paths(["."], tmp_path, select=["CH201", "CH203"])
    assert _found(result) == [("CH201", "users.d/default.xml", 3, 5), ("CH203", "users.d/default.xml", 3, 5)]


def test_precommit_passing_one_override_judges_the_merged_result(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "users.xml": USERS + "",
            "users.d/etl.xml": f"<clickhouse>\n  <users>\n    <etl>\n      <password_sha256_hex>{HASH}</password_sha256_hex>\n      <networks><ip>10.0.0.0/8</ip></networks>\n    </etl>\n  </users>\n</clickhouse>\n",
            "config.xml": PLAIN_SERVER,
        },
    )
    # users.xml provides the profile limits: no CH101-CH103; config.xml's CH301 is not in the changed file.
    result = lint_paths(["users.d/etl.xml"], tmp_path)
    assert _found(result) == []
    assert result.files == ["users.d/etl.xml"]
    (tmp_path / "users.d/etl.xml").write_text(
        "<clickhouse>\n  <users>\n    <etl>\n      <password></password>\n    </etl>\n  </users>\n</clickhouse>\n"
    )
    result = lint_paths(["users.d/etl.xml"], tmp_path)
    assert [(r, ln) for r, f, ln, _ in _found(result)] == [("CH203", 3), ("CH201", 4)]
    assert {f.span.file for f in result.shown} == {"users.d/etl.xml"}


def test_lone_fragment_is_judged_only_on_what_it_sets(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "users.d/etl.xml": "<clickhouse>\n  <users>\n    <etl>\n      <profile>default</profile>\n    </etl>\n    <bi>\n      <password>Pa55-word-for-bi</password>\n    </bi>\n  </users>\n</clickhouse>\n",
        },
    )
    result = lint_paths(["."], tmp_path)
    assert _found(result) == [("CH202", "users.d/etl.xml", 7, 17)]


def test_yandex_and_clickhouse_roots_merge_and_other_roots_are_reported(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "config.xml": PLAIN_SERVER,
            "config.d/legacy.xml": '<yandex>\n  <tcp_port remove="1"/>\n</yandex>\n',
            "config.d/wrong.xml": '<?xml version="1.0"?>\n<!-- misnamed root -->\n<config>\n  <http_port remove="1"/>\n</config>\n',
        },
    )
    result = lint_paths(["."], tmp_path, select=["CH301", "CH601"])
    assert _found(result) == [("CH601", "config.d/wrong.xml", 3, 1), ("CH301", "config.xml", 3, 3)]


def test_substituted_values_are_neither_literal_nor_missing(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "users.xml": (
                "<clickhouse>\n  <users>\n"
                '    <a><password from_env="CH_A"/><networks><ip>10.0.0.0/8</ip></networks></a>\n'
                '    <b><password encrypted_by="AES_128_GCM_SIV">00ef4b6c9a</password><networks><ip>10.0.0.0/8</ip></networks></b>\n'
                '    <c><password_sha256_hex from_zk="/ch/c"/><networks incl="office_networks"/></c>\n'
                "  </users>\n</clickhouse>\n"
            ),
            "config.xml": (
                '<clickhouse>\n  <interserver_http_credentials><user>i</user><password from_env="CH_I"/></interserver_http_credentials>\n'
                '  <remote_servers><c1><secret from_env="CH_S"/><shard><replica><host>ch1.internal</host></replica></shard></c1></remote_servers>\n'
                "</clickhouse>\n"
            ),
        },
    )
    assert _found(lint_paths(["."], tmp_path, select=["CH2", "CH4"])) == []


def test_conf_d_serves_config_and_users(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "config.xml": "<clickhouse>\n  <listen_host>127.0.0.1</listen_host>\n  <users_config>users.xml</users_config>\n</clickhouse>\n",
            "users.xml": USERS,
            "conf.d/open.xml": '<clickhouse>\n  <listen_host>0.0.0.0</listen_host>\n  <users><default><networks replace="1"><ip>::/0</ip></networks></default></users>\n</clickhouse>\n',
        },
    )
    result = lint_paths(["."], tmp_path, select=["CH203"])
    assert _found(result) == [("CH203", "conf.d/open.xml", 3, 45)]


def test_passwordless_user_is_critical_only_with_a_wildcard_listen_host(tmp_path: Path) -> None:
    users = "<clickhouse>\n  <users>\n    <default>\n      <password></password>\n    </default>\n  </users>\n</clickhouse>\n"
    _tree(tmp_path, {"open/users.xml": users, "open/config.xml": "<clickhouse><listen_host>0.0.0.0</listen_host></clickhouse>\n"})
    _tree(
        tmp_path, {"local/users.xml": users, "local/config.xml": "<clickhouse><path>/var/lib/clickhouse/</path></clickhouse>\n"}
    )
    result = lint_paths(["."], tmp_path, select=["CH201"])
    by_file = {f.span.file: f for f in result.shown}
    assert set(by_file) == {"open/users.xml", "local/users.xml"}
    critical = by_file["open/users.xml"]
    assert critical.extra.get("security_severity", 0) >= 9 and "0.0.0.0" in critical.message
    assert "security_severity" not in by_file["local/users.xml"].extra


def test_config_xml_without_a_users_config_is_its_own_users_config(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "config.xml": "<clickhouse>\n  <listen_host>::</listen_host>\n  <users>\n    <default>\n      <password></password>\n    </default>\n  </users>\n</clickhouse>\n",
        },
    )
    result = lint_paths(["."], tmp_path, select=["CH201"])
    assert _found(result) == [("CH201", "config.xml", 5, 7)]
    assert result.shown[0].extra.get("security_severity", 0) >= 9


def test_include_elements_make_absence_unknown(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "users.xml": (
                '<clickhouse>\n  <profiles><default><include incl="limits"/></default></profiles>\n'
                '  <users><etl><include from_env="CH_ETL_AUTH"/></etl></users>\n</clickhouse>\n'
            ),
            "config.xml": '<clickhouse>\n  <include from_zk="/clickhouse/logs"/>\n  <query_log><table>q</table></query_log>\n</clickhouse>\n',
        },
    )
    assert _found(lint_paths(["."], tmp_path, select=["CH1", "CH2", "CH5"])) == []


def test_yaml_overrides_merge_like_xml(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "config.xml": PLAIN_SERVER,
            "config.d/tls.yaml": (
                "http_port:\n  '@remove': 1\ntcp_port:\n  '@remove': 1\nhttps_port: 8443\n"
                "tcp_port_secure: 9440\nlisten_host:\n  - '::'\n  - 0.0.0.0\n"
            ),
            "users.xml": USERS,
            "users.d/etl.yaml": "users:\n  etl:\n    password: Summer-2024-etl\n    networks:\n      ip: ['10.0.0.0/8', '::/0']\n",
        },
    )
    expected = [("CH202", "users.d/etl.yaml", 3, 15), ("CH203", "users.d/etl.yaml", 5, 26)]
    assert _found(lint_paths(["."], tmp_path, select=["CH2", "CH3"])) == expected  # found by discovery
    result = lint_paths(["users.d/etl.yaml", "config.xml"], tmp_path, select=["CH2", "CH3"], format_hint="clickhouse")
    assert _found(result) == expected


def test_yaml_overrides_are_discovered_as_clickhouse(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "users.xml": USERS,
            "users.d/etl.yml": "users:\n  etl:\n    password: Summer-2024-etl\n",  # beside users.xml
            "lone/users.d/etl.yaml": "users:\n  etl: {password: Autumn-2024-etl}\n",  # a ClickHouse key, no main file
            "lone/users.d/job.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",  # Kubernetes
            "other/conf.d/notes.yaml": "title: not a config\n",  # neither
        },
    )
    result = lint_paths(["."], tmp_path, select=["CH202", "DL"])
    assert _found(result) == [("CH202", "lone/users.d/etl.yaml", 2, 19), ("CH202", "users.d/etl.yml", 3, 15)]
    assert {c.relpath: c.format for c in discover([str(tmp_path)], tmp_path, formats=REGISTRY)} == {
        "lone/users.d/etl.yaml": "clickhouse",
        "lone/users.d/job.yaml": "kubernetes",
        "users.d/etl.yml": "clickhouse",
        "users.xml": "clickhouse",
    }


def test_broken_overrides_beside_a_main_file_are_reported(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "config.xml": PLAIN_SERVER,
            "config.d/tls.yaml": "tcp_port_secure: [9440\n",
            "users.xml": USERS,
            "users.d/extra.xml": "users>\n  <etl/>\n</users>\n",  # text that does not start with '<'
        },
    )
    result = lint_paths(["."], tmp_path, select=["CH301", "DL"])
    # The unreadable override names tcp_port_secure (so tcp_port's finding is unknown), not https_port.
    assert [(rule, path, line) for rule, path, line, _ in _found(result)] == [
        ("DL001", "config.d/tls.yaml", 1),
        ("CH301", "config.xml", 3),
        ("DL001", "users.d/extra.xml", 1),
    ]


# --- an override that cannot be read --------------------------------------------------------


def _compare_broken_override(tmp_path: Path, source: Path, override: str, broken: str) -> tuple[list, list]:  # type: ignore[type-arg]
    """Lint a copy of `source` with `override` empty (`<clickhouse/>`), then
    broken: (findings only the intact run has, findings only the broken run has)."""
    root = tmp_path / "repo"
    shutil.copytree(source, root / "clickhouse")
    target = root / "clickhouse" / override
    target.write_text("<clickhouse/>\n")
    intact = _found(lint_paths(["clickhouse"], root))
    target.write_text(broken)
    damaged = _found(lint_paths(["clickhouse"], root))
    return [f for f in intact if f not in damaged], [f for f in damaged if f not in intact]


@pytest.mark.parametrize(
    ("override", "broken", "lost"),
    [
        # names only listen_host: whatever it set, no missing setting could come from it
        ("config.d/zz-listen.xml", "<clickhouse>\n    <listen_host>0.0.0.0\n</clickhouse>\n", []),
        # it may add https_port and a query_log TTL: those two absences are unknown, tcp_port_secure is not
        (
            "config.d/zz-tls.xml",
            "<clickhouse>\n    <https_port>8443</https_port>\n"
            "    <query_log><ttl>event_date + INTERVAL 30 DAY</ttl>\n</clickhouse>\n",
            [("CH301", "clickhouse/config.xml", 10, 5), ("CH501", "clickhouse/config.xml", 50, 5)],
        ),
        # a substitution may paste anything: every absence in the server config is unknown
        (
            "config.d/zz-include.xml",
            '<clickhouse>\n    <remote_servers incl="clusters"/>\n',
            [
                ("CH301", "clickhouse/config.xml", 10, 5),
                ("CH301", "clickhouse/config.xml", 11, 5),
                ("CH402", "clickhouse/config.xml", 12, 5),
                ("CH302", "clickhouse/config.xml", 24, 9),
                ("CH402", "clickhouse/config.xml", 35, 9),
                ("CH501", "clickhouse/config.xml", 50, 5),
            ],
        ),
        # a users.d override may give etl its networks; the server config is untouched by it
        (
            "users.d/zz-networks.xml",
            "<clickhouse>\n    <users><etl><networks><ip>10.0.0.0/8</ip></networks></etl>\n</clickhouse>\n",
            [("CH203", "clickhouse/users.d/etl.xml", 3, 9)],
        ),
    ],
)
def test_broken_override_keeps_the_findings_of_the_merged_installation(
    tmp_path: Path, override: str, broken: str, lost: list[tuple[str, str, int, int]]
) -> None:
    lost_now, added = _compare_broken_override(tmp_path, EXAMPLES / "ai-etl-broken/clickhouse", override, broken)
    assert [(rule, path) for rule, path, *_ in added] == [("DL001", f"clickhouse/{override}")]
    assert lost_now == lost


def test_broken_override_of_a_real_config_loses_only_what_it_names(tmp_path: Path) -> None:
    corpus = SHARED / "corpus/real/clickhouse"
    if not corpus.is_dir():
        pytest.skip("shared corpus not available")
    source = tmp_path / "source"
    (source / "config.d").mkdir(parents=True)
    shutil.copy(corpus / "fork-config-listen-0000.xml", source / "config.xml")
    shutil.copy(corpus / "upstream-users.xml", source / "users.xml")
    # meant to add the secure native port, lost its closing tag
    broken = "<clickhouse>\n    <tcp_port_secure>9440</tcp_port_secure>\n<clickhouse>\n"
    lost, added = _compare_broken_override(tmp_path, source, "config.d/secure.xml", broken)
    assert added == [("DL001", "clickhouse/config.d/secure.xml", 3, 12)]  # the end of the file: its last character
    assert lost == [("CH301", "clickhouse/config.xml", 104, 5)]  # the ten log tables without TTL stay reported
