"""Configs a Kustomize generator turns into a ConfigMap (`configMapGenerator:
[{files: [redis.conf]}]`) are linted as the files the user wrote, at their own
lines, and placed where the generated ConfigMap is mounted: the cross-format
checks judge them against the container of each build that mounts them, the
same whether the file is linted alone, with its directory or with the tree.
A holder's `deploylint.dev/ignore` annotation covers the files it holds."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import located as findings
from cli_helpers import write_files as write
from conftest import lint_paths

REDIS_CONF = "# the cache\nmaxmemory 4gb\nmaxmemory-policy allkeys-lru\n"

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache}
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7.4.1
          command: [redis-server, /etc/redis/redis.conf]
          resources:
            limits: {memory: 1Gi}
          volumeMounts: [{name: config, mountPath: /etc/redis}]
      volumes:
        - name: config
          configMap: {name: redis}
"""

GENERATED = "resources: [redis.yaml]\nconfigMapGenerator:\n  - name: redis\n    files: [redis.conf]\n"


def redis_app(root: Path, conf: str = REDIS_CONF, kustomization: str = GENERATED) -> None:
    write(root, {"app/kustomization.yaml": kustomization, "app/redis.conf": conf, "app/redis.yaml": STATEFULSET})


def test_a_generated_redis_conf_is_judged_against_the_container_mounting_it(tmp_path: Path) -> None:
    redis_app(tmp_path)
    expected = [("RDS105", "app/redis.conf", 2, 11, 2, 14,
                 "maxmemory 4gb is above 80% of the memory limit of container 'redis' in StatefulSet/cache "
                 "(1gb, app/redis.yaml:12): the kernel kills Redis before it evicts")]
    assert findings(tmp_path, ["app"], ["RDS105"]) == expected
    assert findings(tmp_path, ["app/redis.conf"], ["RDS105"]) == expected  # alone: its build is made as context
    assert findings(tmp_path, ["."], ["RDS105"]) == expected
    assert findings(tmp_path, ["app/redis.conf", "app/redis.yaml"], ["RDS105"]) == expected


def test_a_generated_redis_conf_that_fits_is_silent_and_one_no_build_mounts_is_not_judged(tmp_path: Path) -> None:
    redis_app(tmp_path, REDIS_CONF.replace("4gb", "512mb"))
    assert findings(tmp_path, ["."], ["RDS105"]) == []
    assert findings(tmp_path, ["app/redis.conf"], ["RDS105"]) == []
    # The StatefulSet mounts another ConfigMap: nothing runs this one.
    write(tmp_path, {"app/redis.yaml": STATEFULSET.replace("configMap: {name: redis}", "configMap: {name: other}")})
    assert findings(tmp_path, ["app/redis.conf"], ["RDS105"]) == []
    # No generator at all: a plain file on disk, judged against nothing.
    redis_app(tmp_path, kustomization="resources: [redis.yaml]\n")
    assert findings(tmp_path, ["app/redis.conf"], ["RDS105"]) == []


def overlay(limit: str, prefix: str) -> str:
    return (f"namePrefix: {prefix}-\nresources: [../base]\npatches:\n  - target: {{kind: StatefulSet, name: cache}}\n"
            "    patch: |\n      - op: replace\n        path: /spec/template/spec/containers/0/resources/limits/memory\n"
            f"        value: {limit}\n")


def test_a_base_generating_the_config_is_judged_in_each_overlay_with_its_own_limit(tmp_path: Path) -> None:
    write(tmp_path, {
        "base/kustomization.yaml": GENERATED, "base/redis.conf": REDIS_CONF,
        "base/redis.yaml": STATEFULSET.replace("1Gi", "16Gi"),
        "dev/kustomization.yaml": overlay("1Gi", "dev"),
        "prod/kustomization.yaml": overlay("4Gi", "prod"),
        "big/kustomization.yaml": overlay("32Gi", "big"),  # fits: silent
    })
    result = lint_paths(["."], tmp_path, select=["RDS105"])
    shown = [(f.span.file, f.span.line, f.span.column, f.severity.value, f.message.split(": ")[0]) for f in result.shown]
    assert shown == [
        ("base/redis.conf", 2, 11, "error", "maxmemory 4gb is above 80% of the memory limit of container 'redis' "
                                            "in StatefulSet/dev-cache (1gb, dev/kustomization.yaml:8)"),
        ("base/redis.conf", 2, 11, "warning", "maxmemory 4gb is above 80% of the memory limit of container 'redis' "
                                              "in StatefulSet/prod-cache (4gb, prod/kustomization.yaml:8)"),
    ]
    assert findings(tmp_path, ["base/redis.conf"], ["RDS105"]) == findings(tmp_path, ["."], ["RDS105"])
    assert findings(tmp_path, ["base"], ["RDS105"]) == findings(tmp_path, ["."], ["RDS105"])


