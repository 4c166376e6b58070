"""The nginx parser: exact positions, nginx's tokenizer rules, and bad input
reported as one DL001 at the right place (issue: "Bad input", each a test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lint_text, triples

from linter.core.loader import Loader
from linter.core.model import MappingNode, ScalarNode, SequenceNode, walk
from linter.formats import REGISTRY
from linter.formats.nginx.syntax import NginxSyntaxError, parse_directives, walk_directives


def generate_config(servers: int = 250) -> str:
    """A realistic nginx.conf, 20 lines per server: 5,006 lines for 250 servers."""
    out = [
        "worker_processes auto;",
        "events { worker_connections 1024; }",
        "http {",
        "    server_tokens off;",
        "    limit_req_zone $binary_remote_addr zone=api:10m rate=10r/s;",
    ]
    for i in range(servers):
        out += [
            "    server {",
            f"        listen 443 ssl;  # site {i}",
            f"        server_name site{i}.example.com www.site{i}.example.com;",
            f"        ssl_certificate /etc/nginx/tls/site{i}.crt;",
            f"        ssl_certificate_key /etc/nginx/tls/site{i}.key;",
            "        ssl_protocols TLSv1.2 TLSv1.3;",
            '        add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;',
            "        add_header X-Frame-Options DENY always;",
            "        add_header X-Content-Type-Options nosniff always;",
            "        limit_req zone=api burst=20 nodelay;",
            "        location / {",
            f"            root /srv/site{i};",
            "            try_files $uri $uri/ =404;",
            "        }",
            "        location /api/ {",
            f"            proxy_pass http://127.0.0.1:{8000 + i % 100};",
            "            proxy_set_header Host $host;",
            "            more_set_headers 'X-Backend: ${upstream_addr}';",
            "        }",
            "    }",
        ]
    out.append("}")
    return "\n".join(out) + "\n"


def _error(text: str) -> NginxSyntaxError:
    with pytest.raises(NginxSyntaxError) as info:
        parse_directives(text, "nginx.conf")
    return info.value


def test_positions_of_names_and_arguments() -> None:
    text = 'http {\n    add_header  X-Frame-Options "DENY"  always;\n}\n'
    (http,) = parse_directives(text, "nginx.conf")
    assert http.block is not None
    (header,) = http.block
    assert (header.span.line, header.span.column, header.span.end_column) == (2, 5, 15)
    assert [(a.value, a.span.column, a.span.end_column, a.quoted) for a in header.args] == [
        ("X-Frame-Options", 17, 32, False),
        ("DENY", 33, 39, True),  # the span covers the quotes the user wrote
        ("always", 41, 47, False),
    ]
    assert (http.full.line, http.full.end_line, http.full.end_column) == (1, 3, 2)


def test_quotes_escapes_comments_and_variables() -> None:
    text = (
        "log_format main '$remote_addr \\'quoted\\' \"x\"'  # a comment ; {\n"
        '    "tab\\there" a#b ${host}x $1;\n'
        "return 200 ok};\n"
    )
    log, ret = parse_directives(text, "f")
    assert log.values == ["main", "$remote_addr 'quoted' \"x\"", "tab\there", "a#b", "${host}x", "$1"]
    assert log.args[2].span.line == 2 and log.args[2].span.column == 5
    assert ret.values == ["200", "ok}"]  # '}' inside a word is literal, as in nginx


def test_lua_block_is_read_raw() -> None:
    text = 'location / {\n    content_by_lua_block {\n        ngx.say("}") -- }\n        local t = {1}\n    }\n    root /x;\n}\n'
    (location,) = parse_directives(text, "f")
    assert location.block is not None
    lua, root = location.block
    assert lua.name == "content_by_lua_block" and lua.block is None
    assert 'ngx.say("}")' in lua.arg(0)
    assert root.name == "root" and root.span.line == 6


def test_crlf_and_tabs_keep_character_columns(tmp_path: Path) -> None:
    text = "http {\r\n\tserver {\r\n\t\tlisten 443 ssl;\r\n\t}\r\n}\r\n"
    (http,) = parse_directives(text, "f")
    server = http.block[0]  # type: ignore[index]
    listen = server.block[0]  # type: ignore[index]
    assert (listen.span.line, listen.span.column) == (3, 3)
    assert listen.args[1].span.column == 14


def test_positioned_model_exposes_every_argument(tmp_path: Path) -> None:
    from linter.core.model import SourceFile
    from linter.core.workspace import Workspace
    from linter.formats.nginx.parser import parse

    text = "http {\n  proxy_set_header Authorization 'Bearer abc';\n}\n"
    parsed = parse(SourceFile("nginx.conf", str(tmp_path / "nginx.conf"), text), Loader(Workspace(tmp_path), REGISTRY))
    (doc,) = parsed.documents
    assert isinstance(doc, SequenceNode)
    http = doc.items[0]
    assert isinstance(http, MappingNode) and http.text("directive") == "http"
    scalars = [(n.value, n.span.line, n.span.column) for n in walk(doc) if isinstance(n, ScalarNode)]
    assert ("Bearer abc", 2, 34) in scalars
    assert ("proxy_set_header", 2, 3) in scalars


def test_unknown_directives_do_not_stop_parsing(lint) -> None:  # type: ignore[no-untyped-def]
    text = (
        "http {\n    more_set_headers 'Server: x';\n    brotli on;\n    server {\n        listen 80;\n"
        "        vts_display on;\n        client_max_body_size 0;\n    }\n}\n"
    )
    result = lint("nginx/nginx.conf", text, select=["DL001", "NGX303"])
    assert triples(result) == [("NGX303", 7, 30)]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        # a location never closed: the '}' on line 6 sits left of the location's indentation
        ("http {\n  server {\n    location / {\n      root /x;\n    # closing brace lost\n  }\n}\n", 3, 5),
        ("http {\n    server {\n        listen 80;\n    }\n", 1, 1),  # innermost open block at EOF
        ("http {\n}\n}\n", 3, 1),  # a stray '}'
    ],
)
def test_unbalanced_braces_one_error_at_the_right_line(lint, text: str, line: int, column: int) -> None:  # type: ignore[no-untyped-def]
    result = lint("nginx/nginx.conf", text, select=["DL001"])  # (what precedes the error is linted: see test_nginx_broken_files)
    assert triples(result) == [("DL001", line, column)]


def test_missing_semicolon_merging_two_lines(lint) -> None:  # type: ignore[no-untyped-def]
    result = lint("nginx/nginx.conf", "http {\n    server_tokens off\n    add_header X-Frame-Options DENY always;\n}\n")
    assert triples(result) == [("DL001", 2, 21)]
    assert "add_header" in result.shown[0].message


@pytest.mark.parametrize(
    ("line", "args"),
    [
        ('if ($host != "example.com") { return 444; }', ["($host", "!=", "example.com", ")"]),
        ("if ($request_method = 'OPTIONS') { return 204; }", ["($request_method", "=", "OPTIONS", ")"]),
        ('if ($http_user_agent ~* "(bot)") { return 403; }', ["($http_user_agent", "~*", "(bot)", ")"]),
        ('if ($http_user_agent ~* "(bot)"){ return 403; }', ["($http_user_agent", "~*", "(bot)", ")"]),
    ],
)
def test_a_quoted_string_may_end_at_a_closing_parenthesis(line: str, args: list[str]) -> None:
    # nginx's tokenizer starts a new word at a ')' right after a closing quote.
    (server,) = parse_directives(f"server {{\n    {line}\n}}\n", "nginx.conf")
    assert server.block is not None
    (if_block,) = server.block
    assert if_block.values == args
    assert if_block.block is not None and if_block.block[0].name == "return"


def test_an_if_with_a_quoted_operand_keeps_the_rest_of_the_file(lint) -> None:  # type: ignore[no-untyped-def]
    text = (
        "http {\n"
        "    server {\n"
        "        listen 80;\n"
        '        if ($host != "example.com") { return 444; }\n'
        "        client_max_body_size 0;\n"
        "    }\n"
        "}\n"
    )
    assert triples(lint("nginx/nginx.conf", text, ["DL001", "NGX303"])) == [("NGX303", 5, 30)]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        # a ';' missing at a line's or the file's end is reported on the last character of that
        # line, not one past it (a finding starts on a character of its line: LineIndex.fit)
        ("http {\n    server_tokens off\n}\n", 2, 21, "before '}'"),
        ("server_tokens off", 1, 17, "end of the file"),
        ('add_header X "DENY;\n', 1, 14, "unterminated"),
        ('add_header X "DENY"always;\n', 1, 20, "after a quoted string"),
        ("http {\n    ;\n}\n", 2, 5, "unexpected ';'"),
    ],
)
def test_syntax_errors_are_one_dl001_at_the_position(lint, text: str, line: int, column: int, words: str) -> None:  # type: ignore[no-untyped-def]
    result = lint("nginx/nginx.conf", text)
    assert triples(result) == [("DL001", line, column)]
    assert words in result.shown[0].message


def test_binary_junk_is_one_parse_error(tmp_path: Path) -> None:
    from conftest import lint_paths

    target = tmp_path / "nginx" / "nginx.conf"
    target.parent.mkdir()
    target.write_bytes(b"\x7fELF\x02\x01\x00\x00\xff\xfe{{;;}}")
    result = lint_paths(["nginx/nginx.conf"], tmp_path)
    assert triples(result) == [("DL001", 1, 1)]
    target.write_bytes(b"server {\n  listen \xff\xfe 80;\n}\n")  # not UTF-8, no NUL
    result = lint_paths(["nginx/nginx.conf"], tmp_path)
    assert triples(result) == [("DL001", 2, 10)]


def test_parse_errors_in_one_file_keep_other_files_results(tmp_path: Path) -> None:
    from conftest import lint_paths

    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "a.conf").write_text("server {\n    listen 80;\n")
    (tmp_path / "nginx" / "b.conf").write_text("server {\n    client_max_body_size 0;\n}\n")
    result = lint_paths(["nginx"], tmp_path, select=["DL001", "NGX303"])
    assert [(f.span.file, f.rule_id, f.span.line) for f in result.shown] == [
        ("nginx/a.conf", "DL001", 1),
        ("nginx/b.conf", "NGX303", 2),
    ]


def test_generated_5000_line_config_lints_without_error(tmp_path: Path) -> None:
    text = generate_config()
    assert len(text.splitlines()) >= 5000
    directives = walk_directives(parse_directives(text, "nginx.conf"))
    assert sum(d.name == "server" for d in directives) == 250
    result = lint_text(tmp_path, "nginx/nginx.conf", text)
    assert triples(result) == []
