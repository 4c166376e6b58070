"""SARIF as GitHub code scanning ingests it (design §4).

Every SARIF this module produces (the examples and a few small trees, with and
without --sarif-category / --sarif-include-suppressed) is checked against the
SARIF 2.1.0 schema, our own invariants (full regions inside the file, ruleIndex,
repository-relative URIs, string security-severity, GitHub's limits) and, where
node/npm exist, Microsoft's SARIF multitool with GitHub's ingestion rules.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, PROJECT, SARIF_SCHEMA, SHARED, lint_paths

from linter.cli import main
from linter.core.findings import Suppression
from linter.report import sarif

VALIDATOR = SHARED / "tools" / "sarif-validate"
EXAMPLE_DIRS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())

# One Deployment, two containers without a memory limit (K8S104 at 10:11 and on the sidecar).
UNLIMITED = (Path(__file__).parent / "fixtures" / "worker-without-memory-limit.yaml").read_text(encoding="utf-8") + """\
        - name: sidecar
          image: registry.example.com/proxy:1.1
"""
INVALID_YAML = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n"


def run_sarif(cwd: Path, args: list[str], out: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run the real CLI in-process and load the SARIF it wrote."""
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code = main([*args, "--format", "sarif", "--output", str(out)])
    assert code in (0, 1), f"deploylint {args} exited {code}"
    return json.loads(out.read_text(encoding="utf-8"))


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def _tree_plain(tmp: Path) -> tuple[Path, list[str]]:
    return write_tree(tmp, {"deploy/worker.yaml": UNLIMITED, "deploy/broken.yaml": INVALID_YAML}), ["."]


def _tree_odd_names(tmp: Path) -> tuple[Path, list[str]]:
    # A space and non-ASCII letters in the path, CRLF line ends: URIs must be
    # percent-encoded and regions still counted in characters.
    return write_tree(tmp, {"déploiement/mon app.yaml": UNLIMITED.replace("\n", "\r\n")}), ["déploiement"]


def _tree_in_git_subdir(tmp: Path) -> tuple[Path, list[str]]:
    # Linted from a subfolder of a repository: URIs are relative to the repository root.
    (tmp / ".git").mkdir()
    return write_tree(tmp, {"services/api/k8s/worker.yaml": UNLIMITED}) / "services" / "api", ["k8s"]


TREES: dict[str, Callable[[Path], tuple[Path, list[str]]]] = {
    "plain": _tree_plain,
    "odd-names": _tree_odd_names,
    "git-subdir": _tree_in_git_subdir,
}
FLAG_SETS = {"default": [], "category": ["--sarif-category", "deploylint/k8s"], "suppressed": ["--sarif-include-suppressed"]}


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, dict[str, Any]]]:
    """name -> (SARIF file, the directory %SRCROOT% stands for, parsed SARIF)."""
    out_dir = tmp_path_factory.mktemp("sarif")
    logs: dict[str, tuple[Path, Path, dict[str, Any]]] = {}
    with pytest.MonkeyPatch.context() as mp:
        for example in EXAMPLE_DIRS:
            for flags_name, flags in FLAG_SETS.items():
                name = f"example-{example.name}-{flags_name}"
                out = out_dir / f"{name}.sarif"
                logs[name] = (out, PROJECT, run_sarif(PROJECT, [str(example.relative_to(PROJECT)), *flags], out, mp))
        for tree_name, make in TREES.items():
            cwd, paths = make(tmp_path_factory.mktemp(tree_name))
            srcroot = cwd.parent.parent if tree_name == "git-subdir" else cwd
            for flags_name, flags in FLAG_SETS.items():
                name = f"tree-{tree_name}-{flags_name}"
                out = out_dir / f"{name}.sarif"
                logs[name] = (out, srcroot, run_sarif(cwd, [*paths, *flags], out, mp))
    return logs


def the_run(log: dict[str, Any]) -> dict[str, Any]:
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1, "one run per invocation"
    run: dict[str, Any] = log["runs"][0]
    return run


@functools.cache
def _schema_validator() -> Any:
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def schema_errors(log: dict[str, Any]) -> list[str]:
    """Where `log` breaks the SARIF 2.1.0 schema ([] when the schema file is absent)."""
    if not SARIF_SCHEMA.is_file():
        return []
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _schema_validator().iter_errors(log)]


def test_every_sarif_passes_the_schema(produced: dict[str, tuple[Path, Path, dict[str, Any]]]) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"{SARIF_SCHEMA} is absent")
    problems = {name: schema_errors(log) for name, (_, _, log) in produced.items()}
    assert {name: errors for name, errors in problems.items() if errors} == {}


