"""nginx includes: resolution, confinement, limits, and the context a file is
linted in (its includer's, one found on disk, or a fragment's own)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import lint_paths

from linter.core.findings import Severity
from linter.core.loader import Loader
from linter.core.workspace import Limits
from linter.formats import REGISTRY

SERVER_TLS = """server {
    listen 443 ssl;
    ssl_certificate     /etc/nginx/tls/a.crt;
    ssl_certificate_key /etc/nginx/tls/a.key;
    root /srv/www;
}
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def found(result, *rules: str) -> list[tuple[str, str, int, int]]:  # type: ignore[no-untyped-def]
    return [(f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown if not rules or f.rule_id in rules]


def test_relative_include_is_inlined_and_keeps_its_own_positions(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx/nginx.conf": "http {\n    server_tokens off;\n    include conf.d/site.conf;\n}\n",
            "nginx/conf.d/site.conf": "# the site\nserver {\n    listen 80;\n    client_max_body_size 0;\n}\n",
        },
    )
    result = lint_paths(["nginx"], tmp_path, select=["NGX303", "NGX301", "DL003"])
    assert found(result) == [("NGX303", "nginx/conf.d/site.conf", 4, 26)]
    assert result.files == ["nginx/conf.d/site.conf", "nginx/nginx.conf"]


def test_server_tokens_off_found_through_an_include(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx/nginx.conf": (
                "http {\n    include security/tokens.conf;\n    server { listen 80; return 301 https://$host; }\n}\n"
            ),
            "nginx/security/tokens.conf": "server_tokens off;\n",
        },
    )
    assert found(lint_paths(["nginx"], tmp_path, select=["NGX301"])) == []
    (tmp_path / "nginx/security/tokens.conf").write_text("server_tokens on;\n")
    assert found(lint_paths(["nginx"], tmp_path, select=["NGX301"])) == [("NGX301", "nginx/security/tokens.conf", 1, 15)]


