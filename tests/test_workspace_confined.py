"""`Workspace.confined` resolves each directory once a run; what it answers
must stay what resolving the whole path says, link by link."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.core.workspace import Workspace


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    (root / "app" / "deep").mkdir(parents=True)
    outside.mkdir()
    (root / "app" / "deploy.yaml").write_text("kind: Pod\n")
    (root / "app" / "deep" / "cm.yaml").write_text("kind: ConfigMap\n")
    (outside / "secret.yaml").write_text("kind: Secret\n")
    (root / "app" / "linked-in").symlink_to(root / "app" / "deep")  # a directory link that stays inside
    (root / "app" / "linked-out").symlink_to(outside)  # one that leaves the root
    (root / "app" / "file-out.yaml").symlink_to(outside / "secret.yaml")
    (root / "app" / "file-in.yaml").symlink_to(root / "app" / "deploy.yaml")
    return root, outside


def test_confined_answers_as_resolving_the_whole_path(tree: tuple[Path, Path]) -> None:
    root, outside = tree
    workspace = Workspace(root)
    inside = [
        root / "app" / "deploy.yaml",
        root / "app" / "deep" / "cm.yaml",
        root / "app" / "linked-in" / "cm.yaml",
        root / "app" / "file-in.yaml",
        root / "app" / "missing.yaml",
        root / "app" / "deep" / ".." / "deploy.yaml",
        root / "app" / "deep" / "..",
    ]
    refused = [
        root / "app" / "linked-out" / "secret.yaml",
        root / "app" / "file-out.yaml",
        root / "app" / "linked-out" / "missing.yaml",
        root / ".." / "outside" / "secret.yaml",
        root / "app" / "bad\0name.yaml",
    ]
    for _ in range(2):  # the second round answers from the directories already resolved
        assert [workspace.confined(p) for p in inside] == [p.resolve() for p in inside]
        assert [workspace.confined(p) for p in refused] == [None] * len(refused)
    assert workspace.confined(root / "app" / "linked-in" / "cm.yaml") == root.resolve() / "app" / "deep" / "cm.yaml"
    assert (outside / "secret.yaml").is_file()
