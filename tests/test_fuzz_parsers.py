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
from fuzz_support import PLANTED_SECRETS, available_formats, engine_case, example_seeds, fuzz_settings, inputs, parser_case
from hypothesis import given

from linter.config.rules import select_rules

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


# Inputs the fuzzers found crashing, kept as regression cases (format, file name, bytes,
# the DL findings expected).
FOUND = [
    # An include name longer than the OS allows: Path.exists() raised ENAMETOOLONG
    # and the nginx assembly failed for every file of the run.
    ("nginx", "nginx/nginx.conf", b"events {}\nhttp {\n  include " + b"<a>" * 90 + b"snippets/headers.conf;\n}\n", ["DL003"]),
    # A NUL in an include name (past the 8 KB binary sniff): Path.resolve() raised ValueError.
    ("nginx", "nginx/nginx.conf", b"events {}\nhttp {\n#" + b"x" * 9000 + b"\n  include a\x00b.conf;\n  include z/\x00/*.conf;\n}\n", ["DL003", "DL003"]),
    # A lone end tag: the error position went to line 0, column 0 (invalid SARIF).
    ("clickhouse", "config.xml", b"</", ["DL001"]),
    # A key pasted as a tag name or a directive name was echoed by the parse error.
    ("clickhouse", "clickhouse/config.xml", b"<" + PLANTED_SECRETS[0] + b">\n  <users/>\n</clickhouse>\n", ["DL001"]),
    ("nginx", "nginx/conf.d/a.conf", PLANTED_SECRETS[0] + b"# Plain HTTP only redirects.\nserver {\n    listen 80;\n}\n", ["DL001"]),
    # A kustomization naming a resource longer than the OS allows: Path.is_dir() raised
    # ENAMETOOLONG while finding what the build reaches, a DL006 for the whole format.
    ("kubernetes", "overlays/prod/kustomization.yaml",
     b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - " + b"x" * 300 + b"\n", ["DL007"]),
]


@pytest.mark.parametrize(
    ("fmt", "name", "data", "expected"),
    [case for case in FOUND if case[0] in FORMATS],
    ids=[f"{case[0]}-{i}" for i, case in enumerate(FOUND) if case[0] in FORMATS],
)
def test_found_crashes_stay_fixed(fmt: str, name: str, data: bytes, expected: list[str], tmp_path: Path) -> None:
    parser_case(tmp_path / "parse", fmt, name, data)
    result = engine_case(tmp_path / "run", fmt, select_rules(all_rules()), name, data)
    assert [f.rule_id for f in result.findings if f.rule_id.startswith("DL")] == expected
