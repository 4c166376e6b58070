"""Configuration files held in ConfigMaps and Secrets are linted by their own
format's pack, every finding at its true line and column inside the YAML."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_text

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-nginx
data:
  nginx.conf: |
    http {
        server_tokens off;
        server {
            listen 80;
            location / {
                proxy_pass http://backend:8000;
                proxy_set_header Host $http_x_forwarded_host;
            }
        }
    }
  LOG_LEVEL: info
  folded.conf: >
    server { listen 80; }
  broken.conf: |
    server {
      listen 80
---
apiVersion: v1
kind: Secret
metadata:
  name: app
stringData:
  .env: |
    API_KEY=changeme
"""


def test_an_nginx_config_in_a_configmap_is_linted_at_its_lines_in_the_yaml(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "k8s/web.yaml", MANIFEST, select=["NGX402", "NGX203"])
    found = [(f.rule_id, f.span.file, f.span.line, f.span.column) for f in result.shown]
    # Before: the ConfigMap's value was only data to the Kubernetes rules.
    assert ("NGX402", "k8s/web.yaml", 13, 39) in found
    assert ("NGX203", "k8s/web.yaml", 10, 13) in found


def test_a_broken_embedded_config_is_a_dl001_inside_the_yaml_and_the_rest_is_linted(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "web.yaml", MANIFEST, select=["DL001", "NGX402", "ENV101"])
    found = [(f.rule_id, f.span.line, f.span.column) for f in result.shown]
    assert ("DL001", 22, 15) in found
    assert ("NGX402", 13, 39) in found
    assert ("ENV101", 30, 13) in found  # an env file in a Secret's stringData


def test_folded_and_one_line_values_are_not_linted_as_files(tmp_path: Path) -> None:
    """A folded scalar's line breaks are not the file's: no position inside it
    would be exact, so it is left to the manifest's own rules."""
    only_folded = MANIFEST.split("  broken.conf:")[0].replace("  nginx.conf: |", "  notes: |").replace("    http {\n", "    a note\n    http {\n")
    result = lint_text(tmp_path, "web.yaml", only_folded, select=["NGX203", "NGX301"])
    assert result.shown == []


def test_a_suppression_inside_the_embedded_config_applies(tmp_path: Path) -> None:
    text = MANIFEST.replace("proxy_set_header Host $http_x_forwarded_host;",
                            "proxy_set_header Host $http_x_forwarded_host;  # deploylint: ignore[NGX402] set by our edge proxy")
    result = lint_text(tmp_path, "web.yaml", text, select=["NGX402"])
    assert result.shown == [] and [f.rule_id for f in result.suppressed] == ["NGX402"]
