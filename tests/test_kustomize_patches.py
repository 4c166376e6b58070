"""The Kustomize patch engines: strategic merge and JSON 6902 on positioned
trees. Each result is checked for its values and for where its nodes point
(the patch for what a patch set, the base for the rest), inputs are checked
untouched, and a set of cases is compared with `kubectl kustomize`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode, Span, walk
from linter.formats.common.yaml_tree import parse_yaml_documents
from linter.formats.kubernetes.kustomize.errors import PatchError
from linter.formats.kubernetes.kustomize.jsonpatch import apply_json6902, parse_operations
from linter.formats.kubernetes.kustomize.merge import strategic_merge
from linter.formats.kubernetes.kustomize.tree import (
    from_python,
    items_replaced,
    pairs_replaced,
    set_path,
    synthetic_key,
    without_key,
)

BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
  finalizers: [a.example.com/x]
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      tolerations: [{key: a, operator: Exists}]
      volumes:
      - {name: data, emptyDir: {}}
      - {name: cache, emptyDir: {}}
      containers:
      - name: app
        image: app:1
        args: [--a, --b]
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
        ports:
        - {containerPort: 80, name: http}
        - {containerPort: 90, name: admin}
        volumeMounts:
        - {mountPath: /data, name: data}
        resources: {limits: {cpu: "1", memory: 1Gi}}
      - name: sidecar
        image: side:1
"""


def doc(text: str, file: str) -> MappingNode:
    documents, problems = parse_yaml_documents(text, file)
    assert not problems and isinstance(documents[0], MappingNode)
    return documents[0]


def node_list(text: str, file: str) -> Node:
    documents, problems = parse_yaml_documents(text, file)
    assert not problems
    return documents[0]


def where(node: Node | None) -> tuple[str, int, int]:
    assert node is not None
    return node.span.file, node.span.line, node.span.column


def at(root: Node, *steps: str | int) -> Node:
    node = root
    for step in steps:
        if isinstance(step, int):
            assert isinstance(node, SequenceNode)
            node = node.items[step]
        else:
            assert isinstance(node, MappingNode)
            child = node.get(step)
            assert child is not None, step
            node = child
    return node


def snapshot(root: Node) -> tuple[Any, list[tuple[int, int | None]]]:
    """What a patch must leave alone: the values, and each node's key object."""
    return root.to_python(), [(id(n), id(n.key) if n.key is not None else None) for n in walk(root)]


def merge(patch_text: str, base_text: str = BASE, kind: str = "Deployment") -> tuple[MappingNode | None, MappingNode, MappingNode]:
    base, patch = doc(base_text, "base.yaml"), doc(patch_text, "patch.yaml")
    before = snapshot(base), snapshot(patch)
    result = strategic_merge(base, patch, kind)
    assert (snapshot(base), snapshot(patch)) == before, "an input was mutated"
    return result, base, patch


HEAD = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
CONTAINERS = HEAD + "spec:\n  template:\n    spec:\n      containers:\n"


# --- tree helpers ---------------------------------------------------------------------------------


def test_pairs_replaced_pairs_each_value_with_its_own_key() -> None:
    base = doc("a: 1\nb: 2\n", "base.yaml")
    patch = doc("b: 3\n", "patch.yaml")
    result = pairs_replaced(base, "b", at(patch, "b"))
    assert result.to_python() == {"a": 1, "b": 3}
    assert result.pairs[1][0] is at(patch, "b").key and where(result.pairs[1][0]) == ("patch.yaml", 1, 1)
    assert result.pairs[0][1] is at(base, "a") and at(base, "b").key is base.pairs[1][0]
    fresh = pairs_replaced(base, "b", ScalarNode(4, Span.point("x.yaml", 9, 9)))
    assert fresh.pairs[1][0] is base.pairs[1][0]  # a fresh value takes the base's key node
    with pytest.raises(ValueError, match="detach"):
        pairs_replaced(base, "c", at(base, "a"))  # would re-key the base's node


def test_without_key_items_replaced_and_synthetic_key() -> None:
    base = doc("a: 1\nb: [x, y]\n", "base.yaml")
    assert without_key(base, "a").to_python() == {"b": ["x", "y"]}
    assert without_key(base, "zz") is base
    seq = at(base, "b")
    assert isinstance(seq, SequenceNode)
    assert items_replaced(seq, list(seq.items)) is seq
    swapped = items_replaced(seq, seq.items[::-1])
    assert swapped.to_python() == ["y", "x"] and swapped.span is seq.span
    key = synthetic_key("k", Span.point("g.yaml", 3, 5))
    assert key.text == "k" and where(key) == ("g.yaml", 3, 5)


