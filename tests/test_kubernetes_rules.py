"""Edge cases of the Kubernetes rules beyond their help examples: exact
positions, inheritance, cross-file references, params and custom pod templates."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from conftest import Lint, all_rules, lint_paths, triples

from linter.config.rules import RuleOverride, select_rules
from linter.core.findings import Severity
from linter.core.lint import run
from linter.core.run_types import RunResult, Settings
from linter.formats import REGISTRY


def deployment(container: str, pod: str = "", kind: str = "Deployment", name: str = "backend") -> str:
    """A workload whose pod spec holds `pod` (extra pod fields) and one container."""
    body = dedent(container).strip("\n")
    pod_fields = dedent(pod).strip("\n")
    lines = [
        "apiVersion: apps/v1",
        f"kind: {kind}",
        f"metadata: {{name: {name}}}",
        "spec:",
        "  template:",
        "    spec:",
        *["      " + line for line in pod_fields.splitlines()],
        "      containers:",
        *["        " + line for line in body.splitlines()],
    ]
    return "\n".join(lines) + "\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def lint_with(
    root: Path, rule_id: str, params: dict[str, object] | None = None, options: dict[str, object] | None = None
) -> RunResult:
    overrides = {rule_id: RuleOverride(params=params or {})}
    rules = select_rules(all_rules(), [rule_id], overrides=overrides)
    return run([str(root)], Settings(root=root, rules=rules, formats=REGISTRY, options=options or {}))


# --- resources -------------------------------------------------------------------------------


def test_request_exceeds_limit_compares_exact_quantities(lint: Lint) -> None:
    text = deployment("""
        - name: api
          image: registry.example.com/api:1.0.0
          resources:
            requests:
              cpu: 0.5
              memory: 1Gi
              ephemeral-storage: 2G
            limits:
              cpu: 500m
              memory: 1024Mi
              ephemeral-storage: 1Gi
    """)
    result = lint("m.yaml", text, ["K8S105"])
    assert triples(result) == [("K8S105", 14, 34)]
    assert (
        result.shown[0].message == "container 'api' in Deployment/backend requests ephemeral-storage 2G, more than its limit 1Gi"
    )


def test_request_exceeds_limit_ignores_unparsable_and_missing(lint: Lint) -> None:
    text = deployment("""
        - name: api
          image: registry.example.com/api:1.0.0
          resources:
            requests: {cpu: lots, memory: 8Gi}
            limits: {cpu: "1"}
    """)
    assert triples(lint("m.yaml", text, ["K8S105"])) == []


def test_e_notation_request_above_limit(lint: Lint) -> None:
    text = deployment("""
        - name: api
          image: registry.example.com/api:1.0.0
          resources:
            requests: {memory: 2e9}
            limits: {memory: 1Gi}
    """)
    assert triples(lint("m.yaml", text, ["K8S105"])) == [("K8S105", 11, 32)]


def test_missing_resources_point_at_the_container(lint: Lint) -> None:
    text = deployment("""
        - name: api
          image: registry.example.com/api:1.0.0
    """)
    result = lint("m.yaml", text, ["K8S101", "K8S102", "K8S103", "K8S104"])
    assert triples(result) == [("K8S101", 8, 11), ("K8S102", 8, 11), ("K8S103", 8, 11), ("K8S104", 8, 11)]


# --- probes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Job", "CronJob"])
def test_probe_rules_skip_run_to_completion_workloads(lint: Lint, kind: str) -> None:
    if kind == "Job":
        text = deployment("- {name: task, image: registry.example.com/task:1.0.0}", kind="Job", name="task")
    else:
        text = dedent("""\
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly}
            spec:
              schedule: "0 3 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers:
                        - {name: task, image: registry.example.com/task:1.0.0}
        """)
    result = lint("m.yaml", text, ["K8S2", "K8S501"])
    assert triples(result) == []  # K8S501 is selected to prove the containers are seen at all
    tagged = text.replace("task:1.0.0", "task")
    assert [f.rule_id for f in lint("m.yaml", tagged, ["K8S2", "K8S501"]).shown] == ["K8S501"]


def test_probe_rules_skip_init_containers_but_check_pods(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          initContainers:
            - {name: init, image: registry.example.com/init:1.0.0}
          containers:
            - {name: web, image: registry.example.com/web:1.0.0}
    """)
    result = lint("m.yaml", text, ["K8S201", "K8S202"])
    assert triples(result) == [("K8S201", 8, 7), ("K8S202", 8, 7)]
    assert result.shown[0].message == "container 'web' in Pod/web has no livenessProbe"


