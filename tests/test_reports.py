"""The report formats beside SARIF: text variants (concise, full), json-lines,
GitLab Code Quality, JUnit XML and Markdown, each with a golden rendering of a
small tree and a check against its consumer's schema where one exists; the
GitHub annotation order and cap; `--report FORMAT=FILE` and `--output-format`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write

from linter.core.findings import Finding, Severity
from linter.core.model import Span
from linter.core.run_types import RunResult
from linter.report import github, markdown

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden" / "reports"
JUNIT_XSD = FIXTURES / "junit" / "junit-10.xsd"
GITLAB_SCHEMA = FIXTURES / "gitlab" / "code-quality.schema.json"
GITHUB_ENV = ("GITHUB_ACTIONS", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_RUN_ID", "GITHUB_BASE_REF")
ENV_FILE = "LOG_LEVEL=DEBUG\nLOG_LEVEL=INFO\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Deployment without a memory limit (K8S104 at 14:13), a production env
    file with DEBUG and a repeated key (ENV105 1:11, ENV201 2:1), and a clean
    .env whose only key is suppressed... by nothing: a second file with one
    suppressed finding."""
    for name in GITHUB_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    write(tmp_path, "k8s/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    write(tmp_path, ".env.production", ENV_FILE)
    write(tmp_path, "prod.env", "LOG_LEVEL=DEBUG  # deploylint: ignore[ENV105] load test until Friday\n")
    return tmp_path


def lint(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> str:
    code, out, err = run_cli(capsys, root, "--exit-zero", *args, ".")
    assert (code, err) == (0, ""), err
    return out


@pytest.mark.parametrize(("fmt", "golden"), [("concise", "tree.concise.txt"), ("full", "tree.full.txt"),
                                            ("json-lines", "tree.jsonl"), ("gitlab", "tree.gitlab.json"),
                                            ("junit", "tree.junit.xml"), ("markdown", "tree.md")])
def test_golden(tree: Path, capsys: pytest.CaptureFixture[str], fmt: str, golden: str) -> None:
    # A fixed rule selection: JUnit lists every rule that ran, so a new rule in a pack must not churn the goldens.
    out = lint(capsys, tree, "--format", fmt, "--select", "K8S101,K8S104,ENV101,ENV105,ENV201,DL001")
    path = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_text_names_the_severity_and_is_concise(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = lint(capsys, tree, "--format", "text")
    assert out == lint(capsys, tree, "--format", "concise")
    assert out.splitlines()[:3] == [
        ".env.production:1:11: warning[ENV105] LOG_LEVEL=DEBUG in a production env file",
        ".env.production:2:1: warning[ENV201] 'LOG_LEVEL' is set again (first at line 1); the later value silently wins",
        "k8s/app.yaml:14:13: error[K8S104] container 'api' in Deployment/backend has no memory limit",
    ]


def test_colour_marks_the_severity(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = lint(capsys, tree, "--color", "--select", "K8S104")
    assert out.splitlines()[0] == (
        "\x1b[1mk8s/app.yaml:14:13:\x1b[0m \x1b[1m\x1b[31merror[K8S104]\x1b[0m container 'api' in Deployment/backend has no memory limit"
    )
    assert "\x1b[33mwarning[ENV105]" in lint(capsys, tree, "--color", "--select", "ENV105")
    assert "\x1b[" not in lint(capsys, tree, "--no-color")


def test_output_format_is_an_alias(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert lint(capsys, tree, "--output-format", "json-lines") == lint(capsys, tree, "--format", "json-lines")


def test_json_lines_one_finding_a_line(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [json.loads(line) for line in lint(capsys, tree, "--format", "json-lines").splitlines()]
    assert [(r["rule"], r["file"], r["line"], r["column"]) for r in rows] == [
        ("ENV105", ".env.production", 1, 11), ("ENV201", ".env.production", 2, 1), ("K8S104", "k8s/app.yaml", 14, 13)]
    shown = [json.loads(line) for line in lint(capsys, tree, "--format", "json-lines", "--show-suppressed").splitlines()]
    assert [(r["rule"], r["file"], r["suppressed"]["kind"]) for r in shown if "suppressed" in r] == [("ENV105", "prod.env", "inline")]


def test_gitlab_report_passes_its_schema_with_stable_fingerprints(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = json.loads(GITLAB_SCHEMA.read_text(encoding="utf-8"))
    issues = json.loads(lint(capsys, tree, "--format", "gitlab"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(issues)) == []
    assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("ENV105", "major", ".env.production", 1), ("ENV201", "major", ".env.production", 2), ("K8S104", "critical", "k8s/app.yaml", 14)]
    write(tree, "k8s/app.yaml", "# a comment pushes every line down\n" + DEPLOYMENT_WITHOUT_LIMIT)
    moved = json.loads(lint(capsys, tree, "--format", "gitlab"))
    assert moved[2]["location"]["lines"]["begin"] == 15
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in issues]
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_paths_are_repository_relative(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / ".git").mkdir()
    issues = json.loads(run_cli(capsys, tree / "k8s", "--exit-zero", "--format", "gitlab")[1])
    assert [i["location"]["path"] for i in issues] == ["k8s/app.yaml"]


def test_junit_passes_the_jenkins_schema(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import xml.etree.ElementTree as ET

    import xmlschema

    out = lint(capsys, tree, "--format", "junit")
    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(out)
    suites = {s.get("name"): s for s in ET.fromstring(out)}
    assert sorted(suites) == [".env.production", "k8s/app.yaml", "prod.env"]
    k8s = suites["k8s/app.yaml"]
    (failed,) = [c for c in k8s if c.find("failure") is not None]
    assert (failed.get("name"), failed.get("line"), k8s.get("failures")) == ("K8S104 container-memory-limit", "14", "1")
    assert failed.find("failure").text == "k8s/app.yaml:14:13: K8S104 container 'api' in Deployment/backend has no memory limit"  # type: ignore[union-attr]
    assert int(k8s.get("tests", "0")) > 10 and all(c.get("name", "").split()[0][:3] in ("K8S", "DL0", "SEC") for c in k8s)
    (skipped,) = [c for c in suites["prod.env"] if c.find("skipped") is not None]
    assert skipped.get("name") == "ENV105 debug-in-production" and suites["prod.env"].get("failures") == "0"


def _finding(rule: str, line: int, severity: Severity = Severity.ERROR, message: str = "m") -> Finding:
    return Finding(rule, "name", severity, message, Span("a.yaml", line, 1, line, 2))


def test_markdown_escapes_and_caps(tmp_path: Path) -> None:
    hostile = _finding("K8S104", 1, message="<img src=x> **bold** [link](http://x) @team | pipe `tick`")
    many = [hostile] + [_finding("K8S104", n) for n in range(2, 3000)]
    out = markdown.render(RunResult(many, ["a.yaml"], []), link_base="https://github.com/o/r/blob/abc/", max_chars=20_000)
    assert len(out) <= 20_000
    first = next(line for line in out.splitlines() if line.startswith("- "))
    assert first == ("- **error** `K8S104` [1:1](https://github.com/o/r/blob/abc/a.yaml#L1) "
                     "&lt;img src=x&gt; \\*\\*bold\\*\\* \\[link\\](http://x) &#64;team \\| pipe \\`tick\\`")
    listed = sum(1 for line in out.splitlines() if line.startswith("- "))
    assert 100 < listed < 2999
    assert out.rstrip().endswith("`deploylint --format text` lists them all._")
    assert f"… and {2999 - listed} more findings not shown" in out
    assert len(markdown.render(RunResult(many, ["a.yaml"], []))) <= markdown.GITHUB_COMMENT_LIMIT


def test_markdown_tells_new_from_baseline(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree, "k8s/old.yaml", DEPLOYMENT_WITHOUT_LIMIT.replace("backend", "old"))
    run_cli(capsys, tree, "baseline", "write", "base.json", "k8s/old.yaml")
    out = lint(capsys, tree, "--format", "markdown", "--baseline", "base.json", "--select", "K8S104")
    assert out.splitlines()[:3] == ["## deploylint: 1 new finding (1 error)", "", "1 known finding from the baseline not listed."]
    assert "[14:13](k8s/app.yaml#L14)" in out and "old.yaml" not in out


def test_report_option_writes_more_formats_from_one_run(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = lint(capsys, tree, "--report", "markdown=summary.md", "--report", "sarif=out.sarif", "--select", "K8S104")
    assert out.startswith("k8s/app.yaml:14:13: error[K8S104] ")
    assert "[14:13](k8s/app.yaml#L14)" in (tree / "summary.md").read_text(encoding="utf-8")
    assert json.loads((tree / "out.sarif").read_text(encoding="utf-8"))["runs"][0]["results"][0]["ruleId"] == "K8S104"
    code, _, err = run_cli(capsys, tree, "--report", "yaml=x", ".")
    assert code == 2 and "--report: unknown format 'yaml'" in err


def test_github_caps_each_severity_and_says_how_many_were_left_out() -> None:
    findings = [_finding("K8S104", n) for n in range(1, 13)] + [_finding("K8S301", n, Severity.NOTE) for n in range(20, 30)]
    lines = github.render(RunResult(findings, ["a.yaml"], []), full_report="see the job log").splitlines()
    assert sum(1 for line in lines if line.startswith("::error ")) == 10
    notices = [line for line in lines if line.startswith("::notice ")]
    assert len(notices) == 10  # 9 findings and the closing notice, all of which GitHub shows
    assert notices[-1] == ("::notice title=deploylint::3 more findings not annotated (GitHub shows 10 per severity in a step); "
                           "see the job log")
    assert len(github.render(RunResult(findings[:10], ["a.yaml"], [])).splitlines()) == 11  # nothing left out, no notice


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root, check=True, capture_output=True)


def test_github_puts_changed_lines_first(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GITHUB_ENV:
        monkeypatch.delenv(name, raising=False)
    write(tmp_path, ".env.production", "A_TOKEN=changeme\nLOG_LEVEL=INFO\n")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    write(tmp_path, ".env.production", "A_TOKEN=changeme\nLOG_LEVEL=DEBUG\n")
    out = run_cli(capsys, tmp_path, "--exit-zero", "--format", "github", "--select", "ENV101,ENV105")[1].splitlines()
    assert [line.split("title=")[1][:6] for line in out[:2]] == ["ENV101", "ENV105"]  # engine order without a base
    out = run_cli(capsys, tmp_path, "--exit-zero", "--format", "github", "--select", "ENV101,ENV105", "--changed-since", "main")[1].splitlines()
    assert [line.split("title=")[1][:6] for line in out[:2]] == ["ENV105", "ENV101"]
    assert "line=2," in out[0]
