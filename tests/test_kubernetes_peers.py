"""The checks kube-score, Polaris, kube-linter and checkov users expect:
RBAC (K8S802-K8S806), the Pod Security Standards gaps (K8S408-K8S417),
workload hygiene (K8S418, K8S419, K8S502, K8S011-K8S013), connection strings as secrets, and the
OpenShift and Argo pod-template kinds. Each test lints a small manifest and
asserts (rule, line, column), the silent cases included."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest
from cli_helpers import run_cli, write
from conftest import Lint, all_rules, triples

from linter.config.rules import preset_rules


def pod(spec: str, containers: str, kind: str = "Pod", metadata: str = "") -> str:
    """A Pod (or a Deployment-shaped `kind`) with `spec` fields and containers."""
    body = [*dedent(spec).strip("\n").splitlines(), "containers:", *dedent(containers).strip("\n").splitlines()]
    if kind == "Pod":
        head = ["apiVersion: v1", "kind: Pod", "metadata: {name: p}", "spec:"]
        return "\n".join(head + ["  " + line for line in body if line]) + "\n"
    head = ["apiVersion: apps/v1", f"kind: {kind}", "metadata: {name: p}", "spec:", "  template:"]
    meta = ["    metadata:", *["      " + line for line in dedent(metadata).strip("\n").splitlines()]] if metadata else []
    return "\n".join(head + meta + ["    spec:"] + ["      " + line for line in body if line]) + "\n"


def role(rules: str, kind: str = "ClusterRole") -> str:
    return f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: r, namespace: shop}}\nrules:\n" + dedent(rules)


# --- RBAC ---------------------------------------------------------------------------------------

RBAC = ["K8S801", "K8S802", "K8S803", "K8S804", "K8S805", "K8S806"]


def test_each_rbac_grant_is_reported_at_the_item_that_grants_it(lint: Lint) -> None:
    text = role("""\
        - apiGroups: [""]
          resources: [configmaps, secrets, pods/exec, pods/attach]
          verbs: [get, watch, create]
        - apiGroups: [rbac.authorization.k8s.io, admissionregistration.k8s.io]
          resources: [clusterrolebindings, mutatingwebhookconfigurations, deployments]
          verbs: [patch, bind, impersonate]
    """)
    result = lint("r.yaml", text, RBAC)
    assert triples(result) == [
        ("K8S803", 6, 27),
        ("K8S804", 6, 36),
        ("K8S804", 6, 47),
        ("K8S806", 9, 15),
        ("K8S806", 9, 36),
        ("K8S805", 10, 18),
        ("K8S805", 10, 24),
    ]
    messages = {f.rule_id + str(f.span.column): f.message for f in result.shown}
    assert messages["K8S80327"] == "ClusterRole/r grants get, watch on all secrets"
    assert messages["K8S80518"] == "ClusterRole/r grants the bind verb: the subject can bind any role, including ones with more permissions"
    assert messages["K8S80615"] == "ClusterRole/r grants patch on clusterrolebindings"


def test_a_grant_with_a_wildcard_is_k8s801s_alone(lint: Lint) -> None:
    text = role("""\
        - apiGroups: ["*"]
          resources: [secrets, pods/exec, roles]
          verbs: [get, create, escalate]
        - apiGroups: [""]
          resources: ["*"]
          verbs: [list]
    """)
    assert triples(lint("r.yaml", text, RBAC)) == [("K8S801", 5, 15), ("K8S801", 9, 15)]


def test_rbac_silent_cases(lint: Lint) -> None:
    text = role("""\
        - apiGroups: [""]
          resources: [secrets]
          resourceNames: [shop-db]
          verbs: [get]
        - apiGroups: [apps]
          resources: [secrets, pods/exec]
          verbs: [get, create]
        - apiGroups: [""]
          resources: [pods/exec, pods/log]
          verbs: [get]
        - apiGroups: [rbac.authorization.k8s.io]
          resources: [roles]
          verbs: [get, list, watch]
        - apiGroups: [admissionregistration.k8s.io]
          resources: [validatingwebhookconfigurations]
          resourceNames: [my-operator]
          verbs: [get, patch]
    """)
    assert triples(lint("r.yaml", text, RBAC)) == []


def test_resource_names_do_not_confine_create(lint: Lint) -> None:
    text = role("""\
        - apiGroups: [rbac.authorization.k8s.io]
          resources: [rolebindings]
          resourceNames: [x]
          verbs: [create, patch]
    """)
    result = lint("r.yaml", text, ["K8S806"])
    assert triples(result) == [("K8S806", 6, 15)]
    assert result.shown[0].message == "ClusterRole/r grants create on rolebindings"


BINDINGS = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: all, namespace: shop}
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: to-all, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: all}
subjects: [{kind: ServiceAccount, name: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: other-namespace, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: all}
subjects: [{kind: ServiceAccount, name: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef:
  kind: ClusterRole
  name: cluster-admin
subjects:
  - {kind: Group, name: ops}
  - {kind: User, name: ana}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewers}
roleRef: {kind: ClusterRole, name: view}
subjects: [{kind: Group, name: everyone}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team-admin, namespace: web}
roleRef: {kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: web-team}]
"""