def test_glob_includes_expand_in_sorted_order_and_may_match_nothing(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx/nginx.conf": "http {\n    include conf.d/*.conf;\n    include custom.d/*.conf;\n}\n",
            "nginx/conf.d/b.conf": "add_header X-Frame-Options SAMEORIGIN always;\n",
            "nginx/conf.d/a.conf": "add_header X-Frame-Options DENY;\n",
            "nginx/conf.d/.hidden.conf": "client_max_body_size 0;\n",  # globs skip dotfiles, as nginx's glob() does
        },
    )
    from linter.core.run_types import Settings
    from linter.core.runner import assemble, parse_all
    from linter.core.workspace import Workspace

    os.chdir(tmp_path)
    loader = Loader(Workspace(tmp_path), REGISTRY)
    parsed, _ = parse_all(Settings(root=tmp_path, rules=[], formats=REGISTRY), loader, ["nginx/nginx.conf"])
    (unit,) = assemble(parsed, loader)
    http = next(unit.model.root.blocks("http"))
    assert [d.arg(1) for d in http.own("add_header")] == ["DENY", "SAMEORIGIN"]
    assert [f.path for f in unit.files] == ["nginx/nginx.conf", "nginx/conf.d/a.conf", "nginx/conf.d/b.conf"]
    assert unit.model.problems == []


def test_missing_include_is_a_warning_at_the_argument(tmp_path: Path) -> None:
    write(tmp_path, {"nginx/nginx.conf": "http {\n    include snippets/tls.conf;\n}\n"})
    result = lint_paths(["nginx"], tmp_path, select=["DL003"])
    assert found(result) == [("DL003", "nginx/nginx.conf", 2, 13)]
    assert result.shown[0].severity is Severity.WARNING
    assert "nginx/snippets/tls.conf" in result.shown[0].message


@pytest.mark.parametrize("target", ["/etc/passwd", "../../outside.conf", "../../*.conf"])
def test_include_outside_the_root_is_an_error_and_not_read(tmp_path: Path, target: str) -> None:
    write(
        tmp_path, {"root/nginx/nginx.conf": f"http {{\n    include {target};\n}}\n", "outside.conf": "client_max_body_size 0;\n"}
    )
    result = lint_paths(["nginx"], tmp_path / "root", select=["DL003", "NGX303"])
    assert found(result) == [("DL003", "nginx/nginx.conf", 2, 13)]
    assert result.shown[0].severity is Severity.ERROR
    assert "outside the scanned root" in result.shown[0].message


def test_symlink_out_of_the_root_is_not_followed(tmp_path: Path) -> None:
    write(
        tmp_path, {"root/nginx/nginx.conf": "http {\n    include conf.d/*.conf;\n}\n", "secret.conf": "client_max_body_size 0;\n"}
    )
    (tmp_path / "root/nginx/conf.d").mkdir()
    os.symlink(tmp_path / "secret.conf", tmp_path / "root/nginx/conf.d/link.conf")
    result = lint_paths(["nginx/nginx.conf"], tmp_path / "root", select=["DL003", "NGX303"])
    assert found(result) == [("DL003", "nginx/nginx.conf", 2, 13)]
    assert "symlink" in result.shown[0].message


def test_include_cycle_is_reported_once_and_terminates(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx/nginx.conf": "http {\n    include a.conf;\n}\n",
            "nginx/a.conf": "include b.conf;\n",
            "nginx/b.conf": "server_tokens off;\ninclude a.conf;\n",
        },
    )
    result = lint_paths(["nginx"], tmp_path, select=["DL003", "NGX301"])
    assert found(result) == [("DL003", "nginx/b.conf", 2, 9)]
    assert "a.conf -> nginx/b.conf -> nginx/a.conf" in result.shown[0].message


def test_self_including_fragments_alone_still_lint(tmp_path: Path) -> None:
    write(tmp_path, {"nginx/a.conf": "include b.conf;\nclient_max_body_size 0;\n", "nginx/b.conf": "include a.conf;\n"})
    result = lint_paths(["nginx"], tmp_path, select=["DL003", "NGX303"])
    assert [(r, f) for r, f, *_ in found(result)] == [("NGX303", "nginx/a.conf"), ("DL003", "nginx/b.conf")]


def test_include_depth_and_count_limits(tmp_path: Path) -> None:
    files = {f"nginx/d{i}.conf": f"include d{i + 1}.conf;\n" for i in range(6)}
    files["nginx/nginx.conf"] = "http {\n    include d0.conf;\n}\n"
    files["nginx/d6.conf"] = "server_tokens off;\n"
    write(tmp_path, files)
    result = lint_paths(["nginx/nginx.conf"], tmp_path, select=["DL003"], limits=Limits(max_include_depth=3))
    assert found(result) == [("DL003", "nginx/d2.conf", 1, 9)]
    assert "max_include_depth" in result.shown[0].message
    result = lint_paths(["nginx/nginx.conf"], tmp_path, select=["DL003"], limits=Limits(max_includes=2))
    assert found(result) == [("DL003", "nginx/d1.conf", 1, 9)]
    assert "max_includes" in result.shown[0].message


def test_nested_includes_resolve_against_the_main_config_directory(tmp_path: Path) -> None:
    # h5bp style: conf.d/site.conf includes `h5bp/basic.conf`, relative to nginx's prefix
    write(
        tmp_path,
        {
            "nginx/nginx.conf": "http {\n    server_tokens off;\n    include conf.d/*.conf;\n}\n",
            "nginx/conf.d/site.conf": "server {\n    listen 80;\n    include h5bp/limits.conf;\n}\n",
            "nginx/h5bp/limits.conf": "client_max_body_size 0;\n",
        },
    )
    result = lint_paths(["nginx"], tmp_path, select=["DL003", "NGX303"])
    assert found(result) == [("NGX303", "nginx/h5bp/limits.conf", 1, 22)]


def test_nginx_prefix_option_is_the_only_base(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "deploy/nginx.conf": "http {\n    include conf.d/site.conf;\n}\n",
            "deploy/conf.d/site.conf": "client_max_body_size 0;\n",
            "prefix/conf.d/site.conf": "client_max_body_size 1m;\n",
        },
    )
    default = lint_paths(["deploy/nginx.conf"], tmp_path, select=["NGX303"])
    assert found(default) == [("NGX303", "deploy/conf.d/site.conf", 1, 22)]
    prefixed = lint_paths(["deploy/nginx.conf"], tmp_path, select=["NGX303"], options={"nginx_prefix": str(tmp_path / "prefix")})
    assert found(prefixed) == []


def test_cli_passes_nginx_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.cli import main

    write(tmp_path, {"deploy/nginx.conf": "http {\n    include site.conf;\n}\n", "prefix/site.conf": "client_max_body_size 0;\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["deploy/nginx.conf", "--select", "NGX303,DL003", "--nginx-prefix", "prefix", "--no-color"]) == 1
    assert main(["deploy/nginx.conf", "--select", "NGX303", "--no-color"]) == 0


def test_included_files_are_linted_once_in_their_includers_context(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx/nginx.conf": "http {\n    add_header X-Frame-Options DENY always;\n    include conf.d/*.conf;\n}\n",
            "nginx/conf.d/site.conf": "server {\n    listen 80;\n    return 200 ok;\n}\n",
        },
    )
    result = lint_paths(["nginx"], tmp_path, select=["NGX101", "NGX107"])
    assert found(result) == []  # the server inherits X-Frame-Options from http: no standalone "missing"


def test_fragment_alone_gets_no_missing_header_findings(tmp_path: Path) -> None:
    write(tmp_path, {"conf.d/site.conf": SERVER_TLS, "snippets/api.conf": "location /api/ {\n    proxy_pass http://app;\n}\n"})
    result = lint_paths(["conf.d", "snippets"], tmp_path, select=["NGX"])
    # what an includer provides (headers, server_tokens, ssl_protocols, limit_req) is unknown, not missing
    assert found(result) == []


def test_fragment_alone_still_reports_what_it_writes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "conf.d/site.conf": SERVER_TLS.replace(
                "root /srv/www;", "location /a/ {\n        add_header Cache-Control no-store;\n    }"
            )
        },
    )
    result = lint_paths(["conf.d"], tmp_path, select=["NGX"])
    # a location with its own add_header has a fully known header set
    assert sorted({r for r, *_ in found(result)}) == ["NGX101", "NGX102", "NGX103"]


def test_fragment_passed_alone_uses_the_nginx_conf_on_disk(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx/nginx.conf": "http {\n    server_tokens on;\n    ssl_protocols TLSv1.2;\n    include conf.d/*.conf;\n}\n",
            "nginx/conf.d/site.conf": SERVER_TLS.replace(
                "root /srv/www;",
                (
                    "location /a/ {\n"
                    "        add_header X-Frame-Options DENY always;\n"
                    "        add_header X-Content-Type-Options nosniff always;\n"
                    "        root /srv;\n"
                    "    }"
                ),
            ),
        },
    )
    result = lint_paths(["nginx/conf.d/site.conf"], tmp_path, select=["NGX"])
    # context known from nginx.conf: the server has no headers (NGX101/102/103 at the server, NGX103 at the
    # location); findings in nginx.conf itself (server_tokens on) are not reported: it was not passed
    assert found(result) == [
        ("NGX101", "nginx/conf.d/site.conf", 1, 1),
        ("NGX102", "nginx/conf.d/site.conf", 1, 1),
        ("NGX103", "nginx/conf.d/site.conf", 1, 1),
        ("NGX103", "nginx/conf.d/site.conf", 5, 5),
    ]
    assert result.files == ["nginx/conf.d/site.conf"]


def test_fragment_context_from_an_outer_nginx_conf(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "etc/nginx/nginx.conf": "http {\n    ssl_protocols TLSv1.2;\n    include sites/app/*.conf;\n}\n",
            "etc/nginx/sites/app/nginx.conf": "# an unrelated example file\nevents {}\n",
            "etc/nginx/sites/app/site.conf": SERVER_TLS,
        },
    )
    # the nearest nginx.conf does not include the site; the outer one does and gives the (known) context,
    # so the missing HSTS is certain; alone, the includer could have provided it
    result = lint_paths(["etc/nginx/sites/app/site.conf"], tmp_path, select=["NGX103"])
    assert found(result) == [("NGX103", "etc/nginx/sites/app/site.conf", 1, 1)]
    (tmp_path / "etc/nginx/nginx.conf").write_text("http {\n    include other/*.conf;\n}\n")
    assert found(lint_paths(["etc/nginx/sites/app/site.conf"], tmp_path, select=["NGX103"])) == []


# --- absolute includes under a stock nginx prefix -------------------------------------------

# The nginx.conf of the official Docker image (docker-nginx, stable/alpine), as repositories keep it.
DOCKER_NGINX_CONF = """user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
"""
APP_CONF = "server {\n    listen 80;\n    client_max_body_size 0;\n    return 301 https://$host$request_uri;\n}\n"


# The shape of the mime.types that nginx ships (a `types` block, no `;`-less lines).
MIME_TYPES = """
types {
    text/html                                        html htm shtml;
    text/css                                         css;
    application/javascript                           js;
    image/png                                        png;
    application/octet-stream                         bin exe dll;
}
"""


def _docker_tree(root: Path, with_mime_types: bool = True) -> None:
    write(root, {"deploy/nginx/nginx.conf": DOCKER_NGINX_CONF, "deploy/nginx/conf.d/app.conf": APP_CONF})
    if with_mime_types:
        write(root, {"deploy/nginx/mime.types": MIME_TYPES})


def test_stock_absolute_includes_resolve_next_to_the_main_config(tmp_path: Path) -> None:
    _docker_tree(tmp_path)
    result = lint_paths(["deploy"], tmp_path, select=["DL003", "NGX303"])
    # /etc/nginx/conf.d/*.conf is deploy/nginx/conf.d/*.conf: its server is evaluated
    assert found(result) == [("NGX303", "deploy/nginx/conf.d/app.conf", 3, 26)]
    assert "deploy/nginx/mime.types" in result.files


def test_stock_absolute_include_not_in_the_repository_is_a_warning(tmp_path: Path) -> None:
    _docker_tree(tmp_path, with_mime_types=False)
    result = lint_paths(["deploy"], tmp_path, select=["DL003", "NGX303"])
    assert found(result) == [("NGX303", "deploy/nginx/conf.d/app.conf", 3, 26), ("DL003", "deploy/nginx/nginx.conf", 14, 19)]
    (dl003,) = [f for f in result.shown if f.rule_id == "DL003"]
    assert dl003.severity is Severity.WARNING
    assert dl003.message == (
        "include '/etc/nginx/mime.types' is not in the repository (looked for deploy/nginx/mime.types); "
        "its content is not checked"
    )


def test_stock_absolute_glob_without_its_folder_is_a_warning(tmp_path: Path) -> None:
    _docker_tree(tmp_path)
    shutil.rmtree(tmp_path / "deploy/nginx/conf.d")
    result = lint_paths(["deploy"], tmp_path, select=["DL003"])
    assert found(result) == [("DL003", "deploy/nginx/nginx.conf", 30, 13)]
    assert result.shown[0].severity is Severity.WARNING
    assert "nothing matches deploy/nginx/conf.d/*.conf" in result.shown[0].message
    (tmp_path / "deploy/nginx/conf.d").mkdir()  # the folder is there, empty: like a relative glob, fine
    assert found(lint_paths(["deploy"], tmp_path, select=["DL003"])) == []


@pytest.mark.parametrize("target", ["/etc/nginx/../passwd", "/etc/nginxx/site.conf", "/usr/local/nginx/site.conf"])
def test_paths_outside_any_stock_prefix_stay_errors_and_are_not_read(tmp_path: Path, target: str) -> None:
    write(
        tmp_path,
        {
            "nginx/nginx.conf": f"http {{\n    include {target};\n}}\n",
            "nginx/passwd": "client_max_body_size 0;\n",
            "nginx/site.conf": "client_max_body_size 0;\n",
        },
    )
    result = lint_paths(["nginx/nginx.conf"], tmp_path, select=["DL003", "NGX303"])
    assert found(result) == [("DL003", "nginx/nginx.conf", 2, 13)]
    assert result.shown[0].severity is Severity.ERROR
    assert "outside the scanned root" in result.shown[0].message


def test_remapped_include_is_still_confined(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "root/nginx/nginx.conf": "http {\n    include /etc/nginx/snippets/tls.conf;\n}\n",
            "secret.conf": "client_max_body_size 0;\n",
        },
    )
    (tmp_path / "root/nginx/snippets").mkdir()
    os.symlink(tmp_path / "secret.conf", tmp_path / "root/nginx/snippets/tls.conf")
    result = lint_paths(["nginx"], tmp_path / "root", select=["DL003", "NGX303"])
    assert found(result) == [("DL003", "nginx/nginx.conf", 2, 13)]
    assert result.shown[0].severity is Severity.ERROR
    assert "nginx/snippets/tls.conf resolves outside the scanned root (symlink)" in result.shown[0].message


def test_debian_site_includes_snippets_from_the_config_directory(tmp_path: Path) -> None:
    # Debian: sites-enabled/default says `include /etc/nginx/snippets/...`; passed alone (pre-commit)
    # it is a fragment whose prefix is the nearest directory holding nginx.conf
    write(
        tmp_path,
        {
            "etc/nginx/nginx.conf": "http {\n    include /etc/nginx/sites-enabled/*;\n}\n",
            "etc/nginx/sites-enabled/default": (
                "server {\n    listen 443 ssl;\n    include /etc/nginx/snippets/snakeoil.conf;\n    root /var/www/html;\n}\n"
            ),
            "etc/nginx/snippets/snakeoil.conf": (
                "ssl_certificate /etc/ssl/certs/ssl-cert-snakeoil.pem;\nssl_certificate_key /etc/ssl/private/ssl-cert-snakeoil.key;\n"
            ),
        },
    )
    assert found(lint_paths(["etc/nginx/sites-enabled/default"], tmp_path, select=["DL003", "NGX204"])) == []
    (tmp_path / "etc/nginx/snippets/snakeoil.conf").write_text("ssl_certificate /etc/ssl/certs/ssl-cert-snakeoil.pem;\n")
    result = lint_paths(["etc/nginx"], tmp_path, select=["DL003", "NGX204"])
    assert found(result) == [("NGX204", "etc/nginx/sites-enabled/default", 2, 5)]


def test_stock_absolute_includes_use_the_nginx_prefix_option(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "deploy/nginx.conf": "http {\n    include /etc/nginx/conf.d/site.conf;\n}\n",
            "deploy/conf.d/site.conf": "client_max_body_size 1m;\n",
            "prefix/conf.d/site.conf": "client_max_body_size 0;\n",
        },
    )
    assert found(lint_paths(["deploy/nginx.conf"], tmp_path, select=["NGX303", "DL003"])) == []
    prefixed = lint_paths(
        ["deploy/nginx.conf"], tmp_path, select=["NGX303", "DL003"], options={"nginx_prefix": str(tmp_path / "prefix")}
    )
    assert found(prefixed) == [("NGX303", "prefix/conf.d/site.conf", 1, 22)]
