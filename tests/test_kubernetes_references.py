"""References between objects (K8S001-K8S010): each fires on a broken
reference at the referring key, is silent once it is fixed, and looks only
inside the referring object's deployment (its directory read from disk, its
Kustomize build)."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_paths

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api, tier: backend}}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.4.2
          ports: [{name: http, containerPort: 8080}]
          env:
            - name: LOG_LEVEL
              valueFrom:
                configMapKeyRef: {name: api-settings, key: LOG_LEVEL}
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: password}
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: uploads}
"""

OTHERS = """apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: web, port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: api-settings, namespace: shop}
data: {LOG_LEVEL: info}
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: db, namespace: shop}
spec: {encryptedData: {password: AgBy8hCi3d}}
---
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: shop}
stringData: {tls.crt: x}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: uploads, namespace: shop}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: shop}
spec:
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: api, port: {name: web}}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api, namespace: shop}
spec:
  maxUnavailable: 1
  selector: {matchExpressions: [{key: tier, operator: In, values: [backend]}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 3
  maxReplicas: 6
"""

REFERENCE_RULES = ["K8S001", "K8S002", "K8S003", "K8S004", "K8S005", "K8S006", "K8S007", "K8S008", "K8S009"]


def write_bundle(root: Path, deployment: str = DEPLOYMENT, others: str = OTHERS) -> None:
    (root / "k8s").mkdir(exist_ok=True)
    (root / "k8s/api.yaml").write_text(deployment, encoding="utf-8")
    (root / "k8s/others.yaml").write_text(others, encoding="utf-8")


