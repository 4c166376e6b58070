"""Generate a deterministic, realistic corpus for benchmarking deploylint.

    python bench/make_corpus.py OUT --k8s 2000 --nginx 200 --clickhouse 100 --env 200 --seed 1
    python bench/make_corpus.py OUT --small            # about 50 files
    python bench/make_corpus.py OUT --scale 2          # every count doubled

The same arguments always write byte-identical files. The files look like what
teams commit: multi-document manifests (Deployment/StatefulSet/CronJob with
containers, probes, resources, Services, HPAs, Ingresses, ConfigMaps, Secrets),
nginx trees (`nginx.conf` including `conf.d/*.conf`), ClickHouse installations
(`config.xml` + `config.d/`, `users.xml` + `users.d/`) and env files
(`.env.production`, `.env.staging`, `.env.example`). About one file in five
carries a policy violation, so every rule family has work to do.

Only the standard library and PyYAML are used.
"""

from __future__ import annotations

import argparse
import random
import shutil
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

TEAMS = ("payments", "search", "ingest", "billing", "identity", "ml", "web", "data", "platform", "ops")
WORDS = ("api", "worker", "gateway", "scheduler", "indexer", "exporter", "frontend", "backend", "cache", "router",
         "ingestor", "notifier", "reporter", "sync", "auth", "catalog", "ledger", "feed", "model", "proxy")
REGISTRIES = ("registry.example.com", "ghcr.io/example", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "registry.local:5000")

_Dumper: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

SMALL = {"k8s": 30, "nginx": 8, "clickhouse": 5, "env": 7}
FULL = {"k8s": 2000, "nginx": 200, "clickhouse": 100, "env": 200}