POSTGRES = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:17.2
          args: [-c, config_file=/etc/postgresql/postgresql.conf]
          resources:
            limits: {memory: 2Gi}
          volumeMounts: [{name: config, mountPath: /etc/postgresql}]
      volumes:
        - name: config
          configMap: {name: db}
"""


def test_a_generated_postgresql_conf_is_judged_at_its_own_lines(tmp_path: Path) -> None:
    write(tmp_path, {
        "db/kustomization.yaml": "resources: [db.yaml]\nconfigMapGenerator:\n  - name: db\n    files: [postgresql.conf]\n",
        "db/postgresql.conf": "listen_addresses = '*'\nshared_buffers = 1GB\nmax_connections = 100\nwork_mem = 32MB\n",
        "db/db.yaml": POSTGRES,
    })
    got = [(rule, file, line, column) for rule, file, line, column, *_ in findings(tmp_path, ["db/postgresql.conf"], ["PG110", "PG111"])]
    assert got == [("PG110", "db/postgresql.conf", 2, 18), ("PG111", "db/postgresql.conf", 4, 12)]
    assert [f[:4] for f in findings(tmp_path, ["db"], ["PG110", "PG111"])] == got
    write(tmp_path, {"db/postgresql.conf": "shared_buffers = 512MB\nwork_mem = 8MB\n"})
    assert findings(tmp_path, ["db"], ["PG110", "PG111"]) == []


def test_a_generated_nginx_conf_proxies_to_the_services_of_its_build(tmp_path: Path) -> None:
    nginx = "events {}\nhttp {\n  server {\n    listen 8080;\n    location / { proxy_pass http://web:8000; }\n  }\n}\n"
    proxy = STATEFULSET.replace("cache", "proxy").replace("redis", "nginx").replace("/etc/nginx/nginx.conf", "/etc/nginx")
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n"
    write(tmp_path, {
        "edge/kustomization.yaml": "resources: [proxy.yaml, web.yaml]\nconfigMapGenerator:\n  - name: nginx\n    files: [nginx.conf]\n",
        "edge/nginx.conf": nginx, "edge/proxy.yaml": proxy, "edge/web.yaml": service,
    })
    expected = [("NGX403", "edge/nginx.conf", 5, 29, 5, 44, "proxy_pass http://web:8000: Service 'web' has no port 8000; its ports: 80")]
    assert findings(tmp_path, ["edge/nginx.conf"], ["NGX403"]) == expected
    assert findings(tmp_path, ["."], ["NGX403"]) == expected
    write(tmp_path, {"edge/nginx.conf": nginx.replace("web:8000", "web:80")})
    assert findings(tmp_path, ["."], ["NGX403"]) == []


def test_a_generated_clickhouse_config_is_judged_against_the_server_container(tmp_path: Path) -> None:
    server = (STATEFULSET.replace("configMap: {name: redis}", "configMap: {name: ch}").replace("cache", "ch")
              .replace("name: redis", "name: clickhouse").replace("redis:7.4.1", "clickhouse/clickhouse-server:24.8")
              .replace("          command: [redis-server, /etc/redis/redis.conf]\n", "")
              .replace("/etc/redis", "/etc/clickhouse-server/config.d"))
    config = "<clickhouse>\n    <max_server_memory_usage>8000000000</max_server_memory_usage>\n</clickhouse>\n"
    write(tmp_path, {
        "ch/kustomization.yaml": "resources: [ch.yaml]\nconfigMapGenerator:\n  - name: ch\n    files: [memory.xml]\n",
        "ch/memory.xml": config, "ch/ch.yaml": server,
    })
    got = findings(tmp_path, ["ch/memory.xml"], ["CH105"])
    assert [(rule, file, line, column, end) for rule, file, line, column, _, end, _ in got] == [("CH105", "ch/memory.xml", 2, 30, 40)]
    assert "container 'clickhouse' in StatefulSet/ch (1GiB, ch/ch.yaml:11)" in got[0][6]
    assert findings(tmp_path, ["."], ["CH105"]) == got
    write(tmp_path, {"ch/memory.xml": config.replace("8000000000", "500000000")})
    assert findings(tmp_path, ["."], ["CH105"]) == []


# --- the holder's annotations -----------------------------------------------------------------

HELD = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: redis
  annotations:
    deploylint.dev/ignore: "RDS105: the operator sizes the pod at admission"
data:
  redis.conf: |
    maxmemory 4gb
    maxmemory-policy noeviction
"""


