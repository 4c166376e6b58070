"""Suppressions with an end: `until=YYYY-MM-DD` (with `owner=` and `ticket=`)
in comments and annotations. Past its day, or with a date that is not one, a
directive suppresses nothing and is a DL010 finding at the directive."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from cli_helpers import DEPLOYMENT_WITHOUT_LIMIT, run_cli, write

from linter.core.model import Span
from linter.core.suppress import Directive

LIMITS = '            limits: {cpu: "1"}'


def with_comment(comment: str) -> tuple[str, int]:
    """The Deployment (K8S104 at 14:13) with `comment` after its limits line, and the comment's column."""
    assert LIMITS in DEPLOYMENT_WITHOUT_LIMIT
    return DEPLOYMENT_WITHOUT_LIMIT.replace(LIMITS, f"{LIMITS}  {comment}"), len(LIMITS) + 3


def findings(capsys: pytest.CaptureFixture[str], root: Path) -> list[dict[str, object]]:
    code, out, err = run_cli(capsys, root, "--format", "json", "--show-suppressed", "--select", "K8S104,DL", ".")
    assert err == "", err
    return list(json.loads(out)["findings"])


def test_an_expired_suppression_stops_suppressing_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, column = with_comment("# deploylint: ignore[K8S104] until=2020-01-31 owner=@team-a ticket=OPS-412 load test")
    write(tmp_path, "app.yaml", text)
    found = findings(capsys, tmp_path)
    assert [(f["rule"], f["line"], f["column"], "suppressed" in f) for f in found] == [("K8S104", 14, 13, False), ("DL010", 14, column, False)]
    assert found[1]["message"] == ("suppression comment for 'K8S104' no longer applies: it expired after 2020-01-31 "
                                   "(owner @team-a, ticket OPS-412); what it hid is reported again")


def test_a_suppression_holds_until_its_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, _ = with_comment("# deploylint: ignore[K8S104] until=2999-12-31 owner=@team-a load test")
    write(tmp_path, "app.yaml", text)
    (found,) = findings(capsys, tmp_path)
    assert (found["rule"], found["suppressed"]) == ("K8S104", {"kind": "inline", "reason": "load test", "until": "2999-12-31", "owner": "@team-a"})
    directive = Directive("inline", ("K8S104",), "until=2027-01-31 reason", Span.point("a.yaml", 1, 1))
    assert directive.reason == "reason"
    assert directive.lapsed(date(2027, 1, 31)) is None
    assert directive.lapsed(date(2027, 2, 1)) == "it expired after 2027-01-31"


@pytest.mark.parametrize("until", ["2027-13-01", "31.01.2027", "tomorrow", ""])
def test_an_until_that_is_not_a_date_suppresses_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str], until: str) -> None:
    text, column = with_comment(f"# deploylint: ignore[K8S104] until={until} reason")
    write(tmp_path, "app.yaml", text)
    found = findings(capsys, tmp_path)
    assert [(f["rule"], f["line"], f["column"]) for f in found] == [("K8S104", 14, 13), ("DL010", 14, column)]
    assert f"its until='{until}' is not a date (YYYY-MM-DD)" in str(found[1]["message"])


def test_an_expired_unused_suppression_is_one_dl010_not_a_dl002(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "app.yaml", "# deploylint: ignore-file[K8S501] until=2020-06-30 pinned by the release job\n" + DEPLOYMENT_WITHOUT_LIMIT)
    found = findings(capsys, tmp_path)
    assert [(f["rule"], f["line"], f["column"]) for f in found] == [("DL010", 1, 1), ("K8S104", 15, 13)]
    assert str(found[0]["message"]).startswith("suppression file-level comment for 'K8S501' no longer applies")


def test_annotations_expire_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    annotated = DEPLOYMENT_WITHOUT_LIMIT.replace(
        "metadata: {name: backend}\n",
        'metadata:\n  name: backend\n  annotations:\n    deploylint.dev/ignore: "K8S104: until=2021-03-31 ticket=OPS-9 sized later"\n')
    write(tmp_path, "app.yaml", annotated)
    found = findings(capsys, tmp_path)
    assert [(f["rule"], f["line"], f["column"]) for f in found] == [("DL010", 6, 5), ("K8S104", 17, 13)]
    assert "(ticket OPS-9)" in str(found[0]["message"])
    write(tmp_path, "app.yaml", annotated.replace("2021-03-31", "2999-03-31"))
    (kept,) = findings(capsys, tmp_path)
    assert kept["suppressed"] == {"kind": "annotation", "reason": "sized later", "until": "2999-03-31", "ticket": "OPS-9"}