def test_bindings_to_cluster_admin_and_to_an_all_powerful_role_of_the_set(lint: Lint) -> None:
    result = lint("b.yaml", BINDINGS, ["K8S802", "K8S801"])
    # The Role's own '*' is K8S801's; the binding in `web` names a Role the set does not define there.
    assert triples(result) == [("K8S801", 5, 18), ("K8S802", 10, 66), ("K8S802", 24, 9), ("K8S802", 38, 36)]
    assert result.shown[1].message == (
        "RoleBinding/to-all binds ServiceAccount ci to Role/all: every verb on every resource (defined in the same deployment)"
    )
    assert result.shown[2].message == "ClusterRoleBinding/admins binds Group ops, User ana to ClusterRole/cluster-admin: full control of the cluster"
    assert result.shown[3].message == "RoleBinding/team-admin binds Group web-team to ClusterRole/cluster-admin: full control of namespace web"


# --- Pod Security Standards ------------------------------------------------------------------------


def test_a_pod_level_value_inherited_by_several_containers_is_one_finding(lint: Lint) -> None:
    text = pod(
        """
        securityContext:
          seccompProfile: {type: Unconfined}
          appArmorProfile: {type: Unconfined}
        """,
        """
        - {name: a, image: a:1}
        - {name: b, image: b:1}
        - name: c
          image: c:1
          securityContext:
            seccompProfile: {type: Unconfined}
            appArmorProfile: {type: RuntimeDefault}
        """,
    )
    result = lint("p.yaml", text, ["K8S409", "K8S414"])
    assert triples(result) == [("K8S409", 6, 28), ("K8S414", 7, 29), ("K8S409", 14, 30)]
    assert result.shown[0].message == "the pod's securityContext (inherited by container 'a') in Pod/p sets seccompProfile.type: Unconfined"
    assert result.shown[2].message == "container 'c' in Pod/p sets seccompProfile.type: Unconfined"


def test_containers_overriding_the_pod_silence_it(lint: Lint) -> None:
    text = pod(
        """
        securityContext:
          seccompProfile: {type: Unconfined}
          seLinuxOptions: {type: spc_t}
        """,
        """
        - name: a
          image: a:1
          securityContext:
            seccompProfile: {type: RuntimeDefault}
            seLinuxOptions: {type: container_t}
        """,
    )
    assert triples(lint("p.yaml", text, ["K8S409", "K8S410", "K8S415"])) == []


