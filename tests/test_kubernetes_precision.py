"""False findings and silent misses found by linting public Kubernetes bundles:
each test is the minimal reproducer of one of them."""

from __future__ import annotations

import base64
from pathlib import Path
from textwrap import dedent

import pytest
from conftest import Lint, all_rules, triples

from linter.config.rules import RuleOverride, preset_rules, select_rules
from linter.core.lint import run
from linter.core.run_types import RunResult, Settings
from linter.formats import REGISTRY


def lint_rules(root: Path, rule_ids: list[str], params: dict[str, object] | None = None) -> RunResult:
    overrides = {rule_id: RuleOverride(params=params or {}) for rule_id in rule_ids}
    rules = select_rules(all_rules(), rule_ids, overrides=overrides)
    return run([str(root)], Settings(root=root, rules=rules, formats=REGISTRY))


# --- K8S101/K8S102: a limit stands in for a missing request ------------------------------------

LIMITED = dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api}
    spec:
      template:
        spec:
          containers:
            - name: api
              image: registry.example.com/api:1.0.0
              resources:
                limits: {cpu: 500m, memory: 256Mi}
            - name: sidecar
              image: registry.example.com/proxy:1.0.0
              resources:
                requests: {memory: 64Mi}
                limits: {memory: 128Mi}
""")


def test_a_limit_counts_as_the_missing_request(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(LIMITED, encoding="utf-8")
    # The sidecar has no CPU limit, so nothing stands in for its CPU request.
    assert triples(lint_rules(tmp_path, ["K8S101", "K8S102"])) == [("K8S101", 15, 13)]


def test_explicit_requests_when_the_policy_asks_for_them(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(LIMITED, encoding="utf-8")
    result = lint_rules(tmp_path, ["K8S101", "K8S102"], {"limit_counts_as_request": False})
    assert triples(result) == [("K8S101", 10, 11), ("K8S102", 10, 11), ("K8S101", 15, 13)]
    strict = [r for r in preset_rules("strict", all_rules()) if r.id in ("K8S101", "K8S102")]
    assert [r.params.get("limit_counts_as_request") for r in strict] == [False, False]
    result = run([str(tmp_path)], Settings(root=tmp_path, rules=strict, formats=REGISTRY))
    assert triples(result) == [("K8S101", 10, 11), ("K8S102", 10, 11), ("K8S101", 15, 13)]


def test_missing_resources_still_point_at_the_container(lint: Lint) -> None:
    text = LIMITED.replace("\n          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n", "\n")
    assert triples(lint("m.yaml", text, ["K8S102"])) == [("K8S102", 8, 11)]


# --- K8S201/K8S202: run-to-completion pods and native sidecars ---------------------------------


@pytest.mark.parametrize(("policy", "flagged"), [("Never", False), ("OnFailure", False), ("Always", True), ("", True)])
def test_probes_follow_the_pod_restart_policy(lint: Lint, policy: str, flagged: bool) -> None:
    restart = f"  restartPolicy: {policy}\n" if policy else ""
    text = dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: task}
        spec:
        %s  containers:
            - {name: task, image: registry.example.com/task:1.0.0}
    """) % restart
    line = 7 if policy else 6
    expected = [("K8S201", line, 7), ("K8S202", line, 7)] if flagged else []
    assert triples(lint("m.yaml", text, ["K8S201", "K8S202"])) == expected


