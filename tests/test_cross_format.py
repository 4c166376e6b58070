"""Checks across formats: a config held in a ConfigMap judged against the
container that mounts it (Redis maxmemory against the memory limit)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lint_paths, lint_text

CACHE = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cache-config, namespace: prod}
data:
  redis.conf: |
    appendonly yes
    maxmemory 4gb
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: prod}
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7.4
          resources:
            limits: {memory: 2Gi}
          volumeMounts: [{name: config, mountPath: /etc/redis}]
      volumes:
        - name: config
          configMap: {name: cache-config}
"""


def rds105(tmp_path: Path, text: str) -> list[tuple[int, int, str, str]]:
    result = lint_text(tmp_path, "k8s/cache.yaml", text, select=["RDS105"])
    return [(f.span.line, f.span.column, f.severity.value, f.message) for f in result.shown]


def test_maxmemory_above_the_mounting_containers_limit_is_reported_at_maxmemory(tmp_path: Path) -> None:
    assert rds105(tmp_path, CACHE) == [(
        7, 15, "error",
        "maxmemory 4gb is above 80% of the memory limit of container 'redis' in StatefulSet/cache (2gb, k8s/cache.yaml:19): "
        "the kernel kills Redis before it evicts",
    )]


def test_near_the_limit_is_a_warning_and_well_under_it_is_silent(tmp_path: Path) -> None:
    assert [s for _, _, s, _ in rds105(tmp_path, CACHE.replace("maxmemory 4gb", "maxmemory 1900mb"))] == ["warning"]
    assert rds105(tmp_path, CACHE.replace("maxmemory 4gb", "maxmemory 1536mb")) == []


def test_only_containers_that_mount_the_config_count(tmp_path: Path) -> None:
    other_namespace = CACHE.replace("metadata: {name: cache, namespace: prod}", "metadata: {name: cache, namespace: dev}")
    assert rds105(tmp_path, other_namespace) == []
    not_mounted = CACHE.replace("configMap: {name: cache-config}", "configMap: {name: other-config}")
    assert rds105(tmp_path, not_mounted) == []
    other_key = CACHE.replace("configMap: {name: cache-config}", "configMap: {name: cache-config, items: [{key: sentinel.conf, path: s.conf}]}")
    assert rds105(tmp_path, other_key) == []


# The same deployment split the way repositories split it: the config and its workload in sibling files.
CONFIG_FILE, WORKLOAD_FILE = CACHE.split("---\n")


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def findings(root: Path, paths: list[str], select: list[str]) -> list[tuple[str, int, int, int, int, str]]:
    result = lint_paths(paths, root, select=select)
    return [(f.span.file, f.span.line, f.span.column, f.span.end_line, f.span.end_column, f.message) for f in result.shown]


SPLIT_MESSAGE = ("maxmemory 4gb is above 80% of the memory limit of container 'redis' in StatefulSet/cache "
                 "(2gb, k8s/redis.yaml:11): the kernel kills Redis before it evicts")


def test_a_config_and_the_statefulset_mounting_it_in_sibling_files_are_linked(tmp_path: Path) -> None:
    write(tmp_path, {"k8s/redis-config.yaml": CONFIG_FILE, "k8s/redis.yaml": WORKLOAD_FILE})
    expected = [("k8s/redis-config.yaml", 7, 15, 7, 18, SPLIT_MESSAGE)]
    assert findings(tmp_path, ["k8s"], ["RDS105"]) == expected
    # The pre-commit hook names the changed file alone: its sibling is read from disk.
    assert findings(tmp_path, ["k8s/redis-config.yaml"], ["RDS105"]) == expected
    # The workload's file holds no finding of this rule, alone or not.
    assert findings(tmp_path, ["k8s/redis.yaml"], ["RDS105"]) == []


