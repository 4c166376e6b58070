"""nginx's inheritance rules, pinned one by one: on the effective model
(`linter.formats.nginx.effective`) and through the rules that depend on them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import SHARED, lint_text, triples

from linter.core.loader import Loader
from linter.formats import REGISTRY
from linter.formats.nginx.effective import Block, effective_headers, http_servers, inherited, is_tls_server, serves_content
from linter.formats.nginx.includes import NginxConfig


def build(tmp_path: Path, text: str, name: str = "nginx/nginx.conf") -> NginxConfig:
    from linter.core.run_types import Settings
    from linter.core.runner import assemble, parse_all
    from linter.core.workspace import Workspace

    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        loader = Loader(Workspace(tmp_path), REGISTRY)
        parsed, _ = parse_all(Settings(root=tmp_path, rules=[], formats=REGISTRY), loader, [name])
        (unit,) = assemble(parsed, loader)
    finally:
        os.chdir(old)
    assert isinstance(unit.model, NginxConfig)
    return unit.model


def location(config: NginxConfig, path: str) -> Block:
    return next(b for b in config.root.blocks("location") if b.directive is not None and b.directive.values[-1] == path)


def names(block: Block) -> list[str]:
    return [h.name for h in effective_headers(block).headers]


HEADERS = """http {
    add_header X-Frame-Options DENY always;
    server {
        listen 80;
        add_header X-Content-Type-Options nosniff always;
        location /inherits/ { root /srv; }
        location /own/ {
            add_header Cache-Control no-store;
            location /own/nested/ { root /srv; }
        }
        location /merge/ {
            add_header_inherit merge;
            add_header Cache-Control no-store;
            location /merge/nested/ {
                add_header X-Extra 1;
            }
        }
        location /on/ {
            add_header_inherit on;
            add_header Cache-Control no-store;
        }
        location /off/ {
            add_header_inherit off;
        }
        location /if/ {
            if ($arg_x) {
                add_header X-If 1;
            }
        }
    }
}
"""


def test_a_level_without_add_header_inherits_its_parents_set(tmp_path: Path) -> None:
    config = build(tmp_path, HEADERS)
    (server,) = http_servers(config.root)
    assert names(server) == ["X-Content-Type-Options"]  # the server's own add_header dropped http's
    assert names(location(config, "/inherits/")) == ["X-Content-Type-Options"]


def test_add_header_in_a_location_discards_every_inherited_header(tmp_path: Path) -> None:
    config = build(tmp_path, HEADERS)
    assert names(location(config, "/own/")) == ["Cache-Control"]
    assert names(location(config, "/own/nested/")) == ["Cache-Control"]  # nested location inherits the location's set


def test_add_header_inherit_merge_keeps_parent_headers_and_is_inherited(tmp_path: Path) -> None:
    config = build(tmp_path, HEADERS)
    assert names(location(config, "/merge/")) == ["X-Content-Type-Options", "Cache-Control"]
    # `merge` is itself inherited: the nested location appends to its parent's set
    assert names(location(config, "/merge/nested/")) == ["X-Content-Type-Options", "Cache-Control", "X-Extra"]


def test_add_header_inherit_on_and_off_do_not_keep_parent_headers(tmp_path: Path) -> None:
    config = build(tmp_path, HEADERS)
    assert names(location(config, "/on/")) == ["Cache-Control"]
    assert names(location(config, "/off/")) == []  # off drops them even without an add_header of its own


def test_if_block_with_add_header_discards_the_locations_headers(tmp_path: Path) -> None:
    config = build(tmp_path, HEADERS)
    if_block = next(location(config, "/if/").blocks("if"))
    assert names(if_block) == ["X-If"]


def test_order_in_the_file_does_not_matter(tmp_path: Path) -> None:
    # mozilla's generated config sets ssl_protocols in http after the server block
    config = build(tmp_path, "http {\n    server { listen 443 ssl; }\n    ssl_protocols TLSv1.3;\n}\n")
    (server,) = http_servers(config.root)
    setting = inherited(server, "ssl_protocols")
    assert [d.values for d in setting.directives] == [["TLSv1.3"]] and setting.level is not None and setting.level.kind == "http"


def test_fragment_context_is_unknown_not_missing(tmp_path: Path) -> None:
    config = build(tmp_path, "server {\n    listen 443 ssl;\n    location / { add_header X-A 1; }\n}\n", "conf.d/site.conf")
    (server,) = http_servers(config.root)
    assert not inherited(server, "server_tokens").known
    assert not effective_headers(server).complete
    assert effective_headers(location(config, "/")).complete  # its own add_header decides the whole set


def test_content_levels(tmp_path: Path) -> None:
    config = build(
        tmp_path,
        """http {
    server {
        listen 80;
        location /redirect/ { return 301 https://example.com; }
        location /ok/ { return 200 "ok"; }
        location /denied/ { deny all; }
        location /proxy/ { proxy_pass http://app; }
    }
    server {
        listen 81;
        return 444;
        location / { root /srv; }
    }
}
""",
    )
    assert [serves_content(location(config, p)) for p in ("/redirect/", "/ok/", "/denied/", "/proxy/")] == [
        False,
        True,
        False,
        True,
    ]
    second = http_servers(config.root)[1]
    assert not serves_content(next(second.blocks("location")))  # a server-level return answers first


def test_ssl_on_makes_every_listener_tls(tmp_path: Path) -> None:
    config = build(tmp_path, "http {\n    server { listen 8443; ssl on; }\n    server { listen 80; }\n}\n")
    assert [is_tls_server(s) for s in http_servers(config.root)] == [True, False]


# --- through the rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("location_body", "expected"),
    [
        ("root /srv;", []),  # inherits the server's headers
        ("add_header Cache-Control no-store;\n        root /srv;", [("NGX106", 6, 9)]),  # its own add_header drops them
        ("add_header_inherit merge;\n        add_header Cache-Control no-store;\n        root /srv;", []),
        ("add_header_inherit on;\n        add_header Cache-Control no-store;\n        root /srv;", [("NGX106", 7, 9)]),
        ("add_header Cache-Control no-store;\n        return 301 https://example.com/;", []),  # a redirect serves no content
        ("add_header X-Frame-Options $xfo always;\n        root /srv;", []),  # set through a variable: present
        ("add_header Content-Security-Policy \"frame-ancestors 'none'\" always;\n        root /srv;", []),
    ],
)
def test_x_frame_options_follows_add_header_inheritance(lint, location_body: str, expected: list[tuple[str, int, int]]) -> None:  # type: ignore[no-untyped-def]
    text = (
        f"http {{\n    server {{\n        listen 80;\n        add_header X-Frame-Options DENY always;\n    location /x/ {{\n"
        f"        {location_body}\n    }}\n    }}\n}}\n"
    )
    assert triples(lint("nginx/nginx.conf", text, select=["NGX101", "NGX106"])) == expected


def test_add_header_inheritance_reports_at_the_child_and_names_lost_headers(lint) -> None:  # type: ignore[no-untyped-def]
    text = """http {
    add_header Strict-Transport-Security "max-age=31536000" always;
    server {
        listen 80;
        add_header X-Frame-Options DENY always;
        location /app/ {
            proxy_pass http://app;
            add_header Cache-Control no-store;
        }
    }
}
"""
    result = lint("nginx/nginx.conf", text, select=["NGX106"])
    assert triples(result) == [("NGX106", 5, 9), ("NGX106", 8, 13)]
    assert "drops Strict-Transport-Security set in http" in result.shown[0].message
    assert "drops X-Frame-Options set in server" in result.shown[1].message


def test_headers_without_always_are_flagged(lint) -> None:  # type: ignore[no-untyped-def]
    text = (
        "http {\n    add_header X-Frame-Options DENY;\n    add_header Cache-Control no-store;\n"
        "    add_header X-Content-Type-Options nosniff always;\n}\n"
    )
    assert triples(lint("nginx/nginx.conf", text, select=["NGX107"])) == [("NGX107", 2, 5)]


@pytest.mark.parametrize(
    ("http_body", "server_body", "expected"),
    [
        ("", "", [("NGX301", 1, 1)]),  # default on
        ("server_tokens off;", "", []),
        ("server_tokens off;", "server_tokens on;", [("NGX301", 5, 23)]),
        ("", "server_tokens off;", []),
    ],
)
def test_server_tokens_defaults_to_on_and_is_inherited(
    lint, http_body: str, server_body: str, expected: list[tuple[str, int, int]]
) -> None:  # type: ignore[no-untyped-def]
    text = f"http {{\n    {http_body}\n    server {{\n        listen 80;\n        {server_body}\n    }}\n}}\n"
    assert triples(lint("nginx/nginx.conf", text, select=["NGX301"])) == expected


@pytest.mark.parametrize(
    ("http_body", "expected"),
    [
        ("", [("NGX201", 3, 14)]),  # no ssl_protocols anywhere: old nginx defaults enable TLSv1/1.1
        ("ssl_protocols TLSv1.2 TLSv1.3;", []),
        ("ssl_protocols TLSv1.1 TLSv1.2;", [("NGX201", 2, 19)]),
    ],
)
def test_tls_server_needs_effective_ssl_protocols(lint, http_body: str, expected: list[tuple[str, int, int]]) -> None:  # type: ignore[no-untyped-def]
    text = f"http {{\n    {http_body}\n    server {{ listen 443 ssl; }}\n}}\n"
    assert triples(lint("nginx/nginx.conf", text, select=["NGX201"])) == expected


@pytest.mark.parametrize(
    ("http_body", "expected"),
    [
        ("", [("NGX204", 3, 14)]),
        ("ssl_certificate /a.crt;\n    ssl_certificate_key /a.key;", []),
    ],
)
def test_listen_ssl_needs_an_effective_certificate(lint, http_body: str, expected: list[tuple[str, int, int]]) -> None:  # type: ignore[no-untyped-def]
    text = f"http {{\n    {http_body}\n    server {{ listen 443 ssl; }}\n}}\n"
    assert triples(lint("nginx/nginx.conf", text, select=["NGX204"])) == expected


@pytest.mark.parametrize(
    ("http_body", "server_body", "missing"),
    [
        ("ssl_certificate /a.crt;", "", "but no ssl_certificate_key is in effect for its ssl_certificate"),
        ("", "ssl_certificate /a.crt;", "but no ssl_certificate_key is in effect for its ssl_certificate"),
        ("ssl_certificate_key /a.key;", "", "but no ssl_certificate is in effect"),
        (
            "ssl_certificate /rsa.crt;\n    ssl_certificate /ecdsa.crt;\n    ssl_certificate_key /rsa.key;",
            "",
            "but ssl_certificate '/ecdsa.crt' has no matching ssl_certificate_key",
        ),
        ("ssl_certificate /a.crt;", "ssl_certificate_key /a.key;", None),  # each inherited on its own
        ("", "ssl_reject_handshake on;", None),  # a catch-all refusing handshakes needs no certificate
    ],
)
def test_tls_server_needs_a_key_for_each_certificate(lint, http_body: str, server_body: str, missing: str | None) -> None:  # type: ignore[no-untyped-def]
    text = f"http {{\n    {http_body}\n    server {{\n        listen 443 ssl;\n        {server_body}\n    }}\n}}\n"
    result = lint("nginx/nginx.conf", text, select=["NGX204"])
    line = text.count("\n", 0, text.index("listen")) + 1
    assert triples(result) == ([("NGX204", line, 9)] if missing else [])
    if missing:
        assert result.shown[0].message == f"server listens with ssl {missing} (nginx refuses to start)"


def test_mozilla_reference_server_without_its_key_is_flagged(tmp_path: Path) -> None:
    source = SHARED / "corpus/real/nginx/mozilla-ssl-config/mozilla-intermediate.conf"
    if not source.is_file():
        pytest.skip("shared corpus not available")
    text = source.read_text()
    assert triples(lint_text(tmp_path, "nginx/nginx.conf", text, select=["NGX204"])) == []
    without_key = text.replace("        ssl_certificate_key /path/to/private_key;\n", "")
    result = lint_text(tmp_path, "nginx/nginx.conf", without_key, select=["NGX204"])
    assert triples(result) == [("NGX204", 7, 9)]  # the first TLS listen; the server's second one is the same server
    assert "no ssl_certificate_key is in effect" in result.shown[0].message


def test_deprecated_ssl_on_and_listen_http2(lint) -> None:  # type: ignore[no-untyped-def]
    text = "http {\n    server {\n        listen 443 ssl http2;\n        ssl on;\n        http2 on;\n    }\n}\n"
    assert triples(lint("nginx/nginx.conf", text, select=["NGX205"])) == [("NGX205", 3, 24), ("NGX205", 4, 9)]


def test_limit_req_is_inherited_only_by_levels_without_their_own(lint) -> None:  # type: ignore[no-untyped-def]
    text = """http {
    limit_req_zone $binary_remote_addr zone=api:10m rate=1r/s;
    server {
        listen 80;
        limit_req zone=api;
        location /a/ { proxy_pass http://a; }
        location /b/ { limit_req zone=api burst=5; proxy_pass http://b; }
    }
    server {
        listen 81;
        location /c/ { fastcgi_pass unix:/run/php.sock; }
    }
}
"""
    assert triples(lint("nginx/nginx.conf", text, select=["NGX302"])) == [("NGX302", 11, 24)]
