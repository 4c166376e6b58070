"""A run survives what goes wrong in it: broken files lose none of the other
files' findings, a report file is all or nothing, and a bug in one rule, one
parser or one assembly becomes a DL006 finding with its traceback in a private
log (a secret in the exception never reaches it). Exit code 3 only when the
run itself cannot go on, with one line on stderr."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_cli, write
from conftest import EXAMPLES

import linter.core.engine
import linter.core.suppress
import linter.formats.env.parser
import linter.formats.kubernetes.checks
import linter.formats.nginx.includes
import linter.report.sarif
from linter.core.check import Violation
from linter.core.subject import Subject

BROKEN = {
    "k8s/zz-broken.yaml": b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   labels: x\n",
    "nginx/broken.conf": b"events {}\nhttp {\n  server {\n    listen 80;\n",
    ".env.broken": b"this is\nnot an env\nfile at all\n",
    "clickhouse-2/config.xml": b"<clickhouse>\n  <users>\n    <default>\n</clickhouse>\n",
    "k8s/binary.yaml": b"apiVersion: v1\nkind: Pod\n\x00\x01\x02",
    "k8s/latin1.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m\u00fcller}\n".encode("latin-1"),
}


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Error logs of these tests go to their own temp dir."""
    logs = tmp_path / "tmp"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))
    return logs


def lint_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli(capsys, root, "--format", "json", *args, ".")
    assert out, err
    return code, json.loads(out), err


def keyed(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (f["rule"], f["file"], f["line"], f["column"], f["end_line"], f["end_column"], f["message"], f["fingerprint"])
        for f in findings
    ]


# --- nothing lost ---------------------------------------------------------------------


def test_broken_files_lose_no_finding_of_the_intact_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    intact, mixed = tmp_path / "intact", tmp_path / "mixed"
    shutil.copytree(EXAMPLES / "ai-etl-broken", intact)
    shutil.copytree(EXAMPLES / "ai-etl-broken", mixed)
    for name, data in BROKEN.items():
        (mixed / name).parent.mkdir(exist_ok=True)
        (mixed / name).write_bytes(data)
    code_intact, alone, _ = lint_json(capsys, intact)
    code_mixed, together, _ = lint_json(capsys, mixed)
    kept = [f for f in together["findings"] if f["file"] not in BROKEN]
    assert keyed(kept) == keyed(alone["findings"]) and len(kept) > 50
    failed = sorted({(f["file"], f["rule"]) for f in together["findings"] if f["file"] in BROKEN})
    assert failed == [
        (".env.broken", "DL001"),
        ("clickhouse-2/config.xml", "DL001"),
        ("k8s/binary.yaml", "DL001"),
        ("k8s/latin1.yaml", "DL001"),
        ("k8s/zz-broken.yaml", "DL001"),
        ("nginx/broken.conf", "DL001"),
    ]
    assert together["summary"]["unparsable_files"] == 6 and alone["summary"]["unparsable_files"] == 0
    assert together["summary"]["files"] == alone["summary"]["files"] + 6
    assert code_mixed == code_intact == 1
    _, text, _ = run_cli(capsys, mixed, ".")
    assert text.splitlines()[-1].endswith(", 6 could not be parsed")


# --- atomic report files --------------------------------------------------------------


def project_and_report(tmp_path: Path, example: str, report: str) -> tuple[Path, Path]:
    """A copy of an example, and a reports folder holding a previous `report`."""
    project, reports = tmp_path / "project", tmp_path / "reports"
    shutil.copytree(EXAMPLES / example, project)
    reports.mkdir()
    (reports / report).write_text("previous report\n")
    return project, reports


def _boom(*args: object, **kwargs: object) -> str:
    raise RuntimeError("renderer failed")


