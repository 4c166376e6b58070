"""A file of an nginx tree that fails to parse loses no other result: an
included one is an opaque inclusion (what it might set is unknown where it is
included), a main file keeps what was written before its syntax error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, SHARED, lint_paths

from linter.findings import Finding
from linter.nginx.syntax import NginxSyntaxError, parse_directives

H5BP = SHARED / "corpus/real/nginx/h5bp"

Found = tuple[str, str, int, int]


def found(findings: list[Finding]) -> list[Found]:
    return [(f.rule_id, f.span.file, f.span.line, f.span.column) for f in findings]


def compare(tmp_path: Path, source: Path, fragment: str, broken: str) -> tuple[list[Found], list[Found]]:
    """Lint a copy of `source` with `fragment` empty, then with it broken:
    (findings only the empty run has, findings only the broken run has)."""
    root = tmp_path / "repo"
    shutil.copytree(source, root / "nginx")
    target = root / "nginx" / fragment
    target.write_text("")
    intact = found(lint_paths(["nginx"], root).shown)
    target.write_text(broken)
    damaged = found(lint_paths(["nginx"], root).shown)
    return [f for f in intact if f not in damaged], [f for f in damaged if f not in intact]


def test_broken_conf_d_fragment_keeps_the_findings_of_the_tree(tmp_path: Path) -> None:
    lost, added = compare(tmp_path, EXAMPLES / "ai-etl-broken/nginx", "conf.d/zz-upstreams.conf", "server {\n    listen 8080;\n")
    assert added == [("DL001", "nginx/conf.d/zz-upstreams.conf", 1, 1)]
    # Only what the fragment could have set at the http level it is included at (a header, ssl_protocols,
    # limit_req and its zone, a certificate, server_tokens): unknown, not missing. Until now every one of
    # the tree's 22 findings was lost.
    assert lost == [
        ("NGX102", "nginx/conf.d/ai-etl.conf", 1, 1),
        ("NGX201", "nginx/conf.d/ai-etl.conf", 8, 5),
        ("NGX302", "nginx/conf.d/ai-etl.conf", 15, 9),
        ("NGX302", "nginx/conf.d/ai-etl.conf", 20, 19),
        ("NGX102", "nginx/conf.d/ai-etl.conf", 29, 1),
        ("NGX103", "nginx/conf.d/ai-etl.conf", 29, 1),
        ("NGX204", "nginx/conf.d/ai-etl.conf", 31, 5),
        ("NGX301", "nginx/nginx.conf", 9, 1),
    ]


def test_broken_snippet_in_a_real_tree_is_unknown_only_in_the_servers_including_it(tmp_path: Path) -> None:
    if not H5BP.is_dir():
        pytest.skip("shared corpus not available")
    # h5bp/basic.conf (included in each site's server) includes this snippet; a lost ';' breaks it
    snippet = "h5bp/security/x-frame-options.conf"
    text = (H5BP / snippet).read_text()
    assert "$x_frame_options always;" in text
    lost, added = compare(tmp_path, H5BP, snippet, text.replace("$x_frame_options always;", "$x_frame_options always"))
    assert added == [("DL001", "nginx/h5bp/security/x-frame-options.conf", 37, 51)]
    # the two servers including it may get X-Frame-Options, HSTS or a redirect from it; nothing else changes
    assert lost == [
        ("NGX101", "nginx/conf.d/templates/example.com.conf", 26, 1),
        ("NGX103", "nginx/conf.d/templates/example.com.conf", 26, 1),
        ("NGX101", "nginx/conf.d/templates/no-ssl.example.com.conf", 21, 1),
        ("NGX203", "nginx/conf.d/templates/no-ssl.example.com.conf", 24, 3),
    ]


def test_broken_main_file_keeps_what_was_written_before_the_error(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "ai-etl-broken/nginx", root / "nginx")
    conf = root / "nginx/nginx.conf"
    conf.write_text(conf.read_text().replace('"1; mode=block" always;', '"1; mode=block" always'))
    result = lint_paths(["nginx"], root)
    assert [f for f in found(result.shown) if f[1] == "nginx/nginx.conf"] == [
        ("NGX303", "nginx/nginx.conf", 11, 26),
        ("NGX202", "nginx/nginx.conf", 12, 17),
        ("NGX107", "nginx/nginx.conf", 16, 5),
        ("DL001", "nginx/nginx.conf", 17, 55),
    ]
    # the rest of http (server_tokens, the conf.d include) is unknown: conf.d/ai-etl.conf is linted as a
    # fragment, reporting what it writes and no missing setting its includer might provide
    assert [f[0] for f in found(result.shown) if f[1] == "nginx/conf.d/ai-etl.conf"] == [
        "NGX203", "NGX101", "NGX102", "NGX205", "NGX104", "NGX402", "NGX401", "NGX205", "NGX201",
    ]  # fmt: skip


def test_unreadable_main_file_skips_only_its_own_tree(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "ai-etl-broken/nginx", root / "nginx")
    (root / "nginx/nginx.conf").write_bytes(b"http {\n    server_tokens \xff;\n}\n")  # not UTF-8
    result = lint_paths(["nginx"], root, select=["DL001", "NGX301", "NGX303", "NGX402"])
    assert found(result.shown) == [
        ("NGX402", "nginx/conf.d/ai-etl.conf", 16, 31),
        ("DL001", "nginx/nginx.conf", 2, 19),
    ]


def test_broken_include_in_one_server_leaves_its_siblings_known(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    files = {
        "nginx/nginx.conf": (
            "http {\n"
            "    server_tokens off;\n"
            "    server {\n"
            "        listen 80;\n"
            "        include snippets/headers.conf;\n"
            "    }\n"
            "    server {\n"
            "        listen 8080;\n"
            "    }\n"
            "}\n"
        ),
        "nginx/snippets/headers.conf": "add_header X-Frame-Options DENY always\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    result = lint_paths(["nginx"], root, select=["DL001", "NGX101", "NGX102", "NGX203", "NGX301"])
    assert found(result.shown) == [
        ("NGX101", "nginx/nginx.conf", 7, 5),
        ("NGX102", "nginx/nginx.conf", 7, 5),
        ("NGX203", "nginx/nginx.conf", 8, 9),
        ("DL001", "nginx/snippets/headers.conf", 1, 39),
    ]


def test_syntax_error_keeps_the_directives_before_it() -> None:
    text = (
        "events {}\n"
        "http {\n"
        "    server_tokens off;\n"
        "    server {\n"
        "        listen 80;\n"
        "        location / {\n"
        "            root /srv;\n"
        "    }\n"  # the location's '}' is lost: this closes the location, so the server is never closed
        "    server {\n"
        "        listen 81;\n"
        "    }\n"
        "}\n"
    )
    with pytest.raises(NginxSyntaxError) as caught:
        parse_directives(text, "nginx.conf")
    assert (caught.value.span.line, caught.value.span.column) == (6, 9)  # the location opened here
    events, http = caught.value.partial
    assert (events.name, events.truncated, http.name, http.truncated) == ("events", False, "http", True)
    tokens, server = http.block or []
    assert (tokens.name, server.name, server.truncated) == ("server_tokens", "server", True)
    # the location and everything after it (wrongly nested by the lost brace) are dropped
    assert [d.name for d in server.block or []] == ["listen"]
