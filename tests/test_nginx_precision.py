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


# --- levels that answer without content of their own -------------------------------

PEERTUBE = """server {
    listen 443 ssl;
    ssl_certificate a.crt;
    ssl_certificate_key a.key;
    location @api {
        proxy_pass http://backend;
    }
    location = /api/v1/videos/upload {
        client_max_body_size 8G;
        add_header X-File-Maximum-Size 8G always;
        try_files /dev/null @api;
    }
    location ~ ^/static/(thumbnails|avatars)/ {
        if ($request_method = 'OPTIONS') {
            add_header Access-Control-Allow-Origin '*';
            add_header Access-Control-Max-Age 1728000;
            return 204;
        }
        if ($request_method = 'GET') {
            add_header Access-Control-Allow-Origin '*';
        }
        add_header Access-Control-Allow-Origin '*';
        try_files $uri @api;
    }
}
"""


def test_try_files_dev_null_hands_every_request_to_the_named_location(tmp_path: Path) -> None:
    # PeerTube's upload location: @api answers (with the server's headers), so its own add_header
    # set is never sent with content; before, NGX102 and NGX103 were reported at line 8.
    # A 204 preflight has no content either (line 14, before: NGX102, NGX103); the GET `if`
    # (line 19) and the location itself (line 13) do serve files without the headers.
    result = lint_tree(tmp_path, {"nginx/sites/peertube.conf": PEERTUBE}, ["NGX102", "NGX103"])
    assert triples(result) == [("NGX102", 13, 5), ("NGX103", 13, 5), ("NGX102", 19, 9), ("NGX103", 19, 9)]


def test_try_files_with_a_file_to_try_still_serves_content(tmp_path: Path) -> None:
    text = PEERTUBE.replace("try_files /dev/null @api;", "try_files $uri @api;", 1)
    result = lint_tree(tmp_path, {"nginx/sites/peertube.conf": text}, ["NGX102"])
    assert triples(result) == [("NGX102", 8, 5), ("NGX102", 13, 5), ("NGX102", 19, 9)]


# --- servers in a file that fails to parse -------------------------------------------


def test_servers_we_cannot_parse_still_lack_what_their_text_cannot_set(tmp_path: Path) -> None:
    # Pixelfed's conf.d/default.conf is a template nginx cannot parse; before, its http level had no
    # server we could see, so a server_tokens no file sets was never reported
    files = {
        "nginx/nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
        "nginx/conf.d/default.conf": 'server {\n    listen 80;\n    server_name {{ getenv "APP_DOMAIN" }};\n}\n',
    }
    assert found(lint_tree(tmp_path, files, ["NGX301", "DL001"])) == [
        ("DL001", "nginx/conf.d/default.conf", 3),
        ("NGX301", "nginx/nginx.conf", 2),
    ]
    # text that mentions server_tokens (or includes other files) may set it: unknown
    files["nginx/conf.d/default.conf"] = files["nginx/conf.d/default.conf"].replace("listen 80;", "server_tokens off;")
    assert found(lint_tree(tmp_path, files, ["NGX301", "DL001"])) == [("DL001", "nginx/conf.d/default.conf", 3)]