def test_config_ignore_entries_have_an_end_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = ("rules:\n  K8S104:\n    ignore:\n      - legacy/*.yaml\n"
              "      - {path: batch/*.yaml, until: 2020-01-31, owner: '@team-b', reason: sized by the scheduler}\n"
              "      - {path: jobs/*.yaml, until: 2999-01-31, ticket: OPS-7}\n")
    write(tmp_path, ".deploylint.yaml", config)
    for folder in ("legacy", "batch", "jobs"):
        write(tmp_path, f"{folder}/app.yaml", DEPLOYMENT_WITHOUT_LIMIT)
    found = findings(capsys, tmp_path)
    assert [(f["rule"], f["file"], f["line"], f["column"], "suppressed" in f) for f in found] == [
        ("DL010", ".deploylint.yaml", 5, 9, False),
        ("K8S104", "batch/app.yaml", 14, 13, False),
        ("K8S104", "jobs/app.yaml", 14, 13, True),
        ("K8S104", "legacy/app.yaml", 14, 13, True),
    ]
    assert found[0]["message"] == ("config ignore of K8S104 for 'batch/*.yaml' no longer applies: it expired after 2020-01-31 "
                                   "(owner @team-b); what it hid is reported again")
    write(tmp_path, ".deploylint.yaml", config.replace("2999-01-31", "2999-02-30"))
    code, _, err = run_cli(capsys, tmp_path, ".")
    assert code == 2 and ".deploylint.yaml:6: rules.K8S104.ignore.2.until: not a date: 2999-02-30" in err


def test_a_suppression_policy_asks_for_a_reason_and_a_near_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import timedelta

    soon = (date.today() + timedelta(days=30)).isoformat()
    write(tmp_path, ".deploylint.yaml", "suppressions: {require_reason: true, max_days: 90}\n")
    text, column = with_comment("# deploylint: ignore[K8S104]")
    write(tmp_path, "bare.yaml", text)
    write(tmp_path, "far.yaml", with_comment("# deploylint: ignore[K8S104] until=2999-01-01 sized later")[0])
    write(tmp_path, "good.yaml", with_comment(f"# deploylint: ignore[K8S104] until={soon} sized later")[0])
    found = findings(capsys, tmp_path)
    policy = [(f["rule"], f["file"], f["line"], f["column"]) for f in found if f["rule"] == "DL011"]
    assert policy == [("DL011", "bare.yaml", 14, column), ("DL011", "far.yaml", 14, column)]
    bare, far = (str(f["message"]) for f in found if f["rule"] == "DL011")
    assert bare == "suppression comment must give a reason and an until= date (at most 90 days ahead) (config `suppressions:`)"
    assert "at most 90 days ahead (by " in far and "not 2999-01-01)" in far
    assert all("suppressed" in f for f in found if f["rule"] == "K8S104")  # the policy is reported; the findings stay excused
    write(tmp_path, ".deploylint.yaml", "rules: {}\n")
    assert [f["rule"] for f in findings(capsys, tmp_path) if f["rule"] == "DL011"] == []


def test_a_bare_ignore_is_counted_and_reported_under_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, column = with_comment("# deploylint: ignore sized later")
    write(tmp_path, "app.yaml", text)
    code, out, _ = run_cli(capsys, tmp_path, "--select", "K8S104,DL", ".")
    assert out.splitlines() == ["app.yaml:14:13: error[K8S104] container 'api' in Deployment/backend has no memory limit", "",
                                "1 finding (1 error), 0 suppressed, 1 file, 1 bare ignore comment without a rule list (no effect)"]
    write(tmp_path, ".deploylint.yaml", "extends: strict\n")
    found = findings(capsys, tmp_path)
    assert [(f["rule"], f["line"], f["column"]) for f in found] == [("K8S104", 14, 13), ("DL011", 14, column)]
    assert found[1]["message"] == ("suppression comment must give its rule list (`ignore[RULE]`: a bare ignore suppresses nothing) "
                                   "(config `suppressions:`)")
