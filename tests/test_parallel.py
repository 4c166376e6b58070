"""`--jobs N`: worker processes give exactly the serial run's result, keep
cross-file context (another partition's HPA), and report worker failures."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT, lint_paths

from linter.cli import main
from linter.core import parallel
from linter.core.discover import discover
from linter.core.run_types import RunResult
from linter.core.shard import partition, weight
from linter.report.progress import ProgressBar

sys.path.insert(0, str(PROJECT / "bench"))
import make_corpus

from linter.formats import REGISTRY


def available(fmt: str) -> bool:
    return fmt in REGISTRY


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small realistic corpus of every format this checkout can parse."""
    out = tmp_path_factory.mktemp("corpus") / "repo"
    counts = {"k8s": 120, "nginx": 12, "clickhouse": 10, "env": 9}
    make_corpus.generate(out, {k: (v if available({"k8s": "kubernetes"}.get(k, k)) else 0) for k, v in counts.items()}, seed=7)
    return out


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start workers even for a small test corpus."""
    monkeypatch.setattr(parallel, "WORK_PER_WORKER", 0)


def everything(result: RunResult) -> list[tuple[Any, ...]]:
    return [(f.rule_id, f.span, f.message, f.logical, f.severity, f.suppressed) for f in result.findings]


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_run_equals_serial_run(corpus: Path, always_parallel: None, jobs: int) -> None:
    serial = lint_paths(["."], corpus, jobs=1)
    parallel_result = lint_paths(["."], corpus, jobs=jobs)
    assert serial.findings, "the corpus should produce findings"
    assert everything(parallel_result) == everything(serial)
    assert parallel_result.files == serial.files
    assert parallel_result.formats == serial.formats
    assert parallel_result.unparsable == serial.unparsable


@pytest.mark.parametrize("tree", ["corpus", "examples", "tests/fixtures/helm", "tests/fixtures/kustomize"])
def test_linting_group_by_group_equals_one_pipeline_over_every_file(corpus: Path, tree: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # A run lints group by group, dropping each group's trees (flat memory);
    # that must be the answer of one pipeline holding every file at once.
    import linter.core.runner as runner

    root = corpus if tree == "corpus" else PROJECT / tree
    grouped = lint_paths(["."], root, jobs=1)
    monkeypatch.setattr(runner, "_lint_grouped", lambda candidates, settings, cache, walked: runner._pipeline(
        candidates, settings, with_stdin=False, walked=walked).result)
    at_once = lint_paths(["."], root, jobs=1)
    assert grouped.findings, "the tree should produce findings"
    assert everything(grouped) == everything(at_once)
    assert (grouped.files, grouped.formats, grouped.unparsable) == (at_once.files, at_once.formats, at_once.unparsable)


def test_cli_output_is_identical_with_workers(corpus: Path, always_parallel: None, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(corpus)
    outputs = []
    for jobs in ("1", "2"):
        for fmt in ("json", "sarif", "text"):
            code = main(["--jobs", jobs, "--format", fmt, "."])
            outputs.append((jobs, fmt, code, capsys.readouterr().out))
    serial = [o[1:] for o in outputs if o[0] == "1"]
    workers = [o[1:] for o in outputs if o[0] == "2"]
    assert serial == workers
    assert json.loads(serial[0][2])["summary"]["files"] > 50


def test_small_runs_stay_in_process(corpus: Path) -> None:
    candidates = discover([str(corpus / "k8s")], corpus, formats=REGISTRY)
    assert parallel.effective_jobs(4, candidates[:3]) == 1
    assert parallel.effective_jobs(1, candidates) == 1
    many = discover([str(corpus)], corpus, formats=REGISTRY) * 40  # enough bytes to be worth workers
    assert parallel.effective_jobs(2, many) == 2
    assert parallel.effective_jobs(0, many) == min(parallel.cpu_count(), len(many))
    enough = weight(many) // parallel.WORK_PER_WORKER
    assert parallel.effective_jobs(64, many) == enough < 64, "no more workers than the work fills"


def test_partitions_are_balanced_deterministic_and_keep_groups(corpus: Path) -> None:
    candidates = discover([str(corpus)], corpus, formats=REGISTRY)
    parts = partition(candidates, 3, REGISTRY)
    assert parts == partition(list(candidates), 3, REGISTRY)
    assert sorted(c.relpath for p in parts for c in p) == sorted(c.relpath for c in candidates)
    nginx_owners = {i for i, part in enumerate(parts) for c in part if c.format == "nginx"}
    assert len(nginx_owners) == 1, "every nginx file in one partition"
    installations: dict[str, set[int]] = {}
    for i, part in enumerate(parts):
        for c in part:
            if c.format == "clickhouse":
                installations.setdefault(c.relpath.split("/")[1], set()).add(i)
    assert len(installations) > 1 and all(len(o) == 1 for o in installations.values()), installations
    sizes = [sum(Path(c.abspath).stat().st_size for c in p) for p in parts]
    assert max(sizes) < 1.5 * min(sizes)


HPA_ELSEWHERE = """# the Deployment's autoscaler lives in another file
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 3
  maxReplicas: 6