def test_a_failed_render_leaves_no_report_and_no_temp_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, reports = project_and_report(tmp_path, "ai-etl-broken", "old.sarif")
    monkeypatch.setattr(linter.report.sarif, "render", _boom)
    code, _, _ = run_cli(capsys, project, "--format", "sarif", "--output", str(reports / "new.sarif"), ".")
    code2, _, _ = run_cli(capsys, project, "--format", "sarif", "--output", str(reports / "old.sarif"), ".")
    assert (code, code2) == (3, 3)
    assert sorted(p.name for p in reports.iterdir()) == ["old.sarif"]
    assert (reports / "old.sarif").read_text() == "previous report\n"


def test_a_failed_write_leaves_the_old_report_and_no_temp_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, reports = project_and_report(tmp_path, "ai-etl", "report.json")

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(linter.cli.os, "replace", disk_full)
    code, _, err = run_cli(capsys, project, "--format", "json", "--output", str(reports / "report.json"), ".")
    assert code == 2 and err == f"deploylint: error: cannot write {reports / 'report.json'}: No space left on device\n"
    assert sorted(p.name for p in reports.iterdir()) == ["report.json"]
    assert (reports / "report.json").read_text() == "previous report\n"


def test_a_report_is_written_whole_with_the_usual_permissions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "ai-etl-broken", project)
    report = tmp_path / "report.sarif"
    code, _, _ = run_cli(capsys, project, "--format", "sarif", "--output", str(report), ".")
    assert code == 1 and json.loads(report.read_text())["runs"][0]["results"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(report.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "report.sarif", "tmp"]


# --- internal errors ------------------------------------------------------------------

SECRET = "Hunter2-Kq8Zr5Lw3Xv7Pn4Ty6Bm"  # what a failing check may hold when it raises


def failing_check(subject: Subject, params: object) -> Iterator[Violation]:
    """Fails on the container named `victim`, with the container's env value in its message."""
    if subject.context.get("name") == "victim":
        value = subject.node.path("env").items[0].text("value")  # type: ignore[union-attr]
        raise ValueError(f"cannot parse {value!r} as a quantity ({value})")
    yield from ()


VICTIM = f"""\
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  containers:
    - name: victim
      image: nginx:latest
      env: [{{name: DB_PASSWORD, value: "{SECRET}"}}]
"""


def log_path(message: str) -> Path:
    return Path(message.split("traceback in ")[1])


def test_a_failing_check_becomes_dl006_for_that_rule_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, private_tmp: Path
) -> None:
    check = linter.formats.kubernetes.checks.CHECKS["image-mutable-tag"]
    monkeypatch.setitem(linter.formats.kubernetes.checks.CHECKS, "image-mutable-tag", dataclasses.replace(check, fn=failing_check))
    project = tmp_path / "project"
    write(project, "victim.yaml", VICTIM)
    write(project, "other.yaml", VICTIM.replace("name: victim", "name: fine").replace("name: p}", "name: q}"))
    code, document, err = lint_json(capsys, project, "--select", "K8S501,K8S104,DL006")
    found = [(f["rule"], f["file"], f["line"], f["column"]) for f in document["findings"]]
    # K8S501 (the failing rule) still runs on other.yaml (its check finds nothing there
    # now); K8S104 runs on both files.
    assert found == [("K8S104", "other.yaml", 6, 7), ("DL006", "victim.yaml", 1, 1), ("K8S104", "victim.yaml", 6, 7)]
    message = document["findings"][1]["message"]
    assert message.startswith("internal error in rule K8S501 (ValueError); traceback in ")
    log = log_path(message)
    assert log.parent == private_tmp and stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "--- K8S501 on victim.yaml" in text and "in failing_check" in text and "ValueError: cannot parse" in text
    assert SECRET not in text and SECRET[6:] not in text
    assert code == 1 and err == ""


