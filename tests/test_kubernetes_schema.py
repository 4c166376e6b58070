"""Schema validation at the key (K8S903-K8S906): unknown fields with the
nearest name or where the key belongs, wrong types, missing required fields
and values outside a closed set, against the target release's schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import lint_text, triples

from linter.formats.kubernetes import api_subjects, schema
from linter.formats.kubernetes.schema_source import schema_sets

pytest.importorskip("kubernetes_validate")

SCHEMA_RULES = ["K8S903", "K8S904", "K8S905", "K8S906"]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: REPLICAS
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.4.2
CONTAINER
"""


def deployment(container: str, replicas: str = "3") -> str:
    return DEPLOYMENT.replace("REPLICAS", replicas).replace("CONTAINER", container)


def messages(result: object) -> list[str]:
    return [f.message for f in result.shown]  # type: ignore[attr-defined]


def test_a_misspelt_field_is_reported_at_its_key_with_the_nearest_name(tmp_path: Path) -> None:
    text = deployment("          livenesProbe:\n            httpGet: {path: /healthz, port: 8000}\n          Resources: {}")
    result = lint_text(tmp_path, "app.yaml", text, select=SCHEMA_RULES)
    assert triples(result) == [("K8S903", 15, 11), ("K8S903", 17, 11)]
    assert messages(result) == [
        "Deployment/api: unknown field 'livenesProbe' in spec.template.spec.containers[0] (Container) (did you mean 'livenessProbe'?)",
        "Deployment/api: unknown field 'Resources' in spec.template.spec.containers[0] (Container) (did you mean 'resources'?)",
    ]


def test_a_key_at_the_wrong_level_names_where_it_belongs(tmp_path: Path) -> None:
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {app: api}}\n" \
           "  template: {metadata: {labels: {app: api}}, spec: {containers: [{name: api, image: a:1}]}}\n" \
           "  serviceAccountName: api\n"
    result = lint_text(tmp_path, "app.yaml", text, select=SCHEMA_RULES)
    assert triples(result) == [("K8S903", 7, 3)]
    assert messages(result) == [
        "Deployment/api: unknown field 'serviceAccountName' in spec (DeploymentSpec) (serviceAccountName belongs at spec.template.spec.serviceAccountName)"
    ]


def test_wrong_types_at_the_key_and_what_is_not_wrong(tmp_path: Path) -> None:
    container = (
        "          ports:\n"
        "            - {name: http, containerPort: http}\n"
        "          livenessProbe: {httpGet: {path: /healthz, port: http}}\n"  # int-or-string: a name is fine
        "          resources: {limits: {cpu: 1, memory: 512Mi}}\n"  # quantities: number or string
        "          args: [--workers, 4]"
    )
    result = lint_text(tmp_path, "app.yaml", deployment(container, replicas='"3"'), select=SCHEMA_RULES)
    assert triples(result) == [("K8S904", 5, 3), ("K8S904", 16, 28), ("K8S904", 19, 29)]
    assert messages(result) == [
        "Deployment/api: spec.replicas must be integer, not string",
        "Deployment/api: spec.template.spec.containers[0].ports[0].containerPort must be integer, not string",
        "Deployment/api: spec.template.spec.containers[0].args[1] must be string, not integer",
    ]


def test_templated_values_are_not_judged(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "app.yaml", deployment("          imagePullPolicy: ${PULL_POLICY}", replicas='"${REPLICAS}"'),
                       select=SCHEMA_RULES)
    assert triples(result) == []


def test_missing_required_fields_point_at_the_mapping_that_lacks_them(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  ports:\n    - name: http\n      targetPort: 8000\n"
    result = lint_text(tmp_path, "svc.yaml", text, select=SCHEMA_RULES)
    assert triples(result) == [("K8S905", 6, 7)]
    assert messages(result) == ["Service/api: spec.ports[0] (ServicePort) lacks required port"]


def test_values_outside_a_closed_set(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "app.yaml", deployment("          imagePullPolicy: always"), select=SCHEMA_RULES)
    assert triples(result) == [("K8S906", 15, 11)]
    assert messages(result) == [
        "Deployment/api: spec.template.spec.containers[0].imagePullPolicy is 'always', not one of Always, IfNotPresent, Never"
    ]


def test_custom_resources_have_no_schema_and_are_skipped(tmp_path: Path) -> None:
    text = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: api}\nspec:\n  replicas: \"3\"\n  strategy: {canary: {}}\n"
    assert triples(lint_text(tmp_path, "rollout.yaml", text, select=SCHEMA_RULES)) == []


