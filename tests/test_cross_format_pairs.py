"""Checks across formats, each on a broken pair (it fires at the line that is
wrong and names the other side's file and line) and on the fixed pair (it is
silent): memory estimates against the container that mounts the config, env
keys against the env files that would set them, deployable env files against
their template, and TLS between an nginx proxy and the Service it reaches."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_paths


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def findings(root: Path, paths: list[str], select: list[str]) -> list[tuple[str, str, int, int, int, int, str]]:
    result = lint_paths(paths, root, select=select)
    return [(f.rule_id, f.span.file, f.span.line, f.span.column, f.span.end_line, f.span.end_column, f.message)
            for f in result.shown]


# --- memory: PostgreSQL's estimate, ClickHouse's per-query cap ------------------------------------

POSTGRES_CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: db-config}
data:
  postgresql.conf: |
    shared_buffers = 1GB
    max_connections = 200
    work_mem = 64MB
"""

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
          resources:
            limits: {memory: 4Gi}
          volumeMounts: [{name: config, mountPath: /etc/postgresql}]
      volumes:
        - name: config
          configMap: {name: db-config}
"""


def test_work_mem_for_every_connection_is_judged_at_work_mem_naming_the_limit(tmp_path: Path) -> None:
    write(tmp_path, {"db/config.yaml": POSTGRES_CONFIG, "db/db.yaml": POSTGRES})
    expected = [("PG111", "db/config.yaml", 8, 16, 8, 20,
                 "shared_buffers 1GB + max_connections 200 × work_mem 64MB = 13824MB is above 90% of the memory limit "
                 "of container 'postgres' in StatefulSet/db (4GB, db/db.yaml:11): with every connection sorting at once "
                 "the kernel kills the server")]
    assert findings(tmp_path, ["db"], ["PG111"]) == expected
    assert findings(tmp_path, ["db/config.yaml"], ["PG111"]) == expected  # its workload read from disk


def test_the_estimate_is_silent_when_it_fits_and_uses_the_servers_defaults(tmp_path: Path) -> None:
    write(tmp_path, {"db/config.yaml": POSTGRES_CONFIG.replace("work_mem = 64MB", "work_mem = 8MB"), "db/db.yaml": POSTGRES})
    assert findings(tmp_path, ["db"], ["PG111"]) == []  # 1GB + 200 × 8MB = 2.6GB of 4GB
    # work_mem left at its 4MB: the estimate points at max_connections, the line that makes it too big.
    many = POSTGRES_CONFIG.replace("    work_mem = 64MB\n", "").replace("max_connections = 200", "max_connections = 1000")
    write(tmp_path, {"db/config.yaml": many})
    assert [(r, line, col) for r, _, line, col, *_ in findings(tmp_path, ["db"], ["PG111"])] == [("PG111", 7, 23)]
    # Nothing mounts it: nothing to judge.
    write(tmp_path, {"db/db.yaml": POSTGRES.replace("name: db-config", "name: other")})
    assert findings(tmp_path, ["db"], ["PG111"]) == []


CLICKHOUSE_USERS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: clickhouse-users}
data:
  users.xml: |
    <clickhouse>
        <profiles>
            <default>
                <max_memory_usage>20000000000</max_memory_usage>
            </default>
        </profiles>
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
            limits: {memory: 8Gi}
          volumeMounts: [{name: users, mountPath: /etc/clickhouse-server/users.d}]
      volumes:
        - name: users
          configMap: {name: clickhouse-users}
"""


def test_a_per_query_cap_above_the_containers_limit_is_reported_at_its_value(tmp_path: Path) -> None:
    write(tmp_path, {"ch/users.yaml": CLICKHOUSE_USERS, "ch/clickhouse.yaml": CLICKHOUSE})
    assert findings(tmp_path, ["ch/users.yaml"], ["CH106"]) == [(
        "CH106", "ch/users.yaml", 9, 35, 9, 46,
        "settings profile 'default' lets one query take <max_memory_usage> 20000000000 (18.6GiB), above 90% of the "
        "memory limit of container 'clickhouse' in StatefulSet/clickhouse (8GiB, ch/clickhouse.yaml:11): the cap never "
        "stops a query, the server-wide cap or the kernel does")]


def test_a_per_query_cap_under_the_limit_or_substituted_is_silent(tmp_path: Path) -> None:
    write(tmp_path, {"ch/users.yaml": CLICKHOUSE_USERS.replace("20000000000", "4000000000"), "ch/clickhouse.yaml": CLICKHOUSE})
    assert findings(tmp_path, ["ch"], ["CH106"]) == []
    from_env = CLICKHOUSE_USERS.replace("<max_memory_usage>20000000000</max_memory_usage>",
                                        '<max_memory_usage from_env="QUERY_MEMORY"/>')
    write(tmp_path, {"ch/users.yaml": from_env})
    assert findings(tmp_path, ["ch"], ["CH106"]) == []
