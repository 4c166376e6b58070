"""A directory that cannot be listed is a finding on that directory, and the
rest of the tree is linted (a walk that silently passes over it is green while
checking nothing)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_helpers import run_cli, write

POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: c, image: "nginx:latest"}\n'
LOCKED = ("locked", "config.d")


def tree(root: Path) -> None:
    write(root, "locked/pod.yaml", POD)
    write(root, "ok.yaml", POD)
    write(root, "ch/config.xml", "<clickhouse><listen_host>::</listen_host></clickhouse>\n")
    write(root, "ch/config.d/a.xml", "<clickhouse/>\n")


def lint(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, list[tuple[str, str, int, int, str]]]:
    code, out, err = run_cli(capsys, root, "--select", "K8S501,DL", "--format", "json", ".")
    assert err == ""
    return code, [(f["rule"], f["file"], f["line"], f["column"], f["message"]) for f in json.loads(out)["findings"]]


EXPECTED = [
    ("DL001", "ch/config.d", 1, 1, "cannot list directory: Permission denied; its files were not linted"),
    ("DL001", "locked", 1, 1, "cannot list directory: Permission denied; its files were not linted"),
    ("K8S501", "ok.yaml", 6, 24, "container 'c' in Pod/p: image 'nginx:latest' uses the mutable tag 'latest'"),
]


def test_a_directory_that_cannot_be_listed_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing refused as for a directory of another user (simulated: the tests may run as root)."""
    tree(tmp_path)
    scandir, listdir = os.scandir, os.listdir

    def refused(real):  # type: ignore[no-untyped-def]
        def call(path="."):  # type: ignore[no-untyped-def]
            if Path(os.fspath(path)).name in LOCKED:
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path)
        return call

    monkeypatch.setattr(os, "scandir", refused(scandir))
    monkeypatch.setattr(os, "listdir", refused(listdir))
    code, found = lint(capsys, tmp_path)
    assert (code, found) == (1, EXPECTED)


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists any directory")
def test_a_directory_without_read_permission_is_a_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree(tmp_path)
    for name in ("locked", "ch/config.d"):
        (tmp_path / name).chmod(0o300)
    try:
        code, found = lint(capsys, tmp_path)
    finally:
        for name in ("locked", "ch/config.d"):
            (tmp_path / name).chmod(0o700)
    assert (code, found) == (1, EXPECTED)


@pytest.mark.parametrize(
    "encoding, found",
    [
        ("utf-16", [("CH203", "config.xml", 2, 99)]),  # with its byte order mark: read in it
        ("utf-16-be", [("CH203", "config.xml", 2, 99)]),
        ("utf-16-le-no-bom", [("DL001", "config.xml", 1, 1)]),  # not a valid XML encoding: said so, not skipped
    ],
)
def test_a_utf16_clickhouse_config_is_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str, found: list[tuple[str, str, int, int]]
) -> None:
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<clickhouse><listen_host>0.0.0.0</listen_host><users><default>'
        "<password>x</password><networks><ip>::/0</ip></networks></default></users></clickhouse>\n"
    )
    data = text.encode("utf-16-le") if encoding == "utf-16-le-no-bom" else ("\ufeff" + text).encode(encoding)
    (tmp_path / "config.xml").write_bytes(data)
    code, out, err = run_cli(capsys, tmp_path, "--select", "CH203,DL", "--format", "json", ".")
    assert err == "" and code == 1
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in json.loads(out)["findings"]] == found