def test_seccomp_required_by_restricted_counts_the_pods_profile(lint: Lint) -> None:
    text = pod(
        "",
        """
        - {name: a, image: a:1}
        - name: b
          image: b:1
          securityContext: {seccompProfile: {type: Localhost, localhostProfile: b.json}}
        - name: c
          image: c:1
          securityContext: {runAsNonRoot: true}
        """,
        kind="Deployment",
    )
    result = lint("d.yaml", text, ["K8S410"])
    assert triples(result) == [("K8S410", 8, 9), ("K8S410", 14, 9)]
    assert triples(lint("e.yaml", text.replace("    spec:\n", "    spec:\n      securityContext: {seccompProfile: {type: RuntimeDefault}}\n", 1), ["K8S410"])) == []


def test_baseline_container_fields(lint: Lint) -> None:
    text = pod(
        """
        securityContext:
          windowsOptions: {hostProcess: false}
          sysctls:
            - {name: net/ipv4/tcp_syncookies, value: "1"}
            - {name: kernel.msgmax, value: "65536"}
        """,
        """
        - name: a
          image: a:1
          ports:
            - {containerPort: 80, hostPort: 0}
            - {containerPort: 8080, hostPort: 8080}
          securityContext:
            procMount: Unmasked
            windowsOptions: {hostProcess: true}
            seLinuxOptions: {type: container_init_t, role: sysadm_r}
        - name: b
          image: b:1
          securityContext: {procMount: Default}
        """,
    )
    result = lint("p.yaml", text, ["K8S408", "K8S411", "K8S412", "K8S413", "K8S415"])
    assert triples(result) == [
        ("K8S413", 9, 16),
        ("K8S408", 15, 41),
        ("K8S411", 17, 18),
        ("K8S412", 18, 37),
        ("K8S415", 19, 54),
    ]
    assert result.shown[0].message == "Pod/p sets the sysctl kernel.msgmax, outside the safe set"
    assert result.shown[4].message == "container 'a' in Pod/p sets seLinuxOptions role sysadm_r"


def test_apparmor_annotations_of_the_pod_template(lint: Lint) -> None:
    text = pod(
        "",
        "- {name: a, image: a:1}\n- {name: b, image: b:1}",
        kind="Deployment",
        metadata="""
        annotations:
          container.apparmor.security.beta.kubernetes.io/a: localhost/k8s-a
          container.apparmor.security.beta.kubernetes.io/b: unconfined
        """,
    )
    result = lint("d.yaml", text, ["K8S414"])
    assert triples(result) == [("K8S414", 9, 59)]
    assert result.shown[0].message == "container 'b' in Deployment/p sets the AppArmor profile unconfined"


def test_restricted_volume_types_leave_hostpath_to_k8s407(lint: Lint) -> None:
    text = pod(
        """
        volumes:
          - {name: a, configMap: {name: c}}
          - {name: b, hostPath: {path: /data}}
          - {name: c, gitRepo: {repository: "https://example.com/r.git"}}
          - {name: d, projected: {sources: []}}
        """,
        "- {name: a, image: a:1}",
    )
    result = lint("p.yaml", text, ["K8S416", "K8S407"])
    assert triples(result) == [("K8S407", 7, 34), ("K8S416", 8, 17)]


def test_namespace_pod_security_label(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: v1
        kind: Namespace
        metadata: {name: a}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: b
          labels: {pod-security.kubernetes.io/enforce: privileged}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: c
          labels: {pod-security.kubernetes.io/enforce: restricted}
    """)
    result = lint("ns.yaml", text, ["K8S417"])
    assert triples(result) == [("K8S417", 3, 1), ("K8S417", 9, 48)]
    assert result.shown[1].message == "Namespace/b enforces the privileged level (pod-security.kubernetes.io/enforce: privileged)"


# --- workload hygiene ------------------------------------------------------------------------------

SERVICE_ACCOUNTS = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: quiet}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: talker}
automountServiceAccountToken: true
---
"""


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("serviceAccountName: quiet", []),
        ("serviceAccountName: quiet\nautomountServiceAccountToken: true", [("K8S418", 18, 37)]),
        ("serviceAccountName: talker\nautomountServiceAccountToken: false", []),
        ("serviceAccountName: talker", [("K8S418", 16, 5)]),
        ("serviceAccountName: elsewhere", [("K8S418", 16, 5)]),
    ],
)
def test_automount_follows_the_pod_then_its_service_account(lint: Lint, spec: str, expected: list[tuple[str, int, int]]) -> None:
    text = SERVICE_ACCOUNTS + pod(spec, "- {name: a, image: a:1}", kind="Deployment")
    result = lint("d.yaml", text, ["K8S418"])
    assert triples(result) == expected
    if spec == "serviceAccountName: talker":
        assert result.shown[0].message == (
            "Deployment/p mounts a service account token: it inherits automountServiceAccountToken: true from ServiceAccount/talker (line 9)"
        )