def test_set_path_creates_intermediates_at_the_given_span() -> None:
    base = doc("metadata:\n  name: x\n", "base.yaml")
    here = Span.point("kustomization.yaml", 4, 3)
    result = set_path(base, ["metadata", "labels", "app"], ScalarNode("web", here), here)
    assert result.to_python() == {"metadata": {"name": "x", "labels": {"app": "web"}}}
    labels = at(result, "metadata", "labels")
    assert where(labels) == where(labels.key) == ("kustomization.yaml", 4, 3)
    assert at(result, "metadata").key is base.pairs[0][0] and at(result, "metadata", "name") is at(base, "metadata", "name")
    assert base.to_python() == {"metadata": {"name": "x"}}
    with pytest.raises(ValueError, match="not a mapping"):
        set_path(base, ["metadata", "name", "x"], ScalarNode(1, here), here)


def test_from_python_places_everything_at_one_span() -> None:
    here = Span.point("kustomization.yaml", 7, 5)
    node = from_python({"data": {"K": "v", "n": 1}, "list": [True, None]}, here)
    assert node.to_python() == {"data": {"K": "v", "n": 1}, "list": [True, None]}
    assert {where(n) for n in walk(node)} == {("kustomization.yaml", 7, 5)}


# --- strategic merge ------------------------------------------------------------------------------


def test_scalars_the_patch_sets_point_into_the_patch_the_rest_into_the_base() -> None:
    result, base, _ = merge(HEAD + "spec:\n  replicas: 5\n")
    assert result is not None and at(result, "spec", "replicas").to_python() == 5
    assert where(at(result, "spec", "replicas")) == ("patch.yaml", 6, 13)
    assert where(at(result, "spec", "replicas").key) == ("patch.yaml", 6, 3)
    assert where(at(result, "spec")) == ("base.yaml", 8, 3)  # merged: the base's mapping position
    assert at(result, "spec").key is at(base, "spec").key
    assert at(result, "spec", "template") is at(base, "spec", "template")  # untouched: the same object
    assert at(result, "metadata") is at(base, "metadata")  # the patch's name identifies, changes nothing


def test_containers_merge_by_name_and_keep_the_base_item_position() -> None:
    patch = CONTAINERS + "      - name: app\n        image: app:2\n        env:\n        - {name: B, value: two}\n        - {name: C, value: '3'}\n"
    result, base, _ = merge(patch)
    assert result is not None
    app = at(result, "spec", "template", "spec", "containers", 0)
    assert where(app) == ("base.yaml", 18, 9)
    assert where(at(app, "image")) == ("patch.yaml", 10, 16)
    assert at(app, "args") is at(base, "spec", "template", "spec", "containers", 0, "args")
    env = at(app, "env")
    assert env.to_python() == [{"name": "B", "value": "two"}, {"name": "C", "value": "3"}, {"name": "A", "value": "1"}]
    assert where(at(env, 0)) == ("base.yaml", 23, 11) and where(at(env, 0, "value")) == ("patch.yaml", 12, 28)
    assert where(at(env, 1)) == ("patch.yaml", 13, 11)
    assert at(env, 2) is at(base, "spec", "template", "spec", "containers", 0, "env", 0)
    sidecar = at(result, "spec", "template", "spec", "containers", 1)
    assert sidecar is at(base, "spec", "template", "spec", "containers", 1)


def test_null_deletes_and_nested_nulls_of_new_values_are_dropped() -> None:
    patch = HEAD + "  labels: {tier: null}\nspec:\n  replicas: null\n  strategy: {type: Recreate, rollingUpdate: null}\n"
    result, _, _ = merge(patch)
    assert result is not None
    assert at(result, "metadata", "labels").to_python() == {"app": "web"}
    assert "replicas" not in at(result, "spec")  # type: ignore[operator]
    assert at(result, "spec", "strategy").to_python() == {"type": "Recreate"}
    assert where(at(result, "spec", "strategy")) == ("patch.yaml", 8, 13)


