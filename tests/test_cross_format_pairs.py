"""Checks across formats, each on a broken pair (it fires at the line that is
wrong and names the other side's file and line) and on the fixed pair (it is
silent): memory estimates against the container that mounts the config, env
keys against the env files that would set them, deployable env files against
their template, and TLS between an nginx proxy and the Service it reaches."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import located as findings
from cli_helpers import write_files as write
from conftest import lint_paths
from test_cross_format import DB as POSTGRES  # the StatefulSet of the PG110 tests

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


# --- TLS between an nginx proxy and the Service it reaches ------------------------------------------

PROXY = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: proxy-config, namespace: shop}
data:
  nginx.conf: |
    events {}
    http {
      server {
        listen 8080;
        location / { proxy_pass https://web; }
      }
    }
"""

WEB = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
    - {PORT}
"""


def tls_findings(root: Path, port: str, proxy: str = PROXY) -> list[tuple[str, str, int, int, int, int, str]]:
    write(root, {"shop/proxy.yaml": proxy, "shop/web.yaml": WEB.replace("{PORT}", port)})
    return findings(root, ["shop/proxy.yaml"], ["NGX403", "NGX404"])


def test_https_to_a_plain_service_port_is_reported_at_the_address_naming_the_port(tmp_path: Path) -> None:
    assert tls_findings(tmp_path, "{port: 443, appProtocol: http}") == [(
        "NGX404", "shop/proxy.yaml", 10, 33, 10, 44,
        "proxy_pass https://web: Service 'web' port 443 speaks plain HTTP (appProtocol http, shop/web.yaml:7)")]
    # What else says a port is plain: its name, its targetPort's name, port 80 alone.
    for plain in ("{name: http-web, port: 443}", "{port: 443, targetPort: http}"):
        assert [f[0] for f in tls_findings(tmp_path, plain)] == ["NGX404"], plain
    assert [f[6] for f in tls_findings(tmp_path, "{port: 80}", PROXY.replace("https://web", "https://web:80"))] == [
        "proxy_pass https://web:80: Service 'web' port 80 speaks plain HTTP (port 80 with no TLS name or appProtocol, shop/web.yaml:7)"]


def test_plain_http_to_a_tls_port_is_reported_too(tmp_path: Path) -> None:
    plain_proxy = PROXY.replace("https://web", "http://web:8443")
    assert [f[6] for f in tls_findings(tmp_path, "{name: https, port: 8443}", plain_proxy)] == [
        "proxy_pass http://web:8443: Service 'web' port 8443 speaks TLS (named https, shop/web.yaml:7)"]
    assert tls_findings(tmp_path, "{name: https, port: 8443}", plain_proxy.replace("http://", "https://")) == []


def test_a_port_that_says_nothing_of_its_protocol_is_not_judged(tmp_path: Path) -> None:
    assert tls_findings(tmp_path, "{port: 443}") == []
    assert tls_findings(tmp_path, "{port: 443, name: web}") == []
    assert tls_findings(tmp_path, "{port: 443, appProtocol: example.com/custom}") == []
    assert tls_findings(tmp_path, "{port: 443, appProtocol: https}") == []  # the fixed pair


INGRESS_IN_FRONT = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: proxy, port: {number: 80}}}
---
apiVersion: v1
kind: Service
metadata: {name: proxy, namespace: shop}
spec:
  selector: {app: proxy}
  ports: [{name: http, port: 80, targetPort: 8080}]
"""


def test_an_ingress_terminating_tls_in_front_of_a_plain_nginx_is_fine(tmp_path: Path) -> None:
    plain = PROXY.replace("https://web", "http://web")
    write(tmp_path, {"shop/ingress.yaml": INGRESS_IN_FRONT})
    assert tls_findings(tmp_path, "{name: http, port: 80, targetPort: 8000}", plain) == []
    assert findings(tmp_path, ["shop"], ["NGX403", "NGX404"]) == []


# --- env keys from Kustomize generators' env files; $(VAR) references --------------------------------

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
        - name: app
          image: example/app:1.0
          envFrom: [{configMapRef: {name: app-config}}]
          args: ["--log=$(LOG_LEVEL)"]
          env:
            - name: DATABASE_URL
              valueFrom: {secretKeyRef: {name: app-secrets, key: DATABASE_URL}}
