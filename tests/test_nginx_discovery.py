"""Finding nginx files without the usual names (issue 14, item 7): extension-less
vhost files anywhere are told by their content, and a named file of no known
format is a DL008 warning, not a usage error."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lint_paths, triples

from linter.cli import main

GITLAB_SSL = """## GitLab
##
upstream gitlab-workhorse {
  server unix:/var/opt/gitlab/gitlab-workhorse/sockets/socket;
}

server {
  listen 0.0.0.0:443 ssl;
  server_name gitlab.example.com;
  client_max_body_size 0;
}
"""

MASTODON = """map $http_upgrade $connection_upgrade {
  default upgrade;
  ''      close;
}

proxy_cache_path /var/cache/nginx levels=1:2 keys_zone=CACHE:10m inactive=7d max_size=1g;

server {
  listen 80;
  server_name mastodon.example.com;
  client_max_body_size 0;
}
"""

NOT_NGINX = {
    "scripts/setup": "#!/bin/sh\ncat > /etc/nginx/conf.d/site.conf <<EOF\nserver {\n    listen 80;\n}\nEOF\n",
    "docs/README": "Put this in your config:\n\nserver {\n    listen 80;\n}\n",
    "Makefile": "all:\n\techo 'server {'\n",
    "Caddyfile": "localhost {\n    reverse_proxy 127.0.0.1:8080\n}\n",
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_extension_less_vhost_files_are_found_anywhere(tmp_path: Path) -> None:
    write(tmp_path, {"lib/support/nginx/gitlab-ssl": GITLAB_SSL, "dist/mastodon": MASTODON, **NOT_NGINX})
    result = lint_paths(["."], tmp_path, select=["DL001", "NGX303"])
    assert sorted(result.files) == ["dist/mastodon", "lib/support/nginx/gitlab-ssl"]
    assert [(f.span.file, f.rule_id, f.span.line, f.span.column) for f in result.shown] == [
        ("dist/mastodon", "NGX303", 11, 24),
        ("lib/support/nginx/gitlab-ssl", "NGX303", 10, 24),
    ]


def test_a_named_extension_less_vhost_is_nginx(tmp_path: Path) -> None:
    write(tmp_path, {"gitlab-ssl": GITLAB_SSL})
    assert triples(lint_paths(["gitlab-ssl"], tmp_path, select=["NGX303"])) == [("NGX303", 10, 24)]


@pytest.mark.parametrize("name", sorted(NOT_NGINX))
def test_a_named_file_of_no_known_format_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    write(tmp_path, {"gitlab-ssl": GITLAB_SSL, name: NOT_NGINX[name]})
    (tmp_path / ".git").mkdir()
    result = lint_paths(["gitlab-ssl", name], tmp_path, select=["DL008", "NGX303"])
    assert sorted((f.span.file, f.rule_id, f.span.line, f.span.column, f.severity.value) for f in result.shown) == sorted([
        (name, "DL008", 1, 1, "warning"),
        ("gitlab-ssl", "NGX303", 10, 24, "warning"),
    ])
    monkeypatch.chdir(tmp_path)
    assert main(["--fail-on", "error", "gitlab-ssl", name]) == 0  # linted, not a usage error
    assert f"{name}:1:1: warning[DL008] cannot tell the file's format" in capsys.readouterr().out
    assert main(["--ignore-unknown", "--fail-on", "error", name]) == 0
    assert "DL008" not in capsys.readouterr().out
