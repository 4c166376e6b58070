"""`--format github`: workflow commands GitHub turns into annotations."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import lint_paths

from linter.cli import main
from linter.core.findings import Severity
from linter.report import github

FIXTURES = Path(__file__).parent / "fixtures"
WORKER = (FIXTURES / "worker-without-memory-limit.yaml").read_text(encoding="utf-8")


def test_escaping_of_data_and_properties() -> None:
    assert github.escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert github.escape_property("C:\\x,y 100%\n") == "C%3A\\x%2Cy 100%25%0A"


def test_annotation_per_severity_with_exact_escaping() -> None:
    result = lint_paths(["fixtures/worker-without-memory-limit.yaml"], FIXTURES.parent, select=["K8S104"])
    (finding,) = result.shown
    where = "file=fixtures/worker-without-memory-limit.yaml,line=10,col=11,endLine=10,endColumn=20,title=K8S104"
    assert github.annotation(finding) == f"::error {where}::container 'main' in Deployment/worker has no memory limit"
    odd = replace(finding, severity=Severity.WARNING, message="50% of 'a,b: c'\nsecond line")
    assert github.annotation(odd) == f"::warning {where}::50%25 of 'a,b: c'%0Asecond line"
    renamed = replace(finding, severity=Severity.NOTE, span=replace(finding.span, file="dir,1/a:b%.yaml"))
    assert github.annotation(renamed, "sub") == (
        "::notice file=sub/dir%2C1/a%3Ab%25.yaml,line=10,col=11,endLine=10,endColumn=20,title=K8S104::"
        "container 'main' in Deployment/worker has no memory limit"
    )


def _lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str],
          github_actions: str | None) -> tuple[int, str]:
    (tmp_path / "worker.yaml").write_text(WORKER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    if github_actions is None:
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    else:
        monkeypatch.setenv("GITHUB_ACTIONS", github_actions)
    code = main(args)
    return code, capsys.readouterr().out


EXPECTED_ANNOTATION = (
    "::error file=worker.yaml,line=10,col=11,endLine=10,endColumn=20,title=K8S104::"
    "container 'main' in Deployment/worker has no memory limit"
)


def test_chosen_automatically_on_github_actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _lint(tmp_path, monkeypatch, capsys, ["--select", "K8S104", "."], "true")
    assert code == 1
    assert out.splitlines() == [EXPECTED_ANNOTATION, "1 finding (1 error), 0 suppressed, 1 file"]


def test_explicit_format_wins_on_github_actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _lint(tmp_path, monkeypatch, capsys, ["--select", "K8S104", "--format", "text", "."], "true")
    assert code == 1
    assert out.splitlines()[0] == "worker.yaml:10:11: error[K8S104] container 'main' in Deployment/worker has no memory limit"


def test_text_outside_github_actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for value in (None, "false"):
        _, out = _lint(tmp_path, monkeypatch, capsys, ["--select", "K8S104", "."], value)
        assert not out.startswith("::"), value


def test_paths_are_repository_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "deploy" / "prod"
    sub.mkdir(parents=True)
    code, out = _lint(sub, monkeypatch, capsys, ["--select", "K8S104", "--format", "github"], None)
    assert code == 1
    assert out.splitlines()[0] == EXPECTED_ANNOTATION.replace("file=worker.yaml", "file=deploy/prod/worker.yaml")