"""

GENERATED = {
    "app/kustomization.yaml": (
        "resources: [deployment.yaml]\n"
        "configMapGenerator:\n  - name: app-config\n    envs: [app.env]\n"
        "secretGenerator:\n  - name: app-secrets\n    envs: [secrets.env]\n"
    ),
    "app/app.env": "LOG_LEVEL=info\n",
    "app/secrets.env": "DATABASE_URL=postgres://app@db/app\n",
    "app/deployment.yaml": APP,
}


def test_a_key_the_generators_env_file_does_not_set_is_reported_at_the_key_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path, {**GENERATED, "app/secrets.env": "DB_URL=postgres://app@db/app\n"})
    expected = [("K8S005", "app/deployment.yaml", 16, 66, 16, 78,
                 "Deployment/app: Secret 'app-secrets-5k2g7h5fk7' has no key 'DATABASE_URL': app/secrets.env does not set "
                 "DATABASE_URL (defined there: DB_URL)")]
    got = findings(tmp_path, ["app"], ["K8S004", "K8S005"])
    assert [f[:6] for f in got] == [e[:6] for e in expected]
    assert "app/secrets.env does not set DATABASE_URL (defined there: DB_URL)" in got[0][6]
    # The workload's file alone (the pre-commit hook) is judged in its build, read from disk.
    assert findings(tmp_path, ["app/deployment.yaml"], ["K8S004", "K8S005"]) == got
    write(tmp_path, GENERATED)  # the env file sets it: the fixed pair
    assert findings(tmp_path, ["app"], ["K8S004", "K8S005"]) == []


def test_a_variable_reference_nothing_defines_is_reported_at_its_columns(tmp_path: Path) -> None:
    write(tmp_path, {"k8s/app.yaml": APP.replace("          envFrom: [{configMapRef: {name: app-config}}]\n", "")})
    assert findings(tmp_path, ["k8s"], ["K8S014"]) == [(
        "K8S014", "k8s/app.yaml", 12, 25, 12, 37,
        "Deployment/app: $(LOG_LEVEL) in args[0] of container 'app': no env entry defines LOG_LEVEL, nor does an "
        "envFrom source (it has none); Kubernetes passes it unexpanded")]


def test_a_variable_an_env_entry_defines_before_it_counts_and_after_it_does_not(tmp_path: Path) -> None:
    env = """\
          env:
            - {name: LOG_LEVEL, value: info}
            - {name: FLAGS, value: "--log=$(LOG_LEVEL) --home=$(HOME_DIR) $$(LITERAL) $(date) $(WEB_SERVICE_HOST)"}
            - {name: HOME_DIR, value: /srv}