def test_native_sidecars_need_probes_in_any_pod(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: batch/v1
        kind: Job
        metadata: {name: export}
        spec:
          template:
            spec:
              restartPolicy: Never
              initContainers:
                - {name: wait, image: registry.example.com/wait:1.0.0}
                - {name: proxy, image: registry.example.com/proxy:1.0.0, restartPolicy: Always}
              containers:
                - {name: export, image: registry.example.com/export:1.0.0}
    """)
    result = lint("m.yaml", text, ["K8S201", "K8S202"])
    assert triples(result) == [("K8S201", 10, 11), ("K8S202", 10, 11)]
    assert result.shown[0].message == "container 'proxy' in Job/export has no livenessProbe"


# --- K8S801 and discovery ----------------------------------------------------------------------


def test_rbac_wildcards_one_finding_per_rule_entry(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: admin}
        rules:
          - apiGroups: ["*"]
            resources: ["*"]
            verbs: ["*"]
          - {apiGroups: [""], resources: [pods], verbs: [get, "*"]}
    """)
    result = lint("m.yaml", text, ["K8S801"])
    assert triples(result) == [("K8S801", 5, 17), ("K8S801", 8, 55)]
    assert [f.message for f in result.shown] == [
        "ClusterRole/admin grants '*' in apiGroups, resources, verbs",
        "ClusterRole/admin grants '*' in verbs",
    ]


def test_a_manifest_after_a_long_comment_header_is_discovered(tmp_path: Path) -> None:
    header = "# Licensed under the Apache License, Version 2.0 (the 'License'); see LICENSE.\n" * 120
    assert len(header) > 8192
    text = header + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: web, image: nginx}\n"
    (tmp_path / "pod.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "notes.yaml").write_text(header, encoding="utf-8")  # commentary alone is nobody's file
    result = lint_rules(tmp_path, ["K8S501"])
    assert triples(result) == [("K8S501", 127, 26)]
    assert [Path(f).name for f in result.files] == ["pod.yaml"]


# --- K8S302: autoscalers match by namespace ----------------------------------------------------

WORKLOAD = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: api{namespace}}}\nspec:\n  template:\n    spec:\n      containers: [{{name: api, image: r/api:1}}]\n"
AUTOSCALER = (
    "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: api{namespace}}}\n"
    "spec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: api}}\n  minReplicas: 3\n  maxReplicas: 9\n"
)


@pytest.mark.parametrize(
    ("workload_ns", "hpa_ns", "flagged"),
    [("", "", False), ("prod", "prod", False), ("", "prod", True), ("prod", "", True), ("prod", "staging", True)],
)
def test_autoscalers_match_workloads_of_their_namespace(tmp_path: Path, workload_ns: str, hpa_ns: str, flagged: bool) -> None:
    def ns(name: str) -> str:
        return f", namespace: {name}" if name else ""

    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "api.yaml").write_text(WORKLOAD.format(namespace=ns(workload_ns)), encoding="utf-8")
    (tmp_path / "k8s" / "hpa.yaml").write_text(AUTOSCALER.format(namespace=ns(hpa_ns)), encoding="utf-8")
    assert triples(lint_rules(tmp_path, ["K8S302"])) == ([("K8S302", 4, 1)] if flagged else [])


# --- K8S501/K8S701: templates and placeholders -------------------------------------------------


@pytest.mark.parametrize(
    ("image", "flagged"),
    [
        ("${IMAGE}", False),
        ("$(IMAGE)", False),
        ('"{{ .Values.image }}"', False),
        ("registry.example.com/${APP}", False),
        ("<your-image>", False),
        ("registry.example.com/app", True),
        ("nginx:latest", True),
    ],
)
def test_templated_images_are_not_untagged(lint: Lint, image: str, flagged: bool) -> None:
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: web}}\nspec:\n  containers:\n    - name: web\n      image: {image}\n"
    assert triples(lint("m.yaml", text, ["K8S501"])) == ([("K8S501", 7, 14)] if flagged else [])


@pytest.mark.parametrize("value", ["INSERT_YOUR_API_TOKEN_HERE", "REPLACE_ME", "<db-password>", "changeme"])
def test_env_placeholders_are_placeholders_in_every_secret_rule(lint: Lint, value: str) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n"
        f"      image: r/web:1\n      env:\n        - {{name: DB_PASSWORD, value: \"{value}\"}}\n"
    )
    config_map = f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: web}}\ndata:\n  DB_PASSWORD: \"{value}\"\n"
    assert triples(lint("m.yaml", pod + config_map, ["K8S701", "K8S702"])) == []
    real = (pod + config_map).replace(value, "Pz7-kq2m-Lw9x")
    assert triples(lint("m.yaml", real, ["K8S701", "K8S702"])) == [("K8S701", 9, 38), ("K8S702", 15, 16)]


