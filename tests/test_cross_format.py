"""Checks across formats: a config held in a ConfigMap judged against the
container that mounts it (Redis maxmemory against the memory limit)."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_text

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