def test_patch_delete_and_replace_directives() -> None:
    patch = CONTAINERS + (
        "      - name: sidecar\n        $patch: delete\n"
        "      - name: app\n        resources:\n          $patch: replace\n          requests: {cpu: 2}\n"
        "      volumes:\n      - $patch: replace\n      - {name: other, emptyDir: {}}\n"
    )
    result, _, _ = merge(patch)
    assert result is not None
    pod = at(result, "spec", "template", "spec")
    assert [c["name"] for c in at(pod, "containers").to_python()] == ["app"]
    assert at(pod, "containers", 0, "resources").to_python() == {"requests": {"cpu": 2}}
    assert where(at(pod, "containers", 0, "resources")) == ("patch.yaml", 13, 11)
    assert at(pod, "volumes").to_python() == [{"name": "other", "emptyDir": {}}]
    assert where(at(pod, "volumes", 0)) == ("patch.yaml", 17, 9)


def test_patch_delete_on_the_object_is_a_signal_not_an_object() -> None:
    result, _, _ = merge(HEAD + "$patch: delete\n")
    assert result is None


def test_list_item_without_its_merge_key_is_a_patch_error_at_the_item() -> None:
    with pytest.raises(PatchError) as caught:
        merge(CONTAINERS + "      - image: x:1\n")
    assert "merge key 'name'" in caught.value.message
    assert (caught.value.span.file, caught.value.span.line, caught.value.span.column) == ("patch.yaml", 9, 9)


def test_directives_are_accepted_and_dropped() -> None:
    patch = HEAD + "spec:\n  $retainKeys: [replicas]\n  template:\n    spec:\n      $setElementOrder/containers: [{name: app}]\n"
    result, base, _ = merge(patch)
    assert result is not None and result.to_python() == base.to_python()


def test_lists_of_custom_resources_are_replaced() -> None:
    base = "apiVersion: x.io/v1\nkind: Widget\nmetadata:\n  name: w\n  finalizers: [a]\nspec:\n  containers: [{name: a, image: a}]\n"
    patch = "apiVersion: x.io/v1\nkind: Widget\nmetadata:\n  name: w\n  finalizers: [b]\nspec:\n  containers: [{name: a, tag: b}]\n"
    result, _, _ = merge(patch, base, "Widget")
    assert result is not None
    assert result.to_python()["spec"] == {"containers": [{"name": "a", "tag": "b"}]}
    assert result.to_python()["metadata"]["finalizers"] == ["b"]
    assert where(at(result, "spec", "containers")) == ("patch.yaml", 7, 15)


def test_service_ports_merge_by_port() -> None:
    base = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80, targetPort: 8080}, {port: 443}]\n"
    patch = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 443, targetPort: 8443}]\n"
    result, _, _ = merge(patch, base, "Service")
    assert result is not None
    assert result.to_python()["spec"]["ports"] == [{"port": 443, "targetPort": 8443}, {"port": 80, "targetPort": 8080}]
    assert where(at(result, "spec", "ports", 0)) == ("base.yaml", 5, 41)


# --- JSON 6902 ------------------------------------------------------------------------------------


def ops(text: str) -> list[Any]:
    operations, problems = parse_operations(node_list(text, "ops.yaml"))
    assert not problems
    return operations


def apply(ops_text: str, base_text: str = BASE) -> tuple[MappingNode, MappingNode]:
    base = doc(base_text, "base.yaml")
    operations_node = node_list(ops_text, "ops.yaml")
    before = snapshot(base), snapshot(operations_node)
    operations, problems = parse_operations(operations_node)
    assert not problems
    result = apply_json6902(base, operations)
    assert (snapshot(base), snapshot(operations_node)) == before, "an input was mutated"
    return result, base


def test_json6902_values_keep_the_operation_positions() -> None:
    result, base = apply(
        "- op: replace\n  path: /spec/replicas\n  value: 3\n"
        "- op: add\n  path: /metadata/annotations\n  value: {team: a}\n"
        "- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: --c\n"
    )
    assert where(at(result, "spec", "replicas")) == ("ops.yaml", 3, 10)
    assert at(result, "spec", "replicas").key is at(base, "spec", "replicas").key
    assert where(at(result, "metadata", "annotations")) == ("ops.yaml", 6, 10)
    assert where(at(result, "metadata", "annotations").key) == ("ops.yaml", 5, 9)  # the key the path names
    args = at(result, "spec", "template", "spec", "containers", 0, "args")
    assert args.to_python() == ["--a", "--b", "--c"] and where(at(args, 2)) == ("ops.yaml", 9, 10)
    assert at(result, "spec", "template", "spec", "volumes") is at(base, "spec", "template", "spec", "volumes")


