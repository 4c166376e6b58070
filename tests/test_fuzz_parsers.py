"""Fuzzing every parser present, alone and through the whole engine: seeds from
`examples/` mutated (byte flips, truncation, structural tokens, NULs, deep
nesting) and raw noise never raise, never hang, and give sane spans; a run
never produces an internal error and counts every file it could not parse.

Bounded for the normal test run (deterministic examples); `bench/fuzz.py`
runs the same targets with many more, random, examples.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from fuzz_support import available_formats, check_parsed, check_result, decoded_texts, example_seeds, inputs, parse_file, time_bound
from linter.config import select_rules
from linter.engine import Settings, run

from conftest import all_rules

PARSER_EXAMPLES = 150
ENGINE_EXAMPLES = 60

FORMATS = available_formats()
SEEDS = example_seeds()

def bounded(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,  # the per-call bound is time_bound(); hypothesis' deadline would flake on slow machines
        derandomize=True,  # the normal run is reproducible; bench/fuzz.py explores
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def fresh(root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return root


@pytest.mark.parametrize("fmt", FORMATS)
def test_parser_never_raises_and_spans_are_sane(fmt: str, tmp_path: Path) -> None:
    @bounded(PARSER_EXAMPLES)
    @given(inputs(SEEDS[fmt], fmt))
    def one(case: tuple[str, bytes]) -> None:
        name, data = case
        root = fresh(tmp_path / "root")
        parsed = parse_file(root, name, data, fmt)
        check_parsed(parsed, fmt, {parsed.path: parsed.source.text})

    one()


@pytest.mark.parametrize("fmt", FORMATS)
def test_engine_never_fails_on_hostile_input(fmt: str, tmp_path: Path) -> None:
    rules = select_rules(all_rules())

    @bounded(ENGINE_EXAMPLES)
    @given(inputs(SEEDS[fmt], fmt))
    def one(case: tuple[str, bytes]) -> None:
        name, data = case
        root = fresh(tmp_path / "root")
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        with time_bound():
            result = run([str(target)], Settings(root=root, rules=rules, format_hint=fmt))
        assert name in result.files
        check_result(result, decoded_texts(root))

    one()
