"""Configs held in Kubernetes objects beyond ConfigMap files: ingress-nginx
snippets (linted as fragments of the context the controller pastes them
into), Altinity ClickHouseInstallation files (one installation per object),
Helm-rendered values (not linted: see `embedded_files.py`), and bad input.
Every finding is asserted at its (rule, line, column) and at the text there."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from conftest import lint_paths, lint_text

from linter.core.lint import RunResult

FIXTURES = Path(__file__).parent / "fixtures"


def found(result: RunResult, text: str) -> list[tuple[str, int, int, str]]:
    """(rule, line, column, the word written there) of every shown finding."""
    lines = text.split("\n")
    out = []
    for f in result.shown:
        rest = lines[f.span.line - 1][f.span.column - 1:]
        out.append((f.rule_id, f.span.line, f.span.column, rest.split()[0] if rest.split() else ""))
    return sorted(out)


INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers "X-Served-By: web";
      proxy_set_header Host $http_x_forwarded_host;
      alias /var/www/;
      add_header X-Frame-Options SAMEORIGIN;
    nginx.ingress.kubernetes.io/server-snippet: "server_tokens on; ssl_protocols TLSv1 TLSv1.2;"
    nginx.ingress.kubernetes.io/auth-url: "http://auth.example.com/check"
spec:
  tls: [{hosts: [example.com], secretName: web-tls}]
  rules:
    - host: example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
"""

NGX = ["NGX101", "NGX102", "NGX103", "NGX104", "NGX106", "NGX107", "NGX201", "NGX203", "NGX204", "NGX301", "NGX302", "NGX303",
       "NGX401", "NGX402", "DL001"]


def test_snippet_annotations_are_linted_as_fragments_at_their_yaml_positions(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "k8s/ingress.yaml", INGRESS, select=NGX)
    # Before: annotations were only strings to the Kubernetes rules (nothing here).
    assert found(result, INGRESS) == [
        ("NGX107", 10, 7, "add_header"),  # local to the directive: no `always`
        ("NGX201", 11, 82, "TLSv1"),  # inside a one-line quoted value
        ("NGX301", 11, 64, "on;"),
        ("NGX402", 8, 29, "$http_x_forwarded_host;"),
    ]
    # Not as if each were a whole nginx.conf: no server lacks headers, TLS,
    # a redirect, a body size or a rate limit here (the controller writes
    # those around the snippet), and the alias is in a location whose path
    # the Ingress, not the snippet, decides.


def test_the_same_snippet_in_two_ingresses_of_one_file_is_two_findings(tmp_path: Path) -> None:
    """Held files share their holder's path: the holder's identity keeps their
    fingerprints apart (a baseline would otherwise merge them)."""
    other = INGRESS.replace("name: web\n", "name: admin\n", 1)
    result = lint_text(tmp_path, "k8s/ingress.yaml", INGRESS + "---\n" + other, select=["NGX402"])
    assert [f.span.line for f in result.shown] == [8, 28]
    assert len({f.fingerprint() for f in result.shown}) == 2
    moved = lint_text(tmp_path, "k8s/ingress.yaml", "# a comment above moves every line\n" + INGRESS, select=["NGX402"])
    assert [f.fingerprint() for f in moved.shown] == [result.shown[0].fingerprint()]


def test_a_suppression_comment_inside_a_snippet_applies(tmp_path: Path) -> None:
    text = INGRESS.replace("$http_x_forwarded_host;", "$http_x_forwarded_host;  # deploylint: ignore[NGX402] set by the edge proxy")
    result = lint_text(tmp_path, "k8s/ingress.yaml", text, select=["NGX402"])
    assert result.shown == [] and [(f.rule_id, f.span.line) for f in result.suppressed] == [("NGX402", 8)]


SNIPPET_CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data:
  server-snippet: |
    location /static {
        alias /var/www/static/;
    }
    location /api/ {
        proxy_pass http://api;
        add_header X-Frame-Options DENY always;
    }
  http-snippet: |
    server_tokens on;
  location-snippet: 'proxy_set_header Host $http_host;'
  main-snippet: |
    worker_processes 2;
  use-forwarded-headers: "true"