def test_a_fixed_limit_in_the_sibling_file_silences_it(tmp_path: Path) -> None:
    write(tmp_path, {"k8s/redis-config.yaml": CONFIG_FILE, "k8s/redis.yaml": WORKLOAD_FILE.replace("memory: 2Gi", "memory: 8Gi")})
    assert findings(tmp_path, ["k8s/redis-config.yaml"], ["RDS105"]) == []


def test_files_of_another_directory_are_another_deployment(tmp_path: Path) -> None:
    write(tmp_path, {"cache/redis-config.yaml": CONFIG_FILE, "other/redis.yaml": WORKLOAD_FILE})
    assert findings(tmp_path, ["."], ["RDS105"]) == []


def test_a_kustomize_build_links_its_files_and_follows_its_renames(tmp_path: Path) -> None:
    write(tmp_path, {
        "base/redis-config.yaml": CONFIG_FILE.replace(", namespace: prod", ""),
        "base/redis.yaml": WORKLOAD_FILE.replace(", namespace: prod", ""),
        "base/kustomization.yaml": "resources: [redis-config.yaml, redis.yaml]\n",
        "overlays/prod/kustomization.yaml": "namespace: prod\nnamePrefix: prod-\nresources: [../../base]\n",
    })
    message = ("maxmemory 4gb is above 80% of the memory limit of container 'redis' in StatefulSet/prod-cache "
               "(2gb, base/redis.yaml:11): the kernel kills Redis before it evicts")
    expected = [("base/redis-config.yaml", 7, 15, 7, 18, message)]
    assert findings(tmp_path, ["."], ["RDS105"]) == expected
    assert findings(tmp_path, ["base/redis-config.yaml"], ["RDS105"]) == expected


DB_CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: db-config}
data:
  postgresql.conf: |
    max_connections = 200
    shared_buffers = 3GB
"""

DB = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:17.2
          resources:
            limits: {memory: 4Gi}
          volumeMounts: [{name: config, mountPath: /etc/postgresql}]
      volumes:
        - name: config
          configMap: {name: db-config}
"""


def test_shared_buffers_against_the_limit_of_the_postgres_container_in_a_sibling_file(tmp_path: Path) -> None:
    write(tmp_path, {"db/config.yaml": DB_CONFIG, "db/db.yaml": DB})
    message = "shared_buffers 3GB is above 40% of the memory limit of container 'postgres' in StatefulSet/db (4GB, db/db.yaml:11)"
    assert findings(tmp_path, ["db/config.yaml"], ["PG110"]) == [("db/config.yaml", 7, 22, 7, 25, message)]
    result = lint_paths(["db"], tmp_path, select=["PG110"])
    assert [f.severity.value for f in result.shown] == ["warning"]
    over = DB_CONFIG.replace("shared_buffers = 3GB", "shared_buffers = 5GB")
    write(tmp_path, {"db/config.yaml": over})
    assert [f.severity.value for f in lint_paths(["db"], tmp_path, select=["PG110"]).shown] == ["error"]
    # The manual's 25% is silent, and so is a bare number of 8kB blocks that comes to it.
    for fixed in ("shared_buffers = 1GB", "shared_buffers = 131072"):
        write(tmp_path, {"db/config.yaml": DB_CONFIG.replace("shared_buffers = 3GB", fixed)})
        assert findings(tmp_path, ["db"], ["PG110"]) == []


def test_shared_buffers_is_not_judged_without_a_container_that_mounts_it(tmp_path: Path) -> None:
    write(tmp_path, {"db/config.yaml": DB_CONFIG, "db/db.yaml": DB.replace("name: db-config", "name: other")})
    assert findings(tmp_path, ["db"], ["PG110"]) == []