def test_json6902_move_and_copy_do_not_rekey_the_base() -> None:
    result, base = apply(
        "- {op: copy, from: /metadata/labels, path: /metadata/annotations}\n"
        "- {op: move, from: /spec/template/spec/containers/1, path: /spec/template/spec/containers/0}\n"
    )
    assert at(result, "metadata", "annotations").to_python() == {"app": "web", "tier": "front"}
    assert where(at(result, "metadata", "annotations")) == ("base.yaml", 5, 11)
    assert at(base, "metadata", "labels").key is not None and at(base, "metadata", "labels").key.text == "labels"  # type: ignore[union-attr]
    assert [c["name"] for c in at(result, "spec", "template", "spec", "containers").to_python()] == ["sidecar", "app"]


def test_json6902_pointer_escapes() -> None:
    base = 'metadata:\n  annotations: {"a/b": "1", "c~d": "2"}\n'
    result, _ = apply("- {op: remove, path: /metadata/annotations/a~1b}\n- {op: replace, path: /metadata/annotations/c~0d, value: x}\n", base)
    assert result.to_python() == {"metadata": {"annotations": {"c~d": "x"}}}


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("- {op: frobnicate, path: /a}\n", "unknown operation 'frobnicate'", 1, 8),
        ("- op: add\n  value: 1\n", "has no 'path'", 1, 3),
        ("- {op: add, path: /a~2b, value: 1}\n", "'~' not followed", 1, 19),
        ("- {op: add, path: a, value: 1}\n", "must start with '/'", 1, 19),
        ("- {op: move, path: /a}\n", "has no 'from'", 1, 3),
        ("- {op: replace, path: /a}\n", "has no 'value'", 1, 3),
        ("op: add\n", "must be a list", 1, 1),
    ],
)
def test_json6902_bad_operations_are_problems_with_spans(text: str, message: str, line: int, column: int) -> None:
    operations, problems = parse_operations(node_list(text, "ops.yaml"))
    assert not operations and len(problems) == 1
    assert message in problems[0].message
    assert (problems[0].span.file, problems[0].span.line, problems[0].span.column) == ("ops.yaml", line, column)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {op: replace, path: /spec/nope, value: 1}\n", "'/spec/nope' does not exist"),
        ("- {op: remove, path: /spec/template/spec/containers/5}\n", "does not exist"),
        ("- {op: remove, path: /spec/template/spec/containers/-}\n", "does not exist"),
        ("- {op: add, path: /spec/nope/deeper, value: 1}\n", "'/spec/nope' does not exist"),
        ("- {op: add, path: /spec/template/spec/containers/7, value: {}}\n", "out of range"),
        ("- {op: test, path: /spec/replicas, value: 3}\n", "test failed"),
        ("- {op: test, path: /spec/absent, value: 3}\n", "does not exist"),
        ("- {op: test, path: /spec/template/spec/containers/0/args, value: [--a]}\n", "test failed"),
        ("- {op: move, from: /spec, path: /spec/template/x}\n", "its own child"),
    ],
)
def test_json6902_paths_that_cannot_apply_raise_patch_error(text: str, message: str) -> None:
    base = doc(BASE, "base.yaml")
    with pytest.raises(PatchError) as caught:
        apply_json6902(base, ops(text))
    assert message in caught.value.message
    assert (caught.value.span.file, caught.value.span.line) == ("ops.yaml", 1)


def test_json6902_test_tells_true_from_one() -> None:
    base = doc("a: true\nb: 1.0\n", "base.yaml")
    assert apply_json6902(base, ops("- {op: test, path: /a, value: true}\n- {op: test, path: /b, value: 1}\n")) is base
    with pytest.raises(PatchError, match="test failed"):
        apply_json6902(base, ops("- {op: test, path: /a, value: 1}\n"))