def test_probe_named_port_checked_in_every_probe_kind(lint: Lint) -> None:
    text = deployment("""
        - name: api
          image: registry.example.com/api:1.0.0
          ports: [{name: http, containerPort: 8000}, {name: grpc, containerPort: 9000}]
          startupProbe:
            httpGet: {path: /, port: htpp}
          livenessProbe:
            grpc: {port: grpc}
          readinessProbe:
            tcpSocket: {port: "8000"}
    """)
    result = lint("m.yaml", text, ["K8S203"])
    assert triples(result) == [("K8S203", 12, 38)]
    assert "startupProbe" in result.shown[0].message and "(named ports: grpc, http)" in result.shown[0].message


def test_probe_port_without_declared_ports(lint: Lint) -> None:
    text = deployment("""
        - name: api
          image: registry.example.com/api:1.0.0
          livenessProbe: {httpGet: {path: /, port: http}}
    """)
    result = lint("m.yaml", text, ["K8S203"])
    assert triples(result) == [("K8S203", 10, 52)]
    assert result.shown[0].message.endswith("(named ports: none)")


def test_probes_identical_only_when_every_field_matches(lint: Lint) -> None:
    same = deployment("""
        - name: api
          image: registry.example.com/api:1.0.0
          livenessProbe: {httpGet: {path: /healthz, port: 8000}, periodSeconds: 10}
          readinessProbe:
            periodSeconds: 10
            httpGet: {port: 8000, path: /healthz}
    """)
    assert triples(lint("m.yaml", same, ["K8S204"])) == [("K8S204", 10, 11)]
    different = same.replace("periodSeconds: 10}", "periodSeconds: 20}")
    assert triples(lint("m.yaml", different, ["K8S204"])) == []


# --- replicas and autoscaling ----------------------------------------------------------------

HPA = dedent("""\
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {{name: {name}, namespace: {namespace}}}
    spec:
      scaleTargetRef: {{apiVersion: apps/v1, kind: {kind}, name: {name}}}
      minReplicas: 3
      maxReplicas: 10
""")


def test_hpa_min_replicas_missing_points_at_spec_and_param_overrides(tmp_path: Path) -> None:
    write(tmp_path, {"hpa.yaml": HPA.format(name="api", namespace="prod", kind="Deployment").replace("  minReplicas: 3\n", "")})
    result = lint_with(tmp_path, "K8S301")
    assert triples(result) == [("K8S301", 4, 1)]
    assert result.shown[0].message == "HorizontalPodAutoscaler/api: minReplicas is not set (defaults to 1, below 3)"
    write(tmp_path, {"hpa.yaml": HPA.format(name="api", namespace="prod", kind="Deployment")})
    assert triples(lint_with(tmp_path, "K8S301")) == []
    assert triples(lint_with(tmp_path, "K8S301", {"min_replicas": 4})) == [("K8S301", 6, 16)]


def test_single_replica_sees_an_hpa_in_another_file_of_its_deployment(tmp_path: Path) -> None:
    workload = deployment("- {name: api, image: registry.example.com/api:1.0.0}", name="api").replace(
        "metadata: {name: api}", "metadata: {name: api, namespace: prod}"
    )
    write(tmp_path, {"deploy/api.yaml": workload})
    assert triples(lint_with(tmp_path, "K8S302")) == [("K8S302", 4, 1)]
    # Another directory is another deployment (applied on its own): it scales nothing here.
    write(tmp_path, {"autoscaling/hpa.yaml": HPA.format(name="api", namespace="prod", kind="Deployment")})
    assert triples(lint_with(tmp_path, "K8S302")) == [("K8S302", 4, 1)]
    write(tmp_path, {"deploy/hpa.yaml": HPA.format(name="api", namespace="prod", kind="Deployment")})
    assert triples(lint_with(tmp_path, "K8S302")) == []


