"""Kustomize built in-process: the same objects as `kubectl kustomize`, every
finding at the line of the file that set the value, patches never linted as
whole objects, a base reported once whatever is linted, and every build that
cannot be made reported as DL007 at its line, the rest still linted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from cli_helpers import run_cli, write
from conftest import PROJECT, lint_paths, triples

from linter.core.loader import Loader
from linter.core.workspace import Workspace
from linter.formats import REGISTRY
from linter.formats.kubernetes.kustomize.render import render_build

SHOP = PROJECT / "tests" / "fixtures" / "kustomize" / "shop"
KUBECTL = shutil.which("kubectl")


def kubectl_objects(directory: Path) -> list[dict[str, object]]:
    out = subprocess.run([KUBECTL, "kustomize", str(directory)], check=True, capture_output=True, text=True, timeout=60).stdout  # type: ignore[list-item]
    objects = [d for d in yaml.safe_load_all(out) if d]
    for obj in objects:  # deploylint never prints secret values: compare their sizes
        if obj.get("kind") == "Secret" and isinstance(obj.get("data"), dict):
            obj["data"] = {k: f"<redacted: {len(v)} characters>" for k, v in obj["data"].items()}  # type: ignore[union-attr]
    return objects


def our_objects(directory: Path, root: Path) -> list[dict[str, object]]:
    loader = Loader(Workspace(root), REGISTRY)
    text, problems = render_build(directory / "kustomization.yaml", loader)
    assert problems == []
    return [d for d in yaml.safe_load_all(text) if d]


@pytest.mark.skipif(KUBECTL is None, reason="kubectl (the oracle) is not installed")
@pytest.mark.parametrize("overlay", ["base", "overlays/dev", "overlays/prod"])
def test_builds_equal_kubectl_kustomize_object_for_object_and_in_order(overlay: str) -> None:
    assert our_objects(SHOP / overlay, SHOP) == kubectl_objects(SHOP / overlay)


def test_render_prints_the_build_and_never_a_secret_value(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, SHOP, "render", "overlays/prod")
    assert (code, err) == (0, "")
    assert "name: prod-web-config-" in out and "registry.example.com/nginx:1.27.3" in out
    assert "not-a-real-token" not in out and "bm90LWEtcmVhbC10b2tlbg" not in out  # nor its base64
    assert "API_TOKEN: '<redacted: 24 characters>'" in out


# --- the reproducer: a 12-line patch --------------------------------------

BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  replicas: 2
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
        - name: api
          image: registry.example.com/api:1.0
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
"""

PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          resources: {limits: {memory: 4Gi}}
"""


def overlay_tree(root: Path, patch: str = PATCH) -> None:
    write(root, "base/deployment.yaml", BASE)
    write(root, "base/kustomization.yaml", "resources: [deployment.yaml]\n")
    write(root, "overlays/prod/kustomization.yaml", "resources: [../../base]\npatches:\n  - path: replicas.yaml\n")
    write(root, "overlays/prod/replicas.yaml", patch)


def test_a_patch_file_gives_no_finding_of_its_own_and_the_base_is_reported_in_the_base(tmp_path: Path) -> None:
    overlay_tree(tmp_path)
    result = lint_paths(["."], tmp_path)
    found = {(f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown}
    assert not [f for f in found if f[1].endswith("replicas.yaml")]
    # The probe-less container is reported once, at its line in the base.
    assert ("K8S201", "base/deployment.yaml", 13, 11) in found and ("K8S202", "base/deployment.yaml", 13, 11) in found
    # Before: the patch linted as a whole object gave K8S101/102/103/201/202/401/402/404/406.
    # Every rule runs here: the strict-only seccomp, service account and label rules judge the base too.
    assert sorted(r for r, *_ in found) == ["K8S013", "K8S201", "K8S202", "K8S410", "K8S418", "K8S419"]


def test_a_value_a_patch_sets_is_reported_at_the_patch_line(tmp_path: Path) -> None:
    overlay_tree(tmp_path, PATCH.replace("          resources: {limits: {memory: 4Gi}}\n",
                                         "          securityContext: {allowPrivilegeEscalation: true}\n"))
    result = lint_paths(["."], tmp_path, select=["K8S402"])
    assert triples(result) == [("K8S402", 10, 55)]
    assert result.shown[0].span.file == "overlays/prod/replicas.yaml"


def test_an_inline_patch_is_reported_at_its_line_inside_the_kustomization(tmp_path: Path) -> None:
    overlay_tree(tmp_path)
    write(tmp_path, "overlays/prod/kustomization.yaml", """\
