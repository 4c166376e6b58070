"""Autofix: minimal edits at the model's spans, the fix loop, and `--fix`,
`--unsafe-fixes`, `--diff`, `--fix-only` on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_cli, write

from linter.config.rule_examples import example_filename
from linter.core.findings import Finding, Severity
from linter.core.fix import SAFE, UNSAFE, Fix, TextEdit, apply_edits, choose
from linter.core.fix_loop import fix_loop
from linter.core.model import Span
from linter.core.rules import Rule, load_rules
from linter.core.run_types import RunResult
from linter.formats import REGISTRY

# Comments, quoting, anchors, a document marker and a flow mapping: all must
# survive byte for byte. K8S402 at 11:11 (api, no securityContext), 16:39
# (worker, `true`), 17:38 (flow) and 16:39 again (aliased: its securityContext
# is an alias of worker's, so it is not fixed through the alias; fixing the
# anchor fixes both).
MANIFEST = """\
# deployment of the backend
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, labels: &labels {app: "backend"}}   # keep me
spec:
  template:
    metadata: {labels: *labels}
    spec:
      containers:
        - name: api  # the API
          image: 'registry.example.com/api:1.4.2'
        - name: worker
          image: registry.example.com/worker:1.4.2
          securityContext: &sc
            allowPrivilegeEscalation: true  # to be fixed
        - {name: flow, image: "x:1", securityContext: {runAsNonRoot: true}}
        - name: aliased
          image: registry.example.com/aliased:1.4.2
          securityContext: *sc
"""

FIXED_402 = """\
# deployment of the backend
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, labels: &labels {app: "backend"}}   # keep me
spec:
  template:
    metadata: {labels: *labels}
    spec:
      containers:
        - name: api  # the API
          securityContext:
            allowPrivilegeEscalation: false
          image: 'registry.example.com/api:1.4.2'
        - name: worker
          image: registry.example.com/worker:1.4.2
          securityContext: &sc
            allowPrivilegeEscalation: false  # to be fixed
        - {name: flow, image: "x:1", securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false}}
        - name: aliased
          image: registry.example.com/aliased:1.4.2
          securityContext: *sc
