"""The fixes of issue 18 beyond the first set: each lints a real file, fixes
it, lints again, and checks the finding is gone and every other byte stays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_cli, write


def findings(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> list[tuple[str, int, int]]:
    code, out, _ = run_cli(capsys, root, "check", "--format", "json", *args, ".")
    return [(f["rule"], f["line"], f["column"]) for f in json.loads(out)["findings"]]


NGINX = """\
http {
    server_tokens off;
    server {
        listen 443 default_server;   # main
        listen [::]:443 ssl;
        server_name example.com;
        ssl on;  # legacy
        ssl_certificate /etc/ssl/c.pem;
        ssl_certificate_key /etc/ssl/c.key;
        add_header X-Frame-Options "DENY" always;
        add_header Strict-Transport-Security "max-age=63072000" always;
        add_header X-Content-Type-Options nosniff always;
        location /app/ {
            add_header Cache-Control no-store;
            proxy_pass http://127.0.0.1:8000;
            proxy_set_header Host $http_host;
        }
        location /b/ {
            proxy_pass http://127.0.0.1:8000;
            proxy_set_header Host $http_host:8443;
        }
    }
}
"""

NGINX_SAFE = NGINX.replace("listen 443 default_server;", "listen 443 default_server ssl;").replace(
    "        ssl on;  # legacy\n", "").replace("Host $http_host;", "Host $host;")

NGINX_UNSAFE = NGINX_SAFE.replace("add_header Cache-Control no-store;\n", (
    "add_header Cache-Control no-store;\n"
    '            add_header X-Frame-Options "DENY" always;\n'
    '            add_header Strict-Transport-Security "max-age=63072000" always;\n'
    "            add_header X-Content-Type-Options nosniff always;\n"
))


def test_nginx_ssl_on_host_and_inherited_headers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "nginx.conf", NGINX)
    rules = ("--select", "NGX106,NGX205,NGX402")
    assert findings(capsys, tmp_path, *rules) == [
        ("NGX205", 7, 9), ("NGX106", 14, 13), ("NGX402", 16, 35), ("NGX402", 20, 35),
    ]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", ".")
    # `ssl on` meant every listen is TLS: `ssl` goes where it lacked; a Host
    # value that builds more than the variable stays for a person.
    assert path.read_text(encoding="utf-8") == NGINX_SAFE
    assert findings(capsys, tmp_path, *rules) == [("NGX106", 13, 13), ("NGX402", 19, 35)]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", "--unsafe-fixes", ".")
    assert path.read_text(encoding="utf-8") == NGINX_UNSAFE
    assert findings(capsys, tmp_path, *rules) == [("NGX402", 22, 35)]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", "--unsafe-fixes", ".")
    assert path.read_text(encoding="utf-8") == NGINX_UNSAFE


def test_ssl_on_in_http_or_with_a_listen_in_another_file_is_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "http {\n    ssl on;\n    server {\n        listen 443;\n        ssl_certificate /c.pem;\n        ssl_certificate_key /c.key;\n    }\n}\n"
    path = write(tmp_path, "nginx.conf", text)
    assert findings(capsys, tmp_path, "--select", "NGX205") == [("NGX205", 2, 5)]
    run_cli(capsys, tmp_path, "check", "--select", "NGX205", "--fix", ".")
    assert path.read_text(encoding="utf-8") == text
    # No listen: the server listens on :80, which `ssl on` made TLS; nothing to put `ssl` on.
    bare = "http {\n    server {\n        ssl on;\n        ssl_certificate /c.pem;\n        ssl_certificate_key /c.key;\n    }\n}\n"
    path.write_text(bare, encoding="utf-8")
    run_cli(capsys, tmp_path, "check", "--select", "NGX205", "--fix", ".")
    assert path.read_text(encoding="utf-8") == bare
    main = "http {\n    server {\n        include listen.conf;\n        ssl on;\n    }\n}\n"
    write(tmp_path, "nginx.conf", main)
    write(tmp_path, "listen.conf", "listen 443;\n")
    run_cli(capsys, tmp_path, "check", "--select", "NGX205", "--fix", "nginx.conf")
    assert path.read_text(encoding="utf-8") == main


HTTP2 = """\
http {
    server {
        listen 443 ssl http2;  # public
        listen [::]:443   ssl http2;
        server_name example.com;
        ssl_certificate /etc/ssl/c.pem;
        ssl_certificate_key /etc/ssl/c.key;
    }
    server {
        listen 8443 ssl http2;
        http2 on;
        ssl_certificate /etc/ssl/c.pem;
        ssl_certificate_key /etc/ssl/c.key;
    }
}
"""


def test_listen_http2_becomes_one_http2_directive_per_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "nginx.conf", HTTP2)
    assert findings(capsys, tmp_path, "--select", "NGX205") == [("NGX205", 3, 24), ("NGX205", 4, 31), ("NGX205", 10, 25)]
    run_cli(capsys, tmp_path, "check", "--select", "NGX205", "--fix", ".")
    # Once per server, beside its first such listen; not where the server has it.
    assert path.read_text(encoding="utf-8") == HTTP2.replace("listen 443 ssl http2;  # public\n", "listen 443 ssl;  # public\n        http2 on;\n").replace(
        "listen [::]:443   ssl http2;", "listen [::]:443   ssl;").replace("listen 8443 ssl http2;", "listen 8443 ssl;")
    assert findings(capsys, tmp_path, "--select", "NGX205") == []
    fixed = path.read_text(encoding="utf-8")
    run_cli(capsys, tmp_path, "check", "--select", "NGX205", "--fix", ".")
    assert path.read_text(encoding="utf-8") == fixed
    # For an nginx older than 1.25.1 there is no `http2 on;`: nothing is reported, nothing changes.
    path.write_text(HTTP2, encoding="utf-8")
    write(tmp_path, ".deploylint.yaml", "rules:\n  NGX205: {params: {nginx_version: '1.24.0'}}\n")
    assert findings(capsys, tmp_path, "--select", "NGX205") == []


POD = """\
# a web pod
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: web  # the app
          image: registry.example.com/web:1.2.3