---
kind: Service
apiVersion: v1
metadata: {name: api}
"""


def test_worker_usage_error_reaches_the_user(tmp_path: Path, always_parallel: None, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".deploylint.yaml").write_text("rules:\n  NGX105: {params: {mode: maybe}}\n", encoding="utf-8")
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n", encoding="utf-8")
    (tmp_path / "nginx.conf").write_text('http {\n    add_header X-XSS-Protection "0";\n}\n', encoding="utf-8")
    assert main(["--jobs", "2", "a.yaml", "nginx.conf"]) == 2  # the check refuses the mode in a worker
    assert "'deprecated' or 'required'" in capsys.readouterr().err


def test_worker_crash_is_an_internal_error(corpus: Path, always_parallel: None, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import linter.core.runner

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom in a worker")

    monkeypatch.setattr(linter.core.runner, "assemble", boom)
    monkeypatch.chdir(corpus)
    assert main(["--jobs", "2", "k8s"]) == 3
    assert "internal error" in capsys.readouterr().err


def test_progress_goes_to_stderr_only(corpus: Path, always_parallel: None, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(corpus)
    main(["--jobs", "2", "--format", "json", "k8s"])
    plain = capsys.readouterr()
    main(["--jobs", "2", "--format", "json", "--progress", "k8s"])
    with_bar = capsys.readouterr()
    assert with_bar.out == plain.out
    assert "files parsed" in with_bar.err and "files parsed" not in plain.err
    last = with_bar.err.strip().splitlines()[-1]
    assert "[" + "#" * 28 + "]" in last and "120/120 files parsed" in last


def test_progress_bar_is_silent_for_quick_runs_unless_asked() -> None:
    quiet, loud = io.StringIO(), io.StringIO()
    for bar in (ProgressBar(quiet), ProgressBar(loud, forced=True)):
        bar("files", 10)
        for _ in range(10):
            bar("parsed", 1)
        bar("units", 10)
        for _ in range(10):
            bar("checked", 1)
        bar.close()
    assert quiet.getvalue() == ""
    lines = loud.getvalue().splitlines()
    assert lines[0].startswith("deploylint [....") and "10/10 files parsed, 10/10 units checked" in lines[-1]
    assert len(lines) == 11  # one line per tenth of the way (not a terminal)


SINGLE_REPLICA = """apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  template:
    spec:
      containers: [{name: api, image: "registry.example.com/api:1.0.0"}]
"""


def test_cross_file_autoscaler_is_seen_across_workers_and_shards(tmp_path: Path, always_parallel: None) -> None:
    (tmp_path / "a.yaml").write_text(SINGLE_REPLICA, encoding="utf-8")
    alone = lint_paths(["."], tmp_path, select=["K8S302"], jobs=1)
    assert [(f.rule_id, f.span.file) for f in alone.shown] == [("K8S302", "a.yaml")]
    (tmp_path / "autoscaler.yaml").write_text(HPA_ELSEWHERE, encoding="utf-8")
    candidates = discover([str(tmp_path)], tmp_path, formats=REGISTRY)
    # One directory is one deployment: its files are linted by one worker and one shard.
    assert sorted(len(p) for p in partition(candidates, 2, REGISTRY)) == [0, 2]
    for settings in ({"jobs": 1}, {"jobs": 2}, {"jobs": 1, "shard": (1, 2)}, {"jobs": 1, "shard": (2, 2)}):
        result = lint_paths(["."], tmp_path, select=["K8S302"], **settings)
        assert result.shown == [], settings


def test_spawned_workers_give_the_same_result(corpus: Path, always_parallel: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and Windows start workers with spawn (nothing inherited): settings,
    rules and candidates must travel by pickle and give the same findings."""
    monkeypatch.setattr(parallel, "_start_method", lambda: "spawn")
    serial = lint_paths(["k8s"], corpus, jobs=1)
    spawned = lint_paths(["k8s"], corpus, jobs=2)
    assert serial.findings and everything(spawned) == everything(serial)


SHARED_INCLUDE_TREES = {
    "site-a/nginx.conf": "events {}\nhttp {\n    server_tokens off;\n    include ../shared/*.conf;\n    include conf.d/*.conf;\n}\n",
    "site-a/conf.d/app.conf": "server {\n    listen 80;\n    return 301 https://$host$request_uri;\n}\n",
    "shared/ssl.conf": "ssl_protocols TLSv1 TLSv1.2;\nadd_header X-Frame-Options DENY;\n",
    "site-b/nginx.conf": "events {}\nhttp {\n    include ../shared/ssl.conf;\n    server { listen 80; return 404; }\n}\n",
}


def test_nginx_trees_sharing_an_include_report_it_once(tmp_path: Path, always_parallel: None) -> None:
    """The first tree that includes a shared file reports it: splitting the
    trees between workers or shards must not report it again."""
    for rel, text in SHARED_INCLUDE_TREES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    serial = lint_paths(["."], tmp_path, select=["NGX"], jobs=1)
    shared = [(f.rule_id, f.span.line) for f in serial.findings if f.span.file == "shared/ssl.conf"]
    assert shared == [("NGX201", 1), ("NGX107", 2)]
    for jobs in (2, 3):
        assert everything(lint_paths(["."], tmp_path, select=["NGX"], jobs=jobs)) == everything(serial)
    sharded = [f for i in (1, 2, 3) for f in lint_paths(["."], tmp_path, select=["NGX"], jobs=1, shard=(i, 3)).findings]
    assert sorted(map(str, sharded)) == sorted(map(str, serial.findings))