resources: [../../base]
patches:
  - target: {kind: Deployment, name: backend}
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation
        value: true
""")
    (tmp_path / "overlays/prod/replicas.yaml").unlink()
    result = lint_paths(["."], tmp_path, select=["K8S402"])
    assert [(f.span.file, f.span.line, f.span.column) for f in result.shown] == [("overlays/prod/kustomization.yaml", 7, 16)]


def test_an_image_tag_an_overlay_sets_is_not_reported_on_the_base(tmp_path: Path) -> None:
    overlay_tree(tmp_path)
    write(tmp_path, "base/deployment.yaml", BASE.replace("registry.example.com/api:1.0", "registry.example.com/api"))
    write(tmp_path, "overlays/prod/kustomization.yaml", "resources: [../../base]\nimages:\n  - name: registry.example.com/api\n    newTag: latest\n")
    result = lint_paths(["."], tmp_path, select=["K8S501"])
    # The tag comes from the overlay: the finding is where `newTag` says latest.
    assert [(f.span.file, f.span.line) for f in result.shown] == [("overlays/prod/kustomization.yaml", 4)]
    write(tmp_path, "overlays/prod/kustomization.yaml", "resources: [../../base]\nimages:\n  - name: registry.example.com/api\n    newTag: 1.4.2\n")
    assert lint_paths(["."], tmp_path, select=["K8S501"]).shown == []


# --- the same answer, whatever is linted ------------------------------------------


@pytest.mark.parametrize("named", ["base/web.yaml", "base", "overlays/prod/probes-patch.yaml", "overlays"])
def test_a_file_gets_the_same_findings_alone_with_its_folder_and_with_the_tree(named: str) -> None:
    whole = lint_paths(["."], SHOP)
    part = lint_paths([named], SHOP)
    under = named if named.endswith(".yaml") else named + "/"
    expected = [(f.rule_id, f.span, f.message) for f in whole.shown if f.span.file == named or f.span.file.startswith(under)]
    assert [(f.rule_id, f.span, f.message) for f in part.shown] == expected


def test_a_base_under_two_overlays_is_reported_once_and_names_the_build(tmp_path: Path) -> None:
    overlay_tree(tmp_path)
    write(tmp_path, "overlays/dev/kustomization.yaml", "resources: [../../base]\nnameSuffix: -dev\n")
    result = lint_paths(["."], tmp_path, select=["K8S201"])
    assert [(f.span.file, f.span.line, f.message) for f in result.shown] == [
        ("base/deployment.yaml", 13, "container 'api' in Deployment/backend-dev has no livenessProbe"),
    ]
    # Every overlay it was seen in is named (JSON `built_by`, SARIF related locations).
    assert result.shown[0].extra["built_by"] == ["overlays/dev/kustomization.yaml", "overlays/prod/kustomization.yaml"]


def test_sarif_names_the_builds_of_a_base_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    overlay_tree(tmp_path)
    write(tmp_path, "overlays/dev/kustomization.yaml", "resources: [../../base]\n")
    code, out, _ = run_cli(capsys, tmp_path, "--select", "K8S201", "--format", "sarif", ".")
    (result,) = json.loads(out)["runs"][0]["results"]
    assert [r["message"]["text"] for r in result["relatedLocations"]] == [
        "built by overlays/dev/kustomization.yaml", "built by overlays/prod/kustomization.yaml"]


# --- bad input ----------------------------------------------------------------------


def dl007(result: object) -> list[tuple[str, int, int, str]]:
    return [(f.span.file, f.span.line, f.span.column, f.message) for f in result.shown if f.rule_id == "DL007"]  # type: ignore[attr-defined]


def test_a_kustomization_cycle_is_reported_not_followed(tmp_path: Path) -> None:
    write(tmp_path, "a/kustomization.yaml", "resources: [../b]\n")
    write(tmp_path, "b/kustomization.yaml", "resources: [../a]\n")
    found = dl007(lint_paths(["."], tmp_path))
    assert ("b/kustomization.yaml", 1, 13, "kustomization cycle: a/kustomization.yaml -> b/kustomization.yaml -> a/kustomization.yaml") in found
    assert ("a/kustomization.yaml", 1, 13, "resource '../b' was not built (see its findings)") in found


def test_reads_outside_the_root_are_refused_and_the_rest_is_linted(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(tmp_path, "secret/passwd", "root:x:0:0\n")
    write(root, "app/kustomization.yaml", "resources: [../../secret/passwd]\n")
    write(root, "gen/kustomization.yaml", "configMapGenerator:\n  - name: x\n    files: [/etc/passwd]\n")
    os.symlink(tmp_path / "secret", root / "link")
    write(root, "linked/kustomization.yaml", "resources: [../link/passwd]\n")
    write(root, "plain.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: 'a:1', securityContext: {privileged: true}}]\n")
    result = lint_paths(["."], root)
    messages = {(f, m) for f, _, _, m in dl007(result)}
    assert ("app/kustomization.yaml", "'../../secret/passwd' is outside the scanned root (after resolving symlinks): not read, not built") in messages
    assert ("gen/kustomization.yaml", "'passwd' is outside the scanned root (after resolving symlinks): not read") in messages
    assert ("linked/kustomization.yaml", "'../link/passwd' is outside the scanned root (after resolving symlinks): not read, not built") in messages
    assert any(f.rule_id == "K8S403" and f.span.file == "plain.yaml" for f in result.shown)
    assert all("root:x" not in f.message for f in result.shown)


@pytest.mark.parametrize(
    ("kustomization", "message", "line"),
    [
        ("resources: [deployment.yaml]\npatches:\n  - patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: nothing}\n",
         "patch for Deployment 'nothing' matches no object of the build: not built", 3),
        ("resources: [deployment.yaml]\npatches:\n  - target: {kind: Deployment}\n    patch: |-\n      - op: replace\n        path: /spec/nothing/here\n        value: 1\n",
         "JSON 6902 patch:", 6),
        ("resources: [deployment.yaml]\nhelmCharts:\n  - name: redis\n",
         "not built: `helmCharts` (Helm charts inflated by kustomize) is not supported; this kustomization's objects are not linted", 2),
        ("resources:\n  - https://github.com/example/repo//base?ref=v1\n",
         "not built: remote resource 'https://github.com/example/repo//base?ref=v1' (deploylint reads no network)", 2),
        ("resources: [deployment.yaml]\nnamePrefx: x-\n", "unknown kustomization field 'namePrefx' (kustomize refuses it): not built", 2),
    ],
)
def test_a_build_that_cannot_be_made_is_dl007_at_its_line(tmp_path: Path, kustomization: str, message: str, line: int) -> None:
    write(tmp_path, "app/deployment.yaml", BASE)
    write(tmp_path, "app/kustomization.yaml", kustomization)
    write(tmp_path, "other.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: 'a:1', securityContext: {privileged: true}}]\n")
    result = lint_paths(["."], tmp_path)
    found = dl007(result)
    assert len(found) == 1 and found[0][0] == "app/kustomization.yaml" and found[0][1] == line and found[0][3].startswith(message), found
    assert any(f.rule_id == "K8S403" and f.span.file == "other.yaml" for f in result.shown)


def test_the_cli_exit_code_says_a_build_failed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app/kustomization.yaml", "resources: [missing.yaml]\n")
    code, out, _ = run_cli(capsys, tmp_path, "app")
    assert code == 1
    assert out.startswith("app/kustomization.yaml:1:13: error[DL007] 'missing.yaml' does not exist: not built")
    code, _, err = run_cli(capsys, tmp_path, "render", "app")
    assert code == 1 and "DL007 'missing.yaml' does not exist: not built" in err


def test_a_component_is_built_only_inside_the_kustomizations_that_list_it(tmp_path: Path) -> None:
    """Alone, a component's patches target nothing: that is not a broken build."""
    overlay_tree(tmp_path)
    write(tmp_path, "components/debug/kustomization.yaml", """\
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - target: {kind: Deployment}
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation
        value: true
""")
    assert dl007(lint_paths(["."], tmp_path)) == []
    write(tmp_path, "overlays/prod/kustomization.yaml", "resources: [../../base]\ncomponents: [../../components/debug]\n")
    (tmp_path / "overlays/prod/replicas.yaml").unlink()
    result = lint_paths(["."], tmp_path, select=["K8S402", "DL007"])
    assert [(f.rule_id, f.span.file, f.span.line) for f in result.shown] == [("K8S402", "components/debug/kustomization.yaml", 8)]


def test_an_empty_kustomization_is_reported_not_passed(tmp_path: Path) -> None:
    write(tmp_path, "app/kustomization.yaml", "")
    assert dl007(lint_paths(["."], tmp_path)) == [("app/kustomization.yaml", 1, 1, "empty kustomization: nothing to build (kustomize refuses it)")]
