"""nginx include globs are expanded like file reads are confined: a directory
reached through a link out of the scanned root is never listed (its names are
never printed), and expansion is bounded by `max_includes`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_cli, write


def dl003(capsys: pytest.CaptureFixture[str], root: Path) -> list[tuple[int, int, str]]:
    code, out, err = run_cli(capsys, root, "--select", "DL003,NGX301", "--format", "json", ".")
    assert err == ""
    return [(f["line"], f["column"], f["message"]) for f in json.loads(out)["findings"]]


def test_a_glob_does_not_list_a_linked_directory_outside_the_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "home/.ssh/id_rsa", "not nginx\n")
    root = tmp_path / "repo"
    write(root, "nginx/nginx.conf", "events {}\nhttp {\n  include */*;\n}\n")
    write(root, "nginx/sites/app", "server { listen 80; server_tokens on; }\n")
    (root / "nginx" / "x").symlink_to(tmp_path / "home" / ".ssh")
    found = dl003(capsys, root)
    # The DL003 in nginx.conf, then the NGX301 of sites/app (read through the glob).
    assert [(line, column) for line, column, _ in found] == [(3, 11), (1, 35)]
    assert found[0][2] == "include '*/*': nginx/x resolves outside the scanned root (symlink); not read"
    assert not any("id_rsa" in message for _, _, message in found)  # before: nginx/x/id_rsa was named


def test_glob_expansion_through_links_to_itself_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, ".deploylint.yaml", "limits:\n  max_includes: 50\n")
    write(tmp_path, "nginx/nginx.conf", "events {}\nhttp {\n  include " + "*/" * 8 + "x.conf;\n  server_tokens on;\n}\n")
    for name in "abcd":
        (tmp_path / "nginx" / name).symlink_to(".")
    # 4 ** 8 = 65,536 paths before; the bound is hit when 64 directories are to be listed.
    assert dl003(capsys, tmp_path) == [
        (3, 11, "include '*/*/*/*/*/*/*/*/x.conf' expands to more than 50 paths (max_includes); not read"),
        (4, 17, "server_tokens is 'on'"),
    ]
