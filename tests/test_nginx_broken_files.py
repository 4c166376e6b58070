"""A file of an nginx tree that fails to parse loses no other result: an
included one is an opaque inclusion (what it might set, the directives its
text names, is unknown where it is included), a main file keeps what was
written before its syntax error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, SHARED, lint_paths

from linter.core.findings import Finding
from linter.formats.nginx.syntax import NginxSyntaxError, names_in, parse_directives, unseen_text

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


@pytest.mark.parametrize(
    ("broken", "error", "lost"),
    [
        # names no setting: until now every one of the tree's 22 findings was lost
        ("server {\n    listen 8080;\n", (1, 1), []),
        # may set server_tokens and a header at the http level it is included at: the servers inheriting
        # their headers from http (not the one with its own add_header) and server_tokens are unknown
        (
            "server_tokens off;\nadd_header X-Content-Type-Options nosniff always\n",
            (2, 48),
            [
                ("NGX102", "nginx/conf.d/ai-etl.conf", 1, 1),
                ("NGX102", "nginx/conf.d/ai-etl.conf", 29, 1),
                ("NGX103", "nginx/conf.d/ai-etl.conf", 29, 1),
                ("NGX301", "nginx/nginx.conf", 9, 1),
            ],
        ),
        # may set a certificate and limit_req (not a limit_req_zone: the undefined zone stays reported)
        (
            "ssl_certificate /a.crt;\nlimit_req zone=api\n",
            (2, 18),
            [("NGX302", "nginx/conf.d/ai-etl.conf", 15, 9), ("NGX204", "nginx/conf.d/ai-etl.conf", 31, 5)],
        ),
        # includes other files: anything may be set at the http level
        (
            "include more.d/*.conf\n",
            (1, 21),
            [
                ("NGX102", "nginx/conf.d/ai-etl.conf", 1, 1),
                ("NGX201", "nginx/conf.d/ai-etl.conf", 8, 5),
                ("NGX302", "nginx/conf.d/ai-etl.conf", 15, 9),
                ("NGX302", "nginx/conf.d/ai-etl.conf", 20, 19),
                ("NGX102", "nginx/conf.d/ai-etl.conf", 29, 1),
                ("NGX103", "nginx/conf.d/ai-etl.conf", 29, 1),
                ("NGX204", "nginx/conf.d/ai-etl.conf", 31, 5),
                ("NGX301", "nginx/nginx.conf", 9, 1),
            ],
        ),
    ],
)
def test_broken_conf_d_fragment_keeps_the_findings_of_the_tree(
    tmp_path: Path, broken: str, error: tuple[int, int], lost: list[Found]
) -> None:
    lost_now, added = compare(tmp_path, EXAMPLES / "ai-etl-broken/nginx", "conf.d/zz-upstreams.conf", broken)
    assert added == [("DL001", "nginx/conf.d/zz-upstreams.conf", *error)]
    assert lost_now == lost


def test_broken_snippet_in_a_real_tree_is_unknown_only_in_the_servers_including_it(tmp_path: Path) -> None:
    if not H5BP.is_dir():
        pytest.skip("shared corpus not available")
    # h5bp/basic.conf (included in each site's server) includes this snippet; a lost ';' breaks it
    snippet = "h5bp/security/x-frame-options.conf"
    text = (H5BP / snippet).read_text()
    assert "$x_frame_options always;" in text
    lost, added = compare(tmp_path, H5BP, snippet, text.replace("$x_frame_options always;", "$x_frame_options always"))
    assert added == [("DL001", "nginx/h5bp/security/x-frame-options.conf", 37, 50)]  # the last character of the line the ";" is missing from
    # the two servers including it may get headers from it (X-Frame-Options, HSTS); nothing else changes
    assert lost == [
        ("NGX101", "nginx/conf.d/templates/example.com.conf", 26, 1),
        ("NGX103", "nginx/conf.d/templates/example.com.conf", 26, 1),
        ("NGX101", "nginx/conf.d/templates/no-ssl.example.com.conf", 21, 1),
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
        ("DL001", "nginx/nginx.conf", 17, 54),
    ]
    # the rest of http (server_tokens, the conf.d include) is unknown: conf.d/ai-etl.conf is linted as a
    # fragment, reporting what it writes and no missing setting its includer might provide
    assert [f[0] for f in found(result.shown) if f[1] == "nginx/conf.d/ai-etl.conf"] == [
        "NGX203", "NGX101", "NGX102", "NGX205", "NGX104", "NGX402", "NGX401", "NGX205", "NGX201",
        "NGX101", "NGX102", "NGX203",
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
    # the first server may get its headers from the broken snippet, not a redirect (it names no return)
    assert found(result.shown) == [
        ("NGX203", "nginx/nginx.conf", 4, 9),
        ("NGX101", "nginx/nginx.conf", 7, 5),
        ("NGX102", "nginx/nginx.conf", 7, 5),
        ("NGX203", "nginx/nginx.conf", 8, 9),
        ("DL001", "nginx/snippets/headers.conf", 1, 38),
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
    # what the cut-short levels may still set: the names in the rest of the file
    rest = unseen_text(text, caught.value.partial)
    assert rest.startswith("\n        location / {")
    assert names_in(rest) == {"location", "root", "srv", "server", "listen", "81"}
    assert names_in(rest + "include x.conf;") is None  # an include may set anything
