"""NGX rules beyond their help examples: params, edge cases, exact positions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import all_rules, triples

from linter.config.rules import RuleOverride, select_rules
from linter.core.errors import UsageError
from linter.core.lint import run
from linter.core.run_types import RunResult, Settings
from linter.formats import REGISTRY
from linter.formats.nginx.ciphers import weak_ciphers


def lint_with_params(tmp_path: Path, text: str, rule: str, params: dict[str, Any]) -> RunResult:
    target = tmp_path / "nginx" / "nginx.conf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    rules = select_rules(all_rules(), [rule], overrides={rule: RuleOverride(params=params)})
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return run(["nginx/nginx.conf"], Settings(root=tmp_path, rules=rules, formats=REGISTRY))
    finally:
        os.chdir(old)


SERVER = "http {{\n    server {{\n        listen 443 ssl;\n        {}\n    }}\n}}\n"


def test_hsts_max_age_param(tmp_path: Path) -> None:
    text = SERVER.format('add_header Strict-Transport-Security "max-age=16070400; includeSubDomains" always;')
    assert triples(lint_with_params(tmp_path, text, "NGX104", {})) == [("NGX104", 4, 46)]
    assert triples(lint_with_params(tmp_path, text, "NGX104", {"min_max_age": 86400})) == []


def test_hsts_without_max_age_and_through_a_variable(lint) -> None:  # type: ignore[no-untyped-def]
    assert triples(
        lint("nginx/nginx.conf", SERVER.format("add_header Strict-Transport-Security includeSubDomains always;"), ["NGX104"])
    ) == [("NGX104", 4, 46)]
    assert (
        triples(lint("nginx/nginx.conf", SERVER.format("add_header Strict-Transport-Security $hsts always;"), ["NGX104"])) == []
    )


@pytest.mark.parametrize(
    ("header", "mode", "expected"),
    [
        ('add_header X-XSS-Protection "0" always;', "deprecated", []),
        ('add_header X-XSS-Protection "1; mode=block" always;', "deprecated", [("NGX105", 4, 37)]),
        ("", "deprecated", []),  # absent is what current guidance recommends
        ('add_header X-XSS-Protection "1; mode=block" always;', "required", []),
        ('add_header X-XSS-Protection "1;mode=block" always;', "required", []),
        ('add_header X-XSS-Protection "0" always;', "required", [("NGX105", 4, 37)]),
        ("", "required", [("NGX105", 2, 5)]),  # the checklist requires it on the server
    ],
)
def test_x_xss_protection_modes(tmp_path: Path, header: str, mode: str, expected: list[tuple[str, int, int]]) -> None:
    result = lint_with_params(tmp_path, SERVER.format(header or "root /srv;"), "NGX105", {"mode": mode})
    assert triples(result) == expected


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("deprecated", [("NGX105", 4, 37)]),  # drop it: asking for 'always' too would contradict that
        ("required", [("NGX105", 4, 9)]),  # the checklist's header, and its 'always', are this rule's
    ],
)
def test_x_xss_protection_without_always_is_one_finding(tmp_path: Path, mode: str, expected: list[tuple[str, int, int]]) -> None:
    text = SERVER.format('add_header X-XSS-Protection "1; mode=block";')
    rules = select_rules(all_rules(), ["NGX105", "NGX107"], overrides={"NGX105": RuleOverride(params={"mode": mode})})
    target = tmp_path / "nginx" / "nginx.conf"
    target.parent.mkdir(parents=True)
    target.write_text(text, encoding="utf-8")
    result = run([str(target)], Settings(root=tmp_path, rules=rules, formats=REGISTRY))
    assert triples(result) == expected
    if mode == "required":
        assert "without 'always'" in result.shown[0].message


def test_losing_x_xss_protection_is_not_an_inheritance_finding(lint) -> None:  # type: ignore[no-untyped-def]
    text = (
        "http {\n    server {\n        listen 80;\n        add_header X-XSS-Protection \"1; mode=block\" always;\n"
        "        location / {\n            add_header Cache-Control no-store;\n            root /srv;\n        }\n    }\n}\n"
    )
    assert triples(lint("nginx/nginx.conf", text, ["NGX106"])) == []


def test_x_xss_protection_rejects_unknown_mode(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="'deprecated' or 'required'"):
        lint_with_params(tmp_path, SERVER.format('add_header X-XSS-Protection "0";'), "NGX105", {"mode": "maybe"})


def test_x_content_type_options_value(lint) -> None:  # type: ignore[no-untyped-def]
    text = SERVER.format("add_header X-Content-Type-Options NoSniff always;")
    assert triples(lint("nginx/nginx.conf", text, ["NGX102"])) == []
    text = SERVER.format("add_header X-Content-Type-Options $xcto always;")
    assert triples(lint("nginx/nginx.conf", text, ["NGX102"])) == []


def test_header_rules_check_every_location_that_serves_content(lint) -> None:  # type: ignore[no-untyped-def]
    text = """http {
    server {
        listen 443 ssl;
        add_header Strict-Transport-Security "max-age=31536000" always;
        location /api/ {
            add_header Cache-Control no-store;
            proxy_pass http://app;
        }
        location /old/ {
            add_header Cache-Control no-store;
            return 301 /new/;
        }
        location /php/ {
            add_header X-Powered-By none;
            fastcgi_pass unix:/run/php.sock;
        }
    }
}
"""
    # HSTS set by the server and dropped by each location's own add_header: one
    # finding per location, NGX106's (NGX103 reports a header no level sets)
    assert triples(lint("nginx/nginx.conf", text, ["NGX103", "NGX106"])) == [("NGX106", 6, 13), ("NGX106", 14, 13)]
    unset = text.replace('add_header Strict-Transport-Security "max-age=31536000" always;', "root /srv;")
    assert triples(lint("nginx/nginx.conf", unset, ["NGX103", "NGX106"])) == [("NGX103", 2, 5), ("NGX103", 5, 9), ("NGX103", 13, 9)]


@pytest.mark.parametrize(
    ("spec", "weak"),
    [
        ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305", []),
        ("HIGH:!aNULL:!MD5", []),
        ("EECDH+CHACHA20:EECDH+AES", []),
        ("HIGH:RC4-SHA:DES-CBC3-SHA", ["RC4-SHA", "DES-CBC3-SHA"]),
        ("ALL", ["ALL"]),
        ("ALL:!aNULL:!eNULL", []),
        ("EXP-RC4-MD5:NULL-SHA:ADH-AES256-SHA:aNULL", ["EXP-RC4-MD5", "NULL-SHA", "ADH-AES256-SHA", "aNULL"]),
        # '!' and '-' remove what they name; '+' only moves suites; '@' is a command
        ("DES-CBC3-SHA:!3DES", []),
        ("RC4:!RC4", []),
        ("!RC4:RC4", []),  # removed for good
        ("-RC4:RC4", ["RC4"]),  # '-' lets a later element add them back
        ("RC4:-RC4:RC4", ["RC4"]),
        ("RC4-MD5:!MD5", []),  # the suite is an MD5 suite
        ("RC4:!RC4-MD5", ["RC4"]),  # removing one suite leaves RC4-SHA
        ("RSA+RC4:!RC4", []),
        ("ECDHE+3DES", ["ECDHE+3DES"]),
        ("HIGH:+MEDIUM:@STRENGTH", []),
        ("ALL:!eNULL", ["ALL"]),  # NULL is eNULL: the anonymous suites stay
        ("DES-CBC-SHA:!LOW", []),
        ("ALL:!aNULL:!ADH:!eNULL:!LOW:!EXP:RC4+RSA:+HIGH:+MEDIUM", ["RC4+RSA"]),
    ],
)
def test_weak_cipher_detection(spec: str, weak: list[str]) -> None:
    assert weak_ciphers(spec) == weak


def test_ssl_ciphers_that_remove_what_they_list_are_not_weak(lint) -> None:  # type: ignore[no-untyped-def]
    removed = SERVER.format('ssl_ciphers "DES-CBC3-SHA:!3DES";')
    assert triples(lint("nginx/nginx.conf", removed, ["NGX202"])) == []
    kept = SERVER.format('ssl_ciphers "HIGH:RC4:!RC4-MD5";')
    assert triples(lint("nginx/nginx.conf", kept, ["NGX202"])) == [("NGX202", 4, 21)]


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        ("listen 80;\n        root /srv;", [("NGX203", 3, 9)]),
        ("root /srv;", [("NGX203", 2, 5)]),  # no listen: port 80
        ("listen 80;\n        return 301 https://$host$request_uri;", []),
        (
            (
                "listen 80;\n        location /.well-known/acme-challenge/ { root /srv/acme; }\n"
                "        location / { return 301 https://$host$request_uri; }"
            ),
            [],
        ),
        (
            (
                "listen 80;\n        listen 443 ssl;\n        if ($scheme = http) { return 301 https://$host$request_uri; }\n"
                "        root /srv;"
            ),
            [],
        ),
        ("listen 127.0.0.1:8080;\n        location /status { stub_status; }", []),
        ("listen 80;\n        return 444;", []),
    ],
)
def test_http_redirect(lint, server: str, expected: list[tuple[str, int, int]]) -> None:  # type: ignore[no-untyped-def]
    text = f"http {{\n    server {{\n        {server}\n    }}\n}}\n"
    assert triples(lint("nginx/nginx.conf", text, ["NGX203"])) == expected


def test_rate_limit_zone_must_be_defined(lint) -> None:  # type: ignore[no-untyped-def]
    text = (
        "http {\n    limit_req_zone $binary_remote_addr zone=one:10m rate=1r/s;\n    limit_req zone=two;\n"
        "    server { listen 80; location / { limit_req zone=one; proxy_pass http://a; } }\n}\n"
    )
    assert triples(lint("nginx/nginx.conf", text, ["NGX302"])) == [("NGX302", 3, 15)]


def test_rate_limit_zones_in_a_fragment_are_the_includers_business(lint) -> None:  # type: ignore[no-untyped-def]
    text = "location /api/ {\n    limit_req zone=api;\n    proxy_pass http://a;\n}\n"
    assert triples(lint("snippets/api.conf", text, ["NGX302"])) == []


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("location /static {\n        alias /srv/static/;", [("NGX401", 4, 9)]),
        ("location ^~ /img {\n        alias /srv/img/;", [("NGX401", 4, 9)]),
        ("location /static/ {\n        alias /srv/static/;", []),
        ("location = /favicon.ico {\n        alias /srv/favicon.ico;", []),
        ("location ~ ^/dl/(.*)$ {\n        alias /srv/dl/$1;", []),
        # a capture that may start with '..', appended after a '/'
        ("location ~ /images(.*) {\n        alias /srv/images/$1;", [("NGX401", 4, 9)]),
        ("location ~* ^/media(?<file>.+)$ {\n        alias /srv/media/$file;", [("NGX401", 4, 9)]),
        ("location ~ ^/(.+)$ {\n        alias /srv/www/$1;", []),  # after a '/' in the pattern
        ("location ~ ^/img(\\d+)\\.png$ {\n        alias /srv/img/$1.png;", []),  # cannot start with a dot
        ("location ~ ^/img([^/.]+)$ {\n        alias /srv/img/$1;", []),
        ("location ~ ^/p(/.*)$ {\n        alias /srv/p$1;", []),  # the capture starts with '/'
        ("location ~ \\.png$ {\n        alias /srv/logo.png;", []),
        # no traversal, but sibling directories are exposed
        ("location /avatar {\n        alias /srv/avatars;", [("NGX401", 4, 9)]),
        ("location /robots.txt {\n        alias /srv/www/robots.txt;", []),  # one file
    ],
)
def test_alias_traversal(lint, location: str, expected: list[tuple[str, int, int]]) -> None:  # type: ignore[no-untyped-def]
    text = f"http {{\n    server {{\n    {location}\n    }}\n    }}\n}}\n"
    assert triples(lint("nginx/nginx.conf", text, ["NGX401"])) == expected


@pytest.mark.parametrize(
    ("location", "severity", "words"),
    [
        ("location /static {\n        alias /srv/static/;", "error", "'/static../' reaches the parent of '/srv/static/'"),
        ("location /avatar {\n        alias /srv/avatars;", "warning", "'/avatar-backup/' maps to '/srv/avatars-backup/'"),
        ("location ~ /images(.*) {\n        alias /srv/images/$1;", "error", "'/srv/images/../' reaches the parent"),
    ],
)
def test_alias_traversal_message_and_severity(lint, location: str, severity: str, words: str) -> None:  # type: ignore[no-untyped-def]
    text = f"http {{\n    server {{\n    {location}\n    }}\n    }}\n}}\n"
    (finding,) = lint("nginx/nginx.conf", text, ["NGX401"]).shown
    assert finding.severity.value == severity
    assert words in finding.message


def test_host_header_spoofing(lint) -> None:  # type: ignore[no-untyped-def]
    text = (
        "http {\n    proxy_set_header Host $http_host;\n    proxy_set_header X-Forwarded-Host $http_host;\n"
        '    proxy_set_header host "$http_host";\n}\n'
    )
    assert triples(lint("nginx/nginx.conf", text, ["NGX402"])) == [("NGX402", 2, 27), ("NGX402", 4, 27)]


@pytest.mark.parametrize(
    ("value", "variable"),
    [
        ("$HTTP_HOST", "$http_host"),  # nginx variable names are case-insensitive
        ("${http_host}", "$http_host"),
        ("$http_x_forwarded_host", "$http_x_forwarded_host"),
        ("$arg_host", "$arg_host"),
        ('"$cookie_site.example.com"', "$cookie_site"),
        ("$host", None),
        ("$proxy_host", None),
        ("backend.internal", None),
        ("$http_", None),  # not a variable nginx knows
    ],
)
def test_host_header_from_any_client_controlled_variable(lint, value: str, variable: str | None) -> None:  # type: ignore[no-untyped-def]
    text = f"http {{\n    proxy_set_header Host {value};\n}}\n"
    result = lint("nginx/nginx.conf", text, ["NGX402"])
    assert triples(result) == ([("NGX402", 2, 27)] if variable else [])
    if variable:
        assert f"forwards {variable}," in result.shown[0].message


def test_a_snippet_included_twice_reports_once(tmp_path: Path) -> None:
    from conftest import lint_paths

    (tmp_path / "nginx" / "snippets").mkdir(parents=True)
    (tmp_path / "nginx" / "snippets" / "h.conf").write_text("add_header X-Frame-Options DENY;\nclient_max_body_size 0;\n")
    (tmp_path / "nginx" / "nginx.conf").write_text(
        "http {\n    server { listen 80; include snippets/h.conf; }\n    server { listen 81; include snippets/h.conf; }\n}\n"
    )
    result = lint_paths(["nginx"], tmp_path, select=["NGX107", "NGX303"])
    assert [(f.rule_id, f.span.file, f.span.line) for f in result.shown] == [
        ("NGX107", "nginx/snippets/h.conf", 1),
        ("NGX303", "nginx/snippets/h.conf", 2),
    ]


def test_broken_example_fires_every_nginx_rule() -> None:
    from conftest import EXAMPLES, PROJECT, lint_paths

    nginx_rules = {r.id for r in all_rules() if r.target.format == "nginx"}
    assert nginx_rules >= {"NGX101", "NGX402", "DL003"}
    # NGX403 is about a config held in a ConfigMap: the edge proxy's, beside the Services it proxies to.
    held = EXAMPLES / "ai-etl-broken" / "k8s" / "edge-proxy-config.yaml"
    result = lint_paths([EXAMPLES / "ai-etl-broken" / "nginx", held], PROJECT, select=sorted(nginx_rules))
    assert {f.rule_id for f in result.shown} == nginx_rules