@pytest.mark.parametrize(
    ("namespace", "kind", "flagged"),
    [("staging", "Deployment", True), ("prod", "StatefulSet", True), ("prod", "Deployment", False)],
)
def test_single_replica_hpa_must_match_kind_and_namespace(tmp_path: Path, namespace: str, kind: str, flagged: bool) -> None:
    workload = deployment("- {name: api, image: registry.example.com/api:1.0.0}", name="api").replace(
        "metadata: {name: api}", "metadata: {name: api, namespace: prod}"
    )
    write(tmp_path, {"api.yaml": workload, "hpa.yaml": HPA.format(name="api", namespace=namespace, kind=kind)})
    assert bool(triples(lint_with(tmp_path, "K8S302"))) is flagged


def test_single_replica_accepts_keda_scaled_object(tmp_path: Path) -> None:
    scaled = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: api}\nspec:\n  scaleTargetRef: {name: api}\n"
    write(tmp_path, {"api.yaml": deployment("- {name: api, image: r/api:1}", name="api"), "keda.yaml": scaled})
    assert triples(lint_with(tmp_path, "K8S302")) == []


@pytest.mark.parametrize(
    ("replicas", "params", "expected"),
    [(0, {}, []), (1, {}, [("K8S302", 5, 13)]), (2, {}, []), (2, {"min_replicas": 3}, [("K8S302", 5, 13)])],
)
def test_single_replica_counts(
    tmp_path: Path, replicas: int, params: dict[str, object], expected: list[tuple[str, int, int]]
) -> None:
    text = deployment("- {name: api, image: r/api:1}", name="api").replace(
        "spec:\n  template:", f"spec:\n  replicas: {replicas}\n  template:", 1
    )
    write(tmp_path, {"api.yaml": text})
    result = lint_with(tmp_path, "K8S302", params)
    assert triples(result) == expected
    if expected:
        assert result.shown[0].message.startswith(f"Deployment/api runs {replicas} replica(s)")


# --- security context ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pod", "container_context", "expected"),
    [
        ("securityContext: {runAsNonRoot: true}", "", []),
        ("securityContext: {runAsUser: 1000}", "", []),
        ("securityContext: {runAsNonRoot: false}", "securityContext: {runAsNonRoot: true}", []),
        ("securityContext: {runAsNonRoot: true}", "securityContext: {runAsUser: 0}", [("K8S401", 11, 40)]),
        ("securityContext: {runAsUser: 0}", "", [("K8S401", 7, 36)]),
        ("securityContext: {runAsNonRoot: false}", "", [("K8S401", 7, 39)]),
        # an explicit opt-out is flagged even when the UID happens to be non-zero
        ("securityContext: {runAsUser: 1000, runAsNonRoot: false}", "", [("K8S401", 7, 56)]),
        ("securityContext: {fsGroup: 2000}", "securityContext: {privileged: false}", [("K8S401", 11, 11)]),
        ("securityContext: {fsGroup: 2000}", "", [("K8S401", 9, 11)]),
    ],
)
def test_run_as_non_root_container_overrides_pod(
    lint: Lint, pod: str, container_context: str, expected: list[tuple[str, int, int]]
) -> None:
    container = "- name: api\n  image: r/api:1\n" + (f"  {container_context}\n" if container_context else "")
    assert triples(lint("m.yaml", deployment(container, pod), ["K8S401"])) == expected


def test_run_as_non_root_checks_init_containers(lint: Lint) -> None:
    text = deployment(
        "- {name: api, image: r/api:1}",
        "initContainers:\n"
        "  - {name: setup, image: r/setup:1, securityContext: {runAsUser: 0}}\n"
        "securityContext: {runAsNonRoot: true}",
    )
    result = lint("m.yaml", text, ["K8S401"])
    assert triples(result) == [("K8S401", 8, 72)]
    assert result.shown[0].message == "container 'setup' in Deployment/backend may run as root: runAsUser is 0"