"""


def findings(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> list[tuple[str, int, int]]:
    code, out, _ = run_cli(capsys, root, "check", "--format", "json", *args, ".")
    return [(f["rule"], f["line"], f["column"]) for f in json.loads(out)["findings"]]


def test_edits_apply_bottom_up_and_keep_every_other_byte() -> None:
    text = "a: 1\r\nb: 2  # c\r\n"
    edits = [TextEdit("f", 2, 4, 2, 5, "3"), TextEdit.insert("f", 1, 1, "z: 0\r\n")]
    assert apply_edits(text, edits) == "z: 0\r\na: 1\r\nb: 3  # c\r\n"
    with pytest.raises(ValueError):
        apply_edits(text, [TextEdit("f", 9, 1, 9, 2, "x")])


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    first = Fix(SAFE, (TextEdit("f", 1, 1, 1, 5, "x"),))
    overlapping = Fix(SAFE, (TextEdit("f", 1, 3, 1, 8, "y"),))
    same_point = Fix(SAFE, (TextEdit.insert("f", 1, 1, "z"),))
    apart = Fix(SAFE, (TextEdit("f", 2, 1, 2, 2, "w"),))
    chosen, waiting = choose([first, overlapping, same_point, apart, first])
    assert chosen == [first, apart]
    assert waiting == 2


def test_k8s402_fix_keeps_comments_quotes_anchors_and_markers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "deploy.yaml", MANIFEST)
    before = findings(capsys, tmp_path, "--select", "K8S402")
    assert before == [("K8S402", 11, 11), ("K8S402", 16, 39), ("K8S402", 16, 39), ("K8S402", 17, 38)]

    code, out, err = run_cli(capsys, tmp_path, "check", "--select", "K8S402", "--fix", ".")
    assert path.read_bytes() == FIXED_402.encode()
    assert "3 findings fixed" in out
    # The aliased container shares the anchor's securityContext, now fixed; nothing is left.
    assert findings(capsys, tmp_path, "--select", "K8S402") == []
    assert code == 0

    # Idempotent: a second --fix changes nothing.
    run_cli(capsys, tmp_path, "check", "--select", "K8S402", "--fix", ".")
    assert path.read_bytes() == FIXED_402.encode()


def test_an_alias_is_never_edited_through(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = MANIFEST.replace("allowPrivilegeEscalation: true  # to be fixed", "runAsUser: 1000")
    path = write(tmp_path, "deploy.yaml", text)
    run_cli(capsys, tmp_path, "check", "--select", "K8S402", "--fix", ".")
    # The anchored mapping gets the key (it is its own), the alias stays an alias.
    fixed = path.read_text(encoding="utf-8")
    assert fixed.count("allowPrivilegeEscalation: false") == 3
    assert "securityContext: *sc\n" in fixed
    assert findings(capsys, tmp_path, "--select", "K8S402") == []


def test_unsafe_fixes_need_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: a:1\n"
    path = write(tmp_path, "pod.yaml", text)
    code, out, _ = run_cli(capsys, tmp_path, "check", "--select", "K8S404", ".")
    assert "warning[K8S404] container" in out and "[*]" not in out
    assert "1 fixable with `--fix --unsafe-fixes`" in out
    run_cli(capsys, tmp_path, "check", "--select", "K8S404", "--fix", ".")
    assert path.read_text(encoding="utf-8") == text
    run_cli(capsys, tmp_path, "check", "--select", "K8S404", "--fix", "--unsafe-fixes", ".")
    assert path.read_text(encoding="utf-8") == text.replace(
        "    - name: app\n", "    - name: app\n      securityContext:\n        readOnlyRootFilesystem: true\n")
    assert findings(capsys, tmp_path, "--select", "K8S404") == []


def test_conflicting_fixes_are_applied_in_later_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Both rules add `securityContext` at the same place: K8S402's first (the
    # findings' order), K8S404's key into it on the next pass.
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: a:1\n"
    path = write(tmp_path, "pod.yaml", text)
    code, out, _ = run_cli(capsys, tmp_path, "check", "--select", "K8S402,K8S404", "--fix", "--unsafe-fixes", ".")
    assert "2 findings fixed" in out
    assert path.read_text(encoding="utf-8") == text.replace("    - name: app\n", (
        "    - name: app\n      securityContext:\n        readOnlyRootFilesystem: true\n        allowPrivilegeEscalation: false\n"
    ))
    assert findings(capsys, tmp_path, "--select", "K8S402,K8S404") == []


def test_diff_changes_nothing_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "deploy.yaml", MANIFEST)
    code, out, err = run_cli(capsys, tmp_path, "check", "--select", "K8S402", "--diff", ".")
    assert code == 1
    assert path.read_text(encoding="utf-8") == MANIFEST
    assert out.startswith("--- a/deploy.yaml\n+++ b/deploy.yaml\n@@ -11,0 +12,2 @@\n")
    assert "+            allowPrivilegeEscalation: false  # to be fixed\n" in out
    assert "would fix 3 finding(s) in 1 file(s)" in err
    path.write_text(FIXED_402, encoding="utf-8")
    assert run_cli(capsys, tmp_path, "check", "--select", "K8S402", "--diff", ".")[:2] == (0, "")


def test_fix_only_reports_no_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "deploy.yaml", MANIFEST)
    code, out, err = run_cli(capsys, tmp_path, "check", "--select", "K8S402,K8S404", "--fix-only", ".")
    assert (code, out) == (0, "")
    assert "fixed 3 finding(s) in 1 file(s)" in err
    assert path.read_bytes() == FIXED_402.encode()


def test_json_says_what_is_fixable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "deploy.yaml", MANIFEST)
    code, out, _ = run_cli(capsys, tmp_path, "check", "--format", "json", "--select", "K8S402,K8S404", ".")
    document = json.loads(out)
    fixes = {(f["rule"], f["line"], f["column"], f.get("fix", {}).get("safety")) for f in document["findings"]}
    assert fixes == {
        ("K8S402", 11, 11, SAFE), ("K8S402", 16, 39, SAFE), ("K8S402", 16, 39, None), ("K8S402", 17, 38, SAFE),
        ("K8S404", 11, 11, UNSAFE), ("K8S404", 15, 11, UNSAFE), ("K8S404", 17, 38, UNSAFE), ("K8S404", 20, 11, None),
    }
    assert document["summary"]["fixable"] == {"safe": 3, "unsafe": 3}
    assert document["summary"]["fixed"] == 0


def _result_with(fix: Fix, path: str) -> RunResult:
    finding = Finding("K8S402", "privilege-escalation", Severity.ERROR, "m", Span.point(path, 1, 1), fix=fix)
    return RunResult([finding], [path], [], formats={path: "kubernetes"})


def test_a_fix_that_breaks_parsing_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "pod.yaml", "apiVersion: v1\nkind: Pod\n")
    breaking = Fix(SAFE, (TextEdit.insert("pod.yaml", 2, 1, "a: [b\n"),))
    outcome = fix_loop(lambda texts: _result_with(breaking, "pod.yaml"), tmp_path, REGISTRY, unsafe=False, write=True)
    assert outcome.fixed == 0 and outcome.diffs == []
    assert outcome.warnings == ["pod.yaml: fixes of K8S402 not applied: the fixed file would not parse"]
    assert path.read_text(encoding="utf-8") == "apiVersion: v1\nkind: Pod\n"


def test_a_file_outside_the_root_is_never_written(tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/pod.yaml", "apiVersion: v1\nkind: Pod\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "pod.yaml").symlink_to(outside)
    fix = Fix(SAFE, (TextEdit("pod.yaml", 2, 7, 2, 10, "Service"),))
    outcome = fix_loop(lambda texts: _result_with(fix, "pod.yaml"), root, REGISTRY, unsafe=False, write=True)
    assert outcome.warnings == ["pod.yaml: not fixed: outside the scanned root"]
    assert outside.read_text(encoding="utf-8") == "apiVersion: v1\nkind: Pod\n"


# Their fix applies where the rule fires only under a non-default param (a
# limit-only container with `limit_counts_as_request: false`): test_fix_more.py.
FIXED_UNDER_PARAMS = {"K8S101", "K8S102"}
FIXABLE_RULES = [r for r in load_rules() if r.fix is not None and r.id not in FIXED_UNDER_PARAMS]


@pytest.mark.parametrize("rule", FIXABLE_RULES, ids=lambda r: r.id)
def test_every_fix_clears_its_rules_bad_example(rule: Rule, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Lint the rule's bad example, fix it, lint again: every finding that had a
    fix is gone, and a second --fix changes nothing."""
    name = example_filename(rule)
    path = write(tmp_path, name, rule.help["bad"])
    code, out, _ = run_cli(capsys, tmp_path, "check", "--format", "json", "--select", rule.id, name)
    before = json.loads(out)["findings"]
    assert any("fix" in f for f in before), f"{rule.id}'s bad example has nothing to fix"
    run_cli(capsys, tmp_path, "check", "--select", rule.id, "--fix-only", "--unsafe-fixes", name)
    fixed = path.read_bytes()
    code, out, _ = run_cli(capsys, tmp_path, "check", "--format", "json", "--select", rule.id, name)
    after = json.loads(out)["findings"]
    assert len(after) == sum(1 for f in before if "fix" not in f)
    assert not any("fix" in f for f in after)
    run_cli(capsys, tmp_path, "check", "--select", rule.id, "--fix-only", "--unsafe-fixes", name)
    assert path.read_bytes() == fixed


