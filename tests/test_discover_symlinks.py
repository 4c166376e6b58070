"""Discovery never follows a link out of the scanned root, and keeps links
that stay inside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.core.discover import discover
from linter.formats import REGISTRY

MANIFEST = "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n"


def test_links_out_of_the_root_are_skipped_inside_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tmp_path / "repo", tmp_path / "elsewhere"
    (root / "k8s").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "k8s" / "app.yaml").write_text(MANIFEST, encoding="utf-8")
    try:
        (root / "k8s" / "escape.yaml").symlink_to(outside / "secret.yaml")
        (root / "k8s" / "alias.yaml").symlink_to(root / "k8s" / "app.yaml")
        (root / "linked-dir").symlink_to(outside, target_is_directory=True)
        (root / "k8s" / "loop.yaml").symlink_to(root / "k8s" / "loop.yaml")
    except OSError:
        pytest.skip("symlinks not supported here")
    expected = ["k8s/alias.yaml", "k8s/app.yaml"]
    assert [c.relpath for c in discover([str(root)], root, formats=REGISTRY)] == expected
    monkeypatch.chdir(root)
    found = discover(["."], root, formats=REGISTRY)
    assert [c.relpath for c in found] == expected
    assert all(Path(c.abspath).is_absolute() and c.abspath.startswith(str(root)) for c in found)
    assert [c.relpath for c in discover(["k8s/escape.yaml"], root, formats=REGISTRY)] == []
