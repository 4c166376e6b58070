"""Kubernetes secret rules K8S701-K8S703 on manifests, with exact positions."""

from __future__ import annotations

import base64
from pathlib import Path

from conftest import lint_text, triples

POD = """apiVersion: apps/v1
kind: Deployment
metadata: {name: etl}
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: registry.example.com/etl:1.0.0
          env:
            - {name: PGPASSWORD, value: "Lw9-xk2q-Pz7m"}
      containers:
        - name: worker
          image: registry.example.com/etl:1.0.0
          env:
            - name: LOG_LEVEL
              value: INFO
            - name: API_TOKEN
              value: "${API_TOKEN}"
            - name: JWT_ALGORITHM
              value: HS256
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: etl-db, key: password}}
            - name: REDIS_PASSWORD
              value: ""
            - name: SMTP_PASSWORD
              value: changeme
"""


def test_env_literal_secrets_in_every_container(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "deploy.yaml", POD, select=["K8S701"])
    # SMTP_PASSWORD's `changeme` is a placeholder: K8S702 and K8S701 alike leave it alone.
    assert triples(result) == [("K8S701", 11, 41)]
    assert result.shown[0].message == (
        "container 'migrate' in Deployment/etl sets secret-like env 'PGPASSWORD' to a literal value (…(13 chars))"
    )


CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata: {name: etl}
data:
  LOG_LEVEL: INFO
  DB_PASSWORD_FILE: /run/secrets/db
  API_TOKEN: ${API_TOKEN}
  SMTP_PASSWORD: "Lw9-xk2q-Pz7m"
  BROKER_URL: amqps://etl:Lw9-xk2q-Pz7m@mq.example.net/
  CACHE_URL: rediss://cache.example.net:6380
  application.properties: |
    server.port=8080
    spring.datasource.password=Lw9-xk2q-Pz7m
  app.yaml: |
    database:
      password: ${DB_PASSWORD}
"""


def test_configmap_entries_that_are_secrets(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "cm.yaml", CONFIGMAP, select=["K8S702"])
    assert triples(result) == [("K8S702", 8, 18), ("K8S702", 9, 15), ("K8S702", 13, 32)]  # the embedded setting itself
    messages = [f.message for f in result.shown]
    assert "amqps://etl:***@mq.example.net/" in messages[1]
    assert "embedded setting 'spring.datasource.password'" in messages[2]
    assert all("Lw9-xk2q" not in m for m in messages)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


SECRETS = f"""apiVersion: v1
kind: Secret
metadata: {{name: literal}}
type: Opaque
data:
  password: {_b64("Lw9-xk2q-Pz7m")}
  username: {_b64("etl")}
---
apiVersion: v1
kind: Secret
metadata: {{name: string-data}}
stringData:
  password: Lw9-xk2q-Pz7m
---
apiVersion: v1
kind: Secret
metadata: {{name: templated}}
stringData:
  password: ${{DB_PASSWORD}}
data: {{}}
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {{name: sealed}}
spec:
  encryptedData:
    password: AgBy8hCi8Lk3nYrS2tQ5w
"""


def test_plaintext_secret_objects(tmp_path: Path) -> None:
    result = lint_text(tmp_path, "secrets.yaml", SECRETS, select=["K8S703"])
    assert triples(result) == [("K8S703", 5, 1), ("K8S703", 12, 1)]
    assert result.shown[0].message.startswith("Secret literal commits 2 literal value(s) in data (password, username)")


def test_kubernetes_secret_rules_leave_clean_manifests_alone(tmp_path: Path) -> None:
    clean = POD.split("      initContainers:")[0] + "      containers: []\n"
    result = lint_text(tmp_path, "clean.yaml", clean, select=["K8S7", "SEC"])
    assert triples(result) == []


def test_a_setting_naming_a_password_method_is_not_a_secret(tmp_path: Path) -> None:
    # PostgreSQL's password_encryption is the hash method, not a password; the
    # password beside it in the same embedded file still is one.
    manifest = """apiVersion: v1
kind: ConfigMap
metadata: {name: pg}
data:
  postgresql.conf: |
    password_encryption = scram-sha-256
    ssl = on
  app.properties: |
    db.password=Lw9-xk2q-Pz7m
"""
    result = lint_text(tmp_path, "cm.yaml", manifest, select=["K8S702"])
    assert triples(result) == [("K8S702", 9, 17)]