CLICKHOUSE_CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: clickhouse-config}
data:
  config.xml: |
    <clickhouse>
        <max_server_memory_usage>8000000000</max_server_memory_usage>
    </clickhouse>
  memory.xml: |
    <clickhouse>
        <max_server_memory_usage_to_ram_ratio>1.5</max_server_memory_usage_to_ram_ratio>
    </clickhouse>
  users.xml: |
    <clickhouse>
        <users>
            <default>
                <password></password>
                <networks><ip>::/0</ip></networks>
            </default>
        </users>
    </clickhouse>
"""

CLICKHOUSE = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: clickhouse}
spec:
  template:
    spec:
      containers:
        - name: clickhouse
          image: clickhouse/clickhouse-server:24.8
          resources:
            limits: {memory: 4Gi}
          volumeMounts: [{name: config, mountPath: /etc/clickhouse-server/config.d}]
      volumes:
        - name: config
          configMap: {name: clickhouse-config}
"""

LIMIT = "the memory limit of container 'clickhouse' in StatefulSet/clickhouse (4GiB, ch/clickhouse.yaml:11)"


def test_the_keys_of_one_configmap_are_one_clickhouse_installation(tmp_path: Path) -> None:
    write(tmp_path, {"ch/config.yaml": CLICKHOUSE_CONFIG})
    # users.xml is the users config: its passwordless default user open to any address is found at its line.
    assert [(f.rule_id, f.span.line, f.span.column) for f in lint_paths(["ch"], tmp_path, select=["CH201", "CH203"]).shown] == [
        ("CH201", 17, 17), ("CH203", 18, 31)]


def test_a_ratio_above_one_lets_clickhouse_pass_the_containers_limit(tmp_path: Path) -> None:
    write(tmp_path, {"ch/config.yaml": CLICKHOUSE_CONFIG, "ch/clickhouse.yaml": CLICKHOUSE})
    detail = (f"<max_server_memory_usage_to_ram_ratio> 1.5 leaves the server a cap of 6GiB, above {LIMIT}: "
              "the kernel kills the server before it refuses a query")
    assert findings(tmp_path, ["ch/config.yaml"], ["CH105"]) == [("ch/config.yaml", 11, 47, 11, 50, detail)]
    assert [f.severity.value for f in lint_paths(["ch"], tmp_path, select=["CH105"]).shown] == ["error"]


def test_an_absolute_cap_the_ratio_lowers_is_a_warning_and_a_cap_under_the_limit_is_silent(tmp_path: Path) -> None:
    lowered = CLICKHOUSE_CONFIG.replace(">1.5<", ">0.9<")
    write(tmp_path, {"ch/config.yaml": lowered, "ch/clickhouse.yaml": CLICKHOUSE})
    detail = (f"<max_server_memory_usage> 8000000000 is above {LIMIT}: the server lowers it to 3.6GiB "
              "(0.9 of the limit, <max_server_memory_usage_to_ram_ratio>), so the value written never applies")
    assert findings(tmp_path, ["ch"], ["CH105"]) == [("ch/config.yaml", 7, 34, 7, 44, detail)]
    write(tmp_path, {"ch/config.yaml": lowered.replace("8000000000", "3000000000")})
    assert findings(tmp_path, ["ch"], ["CH105"]) == []


def test_no_cap_at_all_is_an_error_at_the_ratio_that_disables_it(tmp_path: Path) -> None:
    uncapped = CLICKHOUSE_CONFIG.replace(">1.5<", ">0<").replace("8000000000", "0")
    write(tmp_path, {"ch/config.yaml": uncapped, "ch/clickhouse.yaml": CLICKHOUSE})
    assert [(line, column, message.split(",")[0]) for _, line, column, _, _, message in findings(tmp_path, ["ch"], ["CH105"])] == [
        (11, 47, "<max_server_memory_usage_to_ram_ratio> 0 leaves the server no cap")]


