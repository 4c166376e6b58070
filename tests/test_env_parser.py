"""The env parser: exact positions, and bad input that never crashes the run
(each case of the issue's "Bad input" list), with the other bindings still checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lint_paths, lint_text, triples
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.core.model import MappingNode, SourceFile
from linter.formats.env.parser import parse


def _pairs(text: str) -> list[tuple[str, str, tuple[int, int, int, int], tuple[int, int, int, int]]]:
    parsed = parse(SourceFile(".env", ".env", text))
    mapping = parsed.documents[0]
    assert isinstance(mapping, MappingNode)
    out = []
    for key, value in mapping.pairs:
        k, v = key.span, value.span
        out.append((key.text, value.to_python(), (k.line, k.column, k.end_line, k.end_column), (v.line, v.column, v.end_line, v.end_column)))
    return out


def test_key_and_value_positions_follow_what_the_user_wrote() -> None:
    text = "# settings\n\nA=1\n  export B = 'two'\nC=\"multi\nline\"  # note\nD=plain # comment\n'E'=e\nF=\n"
    assert _pairs(text) == [
        ("A", "1", (3, 1, 3, 2), (3, 3, 3, 4)),
        ("B", "two", (4, 10, 4, 11), (4, 15, 4, 18)),
        ("C", "multi\nline", (5, 1, 5, 2), (5, 4, 6, 5)),
        ("D", "plain", (7, 1, 7, 2), (7, 3, 7, 8)),
        ("E", "e", (8, 2, 8, 3), (8, 5, 8, 6)),
        ("F", "", (9, 1, 9, 2), (9, 2, 9, 3)),
    ]


def test_repeated_keys_are_kept_in_order() -> None:
    assert [p[0] for p in _pairs("A=1\nB=2\nA=3\n")] == ["A", "B", "A"]


def test_values_are_never_interpolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME_SECRET", "from-the-environment")
    assert _pairs("A=${HOME_SECRET}\n")[0][1] == "${HOME_SECRET}"


def test_unterminated_quote_is_reported_at_its_line_and_later_lines_still_checked(tmp_path: Path) -> None:
    text = 'APP_ENV=production\nGREETING="hello\nLOG_LEVEL=DEBUG\n'
    result = lint_text(tmp_path, ".env", text, select=["ENV", "DL"])
    assert triples(result) == [("ENV202", 2, 1), ("ENV105", 3, 11)]
    assert "unterminated double-quoted" in result.shown[0].message


def test_unterminated_single_quote(tmp_path: Path) -> None:
    result = lint_text(tmp_path, ".env", "A=1\nB='open\nC=2\n", select=["ENV202"])
    assert triples(result) == [("ENV202", 2, 1)]
    assert "single-quoted" in result.shown[0].message


def test_words_without_equals_sign(tmp_path: Path) -> None:
    result = lint_text(tmp_path, ".env", "A=1\nJUST A NAME\nB=2\n", select=["ENV202"])
    assert triples(result) == [("ENV202", 2, 1)]
    span = result.shown[0].span
    assert (span.end_line, span.end_column) == (2, 12)


def test_a_bare_name_is_inherited_from_the_environment_not_invalid(tmp_path: Path) -> None:
    # python-dotenv, `docker run --env-file` and Kustomize's envs read `KEY` alone
    # as "take KEY from the environment".
    text = "A=1\nDB_PASSWORD\nexport TOKEN  # from CI\nB=2\n"
    result = lint_text(tmp_path, ".env", text, select=["ENV", "DL"])
    assert triples(result) == []
    model = parse(SourceFile(".env", ".env", text)).meta["model"]
    assert [(k.text, k.span.line, k.span.column, k.span.end_column) for k in model.inherited] == [
        ("DB_PASSWORD", 2, 1, 12), ("TOKEN", 3, 8, 13)]
    assert [k.text for k, _ in model.pairs] == ["A", "B"]


def test_export_alone(tmp_path: Path) -> None:
    result = lint_text(tmp_path, ".env", "export A=1\nexport\nB=2\n", select=["ENV202"])
    assert triples(result) == [("ENV202", 2, 1)]
    assert "'export' without a variable" in result.shown[0].message


def test_crlf_line_endings_keep_lines_and_columns(tmp_path: Path) -> None:
    text = "APP_ENV=production\r\nLOG_LEVEL=DEBUG\r\nWORKERS=4\r\nWORKERS=8\r\n"
    result = lint_text(tmp_path, ".env", text, select=["ENV"])
    assert triples(result) == [("ENV105", 2, 11), ("ENV201", 4, 1)]
    assert result.shown[0].span.end_column == 16  # the value, not its line break


def test_bom_does_not_shift_the_first_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"\xef\xbb\xbfLOG_LEVEL=DEBUG\nAPP_ENV=production\n")
    result = lint_paths([".env"], tmp_path, select=["ENV", "DL"])
    assert triples(result) == [("ENV105", 1, 11)]


def test_one_megabyte_single_line_value(tmp_path: Path) -> None:
    big = "a" * (1024 * 1024)
    text = f"APP_ENV=production\nBLOB={big}\nDB_PASSWORD=changeme\nLOG_LEVEL=DEBUG\n"
    result = lint_text(tmp_path, ".env", text, select=["ENV", "SEC", "DL"])
    assert triples(result) == [("ENV101", 3, 13), ("ENV105", 4, 11)]


def test_non_utf8_bytes_are_one_parse_error_at_their_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"A=1\nB=caf\xe9\n")
    (tmp_path / ".env.production").write_bytes(b"LOG_LEVEL=DEBUG\n")
    result = lint_paths(["."], tmp_path, select=["ENV", "DL"])
    assert [(f.rule_id, f.span.file, f.span.line) for f in result.shown] == [
        ("DL001", ".env", 2),
        ("ENV105", ".env.production", 1),
    ]


def test_python_file_named_dotenv_is_one_parse_error(tmp_path: Path) -> None:
    text = 'import os\n\n\ndef load():\n    return os.environ["X"]\n\nx = 1\n'
    result = lint_text(tmp_path, ".env", text, select=["ENV", "DL"])
    assert triples(result) == [("DL001", 1, 1)]
    assert "not an env file" in result.shown[0].message


def test_a_few_bad_lines_do_not_make_a_file_unparsable(tmp_path: Path) -> None:
    text = "A=1\nB=2\nC=3\nD=4\nNO PE\nnope too\nE=5\nexport\n"
    result = lint_text(tmp_path, ".env", text, select=["ENV", "DL"])
    assert triples(result) == [("ENV202", 5, 1), ("ENV202", 6, 1), ("ENV202", 8, 1)]


# ~200 KB inputs: each would take minutes with per-line work that grows with the
# lines before it (counting earlier problems, searching earlier keys).
def test_two_hundred_kilobytes_of_invalid_lines_is_one_parse_error(tmp_path: Path) -> None:
    result = lint_text(tmp_path, ".env", "=x\n" * 70_000, select=["ENV", "DL"])
    assert triples(result) == [("DL001", 1, 1)]
    assert "70000 of 70000 lines" in result.shown[0].message


def test_two_hundred_kilobytes_of_bare_names(tmp_path: Path) -> None:
    result = lint_text(tmp_path, ".env", "x\n" * 100_000 + "=bad\n", select=["ENV", "DL"])
    assert triples(result) == [("ENV202", 100_001, 1)]


def test_two_hundred_kilobytes_of_mixed_lines_reports_every_problem(tmp_path: Path) -> None:
    n = 15_000
    lines = ["=orphan" if i % 3 == 0 else f"KEY_{i}=value" for i in range(n)]
    lines += [f"KEY_{i}=again" for i in range(1, n, 3)]  # each repeats a key set far above
    text = "\n".join(lines) + "\n"
    assert len(text) > 200_000
    result = lint_text(tmp_path, ".env", text, select=["ENV201", "ENV202"])
    found = triples(result)
    assert found.count(("ENV202", 1, 1)) == 1 and sum(r == "ENV202" for r, _, _ in found) == n // 3
    duplicates = [f for f in result.shown if f.rule_id == "ENV201"]
    assert len(duplicates) == n // 3
    assert (duplicates[-1].span.line, f"first at line {n - 1}") == (n + n // 3, f"first at line {n - 1}")
    assert f"first at line {n - 1}" in duplicates[-1].message


def test_invalid_line_message_never_echoes_the_line(tmp_path: Path) -> None:
    secret = "Zq8vN2kLw5Rt7Yp3"
    result = lint_text(tmp_path, ".env", f'TOKEN="{secret}\n{secret} {secret}\n', select=["ENV202"])
    assert len(result.shown) == 2
    assert all(secret[:8] not in f.message for f in result.shown)


_ENV_ALPHABET = st.sampled_from(list("AB_=x '\"#\\\n\r\t$ {}é") + ["export ", "\r\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ENV_ALPHABET, max_size=60).map("".join))
def test_any_text_parses_to_spans_inside_the_file(text: str) -> None:
    parsed = parse(SourceFile(".env", ".env", text))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    spans = [p.span for p in parsed.problems]
    for document in parsed.documents:
        assert isinstance(document, MappingNode)
        for key, value in document.pairs:
            spans += [key.span, value.span]
    for span in spans:
        assert 1 <= span.line <= span.end_line <= len(lines)
        assert 1 <= span.column <= len(lines[span.line - 1]) + 1
        assert span.end_column <= len(lines[span.end_line - 1]) + 1
