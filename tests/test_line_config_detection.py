"""Detection order with the Redis and PostgreSQL formats: names first, then
content only where unambiguous, never taking nginx's files (nginx also claims
extension-less files and `*.conf` fragments by content)."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.formats import REGISTRY

REDIS = "maxmemory 2gb\nappendonly yes\n"
PG = "shared_buffers = 1GB\nwork_mem = 16MB\n"
NGINX = "server {\n  listen 80;\n  proxy_pass http://app;\n}\n"
NGINX_FRAGMENT = "proxy_read_timeout 60s;\nclient_max_body_size 10m;\n"


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        ("redis.conf", "", "redis"),
        ("sentinel.conf", "", "redis"),
        ("cache.redis.conf", "", "redis"),
        ("postgresql.conf", "", "postgresql"),
        ("postgresql.auto.conf", "", "postgresql"),
        ("pg_hba.conf", "", "postgresql"),
        ("redis/6379.conf", REDIS, "redis"),
        ("db/conf.d/10-memory.conf", PG, "postgresql"),
        ("nginx.conf", "", "nginx"),
        ("conf.d/default.conf", NGINX, "nginx"),
        ("redis/proxy.conf", NGINX, "nginx"),  # a `;`-terminated config is nginx's even under redis/
        ("redis/fragment.conf", NGINX_FRAGMENT, "nginx"),
        ("deploy/6379.conf", REDIS, None),  # Redis content outside a Redis path: not told
        ("sites-enabled/app", NGINX, "nginx"),
        ("redis/settings", REDIS, None),  # extension-less: left to nginx, which does not want it
    ],
)
def test_detection_order(path: str, head: str, expected: str | None) -> None:
    assert REGISTRY.detect(Path(path), head, Path(".")) == expected