class Writer:
    """Counts files written and keeps every file's bytes independent of the OS."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        self.files += 1


def token(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def name_for(rng: random.Random, i: int) -> str:
    return f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i:04d}"


# --------------------------------------------------------------------------- Kubernetes


def _quantity_pair(rng: random.Random) -> tuple[dict[str, str], dict[str, str]]:
    cpu = rng.choice((100, 250, 500, 1000, 2000))
    mem = rng.choice((128, 256, 512, 1024, 2048, 4096))
    requests = {"cpu": f"{cpu}m", "memory": f"{mem}Mi"}
    limits = {"cpu": f"{cpu * 2}m" if cpu < 1000 else str(cpu * 2 // 1000), "memory": f"{mem * 2}Mi"}
    return requests, limits


def _probe(rng: random.Random, kind: str, port: str | int) -> dict[str, Any]:
    if rng.random() < 0.7:
        probe: dict[str, Any] = {"httpGet": {"path": "/healthz" if kind == "liveness" else "/ready", "port": port}}
    else:
        probe = {"tcpSocket": {"port": port}}
    probe["initialDelaySeconds"] = rng.choice((5, 10, 15, 30))
    probe["periodSeconds"] = rng.choice((10, 15, 20))
    if rng.random() < 0.5:
        probe["failureThreshold"] = rng.choice((3, 5, 6))
    return probe


def container(rng: random.Random, name: str, bad: bool, long_running: bool = True) -> dict[str, Any]:
    registry = rng.choice(REGISTRIES)
    tag = f"{rng.randint(1, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    if bad and rng.random() < 0.3:
        tag = rng.choice(("latest", ""))
    image = f"{registry}/{name}" + (f":{tag}" if tag else "")
    port = rng.choice((8080, 8000, 3000, 9090))
    c: dict[str, Any] = {"name": name.split("-")[0], "image": image, "imagePullPolicy": "IfNotPresent"}
    if long_running:
        c["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        if rng.random() < 0.4:
            c["ports"].append({"name": "metrics", "containerPort": 9102})
    env = [{"name": "LOG_LEVEL", "value": rng.choice(("INFO", "INFO", "WARN", "DEBUG" if bad else "INFO"))},
           {"name": "PORT", "value": str(port)},
           {"name": "DATABASE_PASSWORD", "valueFrom": {"secretKeyRef": {"name": f"{name}-db", "key": "password"}}}]
    if bad and rng.random() < 0.3:
        env.append({"name": "API_TOKEN", "value": token(rng, 24)})
    c["env"] = env
    requests, limits = _quantity_pair(rng)
    resources: dict[str, Any] = {"requests": requests, "limits": limits}
    if bad:
        choice = rng.random()
        if choice < 0.25:
            resources = {"requests": requests}
        elif choice < 0.4:
            resources = {}
        elif choice < 0.5:
            resources["limits"] = {"cpu": "100m", "memory": "64Mi"}  # request exceeds limit
    if resources:
        c["resources"] = resources
    if long_running and not (bad and rng.random() < 0.4):
        probe_port: str | int = "http" if rng.random() < 0.6 else port
        if bad and rng.random() < 0.2:
            probe_port = "admin"  # not a declared port
        c["livenessProbe"] = _probe(rng, "liveness", probe_port)
        c["readinessProbe"] = _probe(rng, "readiness", probe_port)
    security: dict[str, Any] = {
        "runAsNonRoot": True,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    if bad:
        choice = rng.random()
        if choice < 0.2:
            security["privileged"] = True
        elif choice < 0.4:
            security["capabilities"] = {"add": ["NET_ADMIN"]}
        elif choice < 0.6:
            del security["allowPrivilegeEscalation"]
        elif choice < 0.7:
            security = {}
    if security:
        c["securityContext"] = security
    c["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"}]
    return c


def pod_spec(rng: random.Random, name: str, bad: bool, long_running: bool = True) -> dict[str, Any]:
    containers = [container(rng, name, bad, long_running)]
    if rng.random() < 0.25:
        containers.append(container(rng, f"sidecar-{name}", bad and rng.random() < 0.5, long_running))
    spec: dict[str, Any] = {
        "serviceAccountName": name,
        "securityContext": {"runAsUser": 10001, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": containers,
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }
    if rng.random() < 0.2:
        spec["initContainers"] = [{"name": "migrate", "image": f"{rng.choice(REGISTRIES)}/{name}-migrate:1.0.0",
                                   "command": ["/app/migrate", "--up"],
                                   "resources": {"requests": {"cpu": "50m", "memory": "64Mi"},
                                                 "limits": {"cpu": "200m", "memory": "128Mi"}}}]
    if bad and rng.random() < 0.15:
        spec["hostNetwork"] = True
    if bad and rng.random() < 0.15:
        spec["volumes"].append({"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}})
    return spec


def metadata(name: str, namespace: str, team: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace,
                            "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": team}}
    if extra:
        meta.update(extra)
    return meta


def workload(rng: random.Random, name: str, namespace: str, team: str, bad: bool) -> dict[str, Any]:
    kind = rng.choices(("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job"), (70, 12, 5, 8, 5))[0]
    labels = {"app.kubernetes.io/name": name}
    long_running = kind not in ("CronJob", "Job")
    template = {"metadata": {"labels": dict(labels)}, "spec": pod_spec(rng, name, bad, long_running)}
    if kind == "CronJob":
        template["spec"]["restartPolicy"] = "OnFailure"
        spec: dict[str, Any] = {"schedule": f"{rng.randint(0, 59)} {rng.randint(0, 23)} * * *",
                                "jobTemplate": {"spec": {"template": template}}}
    elif kind == "Job":
        template["spec"]["restartPolicy"] = "Never"
        spec = {"backoffLimit": 3, "template": template}
    else:
        spec = {}
        if kind != "DaemonSet":
            spec["replicas"] = 1 if bad and rng.random() < 0.4 else rng.choice((2, 3, 4))
        spec.update(selector={"matchLabels": dict(labels)}, template=template)
        if kind == "StatefulSet":
            spec["serviceName"] = name
    api = {"CronJob": "batch/v1", "Job": "batch/v1"}.get(kind, "apps/v1")
    return {"apiVersion": api, "kind": kind, "metadata": metadata(name, namespace, team), "spec": spec}


def service(name: str, namespace: str, team: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata(name, namespace, team),
            "spec": {"selector": {"app.kubernetes.io/name": name},
                     "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}


def hpa(rng: random.Random, name: str, namespace: str, team: str, kind: str, bad: bool) -> dict[str, Any]:
    low = 1 if bad and rng.random() < 0.5 else rng.choice((2, 3, 3, 4))
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": metadata(name, namespace, team),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
                     "minReplicas": low, "maxReplicas": low + rng.choice((2, 5, 10)),
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                                  "target": {"type": "Utilization", "averageUtilization": rng.choice((60, 70, 80))}}}]}}


def ingress(rng: random.Random, name: str, namespace: str, team: str, bad: bool) -> dict[str, Any]:
    host = f"{name}.{team}.example.com"
    annotations = {"cert-manager.io/cluster-issuer": "letsencrypt-prod"}
    if bad and rng.random() < 0.3:
        annotations = {"nginx.ingress.kubernetes.io/ssl-redirect": "false"}
    spec: dict[str, Any] = {"ingressClassName": "nginx",
                            "rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix",
                                       "backend": {"service": {"name": name, "port": {"number": 80}}}}]}}]}
    if not (bad and rng.random() < 0.4):
        spec["tls"] = [{"hosts": [host], "secretName": f"{name}-tls"}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": metadata(name, namespace, team, {"annotations": annotations}), "spec": spec}


def configmap(rng: random.Random, name: str, namespace: str, team: str, bad: bool) -> dict[str, Any]:
    data = {"LOG_FORMAT": "json", "FEATURE_FLAGS": "a,b,c", "UPSTREAM_URL": f"http://{name}.{namespace}.svc:80"}
    if bad and rng.random() < 0.3:
        data["DB_PASSWORD"] = token(rng, 16)
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata(f"{name}-config", namespace, team), "data": data}


def secret(rng: random.Random, name: str, namespace: str, team: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": metadata(f"{name}-db", namespace, team),
            "type": "Opaque", "stringData": {"password": token(rng, 20)}}


def rbac(rng: random.Random, name: str, namespace: str, team: str, bad: bool) -> dict[str, Any]:
    verbs = ["*"] if bad and rng.random() < 0.5 else ["get", "list", "watch"]
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": metadata(name, namespace, team),
            "rules": [{"apiGroups": [""], "resources": ["configmaps", "pods"], "verbs": verbs}]}


def _yaml_stream(rng: random.Random, docs: list[dict[str, Any]], header: str) -> str:
    body = "---\n".join(yaml.dump(d, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120) for d in docs)
    # A `kind: List` now and then, as `kubectl get -o yaml` writes them.
    if rng.random() < 0.05:
        body = yaml.dump({"apiVersion": "v1", "kind": "List", "items": docs}, Dumper=_Dumper, sort_keys=False, width=120)
    return header + body


def manifests(rng: random.Random, w: Writer, i: int, budget: int) -> int:
    """One application's manifests: usually one multi-document file; now and
    then its HorizontalPodAutoscaler sits in a file of its own (cross-file rules)."""
    team = rng.choice(TEAMS)
    name = name_for(rng, i)
    namespace = f"{team}-{rng.choice(('prod', 'staging', 'dev'))}"
    bad = rng.random() < 0.2
    docs: list[dict[str, Any]] = [workload(rng, name, namespace, team, bad)]
    kind = docs[0]["kind"]
    autoscaler: dict[str, Any] | None = None
    if kind in ("Deployment", "StatefulSet"):
        docs.append(service(name, namespace, team))
        if rng.random() < 0.5:
            autoscaler = hpa(rng, name, namespace, team, kind, bad)
        if rng.random() < 0.35:
            docs.append(ingress(rng, name, namespace, team, bad))
    if rng.random() < 0.4:
        docs.append(configmap(rng, name, namespace, team, bad))
    if bad and rng.random() < 0.3:
        docs.append(secret(rng, name, namespace, team))
    if rng.random() < 0.15:
        docs.append(rbac(rng, name, namespace, team, bad))
    separate = autoscaler is not None and budget > 1 and rng.random() < 0.3
    if autoscaler is not None and not separate:
        docs.append(autoscaler)
    tail = docs[1:]
    rng.shuffle(tail)
    docs[1:] = tail
    w.write(f"k8s/{team}/{name}.yaml", _yaml_stream(rng, docs, f"# {name}: managed by the {team} team\n"))
    if separate and autoscaler is not None:
        w.write(f"k8s/{team}/{name}.hpa.yaml", _yaml_stream(rng, [autoscaler], f"# autoscaling for {name}\n"))
        return 2
    return 1


# --------------------------------------------------------------------------- nginx


def nginx_main(rng: random.Random, bad: bool) -> str:
    tokens = "on" if bad and rng.random() < 0.5 else "off"
    return f"""user nginx;