def findings(root: Path, named: str = ".", rules: list[str] | None = None) -> list[tuple[str, str, int, int]]:
    result = lint_paths([named], root, select=rules or REFERENCE_RULES)
    return sorted((f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown)


def test_a_consistent_bundle_is_clean(tmp_path: Path) -> None:
    write_bundle(tmp_path)
    assert findings(tmp_path) == []


def broken(replacements: dict[str, str], text: str) -> str:
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_each_broken_reference_is_found_at_the_referring_key(tmp_path: Path) -> None:
    deployment = broken({"key: LOG_LEVEL": "key: log_level", "name: db,": "name: db-credentials,",
                         "claimName: uploads": "claimName: upload"}, DEPLOYMENT)
    others = broken({"selector: {app: api}": "selector: {app: backend}", "name: api, port: {name: web}": "name: apis, port: {name: web}",
                     "values: [backend]": "values: [frontend]", "name: api}\n  minReplicas": "name: app}\n  minReplicas"}, OTHERS)
    write_bundle(tmp_path, deployment, others)
    assert findings(tmp_path) == [
        ("K8S001", "k8s/others.yaml", 5, 3),  # the Service's selector
        ("K8S003", "k8s/others.yaml", 35, 67),  # the Ingress backend's Service name
        ("K8S004", "k8s/api.yaml", 17, 60),  # the ConfigMap key
        ("K8S005", "k8s/api.yaml", 20, 38),  # the Secret name
        ("K8S006", "k8s/api.yaml", 23, 46),  # the claim name
        ("K8S007", "k8s/others.yaml", 48, 65),  # the autoscaler's target name
        ("K8S008", "k8s/others.yaml", 42, 3),  # the budget's selector
    ]


def test_ports_are_resolved_by_name_and_number(tmp_path: Path) -> None:
    others = broken({"targetPort: http": "targetPort: metrics", "port: {name: web}": "port: {number: 8080}"}, OTHERS)
    write_bundle(tmp_path, others=others)
    result = lint_paths(["."], tmp_path, select=REFERENCE_RULES)
    assert [(f.rule_id, f.span.line, f.span.column, f.message) for f in result.shown] == [
        ("K8S002", 6, 45, "Service/api targets port metrics, which no container of Deployment/api declares (they declare: http, 8080)"),
        ("K8S003", 35, 87, "Ingress/api: Service 'api' has no port 8080 (it has 80, web)"),
    ]


def test_a_file_linted_alone_is_judged_with_its_directory(tmp_path: Path) -> None:
    deployment = broken({"claimName: uploads": "claimName: upload"}, DEPLOYMENT)
    write_bundle(tmp_path, deployment)
    assert findings(tmp_path, "k8s/api.yaml") == findings(tmp_path) == [("K8S006", "k8s/api.yaml", 23, 46)]
    # The claim it names, in another bundle, is not its claim.
    (tmp_path / "k8s/others.yaml").write_text(OTHERS.replace("name: uploads", "name: other"), encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/pvc.yaml").write_text(OTHERS, encoding="utf-8")
    assert ("K8S006", "k8s/api.yaml", 23, 46) in findings(tmp_path, "k8s/api.yaml")


def test_what_the_deployment_does_not_define_is_not_judged(tmp_path: Path) -> None:
    # No ConfigMap, Secret, claim, Service or pod of the namespace here: they live elsewhere.
    others = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
    write_bundle(tmp_path, DEPLOYMENT, others)
    assert findings(tmp_path) == []
    (tmp_path / "k8s/api.yaml").unlink()
    (tmp_path / "k8s/others.yaml").write_text(OTHERS, encoding="utf-8")
    assert findings(tmp_path) == []  # a Service and an Ingress with no pods beside them


def test_optional_and_templated_references_are_not_judged(tmp_path: Path) -> None:
    deployment = broken({"configMapKeyRef: {name: api-settings, key: LOG_LEVEL}": "configMapKeyRef: {name: absent, key: x, optional: true}",
                         "claimName: uploads": "claimName: '{{ .Values.claim }}'"}, DEPLOYMENT)
    write_bundle(tmp_path, deployment)
    assert findings(tmp_path) == []


def test_blocking_budgets(tmp_path: Path) -> None:
    others = broken({"maxUnavailable: 1": "minAvailable: 2"}, OTHERS)
    write_bundle(tmp_path, others=others)
    result = lint_paths(["."], tmp_path, select=["K8S009"])
    assert [(f.span.line, f.message) for f in result.shown] == [
        (41, "PodDisruptionBudget/api: minAvailable 2 is all of the 2 replica(s) of Deployment/api: no pod may be evicted")]
    write_bundle(tmp_path, DEPLOYMENT.replace("replicas: 2", "replicas: 3"), others)
    assert findings(tmp_path, rules=["K8S009"]) == []


def test_network_policies_only_where_the_namespace_has_some(tmp_path: Path) -> None:
    policy = ("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\n"
              "spec: {podSelector: {matchLabels: {app: web}}}\n")
    write_bundle(tmp_path)
    assert findings(tmp_path, rules=["K8S010"]) == []
    write_bundle(tmp_path, others=OTHERS + policy)
    assert findings(tmp_path, rules=["K8S010"]) == [("K8S010", "k8s/api.yaml", 2, 7)]
    write_bundle(tmp_path, others=OTHERS + policy.replace("{matchLabels: {app: web}}", "{}"))
    assert findings(tmp_path, rules=["K8S010"]) == []


def test_kustomize_generated_names_resolve(tmp_path: Path) -> None:
    """A generated ConfigMap gets a hashed name and the build rewrites the
    references to it: the reference resolves in the build."""
    base = tmp_path / "base"
    base.mkdir()
    (base / "api.yaml").write_text(DEPLOYMENT.replace("namespace: shop", "namespace: shop") , encoding="utf-8")
    (base / "kustomization.yaml").write_text(
        "namespace: shop\nresources: [api.yaml]\nconfigMapGenerator:\n  - name: api-settings\n    literals: [LOG_LEVEL=info]\n",
        encoding="utf-8")
    assert findings(tmp_path, rules=["K8S004"]) == []
    (base / "kustomization.yaml").write_text(
        "namespace: shop\nresources: [api.yaml]\nconfigMapGenerator:\n  - name: api-settings\n    literals: [LEVEL=info]\n",
        encoding="utf-8")
    assert findings(tmp_path, "base/api.yaml", rules=["K8S004"]) == findings(tmp_path, rules=["K8S004"]) == [
        ("K8S004", "base/api.yaml", 17, 60)]


def test_selectors_of_pods_deployed_another_way_are_not_judged(tmp_path: Path) -> None:
    """Pods an operator makes from a custom resource, or pods of another
    deployment (the control plane's), are not in the files: a selector of
    theirs is not a dangling one."""
    operated = ("apiVersion: v1\nkind: Service\nmetadata: {name: prometheus, namespace: shop}\n"
                "spec: {selector: {app: api, prometheus: k8s}, ports: [{port: 9090}]}\n---\n"
                "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s, namespace: shop}\nspec: {replicas: 2}\n")
    write_bundle(tmp_path, others=operated)
    assert findings(tmp_path) == []
    write_bundle(tmp_path, others=operated.replace("monitoring.coreos.com/v1\nkind: Prometheus", "monitoring.coreos.com/v1\nkind: ServiceMonitor"))
    assert findings(tmp_path) == [("K8S001", "k8s/others.yaml", 4, 8)]
    # A selector of label keys no pod here carries selects pods deployed elsewhere.
    write_bundle(tmp_path, others="apiVersion: v1\nkind: Service\nmetadata: {name: scheduler, namespace: shop}\n"
                                  "spec: {selector: {component: kube-scheduler}, ports: [{port: 10259}]}\n")
    assert findings(tmp_path) == []