def test_a_configmaps_ignore_annotation_covers_that_rule_in_the_config_it_holds(tmp_path: Path) -> None:
    write(tmp_path, {"k8s/config.yaml": HELD, "k8s/redis.yaml": STATEFULSET})
    result = lint_paths(["k8s"], tmp_path, select=["RDS105", "RDS104"])
    assert [(f.rule_id, f.span.line, f.span.column) for f in result.shown] == [("RDS104", 10, 22)]  # not named: still reported
    suppressed = [(f.rule_id, f.span.line, f.suppression.kind, f.suppression.reason, f.suppression.span.line)
                  for f in result.findings if f.suppression is not None]
    assert suppressed == [("RDS105", 9, "annotation", "the operator sizes the pod at admission", 6)]
    # Without the annotation both are reported; the annotation suppresses nothing else of the ConfigMap's.
    write(tmp_path, {"k8s/config.yaml": HELD.replace("  annotations:\n    deploylint.dev/ignore: \"RDS105: the operator sizes the pod at admission\"\n", "")})
    assert [f.rule_id for f in lint_paths(["k8s"], tmp_path, select=["RDS105", "RDS104"]).shown] == ["RDS105", "RDS104"]


def test_a_generators_ignore_annotation_covers_the_file_on_disk(tmp_path: Path) -> None:
    annotated = GENERATED + "    options:\n      annotations:\n        deploylint.dev/ignore: 'RDS105: sized by the VPA'\n"
    redis_app(tmp_path, REDIS_CONF.replace("allkeys-lru", "noeviction"), annotated)
    for paths in (["app"], ["app/redis.conf"], ["."]):
        result = lint_paths(paths, tmp_path, select=["RDS105", "RDS104"])
        assert [(f.rule_id, f.span.file, f.span.line) for f in result.shown] == [("RDS104", "app/redis.conf", 3)]
        assert [(f.rule_id, f.span.line, f.suppression.span.file, f.suppression.span.line)
                for f in result.findings if f.suppression is not None] == [("RDS105", 2, "app/kustomization.yaml", 7)]
    # --no-inline-suppressions ignores annotations here too.
    result = lint_paths(["app"], tmp_path, select=["RDS105"], inline_suppressions=False)
    assert [f.rule_id for f in result.shown] == ["RDS105"]


def test_an_expired_holder_annotation_suppresses_nothing(tmp_path: Path) -> None:
    expired = HELD.replace("at admission", "until=2020-01-01 at admission")
    write(tmp_path, {"k8s/config.yaml": expired, "k8s/redis.yaml": STATEFULSET})
    result = lint_paths(["k8s"], tmp_path, select=["RDS105", "DL010"])
    assert sorted((f.rule_id, f.span.line) for f in result.shown) == [("DL010", 6), ("RDS105", 9)]


def test_an_ingress_ignore_annotation_covers_its_snippets(tmp_path: Path) -> None:
    ingress = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    deploylint.dev/ignore: "NGX402: the edge proxy sets Host"
    nginx.ingress.kubernetes.io/configuration-snippet: |
      proxy_set_header Host $http_x_forwarded_host;
spec:
  rules: [{host: shop.example.com}]
"""
    write(tmp_path, {"k8s/ingress.yaml": ingress})
    result = lint_paths(["k8s"], tmp_path, select=["NGX402"])
    assert result.shown == []
    assert [(f.rule_id, f.span.line) for f in result.findings if f.suppression is not None] == [("NGX402", 8)]
    write(tmp_path, {"k8s/ingress.yaml": ingress.replace("NGX402: ", "NGX101: ")})
    assert [(f.rule_id, f.span.line) for f in lint_paths(["k8s"], tmp_path, select=["NGX402"]).shown] == [("NGX402", 8)]


def test_a_clickhouse_installations_ignore_annotation_covers_its_files(tmp_path: Path) -> None:
    chi = """\
apiVersion: clickhouse.altinity.com/v1
kind: ClickHouseInstallation
metadata:
  name: secure
  annotations:
    deploylint.dev/ignore: "CH303: client certificates are checked by the proxy"
spec:
  configuration:
    files:
      config.d/openssl.xml: |
        <clickhouse>
          <openSSL><server>
            <verificationMode>none</verificationMode>
            <disableProtocols>sslv2,sslv3</disableProtocols>
          </server></openSSL>
        </clickhouse>
"""
    write(tmp_path, {"chi.yaml": chi})
    result = lint_paths(["chi.yaml"], tmp_path, select=["CH302", "CH303"])
    assert [(f.rule_id, f.span.line) for f in result.shown] == [("CH302", 14)]  # not named: still reported
    assert [(f.rule_id, f.span.line, f.suppression.span.line) for f in result.findings if f.suppression is not None] == [("CH303", 13, 6)]
