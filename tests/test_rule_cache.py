"""The parsed-rules cache: used when it matches the rule files, rebuilt when any
file changes, and never a reason to fail (unwritable, corrupt, disabled)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from linter.core import rule_cache, rules
from linter.core.rule_cache import builtin_rule_data
from linter.core.rules import load_rules, read_rule_file


@pytest.fixture
def rule_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """A copy of a few built-in rules in a rules directory of its own."""
    source = Path(rules.rules_dir())
    target = tmp_path / "rules"
    picked = sorted(source.glob("kubernetes/K8S10*.yaml"))[:3] + sorted(source.glob("meta/DL00*.yaml"))[:1]
    for path in picked:
        (target / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.parent.name / path.name)
    monkeypatch.setattr(rules, "rules_dir", lambda: target)
    monkeypatch.setenv("DEPLOYLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DEPLOYLINT_NO_CACHE", raising=False)
    return sorted(target.glob("*/*.yaml"))


def _no_parsing(path: Path) -> Any:
    raise AssertionError(f"parsed {path} although the cache matches")


def test_second_load_comes_from_the_cache_and_equals_parsing(rule_files: list[Path], tmp_path: Path) -> None:
    first = builtin_rule_data(rule_files, read_rule_file)
    assert len(list((tmp_path / "cache").glob("rules-*.json"))) == 1
    assert builtin_rule_data(rule_files, _no_parsing) == first == [read_rule_file(p) for p in rule_files]
    assert [r.id for r in load_rules()] == sorted(d["id"] for d in first)


def test_an_edited_rule_file_is_parsed_again(rule_files: list[Path], tmp_path: Path) -> None:
    builtin_rule_data(rule_files, read_rule_file)
    edited = rule_files[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    os.utime(edited, ns=(edited.stat().st_atime_ns, edited.stat().st_mtime_ns + 1_000_000_000))
    with pytest.raises(AssertionError, match="parsed"):
        builtin_rule_data(rule_files, _no_parsing)
    data = builtin_rule_data(rule_files, read_rule_file)
    assert data[0]["title"].startswith("Edited ")
    assert len(list((tmp_path / "cache").glob("rules-*.json"))) == 1, "the outdated cache file is removed"
    assert builtin_rule_data(rule_files, _no_parsing) == data


def test_corrupt_unwritable_or_disabled_cache_falls_back_to_parsing(rule_files: list[Path], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [read_rule_file(p) for p in rule_files]
    builtin_rule_data(rule_files, read_rule_file)
    (cached,) = (tmp_path / "cache").glob("rules-*.json")
    cached.write_text("{not json", encoding="utf-8")
    assert builtin_rule_data(rule_files, read_rule_file) == expected
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("DEPLOYLINT_CACHE_DIR", str(blocker / "cache"))
    assert builtin_rule_data(rule_files, read_rule_file) == expected
    monkeypatch.setenv("DEPLOYLINT_NO_CACHE", "1")
    assert rule_cache.cache_dir() is None
    assert builtin_rule_data(rule_files, read_rule_file) == expected


def test_data_json_cannot_hold_is_never_cached(rule_files: list[Path], tmp_path: Path) -> None:
    import datetime

    def with_date(path: Path) -> Any:
        return {**read_rule_file(path), "created": datetime.date(2024, 1, 1)}

    data = builtin_rule_data(rule_files, with_date)
    assert data[0]["created"] == datetime.date(2024, 1, 1)
    assert not list((tmp_path / "cache").glob("rules-*.json"))