def test_examples_and_trees_have_results(produced: dict[str, tuple[Path, Path, dict[str, Any]]]) -> None:
    """The checks below must look at real results, not empty runs."""
    assert the_run(produced["example-ai-etl-broken-default"][2])["results"]
    assert the_run(produced["example-ai-etl-default"][2])["results"] == []
    for tree in TREES:
        assert the_run(produced[f"tree-{tree}-default"][2])["results"], tree


def test_results_reference_their_rule_descriptors(produced: dict[str, tuple[Path, Path, dict[str, Any]]]) -> None:
    for name, (_, _, log) in produced.items():
        run = the_run(log)
        rules = run["tool"]["driver"]["rules"]
        ids = [r["id"] for r in rules]
        assert len(ids) == len(set(ids)), name
        for result in run["results"]:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"], name
            assert result["level"] in ("error", "warning", "note")
            assert result["message"]["text"].strip()


def test_rule_descriptors_are_complete(produced: dict[str, tuple[Path, Path, dict[str, Any]]]) -> None:
    rules = the_run(produced["example-ai-etl-broken-default"][2])["tool"]["driver"]["rules"]
    assert rules
    for rule in rules:
        for key in ("id", "name", "shortDescription", "fullDescription", "helpUri", "defaultConfiguration"):
            assert rule.get(key), (rule["id"], key)
        assert rule["help"]["text"] and rule["help"]["markdown"], rule["id"]
        props = rule["properties"]
        assert props["precision"] in ("very-high", "high", "medium", "low")
        assert 1 <= len(props["tags"]) <= sarif.MAX_TAGS, rule["id"]
        if "security-severity" in props:
            value = props["security-severity"]
            assert isinstance(value, str) and 0.0 <= float(value) <= 10.0, rule["id"]
            assert "security" in props["tags"], rule["id"]
    assert any("security-severity" in r["properties"] for r in rules), "no security rule to check"


def test_locations_are_repository_relative_with_full_regions(produced: dict[str, tuple[Path, Path, dict[str, Any]]]) -> None:
    from urllib.parse import unquote

    for name, (_, srcroot, log) in produced.items():
        run = the_run(log)
        assert run["columnKind"] == "unicodeCodePoints"
        for result in run["results"]:
            (location,) = result["locations"]
            physical = location["physicalLocation"]
            artifact = physical["artifactLocation"]
            uri = artifact["uri"]
            assert artifact["uriBaseId"] == "%SRCROOT%", name
            assert not uri.startswith(("/", "./", "file:")) and "\\" not in uri and " " not in uri, uri
            source = srcroot / unquote(uri)
            assert source.is_file(), f"{name}: {uri} is not a file under %SRCROOT%"
            region = physical["region"]
            start = (region["startLine"], region["startColumn"])
            end = (region["endLine"], region["endColumn"])
            assert start >= (1, 1) and end > start, (name, uri, region)
            lines = source.read_text(encoding="utf-8").splitlines()
            assert region["endLine"] <= len(lines) + 1, (name, uri, region)
            if region["startLine"] <= len(lines):
                assert region["startColumn"] <= len(lines[region["startLine"] - 1]) + 1, (name, uri, region)
            if region["endLine"] <= len(lines):
                assert region["endColumn"] <= len(lines[region["endLine"] - 1]) + 1, (name, uri, region)


def test_known_regions(produced: dict[str, tuple[Path, Path, dict[str, Any]]]) -> None:
    """Exact regions: the missing memory limit points at `resources` (line 10,
    columns 11..20) of the first container; the subfolder run keeps the path
    from the repository root; the odd name is percent-encoded."""
    def regions(name: str) -> set[tuple[str, str, int, int, int, int]]:
        out = set()
        for r in the_run(produced[name][2])["results"]:
            loc = r["locations"][0]["physicalLocation"]
            g = loc["region"]
            out.add((r["ruleId"], loc["artifactLocation"]["uri"], g["startLine"], g["startColumn"], g["endLine"], g["endColumn"]))
        return out

    assert ("K8S104", "deploy/worker.yaml", 10, 11, 10, 20) in regions("tree-plain-default")
    assert ("K8S104", "services/api/k8s/worker.yaml", 10, 11, 10, 20) in regions("tree-git-subdir-default")
    assert ("K8S104", "d%C3%A9ploiement/mon%20app.yaml", 10, 11, 10, 20) in regions("tree-odd-names-default")
    assert any(rule == "DL001" and uri == "deploy/broken.yaml" for rule, uri, *_ in regions("tree-plain-default"))


