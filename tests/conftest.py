"""Shared test helpers: lint text or trees in-process and look at findings."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from linter.config.rules import select_rules
from linter.core.lint import run
from linter.core.rules import Rule, load_rules
from linter.core.run_types import RunResult, Settings
from linter.formats import REGISTRY

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLES = PROJECT / "examples"
SHARED = PROJECT.parent / "shared"
SARIF_SCHEMA = PROJECT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"  # vendored: see its README

_ALL_RULES: list[Rule] | None = None


def all_rules() -> list[Rule]:
    global _ALL_RULES
    if _ALL_RULES is None:
        _ALL_RULES = load_rules()
    return _ALL_RULES


def lint_paths(paths: list[Path | str], root: Path, select: list[str] | None = None, **settings: object) -> RunResult:
    rules = select_rules(all_rules(), select)
    old = os.getcwd()
    os.chdir(root)
    try:
        return run([str(p) for p in paths], Settings(root=root, rules=rules, formats=REGISTRY, **settings))  # type: ignore[arg-type]
    finally:
        os.chdir(old)


def lint_text(tmp_path: Path, name: str, text: str, select: list[str] | None = None, **settings: object) -> RunResult:
    """Write `text` as `name` under tmp_path and lint it; returns the result."""
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return lint_paths([target.relative_to(tmp_path)], tmp_path, select, **settings)


def triples(result: RunResult) -> list[tuple[str, int, int]]:
    """(rule, line, column) of every shown finding, as yamllint's tests do."""
    return [(f.rule_id, f.span.line, f.span.column) for f in result.shown]


class Lint(Protocol):
    """The `lint` fixture: lint `text` written as `name` in the test's tmp_path."""

    def __call__(self, name: str, text: str, select: list[str] | None = None, **settings: object) -> RunResult: ...


@pytest.fixture
def lint(tmp_path: Path) -> Lint:
    def _lint(name: str, text: str, select: list[str] | None = None, **settings: object) -> RunResult:
        return lint_text(tmp_path, name, text, select, **settings)

    return _lint


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch repository root: config discovery stops at its `.git`."""
    (tmp_path / ".git").mkdir()
    return tmp_path


@pytest.fixture(autouse=True, scope="session")
def _private_temp_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The internal-error logs tests provoke (and whatever else a run puts in
    the temp directory) go under pytest's own directory for this session, in
    this process and in the CLI processes tests start, not the machine's /tmp."""
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmp_path_factory.mktemp("tmp"))
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again
    yield
    if saved is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = saved
    tempfile.tempdir = None


@pytest.fixture(autouse=True)
def _no_result_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process command-line runs keep no results: a test that patches the
    code between two runs of one project (a fault injected) would otherwise
    get the first run's findings back. tests/test_result_cache.py turns the
    cache on for its own tests; commands run as processes use it as users do."""
    import linter.cli

    monkeypatch.setattr(linter.cli, "_result_cache", lambda settings: None)