"""


def test_the_controllers_configmap_snippets_are_fragments_of_their_context(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "ingress/controller.yaml", SNIPPET_CONFIGMAP, select=NGX)
    assert found(result, SNIPPET_CONFIGMAP) == [
        ("NGX301", 14, 19, "on;"),
        ("NGX401", 7, 9, "alias"),  # a location written in the snippet: its path is known
        ("NGX402", 15, 44, "$http_host;'"),
    ]
    # The same keys in any other ConfigMap are not the controller's: not nginx.
    other = SNIPPET_CONFIGMAP.replace("name: ingress-nginx-controller", "name: app-settings")
    assert lint_text(tmp_path, "ingress/controller.yaml", other, select=NGX).shown == []
    # ... unless a controller of the same file reads it (`--configmap`).
    controller = other + """\
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.12.0
          args: [/nginx-ingress-controller, --configmap=$(POD_NAMESPACE)/app-settings]
"""
    assert sorted(f.rule_id for f in lint_text(tmp_path, "ingress/controller.yaml", controller, select=NGX).shown) == [
        "NGX301", "NGX401", "NGX402"]


def test_a_whole_config_in_a_configmap_is_still_judged_whole(tmp_path: Path) -> None:
    """The structural difference: a held nginx.conf has no unknown includer."""
    text = SNIPPET_CONFIGMAP.replace("name: ingress-nginx-controller", "name: web").replace(
        "  server-snippet: |\n", "  nginx.conf: |\n    http {\n    server {\n    listen 80;\n").replace(
        "    }\n  http-snippet:", "    }\n    }\n    }\n  http-snippet:")
    rules = sorted((f.rule_id, f.span.line) for f in lint_text(tmp_path, "k8s/web.yaml", text, select=NGX).shown)
    # The server-snippet's locations, now in a server of a whole config: what
    # it lacks is missing (headers, server_tokens off, a redirect, a rate limit).
    assert rules == [("NGX101", 7), ("NGX102", 7), ("NGX102", 12), ("NGX203", 8), ("NGX301", 6), ("NGX302", 13), ("NGX401", 10)]


def test_a_broken_snippet_is_a_dl001_inside_the_yaml_and_the_others_are_linted(tmp_path: Path) -> None:
    text = INGRESS.replace('more_set_headers "X-Served-By: web";', "if ($bad) { return 403;")  # never closed
    result = lint_text(tmp_path, "k8s/ingress.yaml", text, select=NGX)
    rules = found(result, text)
    assert [r for r in rules if r[0] == "DL001"] == [("DL001", 7, 7, "if")]
    assert ("NGX301", 11, 64, "on;") in rules  # the server snippet is its own fragment
    prose = INGRESS.replace(
        '"server_tokens on; ssl_protocols TLSv1 TLSv1.2;"', "Ask the platform team before adding snippets here")
    rules = found(lint_text(tmp_path, "k8s/ingress.yaml", prose, select=NGX), prose)
    assert [r[:3] for r in rules if r[0] == "DL001"] == [("DL001", 11, 97)]  # the value's last word: no `;` ends it


def test_snippets_whose_positions_cannot_be_exact_are_not_linted(tmp_path: Path) -> None:
    """Escapes in a quoted value, and a folded scalar's joined lines, are not
    what the controller pastes character for character: left alone."""
    escaped = INGRESS.replace('"server_tokens on; ssl_protocols TLSv1 TLSv1.2;"', '"server_tokens on;\\nssl_protocols TLSv1;"')
    assert {f.rule_id for f in lint_text(tmp_path, "k8s/ingress.yaml", escaped, select=NGX).shown} == {"NGX107", "NGX402"}
    folded = INGRESS.replace("configuration-snippet: |", "configuration-snippet: >")
    assert {f.rule_id for f in lint_text(tmp_path, "k8s/ingress.yaml", folded, select=NGX).shown} == {"NGX201", "NGX301"}


# --- Altinity ClickHouseInstallation -------------------------------------------------

CH = ["CH201", "CH202", "CH203", "CH301", "CH302", "CH601", "DL001"]


def test_chi_files_from_the_operators_examples_are_linted_at_their_yaml_positions(tmp_path: Path) -> None:
    for name in ("01-simple-layout-04-shards-and-replicas-customization.yaml", "03-persistent-volume-08-tiered-s3.yaml"):
        shutil.copy(FIXTURES / "chi" / name, tmp_path / name)
    result = lint_paths(["."], tmp_path, select=CH)
    assert sorted((f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown) == [
        # users.d/test_file_usersd.xml, a one-line quoted value: the password's text
        ("CH202", "01-simple-layout-04-shards-and-replicas-customization.yaml", 15, 76),
        # config.d/storage_configuration.xml, a literal block: <secret_access_key>'s value
        ("CH202", "03-persistent-volume-08-tiered-s3.yaml", 26, 44),
    ]


CHI = """\
apiVersion: clickhouse.altinity.com/v1
kind: ClickHouseInstallation
metadata: {name: analytics}
spec:
  configuration:
    files:
      config.d/network.xml: |
        <clickhouse>
            <listen_host>::</listen_host>
            <http_port>8123</http_port>
        </clickhouse>
      users.d/default.xml: |
        <clickhouse>
            <users>
                <default>
                    <password></password>
                </default>
            </users>
        </clickhouse>
      conf.d/extra/tls.xml: |
        <clickhouse>
            <openSSL><server><disableProtocols>sslv2</disableProtocols></server></openSSL>
        </clickhouse>
      schema.sql: |
        CREATE TABLE t (x UInt8) ENGINE = Memory;
    clusters:
      - name: main
        files:
          users.d/ignored.xml: |
            <clickhouse><users><x><password>plain</password></x></users></clickhouse>