# --- K8S601/K8S603: TLS terminated by the provider ---------------------------------------------


def provider_ingress(annotations: dict[str, str], tls: str = "") -> str:
    lines = "".join(f"    {name}: '{value}'\n" for name, value in annotations.items())
    return (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n"
        f"{lines}spec:\n{tls}  rules:\n    - host: app.example.com\n"
    )


@pytest.mark.parametrize(
    "annotations",
    [
        {"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"},
        {
            "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
            "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
        },
        {"networking.gke.io/managed-certificates": "web-cert"},
        {"ingress.gcp.kubernetes.io/pre-shared-cert": "web-cert"},
        {"traefik.ingress.kubernetes.io/router.tls.certresolver": "letsencrypt"},
    ],
)
def test_provider_terminated_tls_is_not_plain_http(lint: Lint, annotations: dict[str, str]) -> None:
    assert triples(lint("m.yaml", provider_ingress(annotations), ["K8S601", "K8S603"])) == []
    entry = "  tls:\n    - hosts: [other.example.com]\n"
    assert triples(lint("m.yaml", provider_ingress(annotations, entry), ["K8S601", "K8S602", "K8S603"])) == []


def test_an_alb_listening_only_on_http_is_plain_http(lint: Lint) -> None:
    annotations = {
        "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}]',
    }
    assert triples(lint("m.yaml", provider_ingress(annotations), ["K8S601"])) == [("K8S601", 8, 1)]
    assert triples(lint("m.yaml", provider_ingress({"example.com/other": "x"}), ["K8S601"])) == [("K8S601", 7, 1)]
    entry = "  tls:\n    - hosts: [other.example.com]\n"
    result = lint("m.yaml", provider_ingress({"example.com/other": "x"}, entry), ["K8S602", "K8S603"])
    assert triples(result) == [("K8S603", 9, 7), ("K8S602", 11, 13)]


# --- K8S702: files embedded in a ConfigMap -----------------------------------------------------

EMBEDDED = dedent("""\
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: app}
    data:
      app.yaml: |-
        database:
          credentials: |-
            ${DB_CREDENTIALS}
          password: "Lw9-xk2q-Pz7m"
        secrets: [db-password, api-token]
      config.json: |
        {
          "secrets": ["db-password", "api-token"],
          "auth": {"token": "9c2e7b41f0a5d8e3aa61"}
        }
      app.properties: |
        # the datasource
        spring.datasource.url=jdbc:postgresql://db/app
        spring.datasource.password = 'Lw9-xk2q-Pz7m'
      settings.ini: |
        [smtp]
        password = Lw9-xk2q-Pz7m
      quoted.yaml: "password: Lw9-xk2q-Pz7m\\nuser: app\\n"
""")


def test_embedded_files_are_parsed_and_findings_point_at_the_setting(lint: Lint) -> None:
    result = lint("cm.yaml", EMBEDDED, ["K8S702"])
    assert triples(result) == [
        ("K8S702", 9, 17),  # app.yaml database.password, not `credentials: |-` nor the list of names
        ("K8S702", 14, 25),  # config.json auth.token, not the list of secret names
        ("K8S702", 19, 35),  # app.properties, inside its quotes
        ("K8S702", 22, 16),  # settings.ini
        ("K8S702", 23, 16),  # a quoted value with escapes: the value's start
    ]
    messages = [f.message for f in result.shown]
    assert "embedded setting 'database.password'" in messages[0]
    assert "embedded setting 'auth.token'" in messages[1]
    assert all("Lw9-xk2q" not in m and "9c2e7b41" not in m for m in messages)