def test_category_and_fingerprints(produced: dict[str, tuple[Path, Path, dict[str, Any]]]) -> None:
    for name, (_, _, log) in produced.items():
        run = the_run(log)
        if name.endswith("-category"):
            assert run["automationDetails"] == {"id": "deploylint/k8s/"}
        else:
            assert "automationDetails" not in run, name
        prints = [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in run["results"]]
        assert all(isinstance(p, str) and len(p) >= 16 for p in prints), name
        assert len(prints) == len(set(prints)), f"{name}: two results share a fingerprint (GitHub would merge their alerts)"


def test_within_github_limits(produced: dict[str, tuple[Path, Path, dict[str, Any]]]) -> None:
    for name, (path, _, log) in produced.items():
        run = the_run(log)
        assert len(run["results"]) <= 25_000 and len(run["tool"]["driver"]["rules"]) <= 25_000
        assert len(gzip.compress(path.read_bytes())) < 10 * 1024 * 1024, name


def test_output_is_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "1.sarif", tmp_path / "2.sarif"
    run_sarif(PROJECT, ["examples", "--sarif-category", "x"], first, monkeypatch)
    run_sarif(PROJECT, ["examples", "--sarif-category", "x"], second, monkeypatch)
    assert first.read_bytes() == second.read_bytes()


def with_three_lines_above(path: Path) -> None:
    """Three lines (comments, blanks) above the content, in the file's own syntax."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        text = "\n\n\n" + text
    elif path.suffix == ".xml":
        declaration = re.match(r"\ufeff?<\?xml[^>]*\?>", text)
        cut = declaration.end() if declaration else 0
        text = text[:cut] + ("\n<!-- owned by the platform team -->\n\n" if cut else "<!-- owned by the platform team -->\n\n\n") + text[cut:]
    else:
        text = "# owned by the platform team\n\n# reviewed quarterly\n" + text
    path.write_text(text, encoding="utf-8")


def test_fingerprints_survive_lines_inserted_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "ai-etl-broken", repo)
    write_tree(repo, {"worker.yaml": UNLIMITED})

    def results() -> dict[str, tuple[str, str, int]]:
        log = run_sarif(repo, ["."], tmp_path / "out.sarif", monkeypatch)
        return {r["partialFingerprints"][sarif.FINGERPRINT_KEY]: (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in the_run(log)["results"]}

    before = results()
    for file in sorted(p for p in repo.rglob("*") if p.is_file()):
        with_three_lines_above(file)
    after = results()
    assert before and set(after) == set(before)
    assert {fp: (rule, uri, line + 3) for fp, (rule, uri, line) in before.items()} == after


def test_fingerprints_tell_containers_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same rule on two containers of one object: two stable identities."""
    write_tree(tmp_path, {"worker.yaml": UNLIMITED})
    log = run_sarif(tmp_path, ["."], tmp_path / "out.sarif", monkeypatch)
    prints = [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in the_run(log)["results"] if r["ruleId"] == "K8S104"]
    assert len(prints) == 2 and len(set(prints)) == 2


def test_suppressed_findings_only_when_asked() -> None:
    """GitHub ignores `suppressions`: suppressed findings stay out unless
    --sarif-include-suppressed, and then carry kind and justification."""
    result = lint_paths(["examples/ai-etl-broken"], PROJECT)
    assert result.findings
    first = result.findings[0]
    result.findings[0] = replace(first, suppression=Suppression("inline", "accepted until the Q3 migration"))
    if len(result.findings) > 1:
        result.findings[1] = replace(result.findings[1], suppression=Suppression("baseline"))
    plain_log, full_log = json.loads(sarif.render(result)), json.loads(sarif.render(result, include_suppressed=True))
    assert schema_errors(plain_log) == schema_errors(full_log) == []
    plain = the_run(plain_log)
    assert len(plain["results"]) == len(result.shown)
    assert all("suppressions" not in r for r in plain["results"])
    full = the_run(full_log)
    assert len(full["results"]) == len(result.findings)
    assert full["results"][0]["suppressions"] == [{"kind": "inSource", "justification": "accepted until the Q3 migration"}]
    if len(result.findings) > 1:
        assert full["results"][1]["suppressions"] == [{"kind": "external"}]


