"""False positives found by linting public configs, each cut down to the
lines that caused it.

The PostgreSQL cases come from the bitnami/charts `postgresql` chart
(Apache-2.0, github.com/bitnami/charts, bitnami/postgresql) rendered with
`primary.pgHbaConfiguration` and `primary.extendedConfiguration` set: it
holds `pg_hba.conf` in one ConfigMap and an `override.conf` that the server
reads from `conf.d/` in another. The stock postgresql.conf.sample and
pg_hba.conf.sample (PostgreSQL licence, github.com/postgres/postgres) lint
without a false positive and are not copied here."""

from __future__ import annotations

import base64
from pathlib import Path

from conftest import lint_paths

PG = ["DL001", "PG101", "PG103", "PG104", "PG105", "PG106", "PG107", "PG108", "PG109"]


def shown(root: Path, paths: list[str], select: list[str]) -> list[tuple[str, str, int, int]]:
    return [(f.rule_id, f.span.file, f.span.line, f.span.column) for f in lint_paths(paths, root, select=select).shown]


HBA_CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: release-name-postgresql-configuration}
data:
  pg_hba.conf: |
    local all all trust
    host all all 0.0.0.0/0 md5
"""


def test_a_configmaps_pg_hba_conf_is_read_as_client_authentication_records(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db/config.yaml").write_text(HBA_CONFIGMAP, encoding="utf-8")
    # Before: read as a postgresql.conf by the manifest's name (a DL001 per record, and PG101/PG106 at 1:1).
    assert shown(tmp_path, ["db"], PG) == [
        ("PG105", "db/config.yaml", 7, 5), ("PG104", "db/config.yaml", 7, 18), ("PG103", "db/config.yaml", 7, 28)]


def test_a_pg_hba_conf_held_in_a_manifest_takes_no_postgresql_conf_from_beside_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db/config.yaml").write_text(HBA_CONFIGMAP, encoding="utf-8")
    # A postgresql.conf on disk beside the manifest is not the held records' cluster:
    # its loopback listen_addresses does not excuse the held md5 record.
    (tmp_path / "db/postgresql.conf").write_text("listen_addresses = 'localhost'\n", encoding="utf-8")
    assert ("PG103", "db/config.yaml", 7, 28) in shown(tmp_path, ["db/config.yaml"], ["PG103"])


OVERRIDE_CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: release-name-postgresql-extended-configuration}
data:
  override.conf: |-
    shared_buffers = 512MB
    max_connections = 200
    work_mem = 16MB
"""


def test_a_conf_d_fragment_is_judged_on_what_it_sets_not_on_what_it_leaves_to_the_main_file(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db/config.yaml").write_text(OVERRIDE_CONFIGMAP, encoding="utf-8")
    # Before: ssl, log_connections and archive_mode "not set" (the image's postgresql.conf sets them).
    assert shown(tmp_path, ["db"], PG) == []
    # What the fragment writes is still judged.
    written = OVERRIDE_CONFIGMAP.replace("work_mem = 16MB", "ssl = off\n    log_connections = off\n    archive_mode = on")
    (tmp_path / "db/config.yaml").write_text(written, encoding="utf-8")
    assert shown(tmp_path, ["db"], PG) == [("PG101", "db/config.yaml", 8, 11), ("PG106", "db/config.yaml", 9, 23)]
    # The same fragment on disk, alone.
    (tmp_path / "db/conf.d").mkdir()
    (tmp_path / "db/conf.d/override.conf").write_text("shared_buffers = 512MB\nmax_connections = 200\n", encoding="utf-8")
    assert shown(tmp_path, ["db/conf.d/override.conf"], PG) == []
    # A whole postgresql.conf leaving them out is still reported (at its first setting).
    (tmp_path / "db/postgresql.conf").write_text("# tuned\nshared_buffers = 512MB\n", encoding="utf-8")
    assert {rule for rule, *_ in shown(tmp_path, ["db/postgresql.conf"], PG)} == {"PG101", "PG106", "PG109"}


def test_a_held_config_without_settings_is_reported_at_its_value_not_the_manifests_first_line(tmp_path: Path) -> None:
    comments = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: db}\ndata:\n  postgresql.conf: |\n    # defaults\n    # only\n"
    (tmp_path / "config.yaml").write_text(comments, encoding="utf-8")
    assert {(line, column) for _, _, line, column in shown(tmp_path, ["config.yaml"], ["PG101", "PG106"])} == {(5, 20)}


# Cut down from Altinity/clickhouse-operator (Apache-2.0), docs/chi-examples/22-secure-ssl-02-files-secret-ref.yaml:
# one Secret with the server's certificate, key and DH parameters (the PEM bodies here are stand-ins).
TLS_SECRET = """\
apiVersion: v1
kind: Secret
metadata: {name: ssl-files}
type: Opaque
stringData:
  server.crt: |
    -----BEGIN CERTIFICATE-----
    MIIDazCCAlOgAwIBAgIUQkZ1bW1ZY2VydGlmaWNhdGUwDQYJKoZIhvcNAQELBQAw
    -----END CERTIFICATE-----
  dhparam.pem: |
    -----BEGIN DH PARAMETERS-----
    MIIBCAKCAQEA3Z1bW1ZZGhwYXJhbWV0ZXJzAgE=
    -----END DH PARAMETERS-----
  server.key: |
    -----BEGIN PRIVATE KEY-----
    MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC9
    -----END PRIVATE KEY-----
"""


def test_a_secrets_certificates_and_dh_parameters_are_not_committed_secrets(tmp_path: Path) -> None:
    (tmp_path / "tls.yaml").write_text(TLS_SECRET, encoding="utf-8")
    result = lint_paths(["tls.yaml"], tmp_path, select=["K8S703"])
    # Before: "commits 3 literal value(s) in stringData (server.crt, dhparam.pem, server.key)".
    assert [(f.span.line, f.span.column, f.message.split(";")[0]) for f in result.shown] == [
        (5, 1, "Secret ssl-files commits 1 literal value(s) in stringData (server.key)")]
    # A Secret of public material only (a CA bundle, also base64 in `data`) commits nothing secret.
    public = TLS_SECRET.split("  server.key:")[0]
    encoded = "apiVersion: v1\nkind: Secret\nmetadata: {name: ca}\ndata:\n  ca.crt: " + base64.b64encode(
        TLS_SECRET.split("  server.crt: |\n")[1].split("  dhparam.pem")[0].replace("    ", "").encode()).decode() + "\n"
    (tmp_path / "tls.yaml").write_text(public + "---\n" + encoded, encoding="utf-8")
    assert lint_paths(["tls.yaml"], tmp_path, select=["K8S703"]).shown == []
