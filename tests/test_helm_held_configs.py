"""Configs a chart keeps in its values and renders into a ConfigMap
(`redis.conf: |` over `{{ .Values.redisConf | nindent 4 }}`): linted at their
own lines of values.yaml, placed with the render's StatefulSet; configs a
render changes (`tpl`, `trim`) are not linted, so nothing lands on a guessed line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import write
from conftest import lint_paths
from test_helm_charts import fake_helm

CHART = "apiVersion: v2\nname: cache\nversion: 0.1.0\n"

VALUES = """\
memory: 1Gi
redisConf: |
  bind 0.0.0.0
  protected-mode no
  maxmemory 4gb
"""

CONFIGMAP_TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-redis
data:
  redis.conf: |
    {{- .Values.redisConf | nindent 4 }}
"""

STATEFULSET_TEMPLATE = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}-redis
spec:
  serviceName: redis
  selector:
    matchLabels: {app: redis}
  template:
    metadata:
      labels: {app: redis}
    spec:
      containers:
        - name: redis
          image: redis:7.4.1
          args: [/etc/redis/redis.conf]
          resources:
            limits:
              memory: {{ .Values.memory }}
          volumeMounts: [{name: config, mountPath: /etc/redis}]
      volumes:
        - name: config
          configMap: {name: {{ .Release.Name }}-redis}
"""


def rendered(values_conf: str) -> str:
    """What `helm template` prints for the chart with `values_conf` as redisConf."""
    block = "".join(f"    {line}\n" for line in values_conf.splitlines())
    return ("---\n# Source: cache/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
            f"  name: release-name-redis\ndata:\n  redis.conf: |\n{block}"
            "---\n# Source: cache/templates/statefulset.yaml\n"
            + STATEFULSET_TEMPLATE.replace("{{ .Release.Name }}", "release-name").replace("{{ .Values.memory }}", "1Gi"))


def chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, values: str = VALUES, template: str = CONFIGMAP_TEMPLATE) -> None:
    write(tmp_path, "cache/Chart.yaml", CHART)
    write(tmp_path, "cache/values.yaml", values)
    write(tmp_path, "cache/templates/configmap.yaml", template)
    write(tmp_path, "cache/templates/statefulset.yaml", STATEFULSET_TEMPLATE)
    conf = values.split("redisConf: |\n", 1)[1]
    stream = tmp_path / "stream.yaml"
    stream.write_text(rendered("\n".join(line[2:] for line in conf.splitlines())), encoding="utf-8")
    fake_helm(tmp_path, monkeypatch, f"out.write(open({str(stream)!r}, 'rb').read())")


def found(tmp_path: Path, paths: list[str], select: list[str]) -> list[tuple[str, str, int, int, str]]:
    result = lint_paths(paths, tmp_path, select, options={"helm_renderer": "binary"})
    return [(f.rule_id, f.span.file, f.span.line, f.span.column, f.message) for f in result.shown]


def test_a_config_kept_in_values_is_linted_at_its_lines_of_values_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart(tmp_path, monkeypatch)
    findings = found(tmp_path, ["cache"], ["RDS201", "RDS105"])
    assert [f[:4] for f in findings] == [("RDS201", "cache/values.yaml", 3, 3), ("RDS105", "cache/values.yaml", 5, 13)]
    # The limit is the render's too: `memory: {{ .Values.memory }}` was written at values.yaml:1.
    assert findings[1][4] == ("maxmemory 4gb is above 80% of the memory limit of container 'redis' in "
                              "StatefulSet/release-name-redis (1gb, cache/values.yaml:1): the kernel kills Redis before it evicts")


def test_a_template_linted_alone_gets_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart(tmp_path, monkeypatch)
    whole = found(tmp_path, ["cache"], ["RDS105"])
    assert whole and found(tmp_path, ["cache/templates/configmap.yaml"], ["RDS105"]) == whole


def test_the_fixed_config_is_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart(tmp_path, monkeypatch, VALUES.replace("maxmemory 4gb", "maxmemory 512mb"))
    assert found(tmp_path, ["cache"], ["RDS105"]) == []


@pytest.mark.parametrize("printed", ["{{- tpl .Values.redisConf . | nindent 4 }}", "{{- .Values.redisConf | trim | nindent 4 }}"])
def test_a_config_the_template_rewrites_is_not_linted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, printed: str) -> None:
    # The rendered text is the same here, but the template could have changed
    # it: no position in values.yaml is claimed.
    chart(tmp_path, monkeypatch, template=CONFIGMAP_TEMPLATE.replace("{{- .Values.redisConf | nindent 4 }}", printed))
    assert found(tmp_path, ["cache"], ["RDS105", "RDS201"]) == []
