"""Rules that relate objects look inside one deployment (a Kustomize build, a
chart's render, or the plain manifests of one directory), completed from disk:
a file gets the same findings linted alone (the pre-commit hook), with its
directory, with the whole repository, and from any working directory."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import lint_paths

WORKLOAD = """apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 1
  template:
    spec:
      containers: [{name: api, image: "registry.example.com/api:1.0.0"}]
"""

AUTOSCALER = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 6
"""

# Two bundles that reuse a name and a namespace: only `scaled` has an autoscaler.
TREE = {
    "scaled/k8s/api.yaml": WORKLOAD,
    "scaled/k8s/hpa.yaml": AUTOSCALER,
    "single/k8s/api.yaml": WORKLOAD,
    "single/k8s/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\n",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel, text in TREE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return tmp_path


def replica_findings(paths: list[str], root: Path, prefix: str = "") -> list[tuple[str, int, int]]:
    result = lint_paths(paths, root, select=["K8S302"])
    return sorted((prefix + f.span.file, f.span.line, f.span.column) for f in result.shown)


@pytest.mark.parametrize("named", [".", "single", "single/k8s", "single/k8s/api.yaml", "scaled/k8s/api.yaml", "scaled"])
def test_an_autoscaler_in_a_sibling_bundle_never_scales_a_workload(tree: Path, named: str) -> None:
    expected = [("single/k8s/api.yaml", 5, 13)] if named in (".",) or named.startswith("single") else []
    assert replica_findings([named], tree) == expected


def test_a_file_linted_alone_sees_the_rest_of_its_directory_on_disk(tree: Path) -> None:
    # The pre-commit hook names only the changed file: its autoscaler sits beside it.
    assert replica_findings(["scaled/k8s/api.yaml"], tree) == []
    (tree / "scaled/k8s/hpa.yaml").unlink()
    assert replica_findings(["scaled/k8s/api.yaml"], tree) == [("scaled/k8s/api.yaml", 5, 13)]


def test_the_answer_does_not_depend_on_the_working_directory(tree: Path) -> None:
    from_top = replica_findings(["."], tree)
    from_bundle = replica_findings(["k8s/api.yaml"], tree / "single", prefix="single/")
    from_directory = replica_findings(["api.yaml"], tree / "single/k8s", prefix="single/k8s/")
    assert from_top == from_bundle == from_directory == [("single/k8s/api.yaml", 5, 13)]


def test_context_is_read_as_a_walk_would_find_it(tree: Path) -> None:
    # What the walk skips (git-ignored, excluded) vouches for nothing, alone or in the tree.
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    (tree / ".gitignore").write_text("hpa.yaml\n", encoding="utf-8")
    alone = lint_paths(["scaled/k8s/api.yaml"], tree, select=["K8S302"], respect_gitignore=True)
    whole = lint_paths(["."], tree, select=["K8S302"], respect_gitignore=True)
    assert [f.span.file for f in alone.shown] == [f.span.file for f in whole.shown][:1] == ["scaled/k8s/api.yaml"]
    (tree / ".gitignore").unlink()
    result = lint_paths(["scaled/k8s/api.yaml"], tree, select=["K8S302"], excludes=("hpa.yaml",))
    assert [f.span.file for f in result.shown] == ["scaled/k8s/api.yaml"]


def test_a_plain_file_beside_a_kustomization_that_does_not_use_it_stands_alone(tree: Path) -> None:
    (tree / "scaled/k8s/kustomization.yaml").write_text("resources: [api.yaml]\n", encoding="utf-8")
    # The build holds the workload, not the autoscaler the build leaves out.
    assert replica_findings(["."], tree) == [("scaled/k8s/api.yaml", 5, 13), ("single/k8s/api.yaml", 5, 13)]
    assert replica_findings(["scaled/k8s/api.yaml"], tree) == [("scaled/k8s/api.yaml", 5, 13)]
    (tree / "scaled/k8s/kustomization.yaml").write_text("resources: [api.yaml, hpa.yaml]\n", encoding="utf-8")
    assert replica_findings(["scaled/k8s/api.yaml"], tree) == replica_findings(["scaled"], tree) == []
