"""False findings seen on real public configs (Mastodon, Discourse, PeerTube,
Sentry, Nextcloud ...), each pinned by its minimal reproducer: what nginx
really does there, and the finding that stays where the config is wrong."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_paths, triples

from linter.core.run_types import RunResult

HEADERS = ["NGX101", "NGX102", "NGX103", "NGX106"]


def lint_tree(root: Path, files: dict[str, str], select: list[str]) -> RunResult:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return lint_paths(["nginx"], root, select=select)


def found(result: RunResult) -> list[tuple[str, str, int]]:
    return [(f.rule_id, f.span.file, f.span.line) for f in result.shown]


# --- includes we cannot follow ---------------------------------------------------

TLS_SERVER = """http {{
    server_tokens off;
    server {{
        listen 443 ssl;
        ssl_certificate a.crt;
        ssl_certificate_key a.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        {include}
        root /srv;
    }}
}}
"""


def test_a_missing_snippet_makes_what_it_may_set_unknown_not_missing(tmp_path: Path) -> None:
    # the snippet (not in the repository) may well set the headers: before, NGX101-NGX103 said "missing"
    result = lint_tree(tmp_path, {"nginx/nginx.conf": TLS_SERVER.format(include="include snippets/headers.conf;")}, HEADERS + ["DL003"])
    assert found(result) == [("DL003", "nginx/nginx.conf", 8)]


def test_a_stock_file_the_repository_lacks_hides_nothing_else(tmp_path: Path) -> None:
    # mime.types and fastcgi_params hold only `types` and `fastcgi_param`: the headers stay known missing
    for stock in ("include mime.types;", "include /etc/nginx/fastcgi_params;"):
        result = lint_tree(tmp_path, {"nginx/nginx.conf": TLS_SERVER.format(include=stock)}, HEADERS)
        assert triples(result) == [("NGX101", 3, 5), ("NGX102", 3, 5), ("NGX103", 3, 5)]


def test_a_snippet_missing_in_one_server_leaves_the_others_known(tmp_path: Path) -> None:
    text = """http {
    limit_req_zone $binary_remote_addr zone=api:10m rate=5r/s;
    server {
        listen 127.0.0.1:8081;
        include snippets/status.conf;
    }
    server {
        listen 80;
        return 301 https://$host$request_uri;
        location /api/ { limit_req zone=apii; proxy_pass http://app; }
    }
}
"""
    # limit_req_zone is http-level only: a server's unknown content cannot define the zone
    result = lint_tree(tmp_path, {"nginx/nginx.conf": text}, ["NGX302", "NGX301"])
    assert triples(result) == [("NGX301", 1, 1), ("NGX302", 10, 36)]