"""


def test_the_files_of_one_chi_are_one_installation(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "ch/chi.yaml", CHI, select=CH)
    # Before: a CHI was one more custom resource (nothing here).
    assert found(result, CHI) == [
        ("CH201", 16, 21, "<password></password>"),  # users.d/default.xml
        ("CH302", 22, 48, "sslv2</disableProtocols></server></openSSL>"),  # conf.d/extra/tls.xml (its folder dropped)
    ]
    # schema.sql is no XML file, and a cluster's own files (the plaintext
    # password under clusters[0]) are the hosts' and not linted.
    template = CHI.replace("kind: ClickHouseInstallation", "kind: ClickHouseInstallationTemplate")
    assert found(lint_text(tmp_path, "ch/chi.yaml", template, select=CH), template) == found(result, CHI)
    other_api = CHI.replace("clickhouse.altinity.com/v1", "example.com/v1")
    assert lint_text(tmp_path, "ch/chi.yaml", other_api, select=CH).shown == []


CHI_MEMORY = """\
apiVersion: clickhouse.altinity.com/v1
kind: ClickHouseInstallation
metadata: {name: analytics}
spec:
  configuration:
    files:
      config.d/memory.xml: |
        <clickhouse>
            <max_server_memory_usage_to_ram_ratio>1.5</max_server_memory_usage_to_ram_ratio>
        </clickhouse>
  templates:
    podTemplates:
      - name: server
        spec:
          containers:
            - name: log-shipper
              image: fluent/fluent-bit:3.2
              resources: {limits: {memory: 64Gi}}
            - name: clickhouse
              image: clickhouse/clickhouse-server:24.8
              resources: {limits: {memory: 4Gi}}
"""


def test_a_chi_files_memory_is_judged_against_its_pod_templates_clickhouse_container(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "ch/chi.yaml", CHI_MEMORY, select=["CH105"])
    assert [(f.span.line, f.span.column, f.message.split(" (")[0]) for f in result.shown] == [(
        9, 51, "<max_server_memory_usage_to_ram_ratio> 1.5 leaves the server a cap of 6GiB, above the memory limit of container "
        "'clickhouse' of pod template 'server' in ClickHouseInstallation/analytics")]
    # The operator runs the server in the container named clickhouse, else the first one.
    unnamed = CHI_MEMORY.replace("- name: clickhouse", "- name: server")
    assert ["container 'log-shipper'" in f.message for f in lint_text(tmp_path, "ch/chi.yaml", unnamed, select=["CH105"]).shown] == [True]
    no_templates = CHI_MEMORY.split("  templates:")[0]
    assert lint_text(tmp_path, "ch/chi.yaml", no_templates, select=["CH105"]).shown == []


# --- Helm ------------------------------------------------------------------------------

CHART_VALUES = """\
redisConfig: |
  appendonly yes
  maxmemory 4gb
"""

CHART_TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  redis.conf: |
    {{- .Values.redisConfig | nindent 4 }}
  nginx.conf: |
    {{- tpl .Values.nginxConfig . | nindent 4 }}
---
apiVersion: v1
kind: Pod
metadata:
  name: redis
spec:
  containers:
    - name: redis
      image: redis:latest
"""