"""


def test_seccomp_is_safe_and_the_token_unsafe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pod.yaml", POD)
    rules = ("--select", "K8S410,K8S418")
    assert findings(capsys, tmp_path, *rules) == [("K8S418", 7, 5), ("K8S410", 9, 11)]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", ".")
    seccomp = POD.replace("    spec:\n      containers:", "    spec:\n      securityContext:\n        seccompProfile:\n          type: RuntimeDefault\n      containers:")
    assert path.read_text(encoding="utf-8") == seccomp
    run_cli(capsys, tmp_path, "check", *rules, "--fix", "--unsafe-fixes", ".")
    assert path.read_text(encoding="utf-8") == seccomp.replace(
        "    spec:\n      securityContext:", "    spec:\n      automountServiceAccountToken: false\n      securityContext:")
    assert findings(capsys, tmp_path, *rules) == []


MANIFEST = """\
# app
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.4.2
          resources:
            limits:
              cpu: "1"   # one core
              memory: 512Mi
        - name: side
          image: registry.example.com/side:1.4.2
          resources:
            limits: {cpu: 250m}
        - name: none
          image: registry.example.com/none:1.4.2
---
apiVersion: "policy/v1beta1"   # old
kind: PodDisruptionBudget
metadata: {name: api}
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: api}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: all}
spec:
  minAvailable: 1
---
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: backend}
  minReplicas: 3
  maxReplicas: 6
---
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata: {name: old}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: backend}
  minReplicas: 3
  maxReplicas: 6
"""
STRICT_REQUESTS = """\
rules:
  K8S101: {params: {limit_counts_as_request: false}}
  K8S102: {params: {limit_counts_as_request: false}}
"""


def test_requests_default_to_limits_only_where_the_rule_fires(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "app.yaml", MANIFEST)
    rules = ("--select", "K8S101,K8S102")
    # By default a limit stands in for the request: only what no limit covers fires.
    assert findings(capsys, tmp_path, *rules) == [("K8S102", 17, 11), ("K8S101", 19, 11), ("K8S102", 19, 11)]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", ".")
    assert path.read_text(encoding="utf-8") == MANIFEST
    write(tmp_path, ".deploylint.yaml", STRICT_REQUESTS)
    assert findings(capsys, tmp_path, *rules) == [
        ("K8S101", 11, 11), ("K8S102", 11, 11), ("K8S101", 17, 11), ("K8S102", 17, 11), ("K8S101", 19, 11), ("K8S102", 19, 11),
    ]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", ".")
    # The limits as written (quotes too); K8S102 joins the mapping K8S101 added on the next pass.
    assert path.read_text(encoding="utf-8") == MANIFEST.replace(
        "          resources:\n            limits:\n",
        '          resources:\n            requests:\n              memory: 512Mi\n              cpu: "1"\n            limits:\n',
    ).replace("            limits: {cpu: 250m}\n", "            requests:\n              cpu: 250m\n            limits: {cpu: 250m}\n")
    # side has no memory limit, none has no limit at all: a person sizes those.
    assert findings(capsys, tmp_path, *rules) == [("K8S102", 21, 13), ("K8S101", 24, 11), ("K8S102", 24, 11)]


def test_k8s901_renames_only_pure_renames(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "app.yaml", MANIFEST)
    rules = ("--select", "K8S901")
    assert findings(capsys, tmp_path, *rules) == [("K8S901", 22, 1), ("K8S901", 30, 1), ("K8S901", 36, 1), ("K8S901", 44, 1)]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", ".")
    assert path.read_text(encoding="utf-8") == MANIFEST  # unsafe
    run_cli(capsys, tmp_path, "check", *rules, "--fix", "--unsafe-fixes", ".")
    assert path.read_text(encoding="utf-8") == MANIFEST.replace('"policy/v1beta1"', '"policy/v1"').replace(
        "autoscaling/v2beta2", "autoscaling/v2")
    # A PDB without a selector means "no pod" in v1beta1 and "every pod" in
    # v1; v2beta1 HPA metrics changed shape: both left.
    assert findings(capsys, tmp_path, *rules) == [("K8S901", 30, 1), ("K8S901", 44, 1)]
    # A target that does not serve the successor yet: no rename.
    path.write_text(MANIFEST, encoding="utf-8")
    write(tmp_path, ".deploylint.yaml", 'kubernetes_version: "1.22"\n')
    assert ("K8S901", 36, 1) not in findings(capsys, tmp_path, *rules)


USERS = """\
<clickhouse>
  <users>
    <etl>
      <password>Pw-7f3Kq!x</password> <!-- old -->
      <networks><ip>10.0.0.0/8</ip></networks>
    </etl>
    <app>
      <password>a&amp;b</password>
      <networks><ip>10.0.0.0/8</ip></networks>
    </app>
  </users>
