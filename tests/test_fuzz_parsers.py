"""Fuzzing every parser present, alone and through the whole engine: seeds from
`examples/` mutated (byte flips, truncation, structural tokens, NULs, deep
nesting) and raw noise never raise, never hang, and give sane spans; a run
never produces an internal error and counts every file it could not parse.

Bounded for the normal test run (deterministic examples); `bench/fuzz.py`
runs the same targets with many more, random, examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import all_rules
from fuzz_support import available_formats, engine_case, example_seeds, fuzz_settings, inputs, parser_case
from hypothesis import given

from linter.config import select_rules

PARSER_EXAMPLES = 100
ENGINE_EXAMPLES = 40

FORMATS = available_formats()
SEEDS = example_seeds()


@pytest.mark.parametrize("fmt", FORMATS)
def test_parser_never_raises_and_spans_are_sane(fmt: str, tmp_path: Path) -> None:
    @fuzz_settings(PARSER_EXAMPLES)
    @given(inputs(SEEDS[fmt], fmt))
    def one(case: tuple[str, bytes]) -> None:
        parser_case(tmp_path / "root", fmt, *case)

    one()


@pytest.mark.parametrize("fmt", FORMATS)
def test_engine_never_fails_on_hostile_input(fmt: str, tmp_path: Path) -> None:
    rules = select_rules(all_rules())

    @fuzz_settings(ENGINE_EXAMPLES)
    @given(inputs(SEEDS[fmt], fmt))
    def one(case: tuple[str, bytes]) -> None:
        engine_case(tmp_path / "root", fmt, rules, *case)

    one()