worker_processes auto;
pid /run/nginx.pid;

events {{
    worker_connections {rng.choice((1024, 2048, 4096))};
}}

http {{
    include       mime.types;
    default_type  application/octet-stream;
    sendfile      on;
    keepalive_timeout {rng.choice((15, 30, 65))};
    server_tokens {tokens};
    client_max_body_size {rng.choice(("1m", "10m", "50m"))};

    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" "$http_user_agent"';
    access_log /var/log/nginx/access.log main;

    limit_req_zone $binary_remote_addr zone=perip:10m rate={rng.choice((5, 10, 20))}r/s;

    ssl_protocols {"TLSv1 TLSv1.1 TLSv1.2" if bad and rng.random() < 0.5 else "TLSv1.2 TLSv1.3"};
    ssl_ciphers {"HIGH:!aNULL:!MD5:RC4" if bad and rng.random() < 0.3 else "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"};
    ssl_prefer_server_ciphers off;

    add_header X-Frame-Options "DENY" always;
    add_header X-Content-Type-Options "nosniff" always;

    include conf.d/*.conf;
}}
"""


def nginx_server(rng: random.Random, site: str, i: int, bad: bool) -> str:
    host = f"{site}-{i}.example.com"
    upstream = f"{site.replace('-', '_')}_{i}"
    hsts = rng.choice((31536000, 63072000)) if not bad else rng.choice((86400, 31536000))
    headers = f'''        add_header Strict-Transport-Security "max-age={hsts}; includeSubDomains" always;
        add_header X-Frame-Options "SAMEORIGIN"{'' if bad else ' always'};'''
    host_header = "$http_host" if bad and rng.random() < 0.3 else "$host"
    limit = "" if bad and rng.random() < 0.4 else "        limit_req zone=perip burst=20 nodelay;\n"
    alias = ("    location /static {\n        alias /srv/static/;\n    }\n" if bad and rng.random() < 0.3
             else "    location /static/ {\n        alias /srv/static/;\n        expires 7d;\n    }\n")
    redirect = ("    location / {\n        root /srv/www;\n    }\n" if bad and rng.random() < 0.3
                else "    return 301 https://$host$request_uri;\n")
    return f"""upstream {upstream} {{
    server 10.0.{i % 250}.10:8080 max_fails=3 fail_timeout=30s;
    server 10.0.{i % 250}.11:8080 max_fails=3 fail_timeout=30s;
    keepalive 32;
}}

server {{
    listen 80;
    server_name {host};
{redirect}}}

server {{
    listen 443 ssl;
    http2 on;
    server_name {host};

    ssl_certificate     /etc/nginx/tls/{host}.crt;
    ssl_certificate_key /etc/nginx/tls/{host}.key;
    ssl_session_cache   shared:SSL:10m;

{alias}
    location / {{
{headers}
{limit}        proxy_pass http://{upstream};
        proxy_set_header Host {host_header};
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout {rng.choice((30, 60, 120))}s;
    }}

    location = /healthz {{
        access_log off;
        return 200 "ok";
    }}
}}
"""


MIME_TYPES = """types {
    text/html                                        html htm shtml;
    text/css                                         css;
    application/javascript                           js;
    application/json                                 json;
    image/png                                        png;
    image/svg+xml                                    svg svgz;
    font/woff2                                       woff2;
}
"""


def nginx_tree(rng: random.Random, w: Writer, i: int, budget: int) -> int:
    """One installation: nginx.conf, mime.types and up to four conf.d files."""
    site = f"site-{i:03d}"
    bad = rng.random() < 0.3
    w.write(f"nginx/{site}/nginx.conf", nginx_main(rng, bad))
    w.write(f"nginx/{site}/mime.types", MIME_TYPES)
    written = 1  # mime.types is not a .conf file: discovery skips it
    for j in range(min(budget - written, rng.randint(2, 4))):
        w.write(f"nginx/{site}/conf.d/{rng.choice(WORDS)}-{j}.conf", nginx_server(rng, site, j, bad and rng.random() < 0.6))
        written += 1
    return written


# --------------------------------------------------------------------------- ClickHouse


def ch_config(rng: random.Random, bad: bool) -> str:
    listen = "::" if bad and rng.random() < 0.6 else "127.0.0.1"
    secure = "" if bad and rng.random() < 0.5 else "    <https_port>8443</https_port>\n    <tcp_port_secure>9440</tcp_port_secure>\n"
    ttl = "" if bad and rng.random() < 0.5 else "        <ttl>event_date + INTERVAL 30 DAY DELETE</ttl>\n"
    return f"""<?xml version="1.0"?>
<!-- Server configuration; overrides live in config.d/ -->
<clickhouse>
    <logger>
        <level>information</level>
        <log>/var/log/clickhouse-server/clickhouse-server.log</log>
        <errorlog>/var/log/clickhouse-server/clickhouse-server.err.log</errorlog>
        <size>1000M</size>
        <count>10</count>
    </logger>
    <listen_host>{listen}</listen_host>
    <http_port>8123</http_port>
    <tcp_port>9000</tcp_port>
{secure}    <interserver_http_port>9009</interserver_http_port>
    <max_connections>{rng.choice((1024, 2048, 4096))}</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>{rng.choice((100, 200, 300))}</max_concurrent_queries>
    <path>/var/lib/clickhouse/</path>
    <tmp_path>/var/lib/clickhouse/tmp/</tmp_path>
    <users_config>users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>5368709120</mark_cache_size>
    <openSSL>
        <server>
            <certificateFile>/etc/clickhouse-server/server.crt</certificateFile>
            <privateKeyFile>/etc/clickhouse-server/server.key</privateKeyFile>
            <verificationMode>{"none" if bad and rng.random() < 0.4 else "relaxed"}</verificationMode>
            <disableProtocols>{"sslv2,sslv3" if bad else "sslv2,sslv3,tlsv1,tlsv1_1"}</disableProtocols>
            <preferServerCiphers>true</preferServerCiphers>
        </server>
    </openSSL>
    <query_log>
        <database>system</database>
        <table>query_log</table>
        <partition_by>toYYYYMM(event_date)</partition_by>
{ttl}        <flush_interval_milliseconds>7500</flush_interval_milliseconds>
    </query_log>
</clickhouse>
"""


def ch_cluster(rng: random.Random, name: str, bad: bool) -> str:
    nodes = 2 if bad and rng.random() < 0.5 else 3
    keeper = "".join(f"""        <node>
            <host>keeper-{k}.{name}.svc</host>
            <port>2181</port>
        </node>
""" for k in range(nodes))
    replicas = "".join(f"""                <replica>
                    <host>ch-{r}.{name}.svc</host>
                    <port>9000</port>
                </replica>
""" for r in range(2))
    secret = "" if bad and rng.random() < 0.5 else f"            <secret>{token(rng, 32)}</secret>\n"
    return f"""<clickhouse>
    <zookeeper>
{keeper}    </zookeeper>
    <remote_servers>
        <{name}>
{secret}            <shard>
                <internal_replication>true</internal_replication>
{replicas}            </shard>
        </{name}>
    </remote_servers>
    <macros>
        <cluster>{name}</cluster>
        <shard>01</shard>
        <replica from_env="HOSTNAME"/>
    </macros>
</clickhouse>
"""


def ch_users(rng: random.Random, bad: bool) -> str:
    memory = "" if bad and rng.random() < 0.5 else f"            <max_memory_usage>{rng.choice((10, 20, 40))}000000000</max_memory_usage>\n"
    password = ("<password></password>" if bad and rng.random() < 0.5
                else f"<password_sha256_hex>{token(rng, 64, '0123456789abcdef')}</password_sha256_hex>")
    network = "<ip>::/0</ip>" if bad and rng.random() < 0.6 else "<ip>10.0.0.0/8</ip>\n                <ip>127.0.0.1</ip>"
    return f"""<?xml version="1.0"?>
<clickhouse>
    <profiles>
        <default>
{memory}            <max_threads>{rng.choice((8, 16, 32))}</max_threads>
            <max_query_size>{rng.choice((262144, 1048576))}</max_query_size>
            <load_balancing>random</load_balancing>
        </default>
        <readonly>
            <readonly>1</readonly>
        </readonly>
    </profiles>
    <users>
        <default>
            {password}
            <networks>
                {network}
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
            </interval>
        </default>
    </quotas>
</clickhouse>
"""


def ch_user_override(rng: random.Random, bad: bool) -> str:
    secret = f"<password>{token(rng, 12)}</password>" if bad else f"<password_sha256_hex>{token(rng, 64, '0123456789abcdef')}</password_sha256_hex>"
    return f"""<clickhouse>
    <users>
        <reporting>
            {secret}
            <networks>
                <ip>10.20.0.0/16</ip>
            </networks>
            <profile>readonly</profile>
            <quota>default</quota>
            <access_management>{1 if bad and rng.random() < 0.4 else 0}</access_management>
        </reporting>
    </users>
</clickhouse>
"""


def clickhouse_install(rng: random.Random, w: Writer, i: int, budget: int) -> int:
    """One installation: config.xml + config.d/ and users.xml + users.d/ (five files)."""
    base = f"clickhouse/cluster-{i:02d}"
    bad = rng.random() < 0.3
    files = [
        ("config.xml", ch_config(rng, bad)),
        ("users.xml", ch_users(rng, bad)),
        ("config.d/cluster.xml", ch_cluster(rng, f"cluster_{i:02d}", bad)),
        ("config.d/logs.xml", "<clickhouse>\n    <logger>\n        <level>warning</level>\n    </logger>\n</clickhouse>\n"),
        ("users.d/reporting.xml", ch_user_override(rng, bad)),
    ]
    for rel, text in files[:budget]:
        w.write(f"{base}/{rel}", text)
    return min(budget, len(files))


# --------------------------------------------------------------------------- env files


def env_file(rng: random.Random, service: str, role: str, bad: bool) -> str:
    template = role == "example"
    host = f"{service}-db.internal" if role != "local" else "localhost"
    secret = "<strong-secret>" if template else (rng.choice(("changeme", "secret123")) if bad and rng.random() < 0.4 else token(rng, 48))
    redis = "redis" if bad and rng.random() < 0.5 else "rediss"
    lines = [
        f"# {service}: {role} settings",
        f"APP_NAME={service}",
        f"APP_ENV={role}",
        f"LOG_LEVEL={'DEBUG' if bad and rng.random() < 0.5 else 'INFO'}",
        f"PORT={rng.choice((3000, 8000, 8080))}",
        "",
        "# database",
        f"DATABASE_HOST={host}",
        "DATABASE_PORT=5432",
        f"DATABASE_NAME={service.replace('-', '_')}",
        f"DATABASE_USER={service.split('-')[0]}",
        f"DATABASE_PASSWORD={secret}",
        f"DATABASE_URL=postgres://{service.split('-')[0]}@{host}:5432/{service.replace('-', '_')}?sslmode=require",
        f"REDIS_URL={redis}://cache.internal:6379/0",
        "",
        f"SECRET_KEY={'<strong-secret>' if template else token(rng, 64)}",
        f"JWT_SECRET={'<strong-secret>' if template else (token(rng, 8) if bad else token(rng, 64))}",
        f'SENTRY_DSN="https://{token(rng, 32, "0123456789abcdef")}@sentry.example.com/{rng.randint(1, 99)}"',
        f"FEATURE_FLAGS=search,export{',beta' if rng.random() < 0.3 else ''}",
        f"REQUEST_TIMEOUT_SECONDS={rng.choice((10, 30, 60))}",
    ]
    if bad and rng.random() < 0.3:
        lines.append("LOG_LEVEL=INFO")  # duplicate key
    if bad and rng.random() < 0.2:
        lines.append("export BROKEN LINE")  # not KEY=VALUE
    return "\n".join(lines) + "\n"


def env_service(rng: random.Random, w: Writer, i: int, budget: int) -> int:
    service = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i:03d}"
    bad = rng.random() < 0.25
    roles = [(".env.production", "production"), (".env.example", "example"), (".env.staging", "staging")][:budget]
    for name, role in roles:
        w.write(f"env/{service}/{name}", env_file(rng, service, role, bad))
    return len(roles)


# --------------------------------------------------------------------------- main


def fill(count: int, make: Callable[[random.Random, Writer, int, int], int], rng: random.Random, w: Writer) -> None:
    """Call `make` for successive groups until `count` linted files are written."""
    done, i = 0, 0
    while done < count:
        done += make(rng, w, i, count - done)
        i += 1


def generate(out: Path, counts: dict[str, int], seed: int) -> int:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    w = Writer(out)
    # One generator per format so changing one count leaves the other formats' files as they were.
    fill(counts["k8s"], manifests, random.Random(f"{seed}-k8s"), w)
    fill(counts["nginx"], nginx_tree, random.Random(f"{seed}-nginx"), w)
    fill(counts["clickhouse"], clickhouse_install, random.Random(f"{seed}-clickhouse"), w)
    fill(counts["env"], env_service, random.Random(f"{seed}-env"), w)
    return w.files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output directory (replaced)")
    parser.add_argument("--k8s", type=int, default=FULL["k8s"], help="Kubernetes manifest files")
    parser.add_argument("--nginx", type=int, default=FULL["nginx"], help="nginx .conf files (in trees)")
    parser.add_argument("--clickhouse", type=int, default=FULL["clickhouse"], help="ClickHouse XML files (in installations)")
    parser.add_argument("--env", type=int, default=FULL["env"], help="env files")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--small", action="store_true", help=f"about {sum(SMALL.values())} files")
    parser.add_argument("--scale", type=int, default=1, help="multiply every count (linearity runs)")
    args = parser.parse_args(argv)
    counts = dict(SMALL) if args.small else {"k8s": args.k8s, "nginx": args.nginx, "clickhouse": args.clickhouse, "env": args.env}
    counts = {k: v * args.scale for k, v in counts.items()}
    written = generate(args.out, counts, args.seed)
    print(f"{args.out}: {written} files ({', '.join(f'{k} {v}' for k, v in counts.items())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
