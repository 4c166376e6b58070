"""Deep fuzzing of every parser, the engine and the CLI (the normal test run
does the same with a few deterministic examples: tests/test_fuzz_*.py).

    python bench/fuzz.py                          # every target, 5,000 examples each
    python bench/fuzz.py --examples 50000 --target parser --format nginx
    python bench/fuzz.py --corpus ../shared/corpus/real   # more seeds
    python bench/fuzz.py --atheris --format env   # coverage-guided, if atheris is installed
    python bench/fuzz.py --target redaction --count 20000 --seed 7   # planted secrets, mutated

Every engine and CLI input is also checked for the span property (every
finding inside its file and line: fuzz_support.span_fault). The redaction
target mutates files holding planted secrets (fuzz_support.SECRET_FILES) with
a seeded generator and counts the runs whose text, JSON or SARIF output shows
an 8-character piece of a secret; each such input is saved under bench/out/.

Examples are random (a new seed each run unless --seed); a failure is shrunk
by hypothesis, saved under bench/out/ and printed with its traceback. Inputs
slower than --slow seconds are listed (a blow-up is a bug even if it ends).
Exit status: 0 when no target failed.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]

import fuzz_support as fz
from hypothesis import given
from hypothesis import seed as hypothesis_seed

from linter.config.rules import select_rules
from linter.core.rules import load_rules

OUT = HERE / "out"


@dataclass
class Tally:
    target: str
    inputs: int = 0
    seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)
    slow: list[tuple[float, str]] = field(default_factory=list)
    failure: str = ""
    failing: tuple[str, bytes, str] | None = None  # the last failing input: hypothesis replays the shrunk one last


def _save(target: str, name: str, data: bytes) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"fuzz-{target}-{hashlib.sha256(data).hexdigest()[:12]}-{Path(name).name or 'input'}"
    path.write_bytes(data)
    return path


Target = Callable[[tuple[str, bytes]], None]


def target(tally: Tally, slow: float, action: Callable[[str, bytes], str]) -> Target:
    """One hypothesis example: run `action` on (name, data), time it, tally its outcome,
    and keep the input if it fails (hypothesis replays the shrunk failure last)."""

    def one(case: tuple[str, bytes]) -> None:
        name, data = case
        started = time.perf_counter()
        try:
            outcome = action(name, data)
        except BaseException:
            tally.failing = (name, data, traceback.format_exc())
            raise
        finally:
            elapsed = time.perf_counter() - started
            tally.inputs += 1
            if elapsed > slow:
                tally.slow.append((elapsed, str(_save(tally.target + "-slow", name, data))))
        tally.outcomes[outcome] = tally.outcomes.get(outcome, 0) + 1

    return one


def _problems_outcome(rule_ids: set[str]) -> str:
    for rule_id in ("DL005", "DL001"):
        if rule_id in rule_ids:
            return rule_id
    return "parsed"


def parser_action(fmt: str, work: Path) -> Callable[[str, bytes], str]:
    return lambda name, data: _problems_outcome({p.rule_id for p in fz.parser_case(work, fmt, name, data).problems})


def engine_action(fmt: str, work: Path) -> Callable[[str, bytes], str]:
    rules = select_rules(load_rules())
    return lambda name, data: _problems_outcome({f.rule_id for f in fz.engine_case(work, fmt, rules, name, data).findings})


def cli_action(tree_source: Path, work: Path, schema: Path | None) -> Callable[[str, bytes], str]:
    import shutil

    tree = work / "tree"
    shutil.copytree(tree_source, tree)
    validator = fz.sarif_validator(schema) if schema else None
    return lambda name, data: f"exit {fz.cli_case(tree, work / 'report.sarif', validator, name, data)}"


def run_hypothesis(tally: Tally, one: Target, strategy: Any, examples: int, seed: int) -> None:
    test = hypothesis_seed(seed)(fz.fuzz_settings(examples, reproducible=False)(given(strategy)(one)))
    started = time.perf_counter()
    try:
        test()
    except Exception:  # noqa: BLE001 - any failure is the finding this tool reports
        if tally.failing is not None:
            name, data, trace = tally.failing
            tally.failure = f"input saved to {_save(tally.target, name, data)}\n{trace}"
        else:
            tally.failure = traceback.format_exc()
    tally.seconds = time.perf_counter() - started


def run_redaction(tally: Tally, fmt: str, work: Path, count: int, seed: int) -> None:
    """`count` seeded mutations of the format's file of planted secrets, linted
    with every rule; a leak or a failed property is tallied and its input saved."""
    rules = select_rules(load_rules())
    name, text = fz.SECRET_FILES[fmt]
    rng = random.Random(f"{seed}-{fmt}")
    started = time.perf_counter()
    for _ in range(count):
        mutated = fz.mutate_secrets(text, rng)
        try:
            leaks = fz.redaction_case(work, fmt, rules, name, mutated)
        except (AssertionError, fz.CallTimeout):
            saved = _save(tally.target, name, mutated.encode("utf-8", "surrogatepass"))
            tally.failure += f"input saved to {saved}\n{traceback.format_exc()}\n"
            outcome = "failed"
        else:
            outcome = "leak" if leaks else "clean"
            if leaks:
                saved = _save(tally.target, name, mutated.encode("utf-8", "surrogatepass"))
                tally.failure += f"{saved}: {leaks[0][0]} shows {leaks[0][1]!r}: {leaks[0][2]}\n"
        tally.inputs += 1
        tally.outcomes[outcome] = tally.outcomes.get(outcome, 0) + 1
    tally.seconds = time.perf_counter() - started


def run_atheris(fmt: str, seeds: list[fz.Seed], work: Path, slow: float) -> None:  # pragma: no cover - optional tool
    import atheris

    one = target(Tally(f"parser-{fmt}"), slow, parser_action(fmt, work))
    name = fz.DEFAULT_NAMES[fmt]

    def test_one_input(data: bytes) -> None:
        one((name, data))

    corpus = work / "atheris-seeds"
    corpus.mkdir(parents=True)
    for i, s in enumerate(seeds):
        (corpus / f"seed{i}").write_bytes(s.data)
    atheris.Setup([sys.argv[0], str(corpus)], test_one_input)
    atheris.Fuzz()


def report(tallies: list[Tally]) -> int:
    failed = 0
    print(f"{'target':<20} {'inputs':>8} {'seconds':>8}  outcomes")
    for t in tallies:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(t.outcomes.items()))
        print(f"{t.target:<20} {t.inputs:>8} {t.seconds:>8.1f}  {outcomes}{'  FAILED' if t.failure else ''}")
    for t in tallies:
        for elapsed, path in sorted(t.slow, reverse=True)[:5]:
            print(f"slow: {t.target} {elapsed:.2f} s on {path}")
        if t.failure:
            failed += 1
            print(f"\n=== {t.target} failed\n{t.failure}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", "--count", type=int, default=5000, help="examples per target (default 5000)")
    parser.add_argument("--target", choices=("parser", "engine", "cli", "redaction", "all"), default="all")
    parser.add_argument("--format", choices=fz.available_formats(), action="append", help="only these formats (repeatable)")
    parser.add_argument("--corpus", type=Path, action="append", default=[], help="extra seed directories")
    parser.add_argument("--seed", type=int, default=None, help="reproduce a run")
    parser.add_argument("--slow", type=float, default=2.0, help="list inputs slower than this many seconds")
    parser.add_argument(
        "--sarif-schema", type=Path, default=HERE.parent.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    )
    parser.add_argument("--atheris", action="store_true", help="coverage-guided fuzzing of one format's parser with atheris")
    args = parser.parse_args(argv)

    formats = args.format or fz.available_formats()
    seeds = fz.example_seeds(tuple(args.corpus))
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print(f"seed {seed}; formats {', '.join(formats)}; seeds per format: " + ", ".join(f"{f} {len(seeds[f])}" for f in formats))
    tallies: list[Tally] = []
    with tempfile.TemporaryDirectory(prefix="deploylint-fuzz-") as tmp:
        work = Path(tmp)
        if args.atheris:
            run_atheris(formats[0], seeds[formats[0]], work / "atheris", args.slow)
            return 0
        for fmt in formats:
            for kind, action in (("parser", parser_action), ("engine", engine_action)):
                if args.target in (kind, "all"):
                    tally = Tally(f"{kind}-{fmt}")
                    one = target(tally, args.slow, action(fmt, work / tally.target))
                    run_hypothesis(tally, one, fz.inputs(seeds[fmt], fmt), args.examples, seed)
                    tallies.append(tally)
                    print(f"  {tally.target}: {tally.inputs} inputs in {tally.seconds:.1f} s", flush=True)
        for fmt in formats:
            if args.target in ("redaction", "all") and fmt in fz.SECRET_FILES:
                tally = Tally(f"redaction-{fmt}")
                run_redaction(tally, fmt, work / tally.target, args.examples, seed)
                tallies.append(tally)
                print(f"  {tally.target}: {tally.inputs} inputs in {tally.seconds:.1f} s", flush=True)
        if args.target in ("cli", "all"):
            tree = fz.EXAMPLES / "ai-etl-broken"
            schema = args.sarif_schema if args.sarif_schema.is_file() else None
            tally = Tally("cli")
            one = target(tally, args.slow, cli_action(tree, work / "cli", schema))
            run_hypothesis(tally, one, fz.tree_inputs(fz.tree_seeds(tree)), max(args.examples // 10, 1), seed)
            tallies.append(tally)
    return report(tallies)


if __name__ == "__main__":
    sys.exit(main())
