"""A custom rule's JSON Schema resolves `$ref` only inside the rule file and the
project's own schemas: remote (`http(s)://`) and `file://` references are
refused with `file:line` in `validate-rules` and when the rules load, and no
request ever leaves the process."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write

from linter.core.checks.fastschema import compile_schema
from linter.core.checks.schema_refs import refused_refs

RULE = """\
id: ACME301
name: image-from-schema
title: Images follow the shared schema
severity: warning
target: {{format: kubernetes, select: containers}}
check:
  schema:
    type: object
    properties:
      image:
        $ref: "{ref}"
message: "container {{container}}: {{reason}}"
help:
  why: Shared policy.
  bad: |
    apiVersion: v1
    kind: Pod
    metadata: {{name: p}}
    spec:
      containers:
        - {{name: a, image: 1}}  # flagged
  good: |
    apiVersion: v1
    kind: Pod
    metadata: {{name: p}}
    spec:
      containers:
        - {{name: a, image: a:1}}
  fix: Use a string.
"""


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[http.server.HTTPServer]:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.requests = []  # type: ignore[attr-defined]
    httpd.timeout = 2
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def _url(httpd: http.server.HTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}/evil.json"


def test_a_remote_ref_is_refused_at_load_with_file_and_line_and_nothing_is_fetched(
    project: Path, capsys: pytest.CaptureFixture[str], server: http.server.HTTPServer
) -> None:
    write(project, "rules/r.yaml", RULE.format(ref=_url(server)))
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, out, err = run_cli(capsys, project, "--rules-dir", "rules", "app.yaml")
    assert code == 2
    assert "rules/r.yaml:11: check.schema.properties.image.$ref: a remote reference" in err
    code, out, _ = run_cli(capsys, project, "validate-rules", "rules")
    assert code == 2
    assert out.splitlines()[0].startswith("rules/r.yaml:11: check.schema.properties.image.$ref: a remote reference")
    assert server.requests == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("ref", ["file:///etc/passwd", "other.json", "/etc/passwd#/a", "HTTPS://example.com/s.json"])
def test_file_and_relative_refs_are_refused(project: Path, capsys: pytest.CaptureFixture[str], ref: str) -> None:
    write(project, "rules/r.yaml", RULE.format(ref=ref))
    code, out, _ = run_cli(capsys, project, "validate-rules", "rules")
    assert code == 2
    assert out.startswith("rules/r.yaml:11: check.schema.properties.image.$ref: ")


def test_local_and_project_refs_are_allowed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local = RULE.replace('$ref: "{ref}"', '$ref: "#/$defs/img"\n    $defs: {{img: {{type: string}}}}')
    write(project, "rules/r.yaml", local.format())
    code, out, _ = run_cli(capsys, project, "validate-rules", "rules")
    assert (code, out) == (0, "rules: 1 rule file(s) valid\n")
    assert refused_refs({"$ref": "https://deploylint.dev/schemas/config.schema.json#/$defs/x"}) == []
    assert refused_refs({"const": {"$ref": "http://data.only/"}}) == []


def test_the_validator_itself_never_retrieves(server: http.server.HTTPServer) -> None:
    schema = {"properties": {"a": {"$ref": _url(server)}}}
    validator = compile_schema(schema, guard_regexes=True)
    with pytest.raises(Exception, match="evil.json"):
        list(validator.iter_errors({"a": 1}))
    assert server.requests == []  # type: ignore[attr-defined]
    config = compile_schema({"$ref": "https://deploylint.dev/schemas/config.schema.json"}, guard_regexes=True)
    assert list(config.iter_errors({"rules": 5}))