@pytest.mark.parametrize("linted", [["k8s/web.yaml"], ["k8s"]])
def test_automount_reads_the_service_account_of_a_sibling_file(tmp_path: Path, linted: list[str]) -> None:
    # The ServiceAccount lives in its own file of the directory the workload is
    # applied with: linted alone or with its folder, the workload inherits its setting.
    from conftest import lint_paths

    write(tmp_path, "k8s/accounts.yaml", SERVICE_ACCOUNTS.removesuffix("---\n"))
    write(tmp_path, "k8s/web.yaml", pod("serviceAccountName: quiet", "- {name: a, image: a:1}", kind="Deployment"))
    write(tmp_path, "k8s/worker.yaml", pod("serviceAccountName: talker", "- {name: a, image: a:1}", kind="Deployment"))
    found = [(f.span.file, f.span.line) for f in lint_paths(linted, tmp_path, ["K8S418"]).shown]
    expected = [] if linted == ["k8s/web.yaml"] else [("k8s/worker.yaml", 6)]  # talker mounts its token
    assert found == expected


def test_default_service_account_named_or_implied(lint: Lint) -> None:
    implied = pod("", "- {name: a, image: a:1}", kind="Deployment")
    named = pod("serviceAccountName: default", "- {name: a, image: a:1}")
    own = pod("serviceAccount: web", "- {name: a, image: a:1}")
    assert triples(lint("a.yaml", implied, ["K8S419"])) == [("K8S419", 6, 5)]
    assert triples(lint("b.yaml", named, ["K8S419"])) == [("K8S419", 5, 23)]
    assert triples(lint("c.yaml", own, ["K8S419"])) == []


def test_pull_policy_with_a_mutable_tag(lint: Lint) -> None:
    text = pod(
        "",
        """
        - {name: a, image: "registry.example.com/a", imagePullPolicy: IfNotPresent}
        - {name: b, image: "b:latest", imagePullPolicy: Never}
        - {name: c, image: "c:latest"}
        - {name: d, image: "d:1.2.3", imagePullPolicy: IfNotPresent}
        - {name: e, image: "e@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", imagePullPolicy: IfNotPresent}
        - {name: f, image: "f:latest", imagePullPolicy: Always}
        """,
    )
    result = lint("p.yaml", text, ["K8S502"])
    assert triples(result) == [("K8S502", 6, 65), ("K8S502", 7, 51)]
    assert "uses b:latest with imagePullPolicy: Never" in result.shown[1].message


def test_duplicate_env_reports_every_overridden_entry_at_its_name(lint: Lint) -> None:
    text = pod(
        "",
        """
        - name: a
          image: a:1
          env:
            - {name: MODE, value: one}
            - {name: PORT, value: "80"}
            - name: MODE
              value: two
            - {name: MODE, valueFrom: {configMapKeyRef: {name: c, key: mode}}}
        """,
    )
    result = lint("p.yaml", text, ["K8S011"])
    assert triples(result) == [("K8S011", 9, 16), ("K8S011", 11, 15)]
    assert result.shown[0].message == "container 'a' in Pod/p sets env 'MODE' again on line 13, which silently replaces this one"


def test_default_namespace_only_when_written(lint: Lint) -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: default}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n"
    assert triples(lint("s.yaml", text, ["K8S012"])) == [("K8S012", 3, 32)]


