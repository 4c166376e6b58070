"""The fixes of issue 18 beyond the first set: each lints a real file, fixes
it, lints again, and checks the finding is gone and every other byte stays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_cli, write


def findings(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> list[tuple[str, int, int]]:
    code, out, _ = run_cli(capsys, root, "check", "--format", "json", *args, ".")
    return [(f["rule"], f["line"], f["column"]) for f in json.loads(out)["findings"]]


NGINX = """\
http {
    server_tokens off;
    server {
        listen 443 default_server;   # main
        listen [::]:443 ssl;
        server_name example.com;
        ssl on;  # legacy
        ssl_certificate /etc/ssl/c.pem;
        ssl_certificate_key /etc/ssl/c.key;
        add_header X-Frame-Options "DENY" always;
        add_header Strict-Transport-Security "max-age=63072000" always;
        add_header X-Content-Type-Options nosniff always;
        location /api/ {
            add_header Cache-Control no-store;
            proxy_pass http://127.0.0.1:8000;
            proxy_set_header Host $http_host;
        }
        location /b/ {
            proxy_pass http://127.0.0.1:8000;
            proxy_set_header Host $http_host:8443;
        }
    }
}
"""

NGINX_SAFE = NGINX.replace("listen 443 default_server;", "listen 443 default_server ssl;").replace(
    "        ssl on;  # legacy\n", "").replace("Host $http_host;", "Host $host;")

NGINX_UNSAFE = NGINX_SAFE.replace("add_header Cache-Control no-store;\n", (
    "add_header Cache-Control no-store;\n"
    '            add_header X-Frame-Options "DENY" always;\n'
    '            add_header Strict-Transport-Security "max-age=63072000" always;\n'
    "            add_header X-Content-Type-Options nosniff always;\n"
))


def test_nginx_ssl_on_host_and_inherited_headers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "nginx.conf", NGINX)
    rules = ("--select", "NGX106,NGX205,NGX402")
    assert findings(capsys, tmp_path, *rules) == [
        ("NGX205", 7, 9), ("NGX106", 14, 13), ("NGX402", 16, 35), ("NGX402", 20, 35),
    ]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", ".")
    # `ssl on` meant every listen is TLS: `ssl` goes where it lacked; a Host
    # value that builds more than the variable stays for a person.
    assert path.read_text(encoding="utf-8") == NGINX_SAFE
    assert findings(capsys, tmp_path, *rules) == [("NGX106", 13, 13), ("NGX402", 19, 35)]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", "--unsafe-fixes", ".")
    assert path.read_text(encoding="utf-8") == NGINX_UNSAFE
    assert findings(capsys, tmp_path, *rules) == [("NGX402", 22, 35)]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", "--unsafe-fixes", ".")
    assert path.read_text(encoding="utf-8") == NGINX_UNSAFE


def test_ssl_on_in_http_or_with_a_listen_in_another_file_is_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "http {\n    ssl on;\n    server {\n        listen 443;\n        ssl_certificate /c.pem;\n        ssl_certificate_key /c.key;\n    }\n}\n"
    path = write(tmp_path, "nginx.conf", text)
    assert findings(capsys, tmp_path, "--select", "NGX205") == [("NGX205", 2, 5)]
    run_cli(capsys, tmp_path, "check", "--select", "NGX205", "--fix", ".")
    assert path.read_text(encoding="utf-8") == text
    main = "http {\n    server {\n        include listen.conf;\n        ssl on;\n    }\n}\n"
    write(tmp_path, "nginx.conf", main)
    write(tmp_path, "listen.conf", "listen 443;\n")
    run_cli(capsys, tmp_path, "check", "--select", "NGX205", "--fix", "nginx.conf")
    assert path.read_text(encoding="utf-8") == main