</clickhouse>
"""


def test_ch202_hashes_the_password_and_never_prints_it_or_its_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    digest = "2568712fcb312fbe6956356848fac4f13edcbbd40a600d371fe10e25469b4c1e"  # echo -n 'Pw-7f3Kq!x' | sha256sum
    path = write(tmp_path, "users.xml", USERS)
    assert findings(capsys, tmp_path, "--select", "CH202") == [("CH202", 4, 17), ("CH202", 8, 17)]
    outputs = []
    for fmt in ("text", "json", "sarif", "full"):
        outputs.append("".join(run_cli(capsys, tmp_path, "check", "--format", fmt, "--select", "CH202", ".")[1:]))
    code, out, err = run_cli(capsys, tmp_path, "check", "--select", "CH202", "--diff", "--unsafe-fixes", ".")
    assert code == 1
    assert out == (
        "--- a/users.xml\n+++ b/users.xml\n@@ -4 +4 @@\n"
        "-      <password>**********</password> <!-- old -->\n"
        "+      <password_sha256_hex>…(sha256 of the old value)</password_sha256_hex> <!-- old -->\n"
    )
    for printed in [*outputs, out, err]:
        assert "Pw-7f3Kq" not in printed and digest not in printed
    run_cli(capsys, tmp_path, "check", "--select", "CH202", "--fix", "--unsafe-fixes", ".")
    # The hash of the value as read; an element written with an entity is left.
    assert path.read_text(encoding="utf-8") == USERS.replace(
        "<password>Pw-7f3Kq!x</password>", f"<password_sha256_hex>{digest}</password_sha256_hex>")
    assert findings(capsys, tmp_path, "--select", "CH202") == [("CH202", 8, 17)]


def test_ch302_completes_a_written_disable_protocols(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "<clickhouse>\n  <openSSL>\n    <server>\n"
        "      <disableProtocols>sslv2, sslv3</disableProtocols> <!-- stock -->\n"
        "    </server>\n    <client>\n      <verificationMode>strict</verificationMode>\n    </client>\n"
        "  </openSSL>\n</clickhouse>\n"
    )
    path = write(tmp_path, "config.xml", text)
    assert findings(capsys, tmp_path, "--select", "CH302") == [("CH302", 4, 25), ("CH302", 6, 5)]
    run_cli(capsys, tmp_path, "check", "--select", "CH302", "--fix", ".")
    assert path.read_text(encoding="utf-8") == text.replace("sslv2, sslv3<", "sslv2, sslv3, tlsv1, tlsv1_1<")
    # The client has no disableProtocols: requireTLSv1_2 may be the choice, a person's.
    assert findings(capsys, tmp_path, "--select", "CH302") == [("CH302", 6, 5)]


def test_env105_quiets_debug_in_the_case_and_quotes_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = '# prod\nLOG_LEVEL=DEBUG  # noisy\nlog_level="trace"\nDEBUG=True\nFLASK_DEBUG=1\nWORKERS=4\n'
    path = write(tmp_path, ".env.production", text)
    assert findings(capsys, tmp_path, "--select", "ENV105") == [("ENV105", 2, 11), ("ENV105", 3, 12), ("ENV105", 4, 7), ("ENV105", 5, 13)]
    run_cli(capsys, tmp_path, "check", "--select", "ENV105", "--fix", ".")
    assert path.read_text(encoding="utf-8") == text  # unsafe
    run_cli(capsys, tmp_path, "check", "--select", "ENV105", "--fix", "--unsafe-fixes", ".")
    assert path.read_text(encoding="utf-8") == (
        '# prod\nLOG_LEVEL=INFO  # noisy\nlog_level="info"\nDEBUG=False\nFLASK_DEBUG=0\nWORKERS=4\n')
    assert findings(capsys, tmp_path, "--select", "ENV105") == []
    # A development file is no production file: nothing to fix there.
    dev = write(tmp_path, ".env.development", "LOG_LEVEL=DEBUG\n")
    run_cli(capsys, tmp_path, "check", "--select", "ENV105", "--fix", "--unsafe-fixes", ".")
    assert dev.read_text(encoding="utf-8") == "LOG_LEVEL=DEBUG\n"


def _apply_sarif_replacements(text: str, replacements: list[dict[str, object]]) -> str:
    """What a SARIF consumer does with `fixes`: replace each deleted region
    (1-based lines and columns, end exclusive) by its inserted text."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def offset(line: object, column: object) -> int:
        assert isinstance(line, int) and isinstance(column, int)
        return starts[line - 1] + column - 1

    spans = []
    for r in replacements:
        region, inserted = r["deletedRegion"], r["insertedContent"]
        assert isinstance(region, dict) and isinstance(inserted, dict)
        spans.append((offset(region["startLine"], region["startColumn"]), offset(region["endLine"], region["endColumn"]), inserted["text"]))
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def test_sarif_fixes_are_the_edits_at_exact_regions_and_never_a_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "nginx.conf", NGINX)
    write(tmp_path, "users.xml", USERS)
    code, out, _ = run_cli(capsys, tmp_path, "check", "--format", "sarif", "--select", "NGX106,NGX205,NGX402,CH202", ".")
    results = json.loads(out)["runs"][0]["results"]
    fixes = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r.get("fixes") for r in results}
    # The safe ones applied by a SARIF reader give what --fix writes.
    safe = [
        rep for fix in fixes.values() if fix and fix[0]["description"]["text"].startswith("Safe")
        for change in fix[0]["artifactChanges"] for rep in change["replacements"]
    ]
    assert {k for k, v in fixes.items() if v} == {("NGX205", 7), ("NGX402", 16), ("NGX106", 14)}
    assert all(c["artifactLocation"] == {"uri": "nginx.conf", "uriBaseId": "%SRCROOT%"}
               for fix in fixes.values() if fix for c in fix[0]["artifactChanges"])
    assert _apply_sarif_replacements(NGINX, safe) == NGINX_SAFE
    # The password's fix would carry its hash: left out, the finding stays.
    assert fixes[("CH202", 4)] is None and fixes[("CH202", 8)] is None
    assert "Pw-7f3Kq" not in out and "2568712fcb312fbe" not in out