def test_recommended_labels(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: v1
        kind: Service
        metadata: {name: a}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: b
          labels: {app.kubernetes.io/name: b}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
    """)
    result = lint("s.yaml", text, ["K8S013"])
    assert triples(result) == [("K8S013", 3, 1), ("K8S013", 9, 3)]
    assert result.shown[1].message == "Service/b lacks the labels app.kubernetes.io/instance"


# --- connection strings ----------------------------------------------------------------------------

PASSWORD = "Kj3nWq8rZt5xLp2m"  # not the rule help's example, which SARIF carries


def test_a_connection_string_in_env_is_a_literal_secret_at_its_password(lint: Lint) -> None:
    text = pod(
        "",
        f"""
        - name: a
          image: a:1
          env:
            - {{name: ConnectionStrings__Db, value: "Host=db;Username=u;Password={PASSWORD}"}}
            - {{name: LEGACY_DSN, value: "Server=db;Uid=u;Pwd='{PASSWORD}';"}}
            - {{name: CONN_FROM_REF, value: "Host=db;Username=u;Password=$(DB_PASSWORD)"}}
            - {{name: PLACEHOLDER, value: "Host=db;Password=<password>"}}
            - {{name: NOT_ONE, value: "password=x"}}
        """,
    )
    result = lint("p.yaml", text, ["K8S701"])
    assert triples(result) == [("K8S701", 9, 75), ("K8S701", 10, 57)]
    assert [f.span.end_column for f in result.shown] == [75 + len(PASSWORD), 57 + len(PASSWORD)]
    assert result.shown[0].message == (
        "container 'a' in Pod/p sets secret-like env 'ConnectionStrings__Db' to a literal value (Host=db;Username=u;Password=***)"
    )
    assert all(PASSWORD not in f.message for f in result.shown)


def test_a_connection_string_in_a_configmap(lint: Lint) -> None:
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  REPORTS: \"Server=sql;Database=r;User Id=etl;Pwd={PASSWORD};\"\n"
    result = lint("c.yaml", text, ["K8S702"])
    assert triples(result) == [("K8S702", 5, 12)]
    assert result.shown[0].message.endswith("(Server=sql;Database=r;User Id=etl;Pwd=***;)")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_no_output_format_prints_a_connection_string_password(project: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    text = pod("", f'- {{name: a, image: a:1, env: [{{name: DSN, value: "Host=db;Password={PASSWORD}"}}]}}')
    write(project, "p.yaml", text)
    code, out, err = run_cli(capsys, project, "--format", fmt, "p.yaml")
    assert code == 1 and PASSWORD not in out + err
    if fmt == "json":
        assert any(f["rule"] == "K8S701" for f in json.loads(out)["findings"])


# --- pod-template kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(("api_version", "kind"), [("apps.openshift.io/v1", "DeploymentConfig"), ("argoproj.io/v1alpha1", "Rollout")])
def test_deploymentconfig_and_rollout_hold_pod_templates(lint: Lint, api_version: str, kind: str) -> None:
    text = pod("", "- {name: a, image: registry.example.com/a:latest}", kind=kind).replace("apps/v1", api_version)
    result = lint("w.yaml", text, ["K8S104", "K8S501"])
    assert triples(result) == [("K8S104", 8, 9), ("K8S501", 8, 26)]
    assert result.shown[0].message == f"container 'a' in {kind}/p has no memory limit"


# --- presets ---------------------------------------------------------------------------------------

STRICT_ONLY = {"K8S410", "K8S416", "K8S418", "K8S419", "K8S012", "K8S013"}
NEW = {f"K8S{n}" for n in [*range(802, 807), *range(408, 420), 502]} | {"K8S011", "K8S012", "K8S013"}


def test_presets_enable_baseline_checks_by_default_and_restricted_ones_in_strict() -> None:
    recommended = {r.id for r in preset_rules("recommended", all_rules())}
    strict = {r.id: r for r in preset_rules("strict", all_rules())}
    assert NEW - recommended == STRICT_ONLY
    assert set(strict) >= NEW
    assert strict["K8S406"].params["required_drop"] == ["ALL"]
