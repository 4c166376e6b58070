"""The whole command line over the broken example with one file mutated: the
run always finishes with exit 0 or 1 (never 3), no internal error, and its
SARIF validates against the SARIF 2.1.0 schema."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz_support import Seed, check_span, decoded_texts, inputs, sarif_validator, time_bound
from linter.cli import main
from linter.discover import discover

from conftest import EXAMPLES
from test_fuzz_parsers import bounded

CLI_EXAMPLES = 60
TREE = EXAMPLES / "ai-etl-broken"


def tree_seeds() -> list[Seed]:
    return [Seed(c.format or "", c.relpath, Path(c.abspath).read_bytes()) for c in discover([str(TREE)], TREE)]


def sarif_regions(document: dict) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    return [
        (loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"])
        for result in document["runs"][0]["results"]
        for loc in result["locations"]
    ]


def test_cli_over_a_mutated_tree(tmp_path: Path) -> None:
    validator = sarif_validator()
    seeds = tree_seeds()
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)
    report = tmp_path / "report.sarif"
    by_format = {s.format: [x for x in seeds if x.format == s.format] for s in seeds}

    @bounded(CLI_EXAMPLES)
    @given(st.sampled_from(sorted(by_format)).flatmap(lambda fmt: inputs(by_format[fmt], fmt)))
    def one(case: tuple[str, bytes]) -> None:
        name, data = case
        target = tree / name
        original = target.read_bytes() if target.exists() else None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        old = os.getcwd()
        os.chdir(tree)
        try:
            with time_bound():
                code = main(["--format", "sarif", "--output", str(report), "."])
            texts = decoded_texts(tree)
        finally:
            os.chdir(old)
            if original is None:
                target.unlink()
            else:
                target.write_bytes(original)
        assert code in (0, 1)
        document = json.loads(report.read_text(encoding="utf-8"))
        if validator is not None:
            errors = sorted(validator.iter_errors(document), key=str)
            assert not errors, errors[0]
        assert not [r for r in document["runs"][0]["results"] if r["ruleId"] == "DL006"]
        for uri, region in sarif_regions(document):
            from linter.model import Span

            span = Span(uri, region["startLine"], region.get("startColumn", 1), region.get("endLine", region["startLine"]), region.get("endColumn", 2))
            check_span(span, texts, uri)

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
