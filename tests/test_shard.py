"""`--shard I/N` splits the files deterministically, keeps assembled groups
together, and `merge-sarif` of every shard's SARIF equals the unsharded run's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import lint_paths
from test_parallel import corpus  # noqa: F401  (the shared corpus fixture)

from linter.cli import main
from linter.core.discover import Candidate, discover
from linter.core.errors import UsageError
from linter.core.shard import group_key, parse_shard, split_shard, weight
from linter.formats import REGISTRY
from linter.report.sarif_merge import merge_logs


def test_parse_shard() -> None:
    assert parse_shard("1/1") == (1, 1)
    assert parse_shard("3/4") == (3, 4)
    for bad in ("0/4", "5/4", "1/0", "a/b", "2", "1/2/3", "-1/2"):
        with pytest.raises(UsageError, match="--shard"):
            parse_shard(bad)


def shards(candidates: list[Candidate], total: int) -> list[list[str]]:
    return [[c.relpath for c in split_shard(candidates, i, total, REGISTRY)] for i in range(1, total + 1)]


def test_shards_partition_the_files_deterministically(corpus: Path) -> None:  # noqa: F811
    candidates = discover([str(corpus)], corpus, formats=REGISTRY)
    for total in (1, 2, 3, 5):
        split = shards(candidates, total)
        assert [sorted(s) for s in split] == [sorted(s) for s in shards(list(reversed(candidates)), total)]
        flat = [p for s in split for p in s]
        assert sorted(flat) == sorted(c.relpath for c in candidates)
        assert len(flat) == len(set(flat))
        if total == 3:
            assert all(split), "a realistic corpus fills every shard"


def test_shards_are_balanced_by_cost_not_by_count(tmp_path: Path) -> None:
    """One indivisible group (every nginx file) as heavy as the rest: it gets a
    shard of its own instead of its share of the manifests on top."""
    files = {"edge/nginx.conf": "events {}\nhttp { include conf.d/*.conf; }\n"}
    for i in range(8):
        files[f"edge/conf.d/site{i}.conf"] = f"server {{ listen {8000 + i}; server_name s{i}.example.com; }}\n" + "# padding\n" * 400
    for i in range(16):
        files[f"apps/app{i:02}/service.yaml"] = f"apiVersion: v1\nkind: Service\nmetadata: {{name: app{i}}}\n" + "# padding\n" * 100
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    candidates = discover([str(tmp_path)], tmp_path, formats=REGISTRY)
    nginx_shard, other_shard = sorted(shards(candidates, 2), key=lambda s: "edge/nginx.conf" not in s)
    assert sorted(nginx_shard) == sorted(p for p in files if p.startswith("edge/"))
    assert sorted(other_shard) == sorted(p for p in files if p.startswith("apps/"))
    # With four shards the nginx group is still alone and the manifests are dealt evenly.
    split = shards(candidates, 4)
    assert sorted(len(s) for s in split) == [5, 5, 6, 9]
    assert [sorted(s) for s in split if "edge/nginx.conf" in s] == [sorted(p for p in files if p.startswith("edge/"))]


def test_cost_weighs_the_format(tmp_path: Path) -> None:
    (tmp_path / "app.env").write_text("API_URL=https://api.example.com\n" * 50, encoding="utf-8")
    (tmp_path / "app.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: app}\n" * 20, encoding="utf-8")
    by_format = {c.format: [c] for c in discover([str(tmp_path)], tmp_path, formats=REGISTRY)}
    assert weight(by_format["env"], REGISTRY) > weight(by_format["env"]), "an env file costs more per byte than a manifest"
    assert weight(by_format["kubernetes"], REGISTRY) == weight(by_format["kubernetes"])


def test_assembled_groups_stay_together(tmp_path: Path) -> None:
    files = {
        "edge/nginx.conf": "events {}\nhttp { include conf.d/*.conf; }\n",
        "edge/conf.d/a.conf": "server { listen 80; }\n",
        "edge/conf.d/b.conf": "server { listen 81; }\n",
        "db/config.xml": "<clickhouse></clickhouse>\n",
        "db/config.d/a.xml": "<clickhouse></clickhouse>\n",
        "db/users.d/u.xml": "<clickhouse></clickhouse>\n",
        "db/users.xml": "<clickhouse></clickhouse>\n",
        "apps/one.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: one}\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    candidates = discover([str(tmp_path)], tmp_path, formats=REGISTRY)
    keys = {c.relpath: group_key(c, REGISTRY) for c in candidates}
    assert {keys[p] for p in files if p.startswith("edge/")} == {"nginx"}
    assert {keys[p] for p in files if p.startswith("db/")} == {"clickhouse:db"}
    # Plain manifests are deployed by directory: one directory, one group.
    assert keys["apps/one.yaml"] == "manifests:apps"
    for total in (2, 3, 7):
        for split in shards(candidates, total):
            for prefix, size in (("edge/", 3), ("db/", 4)):
                assert len([p for p in split if p.startswith(prefix)]) in (0, size)


def everything(result: Any) -> list[tuple[Any, ...]]:
    return [(f.rule_id, f.span, f.message, f.logical) for f in result.findings]


def test_sharded_findings_equal_the_unsharded_run(corpus: Path) -> None:  # noqa: F811
    whole = lint_paths(["."], corpus, jobs=1)
    parts = [lint_paths(["."], corpus, jobs=1, shard=(i, 3)) for i in (1, 2, 3)]
    merged = sorted((f for p in parts for f in everything(p)), key=lambda t: (t[1].file, t[1].line, t[1].column, t[0], t[2]))
    assert merged == sorted(everything(whole), key=lambda t: (t[1].file, t[1].line, t[1].column, t[0], t[2]))
    assert sorted(f for p in parts for f in p.files) == whole.files


@pytest.mark.parametrize("total", [2, 3])
def test_merged_shard_sarif_equals_unsharded_sarif(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                                   total: int) -> None:
    monkeypatch.chdir(corpus)
    assert main(["--jobs", "1", "--format", "sarif", "-o", str(tmp_path / "all.sarif"), "."]) == 1
    inputs = []
    for i in range(1, total + 1):
        out = tmp_path / f"shard{i}.sarif"
        main(["--shard", f"{i}/{total}", "--format", "sarif", "-o", str(out), "."])
        inputs.append(str(out))
    assert main(["merge-sarif", str(tmp_path / "merged.sarif"), *reversed(inputs)]) == 0
    assert (tmp_path / "merged.sarif").read_text() == (tmp_path / "all.sarif").read_text()


@pytest.mark.parametrize("share", ["half", "all but one"])
def test_merged_shards_over_the_result_cap_equal_the_capped_unsharded_run(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: str) -> None:  # noqa: F811
    """GitHub's per-run cap applies to the merged run as to a single one: the
    same results kept and one notice, whether the shards were capped already
    ("half": some shard alone is over it) or only their union is."""
    from linter.report import sarif

    monkeypatch.chdir(corpus)
    main(["--jobs", "1", "--format", "sarif", "-o", str(tmp_path / "uncapped.sarif"), "."])
    total_results = len(json.loads((tmp_path / "uncapped.sarif").read_text())["runs"][0]["results"])
    cap = total_results // 2 if share == "half" else total_results - 1
    monkeypatch.setattr(sarif, "MAX_RESULTS", cap)
    main(["--jobs", "1", "--format", "sarif", "-o", str(tmp_path / "all.sarif"), "."])
    inputs = []
    for i in (1, 2):
        out = tmp_path / f"shard{i}.sarif"
        main(["--shard", f"{i}/2", "--format", "sarif", "-o", str(out), "."])
        inputs.append(str(out))
    shard_sizes = [len(json.loads(Path(p).read_text())["runs"][0]["results"]) for p in inputs]
    assert (max(shard_sizes) == cap) == (share == "half")
    assert main(["merge-sarif", str(tmp_path / "merged.sarif"), *inputs]) == 0
    merged = json.loads((tmp_path / "merged.sarif").read_text())
    (run,) = merged["runs"]
    assert len(run["results"]) == cap
    (notice,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notice["message"]["text"].startswith(f"{total_results - cap} lower-severity results were left out")
    assert (tmp_path / "merged.sarif").read_text() == (tmp_path / "all.sarif").read_text()


def test_merge_caps_by_level_keeping_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.report import sarif

    a = _log(["A"], [("A", "a.yaml", 1), ("A", "c.yaml", 1)])
    b = _log(["A"], [("A", "b.yaml", 1), ("A", "d.yaml", 1)])
    levels = {"a.yaml": "note", "b.yaml": "error", "c.yaml": None, "d.yaml": "warning"}  # c: the rule's default
    a["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"] = {"level": "error"}
    for result in a["runs"][0]["results"] + b["runs"][0]["results"]:
        level = levels[result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]]
        if level:
            result["level"] = level
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    (run,) = merge_logs([a, b])["runs"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]] == ["b.yaml", "c.yaml", "d.yaml"]
    (notice,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notice["message"]["text"] == "1 lower-severity results were left out: a code scanning run holds at most 3"


def _log(rules: list[str], results: list[tuple[str, str, int]], category: str | None = None) -> dict[str, Any]:
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "deploylint", "rules": [{"id": r} for r in rules]}},
        "results": [{"ruleId": rid, "ruleIndex": rules.index(rid), "message": {"text": rid},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}}]}
                    for rid, uri, line in results],
    }
    if category:
        run["automationDetails"] = {"id": category}
    return {"version": "2.1.0", "runs": [run]}


def test_merge_unions_rules_and_fixes_rule_indexes() -> None:
    a = _log(["K8S104", "K8S401"], [("K8S401", "b.yaml", 3), ("K8S104", "a.yaml", 9)])
    b = _log(["DL001", "K8S104"], [("K8S104", "a.yaml", 2), ("DL001", "c.yaml", 1)])
    merged = merge_logs([a, b])
    (run,) = merged["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["K8S104", "K8S401", "DL001"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]] == [
        ("K8S104", "a.yaml", 2), ("K8S104", "a.yaml", 9), ("K8S401", "b.yaml", 3), ("DL001", "c.yaml", 1)]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    assert a["runs"][0]["results"][0]["ruleIndex"] == 1, "inputs are not modified"


def test_merge_keeps_different_analyses_apart_and_rejects_non_sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    merged = merge_logs([_log(["A"], [("A", "x", 1)], "k8s/"), _log(["A"], [("A", "y", 1)], "nginx/"),
                         _log(["A"], [("A", "z", 1)], "k8s/")])
    assert [(r["automationDetails"]["id"], len(r["results"])) for r in merged["runs"]] == [("k8s/", 2), ("nginx/", 1)]
    bad = tmp_path / "bad.sarif"
    bad.write_text(json.dumps({"version": "2.0.0", "runs": []}))
    assert main(["merge-sarif", str(tmp_path / "out.sarif"), str(bad)]) == 2
    assert "expected '2.1.0'" in capsys.readouterr().err