"""
    text = APP.replace("          envFrom: [{configMapRef: {name: app-config}}]\n", "").split("          env:\n")[0] + env
    write(tmp_path, {"k8s/app.yaml": text})
    got = findings(tmp_path, ["k8s"], ["K8S014"])
    # Only HOME_DIR: defined after the entry that uses it. The escape, the shell's $(date) and a Service's variable are fine.
    assert [(line, col, end) for _, _, line, col, _, end, _ in got] == [(15, 63, 74)]
    assert "no env entry before it defines HOME_DIR" in got[0][6]


def test_variables_from_a_generated_env_file_count_and_an_unknown_source_silences_the_container(tmp_path: Path) -> None:
    write(tmp_path, GENERATED)
    assert findings(tmp_path, ["app"], ["K8S014"]) == []  # LOG_LEVEL is in app.env
    write(tmp_path, {"app/app.env": "LOG=info\n"})
    got = findings(tmp_path, ["app"], ["K8S014"])
    assert [(f[0], f[1], f[2]) for f in got] == [("K8S014", "app/deployment.yaml", 13)]
    assert "nor does its envFrom (ConfigMap/app-config-" in got[0][6] and " from app/app.env)" in got[0][6]
    # A source the deployment does not define (or an optional one) may define anything.
    for source in ("{configMapRef: {name: from-elsewhere}}", "{configMapRef: {name: app-config, optional: true}}"):
        write(tmp_path, {"app/deployment.yaml": APP.replace("{configMapRef: {name: app-config}}", source)})
        assert findings(tmp_path, ["app"], ["K8S014"]) == [], source


# --- a deployed env file against the template beside it ---------------------------------------------

TEMPLATE = "DATABASE_URL=postgres://user:password@localhost/app\nREDIS_URL=\n# SENTRY_DSN=\n"
PRODUCTION = "DATABASE_URL=postgres://app@db.internal/app\nSENTRY_DSN=https://key@o1.ingest.sentry.io/1\nFEATURE_X=true\n"


def test_each_side_is_reported_at_its_key_naming_the_other_file(tmp_path: Path) -> None:
    write(tmp_path, {"svc/.env.example": TEMPLATE, "svc/.env.production": PRODUCTION})
    expected = [
        ("ENV108", "svc/.env.example", 2, 1, 2, 10, "'REDIS_URL' is documented here but svc/.env.production does not set it"),
        ("ENV107", "svc/.env.production", 3, 1, 3, 10, "'FEATURE_X' is set here but svc/.env.example does not document it"),
    ]
    assert findings(tmp_path, ["svc"], ["ENV107", "ENV108"]) == expected
    # Each file alone reads the other from disk: the same findings, each in the file named.
    assert findings(tmp_path, ["svc/.env.production"], ["ENV107", "ENV108"]) == expected[1:]
    assert findings(tmp_path, ["svc/.env.example"], ["ENV107", "ENV108"]) == expected[:1]


def test_the_fixed_pair_and_a_file_without_its_counterpart_are_silent(tmp_path: Path) -> None:
    fixed = PRODUCTION.replace("FEATURE_X=true\n", "REDIS_URL=redis://cache:6379/0\n")
    write(tmp_path, {"svc/.env.example": TEMPLATE, "svc/.env.production": fixed})
    assert findings(tmp_path, ["svc"], ["ENV107", "ENV108"]) == []
    # A template beside a bare .env (a developer's own) or in another directory relates to nothing.
    write(tmp_path, {"dev/.env.example": TEMPLATE, "dev/.env": PRODUCTION, "other/.env.production": PRODUCTION})
    assert findings(tmp_path, ["dev", "other"], ["ENV107", "ENV108"]) == []


def test_staging_is_a_deployed_file_too_and_each_is_named(tmp_path: Path) -> None:
    write(tmp_path, {"svc/.env.sample": "A=1\nB=2\n", "svc/.env.staging": "A=1\n", "svc/prod.env": "B=2\n"})
    assert [(r, f, line, m) for r, f, line, _, _, _, m in findings(tmp_path, ["svc"], ["ENV108"])] == [
        ("ENV108", "svc/.env.sample", 1, "'A' is documented here but svc/prod.env does not set it"),
        ("ENV108", "svc/.env.sample", 2, "'B' is documented here but svc/.env.staging does not set it"),
    ]


def test_workers_and_shards_give_the_serial_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.core import parallel

    monkeypatch.setattr(parallel, "WORK_PER_WORKER", 0)  # start workers even for these few files
    write(tmp_path, {"svc/.env.example": TEMPLATE, "svc/.env.production": PRODUCTION, "api/.env.sample": "A=1\n",
                     "api/.env.prod": "B=2\n", **GENERATED, "app/secrets.env": "DB_URL=x\n",
                     "shop/proxy.yaml": PROXY, "shop/web.yaml": WEB.replace("{PORT}", "{port: 443, appProtocol: http}")})
    rules = ["ENV107", "ENV108", "K8S005", "K8S014", "NGX404"]

    def shown(**settings: object) -> list[tuple[str, str, int, int, str]]:
        return sorted((f.rule_id, f.span.file, f.span.line, f.span.column, f.message)
                      for f in lint_paths(["."], tmp_path, select=rules, **settings).shown)

    serial = shown()
    assert [(r, path) for r, path, *_ in serial] == [
        ("ENV107", "api/.env.prod"), ("ENV107", "svc/.env.production"), ("ENV108", "api/.env.sample"),
        ("ENV108", "svc/.env.example"), ("K8S005", "app/deployment.yaml"), ("NGX404", "shop/proxy.yaml")]
    assert shown(jobs=2) == serial
    sharded = sorted(f for i in (1, 2, 3) for f in shown(shard=(i, 3)))
    assert sharded == serial
