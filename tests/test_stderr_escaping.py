"""Every message on stderr is one line with its control characters escaped:
usage errors quote config keys, file names and arguments as given, and a
newline in one must not start a line a CI runner obeys (`::error ...::`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import run_cli, write

INJECTED = "x\n::error title=Injected::pwned\x1b[2J"


def _one_escaped_line(err: str) -> str:
    assert err.count("\n") == 1 and err.endswith("\n")
    assert "\x1b" not in err and "\n::" not in err
    return err


@pytest.mark.parametrize(
    ("args", "config", "expected"),
    [
        ((".",), f'rules:\n  "{INJECTED.encode("unicode_escape").decode()}": disable\n',
         "deploylint: error: .deploylint.yaml:2: rules.x\\n::error title=Injected::pwned\\x1b[2J: unknown rule"),
        ((INJECTED,), None, "deploylint: error: no such file or directory: x\\n::error title=Injected::pwned\\x1b[2J"),
        (("--config", INJECTED, "."), None, "deploylint: error: x\\n::error title=Injected::pwned\\x1b[2J: config file not found"),
        (("--format", INJECTED, "."), None, "deploylint: error: Invalid value for '--format' / '--output-format': 'x\\n::error title=Injected::pwned\\x1b[2J'"),
        (("--" + INJECTED,), None, "deploylint: error: No such option"),
    ],
    ids=["config-key", "file-name", "config-name", "option-value", "option-name"],
)
def test_usage_errors_are_one_escaped_line(
    project: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], config: str | None, expected: str
) -> None:
    write(project, "a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    if config is not None:
        write(project, ".deploylint.yaml", config)
    code, out, err = run_cli(capsys, project, *args)
    assert (code, out) == (2, "")
    assert _one_escaped_line(err).startswith(expected)


def test_validate_rules_names_files_escaped(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, f"rules/{INJECTED.replace('/', '')}.yaml", "id: [\n")
    code, out, _ = run_cli(capsys, project, "validate-rules", "rules")
    assert code == 2
    assert "\n::" not in out and "\x1b" not in out
    assert out.startswith("rules/x\\n::error title=Injected::pwned\\x1b[2J.yaml:")