def test_capabilities_normalised_and_drop_all_accepted(lint: Lint) -> None:
    text = deployment("""
        - name: api
          image: r/api:1
          securityContext:
            capabilities:
              add: [CAP_SYS_ADMIN, net_raw, CHOWN]
              drop: [all]
    """)
    assert triples(lint("m.yaml", text, ["K8S406"])) == [("K8S406", 12, 21), ("K8S406", 12, 36)]


def test_capabilities_missing_drop_points_at_security_context(lint: Lint) -> None:
    text = deployment("""
        - name: api
          image: r/api:1
          securityContext: {runAsNonRoot: true}
    """)
    result = lint("m.yaml", text, ["K8S406"])
    assert triples(result) == [("K8S406", 10, 11)]
    assert result.shown[0].message == "container 'api' in Deployment/backend does not drop NET_RAW (drop ALL)"


def test_host_namespaces_flag_the_value(lint: Lint) -> None:
    text = deployment("- {name: api, image: r/api:1}", "hostIPC: true\nhostNetwork: false")
    assert triples(lint("m.yaml", text, ["K8S405"])) == [("K8S405", 7, 16)]


@pytest.mark.parametrize(
    ("path", "severity"),
    [
        ("/var/log", Severity.WARNING),
        ("/var/run", Severity.ERROR),
        ("/run/containerd/containerd.sock", Severity.ERROR),
        ("/", Severity.ERROR),
        ("/var/run/docker.sock/", Severity.ERROR),
    ],
)
def test_host_path_runtime_socket_is_an_error(lint: Lint, path: str, severity: Severity) -> None:
    text = deployment("- {name: api, image: r/api:1}", f"volumes:\n  - name: host\n    hostPath: {{path: {path}}}")
    result = lint("m.yaml", text, ["K8S407"])
    assert triples(result) == [("K8S407", 9, 28)]
    assert result.shown[0].severity is severity


# --- images ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "flagged"),
    [
        ("registry:5000/app", True),
        ("registry:5000/app:1.2", False),
        ("app@sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac", False),
        ("app:1.2@sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac", False),
        ("app:latest", True),
        ("docker.io/library/nginx", True),
        ("nginx:1.27.2-alpine", False),
    ],
)
def test_image_tags(lint: Lint, image: str, flagged: bool) -> None:
    result = lint("m.yaml", deployment(f"- name: api\n  image: {image}"), ["K8S501"])
    assert triples(result) == ([("K8S501", 9, 18)] if flagged else [])


# --- ingress ---------------------------------------------------------------------------------

INGRESS = """\
apiVersion: {api}
kind: Ingress
metadata:
  name: web
  annotations: {annotations}
spec:
  tls:
    - hosts: {tls_hosts}
      {secret}
  rules:
{rules}
"""


def ingress(
    hosts: list[str],
    tls_hosts: str,
    api: str = "networking.k8s.io/v1",
    annotations: str = "{}",
    secret: str = "secretName: web-tls",
) -> str:
    rules = "\n".join(f"    - host: {h}" for h in hosts)
    return INGRESS.format(api=api, annotations=annotations, tls_hosts=tls_hosts, secret=secret, rules=rules)


def test_ingress_without_tls_in_older_api_versions(lint: Lint) -> None:
    text = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old}\nspec:\n  rules:\n    - host: a.example.com\n"
    result = lint("m.yaml", text, ["K8S601"])
    assert triples(result) == [("K8S601", 4, 1)]
    empty_tls = text.replace("spec:\n", "spec:\n  tls: []\n")
    assert triples(lint("m.yaml", empty_tls, ["K8S601"])) == [("K8S601", 5, 8)]


