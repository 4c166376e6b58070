"""ClickHouse XML parsing: positions, the model's shape, and hostile input."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_paths, triples

from linter.core.model import MappingNode, ScalarNode, SequenceNode
from linter.core.workspace import Limits
from linter.formats.clickhouse.parser import element_model
from linter.formats.clickhouse.xml import XmlLimits, parse_xml

SECRET_MARKER = "TOP-SECRET-MARKER-7f3a"


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        target.write_bytes(data)
    else:
        target.write_text(data, encoding="utf-8")
    return target


def test_model_follows_clickhouse_yaml_convention() -> None:
    text = (
        "<clickhouse>\n"
        '  <remote_servers><c1 replace="1"><shard><replica>a</replica><replica>b</replica></shard></c1></remote_servers>\n'
        "  <listen_host>::1</listen_host>\n"
        "  <listen_host>127.0.0.1</listen_host>\n"
        "  <macros>lead<shard>01</shard>tail</macros>\n"
        "  <empty/>\n"
        "</clickhouse>\n"
    )
    root, problems = parse_xml(text, "config.xml")
    assert problems == [] and root is not None
    model = element_model(root)
    assert isinstance(model, MappingNode)
    hosts = model.get("listen_host")
    assert isinstance(hosts, SequenceNode)
    assert [(n.text, n.span.line, n.span.column, n.span.end_column) for n in hosts if isinstance(n, ScalarNode)] == [
        ("::1", 3, 16, 19),
        ("127.0.0.1", 4, 16, 25),
    ]
    assert all(item.key is not None and item.key.text == "listen_host" for item in hosts)
    cluster = model.path("remote_servers", "c1")
    assert isinstance(cluster, MappingNode)
    attribute = cluster.get("@replace")
    assert isinstance(attribute, ScalarNode) and attribute.text == "1"
    assert (attribute.span.line, attribute.span.column) == (2, 32)
    assert cluster.key is not None and (cluster.key.span.line, cluster.key.span.column) == (2, 19)
    macros = model.mapping("macros")
    assert macros is not None and macros.text("#text") == "leadtail" and macros.path("shard") is not None
    empty = model.get("empty")
    assert isinstance(empty, ScalarNode) and empty.text == "" and (empty.span.line, empty.span.column) == (6, 3)


def test_columns_count_characters_on_non_ascii_lines() -> None:
    text = "<clickhouse><!-- 日本語 --><path>/données/é</path></clickhouse>"
    root, _ = parse_xml(text, "config.xml")
    assert root is not None
    path = root.children[0]
    assert text[path.start.column - 1 :].startswith("<path>")
    assert path.text == "/données/é"
    assert path.text_span is not None
    assert text[path.text_span.column - 1 : path.text_span.end_column - 1] == "/données/é"


def test_entities_and_cdata_are_read_like_the_server(tmp_path: Path) -> None:
    root, problems = parse_xml("<clickhouse><a>x &amp; y</a><b><![CDATA[<&amp;>]]></b></clickhouse>", "c.xml")
    assert problems == [] and root is not None
    assert [c.text for c in root.children] == ["x & y", "<&amp;>"]


def test_doctype_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "config.xml", '<?xml version="1.0"?>\n<!DOCTYPE clickhouse>\n<clickhouse/>\n')
    result = lint_paths(["config.xml"], tmp_path)
    assert triples(result) == [("DL005", 2, 1)]
    assert "DOCTYPE" in result.shown[0].message


def test_billion_laughs_is_refused_without_expansion(tmp_path: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" if i > 1 else "&lol;"}{"&lol" + str(i - 1) + ";" if i > 1 else "&lol;"}">'
        for i in range(1, 30)
    )
    text = f"<!DOCTYPE clickhouse [{entities}]>\n<clickhouse><a>&lol29;</a></clickhouse>\n"
    root, problems = parse_xml(text, "config.xml")
    assert root is None
    assert [(p.rule_id, p.span.line, p.span.column) for p in problems] == [("DL005", 1, 1)]


def test_external_entity_reads_nothing(tmp_path: Path) -> None:
    _write(tmp_path, "secret.txt", SECRET_MARKER)
    _write(
        tmp_path,
        "entity.xml",
        f'<!DOCTYPE clickhouse [<!ENTITY leak SYSTEM "{tmp_path / "secret.txt"}">]>\n<clickhouse><users><u><password>&leak;</password></u></users></clickhouse>\n',
    )
    _write(
        tmp_path,
        "dtd.xml",
        f'<?xml version="1.0"?>\n<!DOCTYPE clickhouse SYSTEM "file://{tmp_path / "secret.txt"}">\n<clickhouse/>\n',
    )
    result = lint_paths(["entity.xml", "dtd.xml"], tmp_path)
    assert [(f.span.file, f.rule_id, f.span.line, f.span.column) for f in result.shown] == [
        ("dtd.xml", "DL005", 2, 1),
        ("entity.xml", "DL005", 1, 1),
    ]
    assert all(SECRET_MARKER not in f.message for f in result.findings)
    root, _ = parse_xml((tmp_path / "entity.xml").read_text(), "entity.xml")
    assert root is None  # nothing of the entity made it into a tree


def test_malformed_xml_is_one_parse_error_at_the_right_place(tmp_path: Path) -> None:
    _write(tmp_path, "config.xml", "<clickhouse>\n  <listen_host>::</listen_host>\n  <tcp_port>9000</tcp_prt>\n</clickhouse>\n")
    result = lint_paths(["config.xml"], tmp_path)
    assert triples(result) == [("DL001", 3, 17)]
    assert "expected </tcp_port>" in result.shown[0].message


def test_twenty_megabyte_config_hits_the_size_cap(tmp_path: Path) -> None:
    line = "  <macros><shard>01</shard><replica>example01-01-1</replica></macros>\n"
    body = line * (20 * 1024 * 1024 // len(line) + 1)
    _write(tmp_path, "config.xml", "<clickhouse>\n" + body + "</clickhouse>\n")
    assert (tmp_path / "config.xml").stat().st_size > 20 * 1024 * 1024
    result = lint_paths(["config.xml"], tmp_path)
    assert triples(result) == [("DL005", 1, 1)]


def test_large_config_under_the_caps_is_linted(tmp_path: Path) -> None:
    entries = "".join(f"  <graphite><host>g{i}</host><port>2003</port></graphite>\n" for i in range(20_000))
    _write(
        tmp_path,
        "config.xml",
        "<clickhouse>\n" + entries + "  <listen_host>::</listen_host>\n  <tcp_port>9000</tcp_port>\n</clickhouse>\n",
    )
    result = lint_paths(["config.xml"], tmp_path, select=["CH301", "DL"])
    assert triples(result) == [("CH301", 20_003, 3)]


def test_element_count_and_depth_limits(tmp_path: Path) -> None:
    _write(tmp_path, "many/config.xml", "<clickhouse>\n" + "<a/>\n" * 50 + "</clickhouse>\n")
    _write(tmp_path, "deep/config.xml", "<clickhouse>" + "<a>" * 30 + "</a>" * 30 + "</clickhouse>\n")
    result = lint_paths(["many", "deep"], tmp_path, limits=Limits(max_xml_elements=20, max_depth=10))
    assert sorted(triples(result)) == [("DL005", 1, 40), ("DL005", 21, 1)]
    assert parse_xml("<a><b/></a>", "x.xml", XmlLimits(max_depth=1))[0] is None


def test_declared_latin1_encoding_is_honoured(tmp_path: Path) -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<clickhouse><users><etl><!-- Müller --><password>Wörter-2024</password>\n<networks><ip>10.0.0.0/8</ip></networks></etl></users></clickhouse>\n'
    _write(tmp_path, "users.xml", text.encode("latin-1"))
    result = lint_paths(["users.xml"], tmp_path, select=["CH202", "DL"])
    assert triples(result) == [("CH202", 2, 50)]
    assert "Wörter" not in result.shown[0].message


def test_undeclared_or_unknown_encodings_are_parse_errors(tmp_path: Path) -> None:
    _write(tmp_path, "a/config.xml", "<clickhouse><path>/données</path></clickhouse>\n".encode("latin-1"))
    _write(
        tmp_path,
        "b/config.xml",
        b'<?xml version="1.0" encoding="x-no-such-codec"?>\n<clickhouse><path>/donn\xe9es</path></clickhouse>\n',
    )
    result = lint_paths(["a", "b"], tmp_path)
    assert triples(result) == [("DL001", 1, 24), ("DL001", 1, 1)]
    assert "x-no-such-codec" in result.shown[1].message


def test_commented_out_secrets_are_ignored(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "config.xml",
        (
            "<clickhouse>\n"
            "  <!-- <interserver_http_credentials><user>u</user><password>S3cret-Value-123</password></interserver_http_credentials> -->\n"
            "  <remote_servers><c><!-- <secret>S3cret-Value-123</secret> --><shard><replica><host>localhost</host></replica></shard></c></remote_servers>\n"
            "</clickhouse>\n"
        ),
    )
    assert triples(lint_paths(["config.xml"], tmp_path)) == []


def test_columns_stay_exact_across_long_non_ascii_lines() -> None:
    text = "<clickhouse><a>" + "é😀" * 700 + "</a><b>x</b>" + "<c>ü</c>" * 300 + "</clickhouse>"
    root, _ = parse_xml(text, "config.xml")
    assert root is not None
    b, last = root.children[1], root.children[-1]
    assert b.start.column == text.index("<b>") + 1
    assert last.start.column == text.rindex("<c>") + 1
    assert last.text_span is not None and last.text_span.column == text.rindex("ü") + 1


def test_mixed_content_is_linted(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "config.xml",
        "<clickhouse>\n  <listen_host>0.0.0.0<!-- all --></listen_host>\n  <tcp_port>90<note/>00</tcp_port>\n</clickhouse>\n",
    )
    result = lint_paths(["config.xml"], tmp_path, select=["CH301", "DL"])
    assert triples(result) == [("CH301", 3, 3)]
    assert "9000" in result.shown[0].message


def test_yaml_config_becomes_the_servers_element_tree() -> None:
    from linter.formats.clickhouse.yaml import parse_yaml_config
    from linter.formats.common.yaml_tree import YamlLimits

    text = "listen_host: ['::1', 127.0.0.1]\nzookeeper:\n  - node: {host: a}\n  - identity: {'@from_env': ZK_ID}\nmacros:\n  '#text': x\n"
    _, root, problems = parse_yaml_config(text, "c.yaml", YamlLimits())
    assert problems == [] and root is not None and root.tag == "clickhouse"
    assert [(c.tag, c.text, c.start.line, c.start.column) for c in root.children] == [
        ("listen_host", "::1", 1, 1),
        ("listen_host", "127.0.0.1", 1, 1),
        ("zookeeper", "", 2, 1),
        ("macros", "x", 5, 1),
    ]
    zookeeper = root.children[2]
    assert [c.tag for c in zookeeper.children] == ["node", "identity"]
    assert zookeeper.children[1].attributes["from_env"].value == "ZK_ID"
    assert zookeeper.children[1].attributes["from_env"].value_span.column == 29


def test_utf16_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<clickhouse>\n  <listen_host>::</listen_host>\n  <tcp_port>9000</tcp_port>\n</clickhouse>\n'
    _write(tmp_path, "config.xml", text.encode("utf-16"))
    result = lint_paths(["config.xml"], tmp_path, select=["CH301", "DL"], format_hint="clickhouse")
    assert triples(result) == [("CH301", 4, 3)]


def test_declared_encoding_overrides_keep_the_read_limits(tmp_path: Path) -> None:
    latin1 = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<clickhouse><path>/données</path>\n<tcp_port>9000</tcp_port></clickhouse>\n'
    for folder, text in (("small", latin1), ("large", latin1.replace("données", "é" * 400))):
        _write(tmp_path, f"{folder}/config.xml", "<clickhouse><listen_host>::</listen_host></clickhouse>\n")
        _write(tmp_path, f"{folder}/config.d/port.xml", text.encode("latin-1"))
    result = lint_paths(["."], tmp_path, select=["CH301", "DL"], limits=Limits(max_file_bytes=300))
    assert sorted((f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown) == [
        ("CH301", "small/config.d/port.xml", 3, 1),
        ("DL005", "large/config.d/port.xml", 1, 1),
    ]
