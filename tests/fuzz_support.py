"""Shared pieces of the fuzz tests and `bench/fuzz.py`: seed files from the
examples, hypothesis strategies that mutate them the way hostile or broken
input looks, a per-call time bound, and the properties every result must hold.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from linter.core.discover import discover
from linter.core.lint import run
from linter.core.loader import Loader
from linter.core.model import LineIndex, Node, ParsedFile, Span, walk
from linter.core.rules import Rule
from linter.core.run_types import RunResult, Settings
from linter.core.workspace import Limits, Workspace
from linter.formats import REGISTRY

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLES = PROJECT / "examples"

# Per-call bound on one parse or one run of small inputs. Generous so a slow CI
# machine never flakes, small enough that a hang or a blow-up fails the test.
CALL_SECONDS = 10.0

# The default file name of each format, for inputs that are not seeded from a file.
DEFAULT_NAMES = {"kubernetes": "manifest.yaml", "nginx": "nginx.conf", "clickhouse": "config.xml", "env": ".env",
                 "redis": "redis.conf", "postgresql": "postgresql.conf"}

# Minimal seeds, so a format is fuzzed even before the examples hold one of its files.
BUILTIN_SEEDS: dict[str, list[tuple[str, bytes]]] = {
    "kubernetes": [
        ("pod.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - {name: c, image: x}\n")
    ],
    "nginx": [("nginx.conf", b"http {\n  server {\n    listen 443 ssl;\n    location / { add_header X-A b always; }\n  }\n}\n")],
    "clickhouse": [("config.xml", b"<clickhouse>\n  <users><default><password>x</password></default></users>\n</clickhouse>\n")],
    "env": [(".env", b"# comment\nexport A=1\nB='two words'\nC=\"x\\ny\"\nSECRET_KEY=abc\n")],
    "redis": [("redis.conf", b"bind 0.0.0.0\nrequirepass \"a\\x41b\"\ninclude x.conf\nuser u on >pw ~* +@all\nmaxmemory 1gb\n")],
    "postgresql": [
        ("postgresql.conf", b"listen_addresses = '*'\nshared_buffers = 1GB\ninclude_dir 'conf.d'\narchive_command = 'cp ''%p'' /a'\n"),
        ("pg_hba.conf", b"local all all peer\nhost all all ::/0 md5\nhost \"db\" all 10.0.0.0 255.0.0.0 \\\n  trust\n"),
    ],
}

# Provider-shaped keys planted by the mutations: no message about parsing or
# secrets (DL001/DL005/DL006, ENV202, SEC101) may ever show one in full.
PLANTED_SECRETS: tuple[bytes, ...] = (
    b"sk-proj-Zq7Xb2Lm9Kp4Rt6Vw8Yc1Nd3Fg5Hj0QsTu2Ae4Wx6Cv8Bn1Mk3",
    b"sk-ant-api03-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4Vb6Nm8Qw0Er2Ty4Ui6Op8As0Df2Gh4Jk6Lz8Xc0Vb2Nm4Qw6Er8Ty0Ui2Op4As6D-AA",
    b"AKIAZ7QW3ER5TY7UI9OP",
    b"ghp_Zq7Xb2Lm9Kp4Rt6Vw8Yc1Nd3Fg5Hj0QsTu2A",
)
NO_ECHO_RULES = frozenset({"DL001", "DL005", "DL006", "ENV202", "SEC101"})

# Fragments that break each format in interesting ways.
TOKENS: tuple[bytes, ...] = PLANTED_SECRETS + (
    b"{",
    b"}",
    b"[",
    b"]",
    b"<",
    b">",
    b"</",
    b"/>",
    b"&",
    b"&a ",
    b"*a",
    b"<<: *a",
    b"'",
    b'"',
    b"`",
    b"\\",
    b"\x00",
    b"\r",
    b"\r\n",
    b"\n",
    b"\t",
    b" ",
    b"#",
    b";",
    b":",
    b"=",
    b"- ",
    b"---\n",
    b"...\n",
    b"|\n",
    b">-\n",
    b"!!python/object:os.system",
    b"!!binary",
    b"%YAML 1.1\n",
    b"%TAG ! tag:x,2000:\n",
    b"?",
    b"${A}",
    b"$(x)",
    b"include *.conf;",
    b"include /etc/passwd;",
    b"include ../../x;",
    b"server {",
    b"location / {",
    b"if ($x) {",
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    b"&e;",
    b"&#0;",
    b"&#x110000;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml version='1.0'?>",
    b"<?pi x?>",
    b'replace="replace"',
    b'remove="1"',
    b'incl="x"',
    b'from_env="HOME"',
    b"export ",
    b"KEY=",
    b"=VALUE",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xe2\x80\xa8",
    b"\xc2\x85",
    b"\x0b",
    b"\x0c",
    b"\x1b[31m",
    "\u202e".encode(),
    "\U0001f600".encode(),
    b"9" * 400,
    b"-1e309",
    b"0x",
)

# Values that keep most syntaxes valid but are odd for the checks reading them.
ODD_VALUES: tuple[bytes, ...] = PLANTED_SECRETS + (
    b"",
    b"0",
    b"-1",
    b"1e309",
    b"-0",
    b"nan",
    b".inf",
    b"999999999999999999999999",
    b"0x1F",
    b"1.5Gi",
    b"100m",
    b"0.0001",
    b"null",
    b"~",
    b"true",
    b"no",
    b"[]",
    b"{}",
    b"*",
    b"all",
    b"ALL",
    b"::/0",
    b"0.0.0.0/0",
    b"localhost",
    b"default",
    b"2001-12-14",
    b"x:y@z",
    b"redis://u:p@h:1/0",
    b"$(x)",
    b"{{ x }}",
    b"\\u0000",
)

# Openers and closers for deep nesting, per syntax family.
NESTERS: tuple[tuple[bytes, bytes], ...] = (
    (b"[", b"]"),
    (b"{", b"}"),
    (b"{a: ", b"}"),
    (b"- ", b""),
    (b"<a>", b"</a>"),
    (b"<a x='1'>", b"</a>"),
    (b"server {", b"}"),
    (b"location / {", b"}"),
    (b"'", b"'"),
    (b'"', b'"'),
    (b"&a [", b"] *a"),
)


@dataclass(frozen=True, slots=True)
class Seed:
    format: str
    name: str  # a path relative to the example root, with its directories
    data: bytes


def available_formats() -> list[str]:
    """Formats whose parser is present in this checkout."""
    return [fmt for fmt in DEFAULT_NAMES if fmt in REGISTRY]


def example_seeds(extra_dirs: tuple[Path, ...] = ()) -> dict[str, list[Seed]]:
    """Every example file (and any extra corpus) by format, plus the built-in seeds."""
    seeds: dict[str, list[Seed]] = {fmt: [Seed(fmt, n, d) for n, d in BUILTIN_SEEDS[fmt]] for fmt in available_formats()}
    for base in (*sorted(p for p in EXAMPLES.iterdir() if p.is_dir()), *extra_dirs):
        for candidate in discover([str(base)], base, formats=REGISTRY):
            if candidate.format in seeds:
                seeds[candidate.format].append(Seed(candidate.format, candidate.relpath, Path(candidate.abspath).read_bytes()))
    return seeds


def tree_seeds(tree: Path) -> list[Seed]:
    """Every lintable file of one example tree (the CLI target mutates one of them)."""
    return [Seed(c.format or "", c.relpath, Path(c.abspath).read_bytes()) for c in discover([str(tree)], tree, formats=REGISTRY)]


def fuzz_settings(examples: int, *, reproducible: bool = True) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,  # the per-call bound is time_bound(); hypothesis' deadline would flake on slow machines
        derandomize=reproducible,  # the normal test run is reproducible; bench/fuzz.py explores
        database=None,
        suppress_health_check=list(HealthCheck),
    )


# --- mutation strategies ---------------------------------------------------------

_position = st.integers(min_value=0, max_value=1 << 20)


def _at(data: bytes, position: int) -> int:
    return position % (len(data) + 1)


def _flip(data: bytes, position: int, bit: int) -> bytes:
    if not data:
        return data
    i = position % len(data)
    return data[:i] + bytes([data[i] ^ (1 << bit)]) + data[i + 1 :]


def _insert(data: bytes, position: int, fragment: bytes) -> bytes:
    i = _at(data, position)
    return data[:i] + fragment + data[i:]


def _delete(data: bytes, position: int, length: int) -> bytes:
    i = _at(data, position)
    return data[:i] + data[i + length :]


def _duplicate(data: bytes, position: int, length: int) -> bytes:
    i = _at(data, position)
    return data[:i] + data[i : i + length] * 2 + data[i + length :]


def _nest(data: bytes, position: int, nester: tuple[bytes, bytes], depth: int) -> bytes:
    opener, closer = nester
    return _insert(data, position, opener * depth + closer * depth)


_WORD = re.compile(rb"[A-Za-z0-9_.-]+")


def _replace_word(data: bytes, position: int, value: bytes) -> bytes:
    """Swap one word (a key or value) for an odd value: the syntax often stays valid,
    so the selectors and checks see the odd value."""
    words = list(_WORD.finditer(data))
    if not words:
        return data
    m = words[position % len(words)]
    return data[: m.start()] + value + data[m.end() :]


def _swap_lines(data: bytes, first: int, second: int) -> bytes:
    lines = data.split(b"\n")
    i, j = first % len(lines), second % len(lines)
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


_mutation = st.one_of(
    st.tuples(st.just(_flip), _position, st.integers(0, 7)),
    st.tuples(st.just(_insert), _position, st.sampled_from(TOKENS)),
    st.tuples(st.just(_insert), _position, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just(_delete), _position, st.integers(1, 64)),
    st.tuples(st.just(_duplicate), _position, st.integers(1, 256)),
    st.tuples(st.just(_nest), _position, st.sampled_from(NESTERS), st.integers(1, 3000)),
    st.tuples(st.just(_swap_lines), _position, _position),
    st.tuples(st.just(_replace_word), _position, st.sampled_from(ODD_VALUES)),
    st.tuples(st.just(_replace_word), _position, st.sampled_from(ODD_VALUES)),
    st.tuples(st.just(lambda data, position: data[: _at(data, position)]), _position),  # truncation
)

# Text made of the characters that carry structure in the formats.
_structural = st.text(st.sampled_from(list("{}[]<>/&;:'\"=#-*!|?%$\\\n\r\t ,.ax0_")), max_size=400)


def tree_inputs(seeds: list[Seed]) -> st.SearchStrategy[tuple[str, bytes]]:
    """One file of a tree, of any format, mutated."""
    by_format: dict[str, list[Seed]] = {}
    for seed in seeds:
        by_format.setdefault(seed.format, []).append(seed)
    return st.sampled_from(sorted(by_format)).flatmap(lambda fmt: inputs(by_format[fmt], fmt))


@st.composite
def inputs(draw: st.DrawFn, seeds: list[Seed], fmt: str) -> tuple[str, bytes]:
    """(file name, bytes): a seed mutated a few times, or structured or raw noise."""
    kind = draw(st.sampled_from(("mutated",) * 6 + ("structural", "raw")))
    if kind == "structural":
        return DEFAULT_NAMES[fmt], draw(_structural).encode("utf-8", "surrogatepass")
    if kind == "raw":
        return DEFAULT_NAMES[fmt], draw(st.binary(max_size=2048))
    seed = draw(st.sampled_from(seeds))
    data = seed.data
    for fn, *args in draw(st.lists(_mutation, min_size=1, max_size=4)):
        data = fn(data, *args)
    return seed.name, data


# --- bounds and properties -------------------------------------------------------


class CallTimeout(BaseException):
    """Not an Exception: the run's own guards (internal errors become DL006) must not swallow it."""


