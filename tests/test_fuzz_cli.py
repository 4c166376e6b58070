"""The whole command line over the broken example with one file mutated: the
run always finishes with exit 0 or 1 (never 3), no internal error, sane
regions, and its SARIF validates against the SARIF 2.1.0 schema."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES
from fuzz_support import (
    available_formats,
    cli_case,
    example_seeds,
    fuzz_settings,
    inputs,
    sarif_validator,
    stdin_case,
    tree_inputs,
    tree_seeds,
)
from hypothesis import given

from linter.cli import main

CLI_EXAMPLES = 20
STDIN_EXAMPLES = 8  # per format
TREE = EXAMPLES / "ai-etl-broken"


def test_cli_over_a_mutated_tree(tmp_path: Path) -> None:
    validator = sarif_validator()
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)

    @fuzz_settings(CLI_EXAMPLES)
    @given(tree_inputs(tree_seeds(TREE)))
    def one(case: tuple[str, bytes]) -> None:
        cli_case(tree, tmp_path / "report.sarif", validator, *case)

    one()


@pytest.mark.parametrize("fmt", available_formats())
def test_cli_on_hostile_standard_input(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validator = sarif_validator()
    monkeypatch.chdir(tmp_path)

    @fuzz_settings(STDIN_EXAMPLES)
    @given(inputs(example_seeds()[fmt], fmt))
    def one(case: tuple[str, bytes]) -> None:
        stdin_case(tmp_path / "report.sarif", validator, fmt, *case)

    one()


@pytest.mark.skipif(sarif_validator() is None, reason="SARIF schema not available")
def test_sarif_of_the_examples_validates(tmp_path: Path) -> None:
    """The property's baseline: the unmutated examples validate too."""
    validator = sarif_validator()
    for example in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        report = tmp_path / f"{example.name}.sarif"
        old = os.getcwd()
        os.chdir(example)
        try:
            code = main(["--format", "sarif", "--output", str(report), "."])
        finally:
            os.chdir(old)
        assert code == (1 if example.name.endswith("broken") else 0)
        assert not list(validator.iter_errors(json.loads(report.read_text(encoding="utf-8"))))