def test_embedded_block_indicators_and_names_are_not_secrets(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: app}
        data:
          config.yaml: |
            credentials: |-
              ${CREDENTIALS}
            token: >
              ${TOKEN}
            secretNames:
              - db-password
          secrets.json: |
            {"secrets": ["db-password", "api-token"], "tokenSecret": {"name": "api"}}
    """)
    assert triples(lint("cm.yaml", text, ["K8S702"])) == []


def test_a_provider_key_in_an_embedded_file_points_at_its_line(lint: Lint) -> None:
    key = "ghp_" + "R8f2kLq9Zx4Tn7Wb3Vc6Ym1Hd5Js0PaGe2Uk"
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: ci}}\ndata:\n  notes.txt: |\n    first line\n    github: {key}\n"
    result = lint("cm.yaml", text, ["K8S702"])
    assert triples(result) == [("K8S702", 7, 13)]
    assert "GitHub" in result.shown[0].message and key not in result.shown[0].message


def test_an_opaque_multi_line_value_under_a_secret_key_is_still_one(lint: Lint) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  api-token: |\n    Lw9xk2qPz7mR8f2k\n    Lq9Zx4Tn7Wb3Vc6Y\n"
    assert triples(lint("cm.yaml", text, ["K8S702"])) == [("K8S702", 5, 14)]


def test_typed_numbers_and_programs_embedded_in_a_configmap_are_not_settings(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: serve}
        data:
          model.yaml: |
            engine:
              max_num_batched_tokens: 8192
              api_token: "9c2e7b41f0a5d8e3aa61"
          serve.py: |
            import os
            token = os.environ.get("HF_TOKEN", "hf-token-not-set-in-this-file")
    """)
    assert triples(lint("cm.yaml", text, ["K8S702"])) == [("K8S702", 8, 18)]


def test_a_templated_probe_port_is_not_an_unknown_port_name(lint: Lint) -> None:
    text = dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: r/web:1
              ports: [{name: http, containerPort: 8080}]
              readinessProbe: {grpc: {port: "${HEALTH_PORT}"}}
              livenessProbe: {httpGet: {path: /, port: htp}}
    """)
    assert triples(lint("m.yaml", text, ["K8S203"])) == [("K8S203", 10, 48)]


def test_a_secret_template_of_placeholders_commits_no_secret(lint: Lint) -> None:
    changeme = base64.b64encode(b"changeme").decode()
    text = dedent(f"""\
        apiVersion: v1
        kind: Secret
        metadata: {{name: template}}
        stringData:
          password: REPLACE_ME
          token: "<api-token>"
        data:
          password: {changeme}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {{name: real}}
        stringData:
          password: REPLACE_ME
          token: Lw9-xk2q-Pz7m
          grafana.ini: |
            [date_formats]
            default_timezone = UTC
    """)
    result = lint("s.yaml", text, ["K8S703"])
    assert triples(result) == [("K8S703", 13, 1)]
    assert "commits 2 literal value(s) in stringData (token, grafana.ini)" in result.shown[0].message


def test_a_list_whose_first_kind_comes_after_a_long_data_field_is_discovered(tmp_path: Path) -> None:
    panels = "".join(f'        {{"id": {i}, "title": "panel {i}", "type": "graph"}},\n' for i in range(200))
    text = (
        "apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    dashboard.json: |-\n      [\n"
        + panels
        + '        {"id": 999}\n      ]\n    API_TOKEN: "9c2e7b41f0a5d8e3aa61"\n  kind: ConfigMap\n  metadata: {name: dashboards}\nkind: List\n'
    )
    assert len(text) > 8192 and text.index("kind:") > 8192
    (tmp_path / "dashboards.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "values.yaml").write_text("apiVersion: v2\n" + "# filler\n" * 1200, encoding="utf-8")  # no kind anywhere
    result = lint_rules(tmp_path, ["K8S702"])
    assert triples(result) == [("K8S702", 209, 16)]
    assert [Path(f).name for f in result.files] == ["dashboards.yaml"]