PROXY_CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: proxy-config, namespace: shop}
data:
  nginx.conf: |
    events {}
    http {
      upstream pool { server api:9000; server api.shop.svc:8080; }
      server {
        listen 8080;
        location / { proxy_pass http://web:8000/; }
        location /api/ { proxy_pass http://pool; }
        location /v2/ { proxy_pass http://api-v2.shop.svc.cluster.local; }
        location /dyn/ { proxy_pass http://$host:8080; }
        location /ext/ { proxy_pass https://example.com; }
        location /pay/ { proxy_pass http://billing.payments:8080; }
        location /rpc/ { grpc_pass grpc://api:8080; }
      }
    }
"""

SERVICES = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 8080}]
"""


def ngx403(root: Path, paths: list[str]) -> list[tuple[int, int, int, str]]:
    return [(line, column, end, message) for _, line, column, _, end, message in findings(root, paths, ["NGX403"])]


def test_proxied_services_are_looked_up_in_the_services_of_a_sibling_file(tmp_path: Path) -> None:
    write(tmp_path, {"k8s/proxy.yaml": PROXY_CONFIG, "k8s/services.yaml": SERVICES})
    expected = [
        (8, 30, 38, "server api:9000: Service 'api' has no port 9000; its ports: 8080"),
        (11, 33, 49, "proxy_pass http://web:8000/: Service 'web' has no port 8000; its ports: 80"),
        (13, 36, 72, "proxy_pass http://api-v2.shop.svc.cluster.local: there is no Service 'api-v2' in namespace 'shop' "
                     "in the manifests of its directory (there: api, web)"),
    ]
    assert ngx403(tmp_path, ["k8s/proxy.yaml"]) == expected
    assert ngx403(tmp_path, ["k8s"]) == expected


def test_a_fixed_proxy_is_silent_and_without_services_nothing_is_judged(tmp_path: Path) -> None:
    fixed = (PROXY_CONFIG.replace("api:9000", "api:8080").replace("web:8000/", "web/")
             .replace("api-v2.shop.svc.cluster.local", "api.shop.svc.cluster.local:8080"))
    write(tmp_path, {"k8s/proxy.yaml": fixed, "k8s/services.yaml": SERVICES})
    assert ngx403(tmp_path, ["k8s"]) == []
    write(tmp_path, {"alone/proxy.yaml": PROXY_CONFIG})
    assert ngx403(tmp_path, ["alone"]) == []


def test_a_base_built_by_two_overlays_is_judged_in_each(tmp_path: Path) -> None:
    proxy = PROXY_CONFIG.replace(", namespace: shop", "")
    write(tmp_path, {
        "base/proxy.yaml": proxy.replace("api:9000", "api:8080").replace("web:8000/", "web/").replace("api-v2", "api"),
        "base/services.yaml": SERVICES.replace(", namespace: shop", ""),
        "base/kustomization.yaml": "resources: [proxy.yaml, services.yaml]\n",
        # prod drops the api Service: its nginx config proxies to nothing there.
        "prod/kustomization.yaml": ("namespace: prod\nresources: [../base]\npatches:\n"
                                    "  - target: {kind: Service, name: api}\n    patch: |\n      $patch: delete\n"
                                    "      apiVersion: v1\n      kind: Service\n      metadata: {name: api}\n"),
        "staging/kustomization.yaml": "namespace: staging\nresources: [../base]\n",
    })
    missing = "there is no Service 'api' in namespace 'prod' in the build of prod/kustomization.yaml (there: web)"
    # staging keeps the api Service and is silent; names of namespace shop are not judged (no Service of it there).
    assert findings(tmp_path, ["."], ["NGX403"]) == [
        ("base/proxy.yaml", 8, 30, 8, 38, f"server api:8080: {missing}"),
        ("base/proxy.yaml", 17, 36, 17, 51, f"grpc_pass grpc://api:8080: {missing}"),
    ]
    assert findings(tmp_path, ["base/proxy.yaml"], ["NGX403"]) == findings(tmp_path, ["."], ["NGX403"])


def test_odd_services_and_holders_never_crash_the_run(tmp_path: Path) -> None:
    odd = SERVICES.replace("ports: [{port: 8080}]", "ports: [{port: http}, 7, {name: x}]") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: bare, namespace: shop}\n"
    write(tmp_path, {"k8s/proxy.yaml": PROXY_CONFIG, "k8s/services.yaml": odd})
    lines = [line for _, line, _, _, _, _ in findings(tmp_path, ["k8s"], ["NGX403", "DL006"])]
    assert lines == [11, 13]  # api has no port written to judge against; web's and api-v2's findings stay


def test_a_placement_that_fails_is_a_dl006_at_the_held_value_and_the_rest_is_linted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.formats.kubernetes.format import Kubernetes

    def broken(self: Kubernetes, held: object, ctx: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Kubernetes, "place_held", broken)
    write(tmp_path, {"k8s/redis-config.yaml": CONFIG_FILE, "k8s/redis.yaml": WORKLOAD_FILE})
    result = lint_paths(["k8s"], tmp_path, select=["RDS105", "RDS104", "DL006"])
    # The DL006 is at the ConfigMap's value; the held config's own rules still run (RDS104 at its first line).
    assert [(f.rule_id, f.span.file, f.span.line) for f in result.shown] == [("DL006", "k8s/redis-config.yaml", 5), ("RDS104", "k8s/redis-config.yaml", 6)]
    assert "internal error placing redis.conf in its deployment (RuntimeError)" in result.shown[0].message


def test_workers_and_shards_give_the_serial_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.core import parallel

    monkeypatch.setattr(parallel, "WORK_PER_WORKER", 0)  # start workers even for these few files
    write(tmp_path, {
        "k8s/redis-config.yaml": CONFIG_FILE, "k8s/redis.yaml": WORKLOAD_FILE,
        "k8s/proxy.yaml": PROXY_CONFIG, "k8s/services.yaml": SERVICES,
        # A build whose config and workload sit in two directories (a base and an overlay's own resource).
        "base/db-config.yaml": DB_CONFIG, "base/kustomization.yaml": "resources: [db-config.yaml]\n",
        "prod/db.yaml": DB, "prod/kustomization.yaml": "resources: [../base, db.yaml]\n",
    })
    rules = ["RDS105", "PG110", "NGX403"]
    serial = findings(tmp_path, ["."], rules)
    assert [(path, line) for path, line, *_ in serial] == [
        ("base/db-config.yaml", 7), ("k8s/proxy.yaml", 8), ("k8s/proxy.yaml", 11), ("k8s/proxy.yaml", 13), ("k8s/redis-config.yaml", 7)]
    workers = lint_paths(["."], tmp_path, select=rules, jobs=2)
    assert [(f.span.file, f.span.line, f.message) for f in workers.shown] == [(p, line, m) for p, line, *_, m in serial]
    sharded = sorted((f.span.file, f.span.line, f.message) for i in (1, 2, 3)
                     for f in lint_paths(["."], tmp_path, select=rules, shard=(i, 3)).shown)
    assert sharded == sorted((p, line, m) for p, line, *_, m in serial)


# A Redis pod with a sentinel sidecar, each mounting its own key of one ConfigMap through subPath.
SIDECARS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cache-config}
data:
  redis.conf: |
    maxmemory 4gb
  sentinel.conf: |
    sentinel monitor main 127.0.0.1 6379 2
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache}
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7.4
          resources: {limits: {memory: 8Gi}}
          volumeMounts: [{name: config, mountPath: /etc/redis/redis.conf, subPath: redis.conf}]
        - name: sentinel
          image: redis:7.4
          resources: {limits: {memory: 256Mi}}
          volumeMounts: [{name: config, mountPath: /etc/redis/sentinel.conf, subPath: sentinel.conf}]
      volumes:
        - name: config
          configMap: {name: cache-config}
"""


def test_a_sidecar_mounting_another_key_through_subpath_does_not_bound_the_config(tmp_path: Path) -> None:
    # Before: the sentinel mounted the volume, so 4gb was judged against its 256Mi.
    assert rds105(tmp_path, SIDECARS) == []
    small = SIDECARS.replace("limits: {memory: 8Gi}", "limits: {memory: 2Gi}")
    assert [(line, column, message.split(" (")[0]) for line, column, _, message in rds105(tmp_path, small)] == [
        (6, 15, "maxmemory 4gb is above 80% of the memory limit of container 'redis' in StatefulSet/cache"),
    ]
    # A subPath naming a directory that holds the key (through `items`) mounts it too.
    in_folder = small.replace("configMap: {name: cache-config}", "configMap: {name: cache-config, items: [{key: redis.conf, path: conf/redis.conf}]}")
    in_folder = in_folder.replace("mountPath: /etc/redis/redis.conf, subPath: redis.conf", "mountPath: /etc/redis, subPath: conf")
    assert [line for line, _, _, _ in rds105(tmp_path, in_folder)] == [6]


# Both containers mount the whole volume; only the server's command names the config.
EXPORTER = SIDECARS.replace(
    "volumeMounts: [{name: config, mountPath: /etc/redis/redis.conf, subPath: redis.conf}]",
    "command: [redis-server, /etc/redis/redis.conf]\n          volumeMounts: [{name: config, mountPath: /etc/redis}]",
).replace("volumeMounts: [{name: config, mountPath: /etc/redis/sentinel.conf, subPath: sentinel.conf}]",
          "volumeMounts: [{name: config, mountPath: /etc/redis}]")


def test_the_container_whose_command_names_the_config_bounds_it(tmp_path: Path) -> None:
    assert rds105(tmp_path, EXPORTER) == []  # before: the sidecar's 256Mi made it an error
    shell = EXPORTER.replace("command: [redis-server, /etc/redis/redis.conf]",
                             "command: [sh, -c]\n          args: ['exec redis-server /etc/redis/redis.conf --port 6379']")
    assert rds105(tmp_path, shell) == []
    # No container names it: every container that mounts it still counts (the sidecar's limit).
    unnamed = EXPORTER.replace("command: [redis-server, /etc/redis/redis.conf]", "command: [redis-server, /etc/redis/redis.conf.bak]")
    assert [message.split("container '")[1].split("'")[0] for _, _, _, message in rds105(tmp_path, unnamed)] == ["sentinel"]


PG_PAIR = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: db-config}
data:
  postgresql.conf: |
    shared_buffers = 3GB
  exporter.yaml: |
    pg_up: {query: SELECT 1}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:17
          args: [-c, config_file=/etc/postgresql/postgresql.conf]
          resources: {limits: {memory: 16Gi}}
          volumeMounts: [{name: config, mountPath: /etc/postgresql/postgresql.conf, subPath: postgresql.conf}]
        - name: exporter
          image: prometheuscommunity/postgres-exporter
          resources: {limits: {memory: 128Mi}}
          volumeMounts: [{name: config, mountPath: /etc/exporter.yaml, subPath: exporter.yaml}]
      volumes:
        - name: config
          configMap: {name: db-config}
"""


def test_shared_buffers_is_judged_against_the_postgres_container_not_the_exporter(tmp_path: Path) -> None:
    def pg110(text: str) -> list[tuple[int, int, str]]:
        result = lint_text(tmp_path, "db/db.yaml", text, select=["PG110"])
        return [(f.span.line, f.span.column, f.message.split(" (")[0]) for f in result.shown]

    assert pg110(PG_PAIR) == []  # before: 3GB against the exporter's 128Mi
    assert pg110(PG_PAIR.replace("limits: {memory: 16Gi}", "limits: {memory: 4Gi}")) == [
        (6, 22, "shared_buffers 3GB is above 40% of the memory limit of container 'postgres' in StatefulSet/db"),
    ]