def test_tool_findings_take_their_severity_from_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, private_tmp: Path
) -> None:
    """DL006 (and every DL rule) is built from its rule file, so the config's
    severity applies: a run that fails only on warnings then passes."""
    check = linter.formats.kubernetes.checks.CHECKS["image-mutable-tag"]
    monkeypatch.setitem(linter.formats.kubernetes.checks.CHECKS, "image-mutable-tag", dataclasses.replace(check, fn=failing_check))
    project = tmp_path / "project"
    write(project, "victim.yaml", VICTIM)
    write(project, ".deploylint.yaml", "rules:\n  DL006: {severity: warning}\n  DL002: {severity: error}\n")
    write(project, "other.yaml", "# deploylint: ignore[K8S501] nothing to suppress here\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    code, document, _ = lint_json(capsys, project, "--select", "K8S501,DL006,DL002", "--fail-on", "error")
    severities = {f["rule"]: f["severity"] for f in document["findings"]}
    assert severities == {"DL006": "warning", "DL002": "error"}
    assert code == 1
    write(project, ".deploylint.yaml", "rules:\n  DL006: {severity: warning}\n  DL002: disable\n")
    code, document, _ = lint_json(capsys, project, "--select", "K8S501,DL006", "--fail-on", "error")
    assert [(f["rule"], f["severity"]) for f in document["findings"]] == [("DL006", "warning")]
    assert code == 0


def test_a_parser_bug_becomes_dl006_on_that_file_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_parse = linter.formats.env.parser.parse

    def parse(source: Any, workspace: Any) -> Any:
        if source.path == ".env.crash":
            raise KeyError(source.text.split("=")[1].strip())
        return real_parse(source, workspace)

    monkeypatch.setattr(linter.formats.env.parser, "parse", parse)
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "ai-etl-broken", project)
    _, alone, _ = lint_json(capsys, project)
    write(project, ".env.crash", f"DB_PASSWORD={SECRET}\n")
    code, document, err = lint_json(capsys, project)
    crash = [f for f in document["findings"] if f["file"] == ".env.crash"]
    assert [(f["rule"], f["line"], f["column"]) for f in crash] == [("DL006", 1, 1)]
    assert crash[0]["message"].startswith("internal error in the env parser (KeyError); traceback in ")
    assert SECRET not in log_path(crash[0]["message"]).read_text()
    assert keyed([f for f in document["findings"] if f["file"] != ".env.crash"]) == keyed(alone["findings"])
    assert document["summary"]["unparsable_files"] == 1 and code == 1 and err == ""


def test_an_assembly_bug_keeps_the_other_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "ai-etl-broken", project)
    _, alone, _ = lint_json(capsys, project)
    monkeypatch.setattr(linter.formats.nginx.includes, "assemble_units", _boom)
    code, document, err = lint_json(capsys, project)
    # nginx trees, and the nginx config a ConfigMap holds (linted at its lines in the manifest).
    nginx_files = sorted({f["file"] for f in alone["findings"] if f["rule"].startswith("NGX")})
    assert "k8s/edge-proxy-config.yaml" in nginx_files
    dl006 = sorted((f["rule"], f["file"], f["line"], f["column"]) for f in document["findings"] if f["rule"] == "DL006")
    assert dl006 == [("DL006", name, 1, 1) for name in nginx_files]

    def not_nginx(findings: list[dict[str, object]]) -> list[dict[str, object]]:
        return [f for f in findings if not str(f["file"]).startswith("nginx/") and not str(f["rule"]).startswith(("NGX", "DL006"))]

    assert keyed(not_nginx(document["findings"])) == keyed(not_nginx(alone["findings"]))
    assert code == 1 and err == ""


def test_a_crash_outside_the_rules_exits_3_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, private_tmp: Path
) -> None:
    def suppressions(*args: object) -> Any:
        raise RuntimeError(f"suppression table broken near {SECRET}")

    monkeypatch.setattr(linter.core.suppress, "apply_suppressions", suppressions)
    project = tmp_path / "project"
    write(project, "victim.yaml", VICTIM)
    code, out, err = run_cli(capsys, project, ".")
    assert code == 3 and out == ""
    assert err.startswith("deploylint: internal error (RuntimeError); traceback written to ") and err.count("\n") == 1
    assert "Traceback" not in err and SECRET not in err
    log = Path(err.strip().split("traceback written to ")[1])
    assert log.parent == private_tmp and stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "RuntimeError: suppression table broken near" in text
    assert SECRET not in text