# --- against kubectl kustomize --------------------------------------------------------------------

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, name: http}, {port: 443, targetPort: 8443, name: https}]
"""

POD = "spec:\n  template:\n    spec:\n"
SMP_CASES: dict[str, tuple[str, str]] = {
    "containers-by-name": (
        "Deployment",
        HEAD + POD + "      containers:\n      - {name: new, image: new:1}\n      - {name: app, image: app:2}\n",
    ),
    "env-add-replace-delete": (
        "Deployment",
        HEAD + POD + "      containers:\n      - name: app\n        env:\n"
        "        - {name: C, value: '3'}\n        - {name: A, value: one}\n        - {name: B, $patch: delete}\n",
    ),
    "container-ports": (
        "Deployment",
        HEAD + POD + "      containers:\n      - name: app\n        ports: [{containerPort: 90, name: adm}, {containerPort: 100}]\n",
    ),
    "volumes-and-mounts": (
        "Deployment",
        HEAD + POD + "      volumes: [{name: cache, $patch: delete}, {name: tmp, emptyDir: {}}]\n"
        "      containers:\n      - name: app\n        volumeMounts: [{mountPath: /data, readOnly: true}, {mountPath: /tmp, name: tmp}]\n",
    ),
    "delete-container": ("Deployment", HEAD + POD + "      containers:\n      - {name: sidecar, $patch: delete}\n"),
    "replace-mapping-and-list": (
        "Deployment",
        HEAD + POD + "      volumes:\n      - $patch: replace\n      - {name: only, emptyDir: {}}\n"
        "      containers:\n      - name: app\n        resources: {$patch: replace, requests: {cpu: '2'}}\n",
    ),
    "null-deletion": (
        "Deployment",
        HEAD + "  labels: {tier: null}\nspec:\n  replicas: null\n"
        "  template:\n    spec:\n      containers:\n      - name: app\n        resources: {limits: {memory: null}}\n",
    ),
    "replaced-lists-and-finalizers": (
        "Deployment",
        HEAD + "  finalizers: [b.example.com/y]\n" + POD
        + "      tolerations: [{key: b, operator: Exists}]\n      containers:\n      - {name: app, args: [--z]}\n",
    ),
    "service-ports": ("Service", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 443, targetPort: 9443}, {port: 8080}]\n"),
}

JSON_CASES: dict[str, str] = {
    "add-replace-remove": (
        "- {op: add, path: /metadata/annotations, value: {a: b}}\n- {op: replace, path: /spec/replicas, value: 4}\n"
        "- {op: remove, path: /spec/template/spec/tolerations}\n"
    ),
    "move-copy-test": (
        "- {op: test, path: /spec/replicas, value: 2}\n- {op: copy, from: /metadata/labels, path: /spec/template/metadata/annotations}\n"
        "- {op: move, from: /spec/template/spec/containers/0/env/1, path: /spec/template/spec/containers/1/env}\n"
    ),
    "array-append-and-insert": (
        "- {op: add, path: /spec/template/spec/containers/0/args/-, value: --c}\n"
        "- {op: add, path: /spec/template/spec/containers/0, value: {name: first, image: f:1}}\n"
        "- {op: remove, path: /spec/template/spec/containers/1/env/0}\n"
    ),
}


def kustomize(tmp_path: Path, kind: str, base: str, patch_file: str, patch: str, target: str = "") -> dict[str, Any]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the differential test needs `kubectl kustomize`")
    (tmp_path / "base.yaml").write_text(base)
    (tmp_path / patch_file).write_text(patch)
    (tmp_path / "kustomization.yaml").write_text(f"resources: [base.yaml]\npatches: [{{path: {patch_file}{target}}}]\n")
    run = subprocess.run([kubectl, "kustomize", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    objects = [o for o in yaml.safe_load_all(run.stdout) if o and o["kind"] == kind]
    assert len(objects) == 1
    return objects[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", sorted(SMP_CASES))
def test_strategic_merge_matches_kubectl_kustomize(tmp_path: Path, case: str) -> None:
    kind, patch = SMP_CASES[case]
    base = SERVICE if kind == "Service" else BASE
    expected = kustomize(tmp_path, kind, base, "patch.yaml", patch)
    result, _, _ = merge(patch, base, kind)
    assert result is not None
    assert result.to_python() == expected


@pytest.mark.parametrize("case", sorted(JSON_CASES))
def test_json6902_matches_kubectl_kustomize(tmp_path: Path, case: str) -> None:
    expected = kustomize(tmp_path, "Deployment", BASE, "ops.yaml", JSON_CASES[case], ", target: {kind: Deployment, name: web}")
    result, _ = apply(JSON_CASES[case])
    assert result.to_python() == expected