def test_fields_are_judged_against_the_target_release(tmp_path: Path) -> None:
    # Container.resizePolicy first appears in the 1.27 schemas.
    text = deployment("          resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]")
    assert triples(lint_text(tmp_path, "new.yaml", text, select=SCHEMA_RULES)) == []
    old = lint_text(tmp_path, "old.yaml", text, select=SCHEMA_RULES, options={"kubernetes_version": "1.26"})
    assert triples(old) == [("K8S903", 15, 11)]


def test_compiled_schemas_are_cached_per_kind_and_a_corrupt_cache_is_recompiled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPLOYLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("DEPLOYLINT_NO_CACHE", raising=False)
    first = schema.load_shapes((1, 30))
    assert first is not None and first.version == (1, 30)
    tree = first.tree("apps/v1", "Deployment")
    assert tree is not None and first.tree("argoproj.io/v1alpha1", "Rollout") is None
    [directory] = tmp_path.glob("k8s-schema-*-1.30")
    kind_file = directory / "apps_v1_Deployment.json"
    assert ["apps/v1", "Deployment"] in json.loads((directory / "index.json").read_text())
    assert len(json.loads(kind_file.read_text())) == len(tree.shapes)

    real_definitions = schema.definitions
    monkeypatch.setattr(schema, "definitions", lambda path: pytest.fail("compiled although the cache holds the kind"))
    again = schema.load_shapes((1, 30))
    assert again is not None and again.kinds == first.kinds
    cached = again.tree("apps/v1", "Deployment")
    assert cached is not None and len(cached.shapes) == len(tree.shapes)

    monkeypatch.setattr(schema, "definitions", real_definitions)
    kind_file.write_text("{not json")
    repaired = schema.load_shapes((1, 30))
    assert repaired is not None
    rebuilt = repaired.tree("apps/v1", "Deployment")
    assert rebuilt is not None and len(rebuilt.shapes) == len(tree.shapes)
    assert len(json.loads(kind_file.read_text())) == len(tree.shapes)


def test_targets_outside_the_schema_sets_use_the_nearest_one() -> None:
    available = sorted(schema_sets())
    assert schema.nearest_set((1, 22), available) == available[0]
    assert schema.nearest_set((1, 30), available) == (1, 30)
    assert schema.nearest_set((1, 99), available) == available[-1]


def test_without_the_optional_schemas_the_rules_are_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_subjects, "load_shapes", lambda target: None)
    result = lint_text(tmp_path, "app.yaml", deployment("          livenesProbe: {}", replicas='"3"'), select=SCHEMA_RULES)
    assert triples(result) == []


def test_a_namesake_in_an_unrelated_branch_is_no_hint(tmp_path: Path) -> None:
    # `secretName` exists under azureFile and secret volumes, not under storageos
    text = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  storageos:\n    volumeName: redis\n" \
           "    secretName: storageos-secret\n"
    result = lint_text(tmp_path, "pv.yaml", text, select=["K8S903"])
    assert triples(result) == [("K8S903", 7, 5)]
    assert messages(result) == ["PersistentVolume/pv: unknown field 'secretName' in spec.storageos (StorageOSPersistentVolumeSource)"]


def test_unquoted_template_placeholders_are_filled_in_later(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: etcd-{{cell}}\nspec:\n  replicas: {{replicas}}\n" \
           "  selector: {cell: {{cell}}}\n  template:\n    metadata:\n      labels: {cell: {{cell}}}\n" \
           "    spec: {containers: [{name: etcd, image: 'etcd:3.5'}]}\n"
    assert triples(lint_text(tmp_path, "rc.yaml", text, select=SCHEMA_RULES)) == []