@pytest.mark.parametrize(
    ("host", "covered"),
    [
        ("api.example.com", True),
        ("API.Example.com", True),
        ("example.com", False),
        ("a.b.example.com", False),
        ("*.example.com", True),
        ("exact.example.org", True),
        ("other.example.org", False),
    ],
)
def test_ingress_tls_wildcards_cover_one_label(lint: Lint, host: str, covered: bool) -> None:
    text = ingress([f'"{host}"'], '["*.example.com", exact.example.org]', api="networking.k8s.io/v1beta1")
    result = lint("m.yaml", text, ["K8S602"])
    assert triples(result) == ([] if covered else [("K8S602", 11, 13)])


def test_ingress_cert_issuer_needs_a_secret_name_even_with_an_issuer(lint: Lint) -> None:
    bare = ingress(["a.example.com"], "[a.example.com]", secret="")
    result = lint("m.yaml", bare, ["K8S603"])
    assert triples(result) == [("K8S603", 8, 7)]
    assert result.shown[0].message.endswith("it names no secretName and the Ingress names no cert-manager issuer")
    issuer = ingress(["a.example.com"], "[a.example.com]", secret="", annotations="{cert-manager.io/issuer: team-ca}")
    result = lint("m.yaml", issuer, ["K8S603"])
    assert triples(result) == [("K8S603", 8, 7)]
    assert "cert-manager (cert-manager.io/issuer) only issues certificates" in result.shown[0].message
    own_certificate = ingress(["a.example.com"], "[a.example.com]")
    assert triples(lint("m.yaml", own_certificate, ["K8S603"])) == []


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        ('{nginx.ingress.kubernetes.io/force-ssl-redirect: "false"}', [("K8S604", 5, 65)]),
        ('{nginx.ingress.kubernetes.io/ssl-redirect: "true"}', []),
        ('{ingress.kubernetes.io/ssl-redirect: "false"}', [("K8S604", 5, 53)]),
    ],
)
def test_ingress_ssl_redirect(lint: Lint, annotations: str, expected: list[tuple[str, int, int]]) -> None:
    assert triples(lint("m.yaml", ingress(["a.example.com"], "[a.example.com]", annotations=annotations), ["K8S604"])) == expected


# --- RBAC ------------------------------------------------------------------------------------


def test_rbac_wildcards_each_flagged_and_bindings_ignored(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: ops}
        rules:
          - {apiGroups: [""], resources: [pods, "*"], verbs: [get]}
          - {nonResourceURLs: ["*"], verbs: [get]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: ops}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "*"}
        subjects: [{kind: Group, name: ops}]
    """)
    result = lint("m.yaml", text, ["K8S801"])
    assert triples(result) == [("K8S801", 5, 41)]
    assert result.shown[0].message == "ClusterRole/ops grants '*' in resources"


# --- custom pod templates --------------------------------------------------------------------

CLONESET = dedent("""\
    apiVersion: apps.kruise.io/v1alpha1
    kind: CloneSet
    metadata: {name: api}
    spec:
      replicas: 3
      template:
        spec:
          containers:
            - name: api
              image: registry.example.com/api:latest
""")


def test_custom_pod_templates_from_options(tmp_path: Path) -> None:
    write(tmp_path, {"cloneset.yaml": CLONESET})
    rules = select_rules(all_rules(), ["K8S501", "K8S201"])
    plain = run([str(tmp_path)], Settings(root=tmp_path, rules=rules, formats=REGISTRY))
    assert triples(plain) == []
    custom = run([str(tmp_path)], Settings(root=tmp_path, rules=rules, formats=REGISTRY, options={"pod_templates": {"CloneSet": "spec.template"}}))
    assert triples(custom) == [("K8S201", 9, 11), ("K8S501", 10, 18)]
    assert custom.shown[0].message == "container 'api' in CloneSet/api has no livenessProbe"


def test_examples_cover_every_kubernetes_rule() -> None:
    from conftest import PROJECT

    fired = {f.rule_id for f in lint_paths(["examples/ai-etl-broken"], PROJECT).shown}
    implemented = {r.id for r in all_rules() if r.target.format == "kubernetes"}
    assert implemented - fired == set()