@contextlib.contextmanager
def time_bound(seconds: float = CALL_SECONDS) -> Iterator[None]:
    """Fail a call that runs longer than `seconds` (SIGALRM; a no-op off the main thread)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise CallTimeout(f"call exceeded {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_RULE_ID = re.compile(r"[A-Z]{2,4}\d{3}")


def span_fault(span: Span, texts: dict[str, str]) -> str | None:
    """Why `span` does not lie inside its file, or None. The property every
    finding, problem and node of every format holds, lines counted as the model
    counts them (`\\r\\n`, `\\n`, `\\r`; a final line break opens no line,
    an empty file is one empty line):

        span.file is a file of the run;
        1 <= line <= end_line <= the file's line count;
        1 <= column <= len(line) + 1, and column == len(line) + 1 only for an
        empty region (an insertion point: SARIF's legal maximum), so a region
        of one character or more starts on a character of its line;
        1 <= end_column <= len(end_line) + 1 (the end is exclusive);
        (line, column) <= (end_line, end_column).
    """
    text = texts.get(span.file)
    if text is None:
        return f"{span.file!r} is no file of the run"
    index = LineIndex(text)
    count = index.line_count
    if not 1 <= span.line <= span.end_line <= count:
        return f"lines {span.line}-{span.end_line} outside 1-{count}"
    length, end_length = index.line_length(span.line), index.line_length(span.end_line)
    empty = (span.line, span.column) == (span.end_line, span.end_column)
    if not 1 <= span.column <= length + (1 if empty else 0) and not (span.column == 1 and length == 0):
        return f"column {span.column} outside line {span.line} of {length} characters"
    if not 1 <= span.end_column <= end_length + 1:
        return f"end column {span.end_column} past line {span.end_line} of {end_length} characters"
    if (span.end_line, span.end_column) < (span.line, span.column):
        return "ends before it starts"
    return None


def check_span(span: Span, texts: dict[str, str], what: object) -> None:
    """`span` lies inside its file (span_fault's property)."""
    fault = span_fault(span, texts)
    assert fault is None, (what, span, fault)


def check_node_span(span: Span, texts: dict[str, str], what: object) -> None:
    """A node's span, looser than a finding's: a block may end where the next
    line would start (libyaml's end mark), one past the last line. Findings
    about a node point at its key or its first line (Node.anchor_span)."""
    assert span.line >= 1 and span.column >= 1, (what, span)
    assert (span.end_line, span.end_column) >= (span.line, span.column), (what, span)
    text = texts.get(span.file)
    if text is not None:
        assert span.end_line <= LineIndex(text).line_count + 1, (what, span)


def check_parsed(parsed: ParsedFile, fmt: str, texts: dict[str, str]) -> None:
    """A parser's result: the right format, sane spans on every node and problem."""
    assert isinstance(parsed, ParsedFile) and parsed.format == fmt
    for problem in parsed.problems:
        assert _RULE_ID.fullmatch(problem.rule_id), problem
        check_span(problem.span, texts, problem)
    for document in parsed.documents:
        assert isinstance(document, Node)
        for node in walk(document):
            check_node_span(node.span, texts, node)
            if node.key is not None:
                check_node_span(node.key.span, texts, node.key)


def parse_file(root: Path, name: str, data: bytes, fmt: str, limits: Limits | None = None) -> ParsedFile:
    """Write `data` under `root` and load it the way a run does (read, decode, parse)."""
    from linter.core.model import ParseProblem, SourceFile

    target = root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    loader = Loader(Workspace(root, limits or Limits()), REGISTRY)
    with time_bound():
        loaded = loader.load(target, fmt)
        if isinstance(loaded, ParseProblem):  # unreadable: the run turns it into a finding
            assert loaded.rule_id in ("DL001", "DL005"), loaded
            text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
            check_span(loaded.span, {loaded.span.file: text}, loaded)
            return ParsedFile(SourceFile(name, str(target), text), fmt, [], [loaded])
        REGISTRY.get(fmt).build_units([loaded], loader)
    return loaded


def decoded_texts(root: Path) -> dict[str, str]:
    """Display path -> text of every file under root, for span bounds."""
    texts = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            texts[path.relative_to(root).as_posix()] = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    return texts


# A planted key counts as shown when it stands as a token of its own (glued to
# letters, as in `hsk-proj-...`, it is no recognisable key, for us or anyone).
_PLANTED = [re.compile(rf"(?<![A-Za-z0-9]){re.escape(s.decode())}(?![A-Za-z0-9])") for s in PLANTED_SECRETS]


def check_no_echo(rule_id: str, message: str) -> None:
    if rule_id in NO_ECHO_RULES:
        leaked = [p.pattern for p in _PLANTED if p.search(message)]
        assert not leaked, (rule_id, message)


def check_result(result: RunResult, texts: dict[str, str]) -> None:
    """A run's result: no internal error, sane spans, no secret echoed, and unparsable files counted."""
    internal = [f"{f.span.file}: {f.message}" for f in result.findings if f.rule_id == "DL006"]
    assert not internal, internal
    for finding in result.findings:
        check_span(finding.span, texts, finding.rule_id)
        check_no_echo(finding.rule_id, finding.message)
    failed = {f.span.file for f in result.findings if f.rule_id in ("DL001", "DL005")}
    assert result.unparsable == len(failed), (result.unparsable, sorted(failed))


def fresh(root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return root


# --- the fuzz targets: one input each ---------------------------------------------


def parser_case(root: Path, fmt: str, name: str, data: bytes) -> ParsedFile:
    """Read, decode and parse one input as `fmt` (and assemble its units)."""
    parsed = parse_file(fresh(root), name, data, fmt)
    check_parsed(parsed, fmt, {parsed.path: parsed.source.text})
    return parsed


def engine_case(root: Path, fmt: str, rules: list[Rule], name: str, data: bytes) -> RunResult:
    """Lint one input with every rule."""
    target = fresh(root) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    with time_bound():
        result = run([str(target)], Settings(root=root, rules=rules, formats=REGISTRY, format_hint=fmt))
    assert name in result.files
    check_result(result, decoded_texts(root))
    check_reports(result)
    return result


def check_reports(result: RunResult) -> None:
    """Every reporter renders the result, and no line of the line-based ones is
    made by the linted files: text lines are findings, blank or the summary;
    GitHub lines are annotations or the summary (never an injected `::command`)."""
    import xml.etree.ElementTree as ET

    from linter.core.findings import printable
    from linter.report import github, gitlab, json_lines, junit, markdown, sarif, text
    from linter.report import json as json_report

    json.loads(json_report.render(result, show_suppressed=True, with_statistics=True))
    json.loads(sarif.render(result, include_suppressed=True))
    json.loads(gitlab.render(result))
    ET.fromstring(junit.render(result))
    assert len(json_lines.render(result, show_suppressed=True).splitlines()) == len(result.findings)
    lines = text.render(result, show_suppressed=True).splitlines()
    fix_lines = text.fix_summary(result).count("\n")  # the lines saying what --fix fixed or would fix
    assert len(lines) == len(result.findings) + (2 if result.findings else 1) + fix_lines, lines
    assert all(line.startswith(printable(f.span.file) + ":") for line, f in zip(lines, result.findings)), lines
    annotations = github.render(result).splitlines()
    body = annotations[:-1]
    assert len(body) == len(result.shown) or (len(body) <= 3 * github.SHOWN_PER_SEVERITY and body[-1].startswith("::notice title=deploylint::"))
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in body), annotations
    assert len(markdown.render(result)) <= markdown.GITHUB_COMMENT_LIMIT


def cli_case(tree: Path, report: Path, validator: Any, name: str, data: bytes) -> int:
    """Run the CLI to SARIF over `tree` with `name` replaced by `data` (restored after)."""
    from linter.cli import main

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
    assert code in (0, 1), code
    document = json.loads(report.read_text(encoding="utf-8"))
    if validator is not None:
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, errors[0]
    results = document["runs"][0]["results"]
    assert not [r["message"]["text"] for r in results if r["ruleId"] == "DL006"]
    for result in results:
        check_no_echo(result["ruleId"], result["message"]["text"])
        for location in result["locations"]:
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            r = location["physicalLocation"]["region"]
            line = r["startLine"]
            span = Span(uri, line, r.get("startColumn", 1), r.get("endLine", line), r.get("endColumn", r.get("startColumn", 1)))
            check_span(span, texts, result["ruleId"])
    return code


def stdin_case(report: Path, validator: Any, fmt: str, name: str, data: bytes) -> int:
    """Run the CLI to SARIF on `data` given as standard input named `name`."""
    import io
    import sys

    from linter.cli import main

    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        with time_bound():
            code = main(
                ["-", "--stdin-filename", Path(name).name, "--format-hint", fmt, "--format", "sarif", "--output", str(report)]
            )
    finally:
        sys.stdin = old
    assert code in (0, 1), code
    document = json.loads(report.read_text(encoding="utf-8"))
    if validator is not None:
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, errors[0]
    for result in document["runs"][0]["results"]:
        assert result["ruleId"] != "DL006", result["message"]["text"]
        check_no_echo(result["ruleId"], result["message"]["text"])
    return code


def sarif_validator(schema_path: Path | None = None) -> Any:
    """A jsonschema validator for SARIF 2.1.0, or None when the schema is not around."""
    if schema_path is None:
        from conftest import SARIF_SCHEMA as schema_path
    if not schema_path.is_file():
        return None
    import jsonschema

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


# --- redaction under mutation ------------------------------------------------------

# Secrets planted in a file of each format: (documented prefix an output may
# show, the rest). Provider-shaped keys and generic high-entropy passwords.
SECRETS: tuple[tuple[str, str], ...] = (
    ("sk-proj-", "Hq4Tn8Wc2Lx6Rb0Vz3Pm7Ks1Df5Gj9Ya2Ue6Io0Qw4Er8Ty3Nm"),
    ("ghp_", "Rt5Yu7Io9Pa1Sd3Fg5Hj7Kl9Zx1Cv3Bn5Mq7W"),
    ("AKIA", "QW3ER5TY7UI9OP2A"),
    ("", "Vb7nM2qX9kL4pR8sT1wZ"),
    ("", "hN3$kq9!Lm2#Wx7@Pz5%"),
)
_PW, _KEY, _AWS, _GEN, _SYM = (prefix + rest for prefix, rest in SECRETS)

# One file a format, holding the secrets where configs hold them.
SECRET_FILES: dict[str, tuple[str, str]] = {
    "env": (".env", f"OPENAI_API_KEY={_PW}\nGITHUB_TOKEN='{_KEY}'\nDB_PASSWORD=\"{_GEN}\"\n"
                    f"DATABASE_URL=postgresql://app:{_SYM}@db/app\nAWS_ACCESS_KEY_ID={_AWS}\n"),
    "nginx": ("nginx.conf", f"http {{\n  server {{\n    listen 443 ssl;\n    location / {{\n"
                            f"      proxy_set_header Authorization \"Bearer {_PW}\";\n      set $token {_GEN};\n"
                            f"      proxy_pass https://u:{_SYM}@backend.example.com;\n    }}\n  }}\n}}\n"),
    "clickhouse": ("config.xml", f"<clickhouse>\n  <users>\n    <app>\n      <password>{_GEN}</password>\n    </app>\n  </users>\n"
                                 f"  <interserver_http_credentials>\n    <user>x</user>\n    <password>{_SYM}</password>\n"
                                 f"  </interserver_http_credentials>\n  <s3><access_key_id>{_AWS}</access_key_id></s3>\n</clickhouse>\n"),
    "redis": ("redis.conf", f"bind 0.0.0.0\nrequirepass {_GEN}\nmasterauth \"{_SYM}\"\nuser app on >{_KEY} ~* +@all\n"),
    "postgresql": ("postgresql.conf", f"listen_addresses = '*'\nprimary_conninfo = 'host=a user=r password={_GEN}'\n"
                                      f"ssl_passphrase_command = 'echo {_PW}'\n"),
    "kubernetes": ("secret.yaml", f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n  token: {_KEY}\n"
                                  f"  password: \"{_GEN}\"\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n"
                                  f"  containers:\n    - name: c\n      image: x\n      env:\n        - {{name: OPENAI_API_KEY, value: {_PW}}}\n"
                                  f"        - {{name: DB_PASSWORD, value: '{_SYM}'}}\n"),
}

# What a mutation inserts where it cuts a secret: quotes, line breaks, brackets.
_BREAKERS = ("'", '"', "\n", "\r\n", "{", "}", "[", "]", "<", ">", "</", ";", "#", " ", "=", ":", "&", "\\", "`", "${")


def mutate_secrets(text: str, rng: random.Random) -> str:
    """`text` with one to three cuts, most inside a planted secret: truncation,
    a piece cut out of the middle, or a quote, line break or bracket put in."""
    for _ in range(rng.randint(1, 3)):
        positions = [m.start() + rng.randrange(len(m.group())) for s in _SECRET_VALUES for m in re.finditer(re.escape(s), text)]
        at = rng.choice(positions) if positions and rng.random() < 0.85 else rng.randrange(len(text) + 1)
        kind = rng.randrange(3)
        if kind == 0:
            text = text[:at]
        elif kind == 1:
            text = text[:at] + text[at + rng.randint(1, 12):]
        else:
            text = text[:at] + rng.choice(_BREAKERS) * rng.randint(1, 2) + text[at:]
    return text


_SECRET_VALUES = tuple(prefix + rest for prefix, rest in SECRETS)
FRAGMENT = 8  # characters: a shorter piece of a random value says nothing of it


def secret_fragments() -> frozenset[str]:
    """Every 8-character piece of a planted secret that holds a character past
    its documented prefix (`sk-proj-` may be shown: it is in every such key)."""
    return frozenset(
        value[i : i + FRAGMENT]
        for prefix, rest in SECRETS
        for value in [prefix + rest]
        for i in range(max(0, len(prefix) - FRAGMENT + 1), len(value) - FRAGMENT + 1)
    )


def leaked_fragments(output: str, fragments: frozenset[str]) -> list[str]:
    """The planted-secret fragments `output` shows."""
    return sorted(f for f in fragments if f in output)


def redaction_outputs(result: RunResult) -> dict[str, str]:
    """The run as text, JSON and SARIF: what a user or a CI service sees."""
    from linter.report import json as json_report
    from linter.report import sarif, text

    return {
        "text": text.render(result, show_suppressed=True),
        "json": json_report.render(result, show_suppressed=True, with_statistics=True),
        "sarif": sarif.render(result, include_suppressed=True),
    }


def redaction_case(root: Path, fmt: str, rules: list[Rule], name: str, text: str) -> list[tuple[str, str, str]]:
    """Lint one mutated file; (output format, fragment, the line showing it) for each leak."""
    result = engine_case(root, fmt, rules, name, text.encode("utf-8", "surrogatepass"))
    fragments = secret_fragments()
    leaks = []
    for kind, output in redaction_outputs(result).items():
        for fragment in leaked_fragments(output, fragments):
            line = next(row for row in output.splitlines() if fragment in row)
            leaks.append((kind, fragment, line.strip()[:300]))
    return leaks