def test_readme_lists_every_fixable_rule_with_its_safety() -> None:
    import re

    from linter.core.rules import load_rules

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("Fixable today:", 1)[1].split("\n\n", 2)[1]
    listed = {}
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        for rule_id in re.findall(r"[A-Z][A-Z0-9]*[A-Z]\d{3}", cells[0]):
            listed[rule_id] = cells[-1]
    assert listed == {r.id: r.fix.safety for r in load_rules() if r.fix is not None}


BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.4.2
          resources:
            limits: {cpu: 500m, memory: 256Mi}
"""
OVERLAY = """\
resources: [../base]
patches:
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api}
      spec:
        template:
          spec:
            containers:
              - name: api
                resources:
                  limits: {cpu: "2"}
"""


def test_a_request_is_not_copied_from_a_limit_an_overlay_patches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = write(tmp_path, "base/deploy.yaml", BASE)
    write(tmp_path, "base/kustomization.yaml", "resources: [deploy.yaml]\n")
    overlay = write(tmp_path, "prod/kustomization.yaml", OVERLAY)
    write(tmp_path, ".deploylint.yaml", STRICT_REQUESTS)
    rules = ("--select", "K8S101,K8S102")
    assert findings(capsys, tmp_path, *rules) == [("K8S101", 10, 11), ("K8S102", 10, 11)]
    run_cli(capsys, tmp_path, "check", *rules, "--fix", ".")
    # The memory limit is the base's own: its request goes there. The CPU
    # limit is the overlay's: writing it into the shared base would be wrong.
    assert base.read_text(encoding="utf-8") == BASE.replace(
        "          resources:\n", "          resources:\n            requests:\n              memory: 256Mi\n")
    assert overlay.read_text(encoding="utf-8") == OVERLAY
    assert findings(capsys, tmp_path, *rules) == [("K8S101", 11, 13)]  # at the requests it lacks
