"""Baselines: write today's findings, then report only new ones; fingerprints
survive unrelated edits and never hold line numbers or values."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write

# The same container again under another name: a new finding, nothing else.
SECOND_CONTAINER = DEPLOYMENT_WITHOUT_LIMIT[DEPLOYMENT_WITHOUT_LIMIT.index("        - name: api"):].replace("name: api", "name: worker")


def test_baseline_round_trip_survives_lines_inserted_above(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "k8s/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    code, out, _ = run_cli(capsys, project, "baseline", "write", "baseline.json", "k8s")
    assert (code, out) == (0, "baseline.json: recorded 1 finding(s) in 1 file(s)\n")
    document = json.loads((project / "baseline.json").read_text())
    [(fingerprint, entry)] = document["findings"].items()
    assert entry == {"rule": "K8S104", "file": "k8s/app.yaml", "count": 1, "added": date.today().isoformat()}
    assert "line" not in json.dumps(document) and "memory limit" not in json.dumps(document)

    code, out, _ = run_cli(capsys, project, "k8s", "--baseline", "baseline.json")
    assert (code, out) == (0, "0 findings, 1 suppressed, 1 file\n")

    # Unrelated edits above the finding move it by three lines: still known.
    write(project, "k8s/app.yaml", "# owned by team-platform\n# see runbook\n\n" + DEPLOYMENT_WITHOUT_LIMIT)
    code, out, _ = run_cli(capsys, project, "k8s", "--baseline", "baseline.json", "--show-suppressed", "--format", "json")
    [finding] = json.loads(out)["findings"]
    assert (finding["line"], finding["fingerprint"], finding["suppressed"]) == (17, fingerprint, {"kind": "baseline", "reason": "in baseline baseline.json"})

    # A new problem is reported; the known one stays suppressed.
    write(project, "k8s/app.yaml", DEPLOYMENT_WITHOUT_LIMIT + SECOND_CONTAINER)
    code, out, _ = run_cli(capsys, project, "k8s", "--baseline", "baseline.json")
    assert (code, out) == (1, ("k8s/app.yaml:26:13: error[K8S104] container 'worker' in Deployment/backend has no memory limit\n\n"
                               "1 finding (1 error), 1 suppressed, 1 file\n"))


def test_each_baseline_entry_covers_as_many_findings_as_it_counted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = DEPLOYMENT_WITHOUT_LIMIT
    write(project, "app.yaml", one + "---\n" + one)  # the same object twice: one fingerprint, count 2
    run_cli(capsys, project, "baseline", "write", "b.json", "app.yaml")
    assert [e["count"] for e in json.loads((project / "b.json").read_text())["findings"].values()] == [2]
    write(project, "app.yaml", one + "---\n" + one + "---\n" + one)
    code, out, _ = run_cli(capsys, project, "app.yaml", "--baseline", "b.json")
    assert out.endswith("1 finding (1 error), 2 suppressed, 1 file\n") and code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "deploylint: error: b.json: baseline file not found (create it with `deploylint baseline write b.json`)\n"),
        ("[]", "deploylint: error: b.json: not a deploylint baseline (version 1 with a `findings` mapping)\n"),
        ('{"version": 1, "findings": {"x": {"count": 0}}}', "deploylint: error: b.json: findings.x.count: expected a positive integer\n"),
    ],
)
def test_bad_baseline_files_are_usage_errors(project: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str) -> None:
    write(project, "app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    if content is not None:
        write(project, "b.json", content)
    assert run_cli(capsys, project, "app.yaml", "--baseline", "b.json")[::2] == (2, message)


def test_baseline_entries_expire_and_keep_the_day_they_were_added(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "k8s/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    assert run_cli(capsys, project, "baseline", "write", "baseline.json", "--until", "2999-12-31", "k8s")[0] == 0
    document = json.loads((project / "baseline.json").read_text())
    [(fingerprint, entry)] = document["findings"].items()
    assert entry["until"] == "2999-12-31"
    assert run_cli(capsys, project, "k8s", "--baseline", "baseline.json")[:2] == (0, "0 findings, 1 suppressed, 1 file\n")

    # An entry added long ago and past its day: the finding is back, and DL010 points at the entry.
    entry.update(added="2019-05-01", until="2020-01-31")
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    (project / "baseline.json").write_text(text)
    code, out, _ = run_cli(capsys, project, "k8s", "--baseline", "baseline.json", "--format", "json")
    found = json.loads(out)["findings"]
    line = text[: text.index(f'"{fingerprint}"')].count("\n") + 1
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in found] == [("DL010", "baseline.json", line, 5), ("K8S104", "k8s/app.yaml", 14, 13)]
    assert found[0]["message"] == "baseline entry for K8S104 in k8s/app.yaml no longer applies: it expired after 2020-01-31; what it hid is reported again"
    assert code == 1

    # Written again, the entry keeps its `added` day (and its `until` unless a new one is given).
    assert run_cli(capsys, project, "baseline", "write", "baseline.json", "k8s")[0] == 0
    rewritten = json.loads((project / "baseline.json").read_text())["findings"][fingerprint]
    assert (rewritten["added"], rewritten["until"]) == ("2019-05-01", "2020-01-31")


@pytest.mark.parametrize("until", ["2027-02-30", "soon", 20270131])
def test_a_baseline_until_that_is_not_a_date_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str], until: object) -> None:
    write(project, "k8s/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    run_cli(capsys, project, "baseline", "write", "baseline.json", "k8s")
    document = json.loads((project / "baseline.json").read_text())
    next(iter(document["findings"].values()))["until"] = until
    (project / "baseline.json").write_text(json.dumps(document))
    code, _, err = run_cli(capsys, project, "k8s", "--baseline", "baseline.json")
    assert code == 2 and ".until: expected a date (YYYY-MM-DD), got " in err


def test_prune_drops_entries_of_fixed_findings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "k8s/app.yaml", DEPLOYMENT_WITHOUT_LIMIT + SECOND_CONTAINER)
    run_cli(capsys, project, "baseline", "write", "baseline.json", "--until", "2999-01-01", "k8s")
    before = json.loads((project / "baseline.json").read_text())["findings"]
    assert len(before) == 2
    # The worker container gets its memory limit: its entry has nothing left to match.
    fixed = SECOND_CONTAINER.replace('limits: {cpu: "1"}', 'limits: {cpu: "1", memory: 1Gi}')
    write(project, "k8s/app.yaml", DEPLOYMENT_WITHOUT_LIMIT + fixed)
    code, out, _ = run_cli(capsys, project, "baseline", "prune", "baseline.json", "k8s")
    assert (code, out) == (0, "baseline.json: dropped 1 entry no finding matches, kept 1\n")
    after = json.loads((project / "baseline.json").read_text())["findings"]
    [(key, entry)] = after.items()
    assert entry == before[key] and entry["file"] == "k8s/app.yaml" and entry["until"] == "2999-01-01"
    assert run_cli(capsys, project, "k8s", "--baseline", "baseline.json")[:2] == (0, "0 findings, 1 suppressed, 1 file\n")