def test_over_the_result_limit_keeps_the_most_severe(monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.core.findings import Severity

    result = lint_paths(["examples/ai-etl-broken"], PROJECT)
    template = result.findings[0]
    notes = [replace(template, severity=Severity.NOTE, logical=f"n{i}") for i in range(4)]
    errors = [replace(template, severity=Severity.ERROR, logical=f"e{i}") for i in range(2)]
    result.findings = notes[:2] + errors + notes[2:]
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    log = json.loads(sarif.render(result))
    assert schema_errors(log) == []
    run = the_run(log)
    assert [r["level"] for r in run["results"]] == ["note", "error", "error"]
    (notice,) = run["invocations"][0]["toolExecutionNotifications"]
    assert "3 lower-severity results were left out" in notice["message"]["text"]


def test_result_of_a_rule_not_enabled_still_has_a_descriptor() -> None:
    """An internal-error finding (DL006) names a rule that may not be selected."""
    from linter.core.findings import Finding, Severity
    from linter.core.model import Span

    result = lint_paths(["examples/ai-etl-broken"], PROJECT, select=["K8S104"])
    result.findings.append(Finding("DL006", "internal-error", Severity.ERROR, "internal error in rule K8S104", Span.point("x.yaml", 1, 1)))
    log = json.loads(sarif.render(result))
    assert schema_errors(log) == []
    run = the_run(log)
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["K8S104", "DL006"]
    assert run["results"][-1]["ruleIndex"] == 1


@pytest.mark.slow  # starts Node.js and the multitool: seconds
def test_sarif_multitool_accepts_every_sarif(produced: dict[str, tuple[Path, Path, dict[str, Any]]], tmp_path: Path) -> None:
    """`sarif-validate`: the SARIF schema, the SDK's rules and GitHub's
    ingestion rules (Microsoft's SARIF multitool from npm)."""
    if not VALIDATOR.is_file():
        pytest.skip(f"{VALIDATOR} is absent")
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node/npm are not installed")
    files = [str(path) for path, _, _ in produced.values()]
    log = tmp_path / "validation.sarif"
    done = subprocess.run(["bash", str(VALIDATOR), "--keep-log", str(log), *files], check=False, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 error(s)" in done.stderr


def test_results_sharing_an_identity_keep_distinct_fingerprints() -> None:
    """Two findings a pack gives the same identity (say, one rule on two server
    blocks with the same name) must not collapse into one alert."""
    result = lint_paths(["examples/ai-etl-broken"], PROJECT, select=["K8S104"])
    first = result.findings[0]
    twin = replace(first, span=replace(first.span, line=first.span.line + 5, end_line=first.span.end_line + 5))
    result.findings = [first, twin]
    prints = [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in the_run(json.loads(sarif.render(result)))["results"]]
    assert prints == [first.fingerprint(), first.fingerprint() + ":2"]


def test_log_keeps_the_key_order_of_earlier_releases(monkeypatch: pytest.MonkeyPatch) -> None:
    """The log is built from plain dicts, in the key order the sarif-om based
    writer produced, and written compact (json's C encoder) on one line."""
    from linter.core.findings import Severity

    result = lint_paths(["examples/ai-etl-broken"], PROJECT)
    first = replace(result.findings[0], suppression=Suppression("inline", "accepted"), extra={"security_severity": 9.5})
    result.findings = [first, replace(first, severity=Severity.NOTE, logical="other", suppression=None, extra={})]
    monkeypatch.setattr(sarif, "MAX_RESULTS", 1)
    text = sarif.render(result, include_suppressed=True, category="k8s")
    assert text.count("\n") == 1 and text.endswith("}\n")
    log = json.loads(text)
    assert list(log) == ["runs", "version", "$schema"]
    run = the_run(log)
    assert list(run) == ["tool", "automationDetails", "columnKind", "invocations", "results"]
    assert list(run["tool"]["driver"]) == ["name", "informationUri", "rules", "semanticVersion", "version"]
    assert list(run["tool"]["driver"]["rules"][0]) == [
        "id", "defaultConfiguration", "fullDescription", "help", "helpUri", "name", "properties", "shortDescription"]
    (kept,) = run["results"]
    assert list(kept) == ["message", "level", "locations", "partialFingerprints", "properties", "ruleId", "ruleIndex", "suppressions"]
    assert list(kept["locations"][0]["physicalLocation"]["region"]) == ["endColumn", "endLine", "startColumn", "startLine"]
    assert kept["properties"] == {"security-severity": "9.5"}
    assert list(run["invocations"][0]) == ["executionSuccessful", "toolExecutionNotifications"]