RENDERED = """\
---
# Source: cache/templates/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: release-name-config
data:
  redis.conf: |
    appendonly yes
    maxmemory 4gb
  nginx.conf: |
    server { listen 80; server_tokens on; }
---
# Source: cache/templates/config.yaml
apiVersion: v1
kind: Pod
metadata:
  name: redis
spec:
  containers:
    - name: redis
      image: redis:latest
"""


def test_a_chart_rendered_config_is_linted_only_where_values_yaml_holds_it_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """redis.conf is printed unchanged by `{{ .Values.redisConfig | nindent 4 }}`:
    linted at its own lines of values.yaml. nginx.conf goes through `tpl`,
    which may rewrite it: nothing is reported for it, rather than at an
    approximate line."""
    chart = tmp_path / "cache"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: cache\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(CHART_VALUES + "nginxConfig: 'server { listen 80; server_tokens on; }'\n")
    (chart / "templates" / "config.yaml").write_text(CHART_TEMPLATE)
    (tmp_path / "rendered.yaml").write_text(RENDERED)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helm = bin_dir / "helm"
    helm.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write(open({str(tmp_path / 'rendered.yaml')!r}).read())\n")
    helm.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    result = lint_paths(["cache"], tmp_path, options={"helm_renderer": "binary"})
    assert not [f for f in result.shown if f.rule_id.startswith(("NGX", "DL"))]
    held = [(f.span.file, f.span.line) for f in result.shown if f.rule_id.startswith("RDS")]
    assert held and all(file == "cache/values.yaml" and line in (2, 3) for file, line in held)
    # The chart was rendered and its objects linted: the Pod's image, at the template's line.
    assert ("K8S501", "cache/templates/config.yaml", 18, 14) in [(f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown]


# --- bad input ---------------------------------------------------------------------------

def manifest(key: str, body: str, style: str = "|") -> str:
    indented = "".join(f"    {line}\n" for line in body.split("\n"))
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: odd}}\ndata:\n  {key}: {style}\n{indented}  after: x\n"


def test_binary_looking_data_in_a_config_xml_key_is_not_linted_and_does_not_crash(tmp_path: Path) -> None:
    blob = "\n".join("QmluYXJ5AAECAwT/+" + "x7Yq" * 15 + chr(0x2500 + i) for i in range(20))
    result = lint_text(tmp_path, "k8s/odd.yaml", manifest("config.xml", blob))
    assert [f for f in result.shown if f.rule_id.startswith(("CH", "DL"))] == []
    chi = CHI.replace("<clickhouse>\n            <listen_host>", "\u00ff\u00fe<clickhouse\n            <listen_host>")
    rules = found(lint_text(tmp_path, "ch/chi.yaml", chi, select=CH), chi)
    assert [r[:3] for r in rules if r[0] == "DL001"] == [("DL001", 8, 11)]  # inside the CHI's value, nowhere else


def test_a_key_named_like_nginx_conf_holding_prose_is_a_dl001_inside_the_yaml(tmp_path: Path) -> None:
    text = manifest("nginx.conf", "This file is generated at start-up.\nDo not edit it by hand; see the runbook.")
    result = lint_text(tmp_path, "k8s/odd.yaml", text)
    # nginx reads words up to a `;` as a directive: what follows the last one has none.
    assert [(f.rule_id, f.span.line, f.span.column) for f in result.shown if f.rule_id.startswith(("NGX", "DL"))] == [("DL001", 7, 44)]


def test_a_200_kb_line_in_a_held_config_is_linted_without_crashing(tmp_path: Path) -> None:
    line = "save 900 1 " + " ".join(["1"] * 100_000)
    text = manifest("redis.conf", f"maxmemory-policy noeviction\n{line}\nrequirepass changeme")
    result = lint_text(tmp_path, "k8s/odd.yaml", text)
    assert ("RDS", 8, 17) in [(f.rule_id[:3], f.span.line, f.span.column) for f in result.shown]  # requirepass's value


def test_a_folded_redis_conf_is_not_linted(tmp_path: Path) -> None:
    """`>` joins the lines with spaces: redis would read one line, the file
    the author meant has several; no position would be exact."""
    text = manifest("redis.conf", "requirepass changeme\nprotected-mode no", ">")
    assert [f for f in lint_text(tmp_path, "k8s/odd.yaml", text).shown if f.rule_id.startswith("RDS")] == []
    literal = manifest("redis.conf", "requirepass changeme\nprotected-mode no")
    assert [f for f in lint_text(tmp_path, "k8s/odd.yaml", literal).shown if f.rule_id.startswith("RDS")]