def test_error_log_scrubs_values_but_keeps_python_names() -> None:
    from linter.core.errorlog import format_error, scrub

    assert scrub("invalid literal for int() with base 10: 'hunter2'") == "invalid literal for int() with base 10: '…(7 chars)'"
    assert scrub("'NoneType' object has no attribute 'text'") == "'NoneType' object has no attribute '…(4 chars)'"
    assert scrub("unexpected Kq8Zr5Lw3Xv7Pn4Ty6Bm in 'str'") == "unexpected …(20 chars) in 'str'"
    try:
        try:
            {}[SECRET]
        except KeyError as exc:
            raise ValueError("lookup failed") from exc
    except ValueError as exc:
        text = format_error(exc)
    assert (
        "KeyError: '…(28 chars)'" in text
        and "was the direct cause of" in text
        and text.endswith("ValueError: lookup failed\n")
    )
    assert SECRET not in text


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "x.yaml",
            b'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - {name: "c\xff", image: x}\n',
            "x.yaml:6:16: error[DL001] not valid UTF-8 (byte 0xFF); save the file as UTF-8",
        ),
        (".env", b"A=1\n\x00\x00\x00", ".env:1:1: error[DL001] binary file (NUL bytes): not a text configuration"),
        (".env", b"\xef\xbb\xbfA=1\nA=2\n", ".env:2:1: warning[ENV201] 'A' is set again (first at line 1); the later value silently wins"),
    ],
)
def test_standard_input_is_decoded_like_a_file(
    name: str, data: bytes, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, err = run_cli(capsys, tmp_path, "-", "--stdin-filename", name)
    assert out.splitlines()[0] == expected and code == 1 and err == ""


def test_control_characters_from_files_are_escaped_in_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A name holding a newline must not start a line a CI runner reads as a
    command (GitHub's `::error::`), nor carry terminal escapes or bidi overrides."""
    write(
        tmp_path,
        "a\n::error::dir/pod.yaml",
        'apiVersion: v1\nkind: Pod\nmetadata: {name: "p\\r\\u001b[31m\\u202e"}\n'
        'spec:\n  containers:\n    - {name: "c\\n::warning::pwned", image: nginx}\n',
    )
    code, text, _ = run_cli(capsys, tmp_path, "--select", "K8S501", ".")
    assert text.splitlines()[0] == (
        "a\\n::error::dir/pod.yaml:6:44: warning[K8S501] container 'c\\n::warning::pwned' in Pod/p\\r\\x1b[31m\\u202e: "
        "image 'nginx' has no tag (pulls latest)"
    )
    _, document, _ = lint_json(capsys, tmp_path, "--select", "K8S501")
    assert document["findings"][0]["message"].startswith("container 'c\\n::warning::pwned' in Pod/p\\r\\x1b[31m\\u202e:")
    assert code == 1


def test_file_names_that_are_not_utf8_are_shown_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Git stores any bytes as a name; `k8s\\xff/p\\xfe.yaml` used to end the SARIF run (exit 3)."""
    directory = os.path.join(os.fsencode(tmp_path), b"k8s\xff")
    os.mkdir(directory)
    with open(os.path.join(directory, b"p\xfe.yaml"), "wb") as fh:
        fh.write(VICTIM.encode())
    outputs = {}
    for fmt in ("text", "json", "sarif", "github"):
        code, outputs[fmt], err = run_cli(capsys, tmp_path, "--select", "K8S501", "--format", fmt, ".")
        assert (code, err) == (1, "") and outputs[fmt].encode("utf-8")  # encodable: no lone surrogates
    assert outputs["text"].startswith("k8s\\xff/p\\xfe.yaml:7:14: warning[K8S501] ")
    assert json.loads(outputs["json"])["findings"][0]["file"] == "k8s\\xff/p\\xfe.yaml"