CAPABILITIES = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: a:1
      securityContext:
        capabilities:
          add: [SYS_ADMIN]
          drop:
            - CHOWN   # c
    - name: b
      image: b:1
      securityContext: {capabilities: {drop: []}}
    - name: c
      image: c:1
"""


def test_k8s406_drops_all_and_leaves_a_dangerous_add_to_a_person(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pod.yaml", CAPABILITIES)
    assert findings(capsys, tmp_path, "--select", "K8S406") == [
        ("K8S406", 10, 17), ("K8S406", 11, 11), ("K8S406", 15, 25), ("K8S406", 16, 7),
    ]
    run_cli(capsys, tmp_path, "check", "--select", "K8S406", "--fix", ".")
    assert path.read_text(encoding="utf-8") == CAPABILITIES.replace(
        "            - CHOWN", "            - ALL\n            - CHOWN",
    ).replace("{drop: []}", "{drop: [ALL]}").replace(
        "    - name: c\n", "    - name: c\n      securityContext:\n        capabilities:\n          drop: [ALL]\n",
    )
    assert findings(capsys, tmp_path, "--select", "K8S406") == [("K8S406", 10, 17)]


def test_k8s401_sets_run_as_non_root_but_never_under_uid_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "    - name: a\n      image: a:1\n      securityContext: {runAsNonRoot: false}  # was off\n"
        "    - name: b\n      image: b:1\n      securityContext:\n        runAsUser: 0\n"
        "    - name: c\n      image: c:1\n"
    )
    path = write(tmp_path, "pod.yaml", text)
    assert findings(capsys, tmp_path, "--select", "K8S401") == [("K8S401", 8, 39), ("K8S401", 12, 20), ("K8S401", 13, 7)]
    run_cli(capsys, tmp_path, "check", "--select", "K8S401", "--fix", ".")
    assert path.read_text(encoding="utf-8") == text  # unsafe: --fix alone leaves it
    run_cli(capsys, tmp_path, "check", "--select", "K8S401", "--fix", "--unsafe-fixes", ".")
    assert path.read_text(encoding="utf-8") == text.replace("{runAsNonRoot: false}", "{runAsNonRoot: true}").replace(
        "    - name: c\n", "    - name: c\n      securityContext:\n        runAsNonRoot: true\n")
    assert findings(capsys, tmp_path, "--select", "K8S401") == [("K8S401", 12, 20)]


NGINX_MAIN = """\
events {}
http {   # main
    include conf.d/*.conf;
}
"""
NGINX_SITE = """\
server {
    listen 443 ssl;  # tls
    server_name example.com;
    add_header X-Frame-Options "DENY";
    add_header\tX-Content-Type-Options   nosniff;  # keep
    location / {
        server_tokens "on";
    }
}
"""


def test_nginx_fixes_edit_each_file_where_the_directive_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main = write(tmp_path, "nginx.conf", NGINX_MAIN)
    site = write(tmp_path, "conf.d/site.conf", NGINX_SITE)
    assert findings(capsys, tmp_path, "--select", "NGX107,NGX301") == [
        ("NGX107", 4, 5), ("NGX107", 5, 5), ("NGX301", 7, 23), ("NGX301", 2, 1),
    ]
    code, out, _ = run_cli(capsys, tmp_path, "check", "--select", "NGX107,NGX301", "--fix", ".")
    assert "4 findings fixed" in out and code == 0
    assert main.read_text(encoding="utf-8") == NGINX_MAIN.replace("# main\n", "# main\n    server_tokens off;\n")
    assert site.read_text(encoding="utf-8") == NGINX_SITE.replace('"DENY";', '"DENY" always;').replace(
        "nosniff;", "nosniff always;").replace('server_tokens "on";', "server_tokens off;")
    assert findings(capsys, tmp_path, "--select", "NGX107,NGX301") == []


def test_env201_keeps_the_last_value_and_never_shows_a_removed_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = '# settings\nDB_PASSWORD=Xq7-first-secret   # old\nWORKERS=4\nexport DB_PASSWORD="Zr9\nsecond"\nDB_PASSWORD=Kw3-last'
    path = write(tmp_path, ".env", text)
    assert findings(capsys, tmp_path, "--select", "ENV201") == [("ENV201", 4, 8), ("ENV201", 6, 1)]
    code, out, err = run_cli(capsys, tmp_path, "check", "--select", "ENV201", "--diff", "--unsafe-fixes", ".")
    assert code == 1 and "Xq7" not in out + err and "Zr9" not in out + err and "second" not in out + err
    assert "-DB_PASSWORD=****************   # old\n" in out
    assert path.read_text(encoding="utf-8") == text
    run_cli(capsys, tmp_path, "check", "--select", "ENV201", "--fix", "--unsafe-fixes", ".")
    assert path.read_text(encoding="utf-8") == "# settings\nWORKERS=4\nDB_PASSWORD=Kw3-last"
    assert findings(capsys, tmp_path, "--select", "ENV201") == []


TLS = """\
http {
    server {
        listen 443 ssl;  # main
        ssl_certificate     /etc/nginx/tls/site.crt;
        ssl_certificate_key /etc/nginx/tls/site.key;
        ssl_protocols TLSv1 TLSv1.1 "TLSv1.2";
    }
    server {
        listen 8443 ssl;
        ssl_certificate     /etc/nginx/tls/site.crt;
        ssl_certificate_key /etc/nginx/tls/site.key;
    }
}
"""


def test_ngx201_sets_the_protocols_in_place_or_after_the_tls_listen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "nginx.conf", TLS)
    assert findings(capsys, tmp_path, "--select", "NGX201") == [("NGX201", 6, 23), ("NGX201", 9, 9)]
    run_cli(capsys, tmp_path, "check", "--select", "NGX201", "--fix", ".")
    assert path.read_text(encoding="utf-8") == TLS.replace('TLSv1 TLSv1.1 "TLSv1.2"', "TLSv1.2 TLSv1.3").replace(
        "listen 8443 ssl;\n", "listen 8443 ssl;\n        ssl_protocols TLSv1.2 TLSv1.3;\n")
    assert findings(capsys, tmp_path, "--select", "NGX201") == []


def test_ngx104_raises_the_written_max_age_in_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "http {\n    server {\n        listen 443 ssl;\n"
        "        ssl_certificate     /etc/nginx/tls/site.crt;\n        ssl_certificate_key /etc/nginx/tls/site.key;\n"
        '        add_header Strict-Transport-Security "max-age=300; includeSubDomains" always;  # short\n'
        "    }\n}\n"
    )
    path = write(tmp_path, "nginx.conf", text)
    assert findings(capsys, tmp_path, "--select", "NGX104") == [("NGX104", 6, 46)]
    run_cli(capsys, tmp_path, "check", "--select", "NGX104", "--fix", "--unsafe-fixes", "--config", str(write(
        tmp_path, "cfg/.deploylint.yaml", "rules:\n  NGX104: {params: {min_max_age: 63072000}}\n")), ".")
    assert path.read_text(encoding="utf-8") == text.replace("max-age=300;", "max-age=63072000;")
    assert findings(capsys, tmp_path, "--select", "NGX104") == []
