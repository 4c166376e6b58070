"""The result cache (`core/result_cache.py`): a warm run's output is the
output of a run without the cache, byte for byte, after each kind of edit a
cached result depends on; unchanged files are not parsed again; a broken or
forged entry is a miss; concurrent runs agree; no secret reaches the cache."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import linter.cli
import linter.core.result_cache
import linter.core.runner
import linter.core.suppress
from linter.cli import _result_cache, main
from linter.core.loader import Loader
from tests.conftest import EXAMPLES, PROJECT

FORMATS = ("text", "json", "sarif")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the clean example stack, with its own user cache directory
    (so its own entry key) and the default cache location in the project."""
    root = tmp_path / "project"
    shutil.copytree(EXAMPLES / "ai-etl", root)
    (root / ".deploylint.yaml").write_text("extends: recommended\n", encoding="utf-8")
    monkeypatch.delenv("DEPLOYLINT_CACHE_DIR", raising=False)
    monkeypatch.delenv("DEPLOYLINT_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(linter.cli, "_result_cache", _result_cache)  # conftest turns it off elsewhere
    monkeypatch.chdir(root)
    yield root


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The display path of every file parsed, in order."""
    seen: list[str] = []
    real = Loader.parse

    def counting(self: Loader, source: object, fmt: str) -> object:
        seen.append(getattr(source, "path", ""))
        return real(self, source, fmt)  # type: ignore[arg-type]

    monkeypatch.setattr(Loader, "parse", counting)
    return seen


def report(root: Path, paths: list[str], fmt: str, *flags: str) -> str:
    out = root.parent / f"out.{fmt}"
    code = main(["check", *paths, "--jobs", "1", "--format", fmt, "-o", str(out), *flags])
    assert code in (0, 1)
    return out.read_text(encoding="utf-8")


def outputs(root: Path, paths: list[str], *flags: str) -> dict[str, str]:
    return {fmt: report(root, paths, fmt, *flags) for fmt in FORMATS}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def assert_warm_equals_cold(root: Path, paths: list[str], change: Callable[[], None], *flags: str) -> None:
    """Warm the cache, make the change, and compare the cached run with a run
    without the cache; the change must change the findings (else the test
    proves nothing)."""
    before = outputs(root, paths, *flags)
    assert outputs(root, paths, *flags) == before  # warm, unchanged
    change()
    warm = outputs(root, paths, *flags)
    cold = outputs(root, paths, "--no-cache", *flags)
    assert warm == cold
    assert warm["json"] != before["json"]


def test_the_broken_example_warm_equals_cold(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every rule fires in it: each finding's fields, suppressions and fixes go through the cache.
    broken = project.parent / "broken"
    shutil.copytree(EXAMPLES / "ai-etl-broken", broken)
    monkeypatch.chdir(broken)
    cold = outputs(broken, ["."], "--no-cache")
    assert outputs(broken, ["."]) == cold  # filling the cache
    assert outputs(broken, ["."]) == cold  # from the cache
    assert outputs(broken, ["."], "--jobs", "2") == cold


def test_editing_a_linted_file(project: Path) -> None:
    assert_warm_equals_cold(project, ["."], lambda: edit(project / "k8s/backend.yaml", 'limits: {memory: "4Gi", cpu: "2000m"}', 'limits: {cpu: "2000m"}'))


def test_editing_an_nginx_include_of_a_file_linted_alone(project: Path) -> None:
    # The snippet is not linted here: it is read as the include of the named file.
    assert_warm_equals_cold(project, ["nginx/conf.d/ai-etl.conf"], lambda: edit(
        project / "nginx/snippets/security-headers.conf", "add_header X-Frame-Options DENY always;\n", ""))


def test_editing_a_clickhouse_base_config(project: Path, parses: list[str]) -> None:
    # An override linted alone (pre-commit) is merged over its base, read from
    # disk: an edit of the base re-lints the override, with what a run without
    # the cache reports.
    before = outputs(project, ["clickhouse/config.d/zookeeper.xml"])
    parses.clear()
    assert outputs(project, ["clickhouse/config.d/zookeeper.xml"]) == before
    assert parses == []
    edit(project / "clickhouse/config.xml", "<tcp_port_secure>9440</tcp_port_secure>", "<tcp_port>9000</tcp_port>")
    warm = outputs(project, ["clickhouse/config.d/zookeeper.xml"])
    assert "clickhouse/config.xml" in parses
    assert warm == outputs(project, ["clickhouse/config.d/zookeeper.xml"], "--no-cache")


def test_editing_a_clickhouse_override(project: Path) -> None:
    # The base linted alone is merged with its overrides, read from disk.
    assert_warm_equals_cold(project, ["clickhouse/users.xml"], lambda: edit(
        project / "clickhouse/users.d/etl.xml", "<clickhouse>\n", '<clickhouse><profiles><default><max_memory_usage remove="remove"/></default></profiles>\n'))


def test_editing_a_kustomize_base(project: Path) -> None:
    # The overlay is linted, its base read from disk: renamed there, the
    # overlay's patch matches nothing.
    assert_warm_equals_cold(project, ["kustomize/overlays/prod"], lambda: edit(
        project / "kustomize/base/worker.yaml", "kind: Deployment\nmetadata:\n  name: etl-worker\n", "kind: Deployment\nmetadata:\n  name: etl-runner\n"))


def test_editing_a_sibling_manifest_read_as_context(project: Path) -> None:
    # The autoscaler lives beside the Deployment: K8S302 reads it from disk.
    deployment, autoscaler, service = (project / "k8s/backend.yaml").read_text(encoding="utf-8").split("\n---\n")
    deployment = deployment.replace("replicas: 3", "replicas: 1")  # K8S302 asks a single replica for an autoscaler
    (project / "k8s/backend.yaml").write_text(deployment + "\n---\n" + service, encoding="utf-8")
    (project / "k8s/backend-hpa.yaml").write_text(autoscaler, encoding="utf-8")
    assert_warm_equals_cold(project, ["k8s/backend.yaml"], lambda: edit(
        project / "k8s/backend-hpa.yaml", "kind: Deployment, name: backend}", "kind: Deployment, name: backend-old}"))


def test_editing_the_config_file(project: Path) -> None:
    assert_warm_equals_cold(project, ["."], lambda: (project / ".deploylint.yaml").write_text(
        "extends: strict\n", encoding="utf-8"))


def test_editing_a_custom_rule(project: Path) -> None:
    shutil.copytree(EXAMPLES / "custom-rules", project / "policy")
    (project / ".deploylint.yaml").write_text("extends: recommended\nrules_dirs: [policy/]\n", encoding="utf-8")
    rule = project / "policy/ORG101-workload-owner-label.yaml"
    assert_warm_equals_cold(project, ["k8s"], lambda: edit(rule, "label app.kubernetes.io/owner {reason}", "owner label {reason}"))


def test_a_new_version_relints(project: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    before = outputs(project, ["."])
    parses.clear()
    assert outputs(project, ["."]) == before
    assert parses == []  # warm: nothing parsed
    monkeypatch.setattr(linter.core.result_cache, "__version__", "99.0.0")
    assert outputs(project, ["."]) == before
    assert "k8s/backend.yaml" in parses


def test_a_warm_run_parses_only_the_changed_group(project: Path, parses: list[str]) -> None:
    report(project, ["."], "json")
    parses.clear()
    report(project, ["."], "json")
    assert parses == []
    with (project / ".env.example").open("a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    parses.clear()
    report(project, ["."], "json")
    assert parses == [".env.example"]


def test_the_cache_directory(project: Path) -> None:
    report(project, ["."], "text")
    cache = project / ".deploylint_cache"
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (cache / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert list(cache.glob("*.json"))
    report(project, ["."], "text", "--no-cache")  # --no-cache neither reads nor writes
    shutil.rmtree(cache)
    report(project, ["."], "text", "--no-cache")
    assert not cache.exists()


def test_a_symlinked_cache_directory_is_not_used(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".deploylint_cache").symlink_to(elsewhere)
    assert outputs(project, ["."]) == outputs(project, ["."], "--no-cache")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("damage", ["truncate", "garbage", "forge", "empty"])
def test_a_broken_or_forged_entry_is_a_miss(project: Path, parses: list[str], damage: str) -> None:
    before = outputs(project, ["."])
    entries = list((project / ".deploylint_cache").glob("*.json"))
    for entry in entries:
        data = entry.read_bytes()
        if damage == "truncate":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            entry.write_bytes(os.urandom(64))
        elif damage == "empty":
            entry.write_bytes(b"")
        else:  # a valid body under an old MAC: findings dropped by hand
            mac, _, body = data.partition(b"\n")
            document = json.loads(body)
            document["findings"] = []
            entry.write_bytes(mac + b"\n" + json.dumps(document).encode())
    parses.clear()
    assert outputs(project, ["."]) == before
    assert "k8s/backend.yaml" in parses


def test_an_entry_from_another_user_is_a_miss(project: Path, parses: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = outputs(project, ["."])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))  # another key
    parses.clear()
    assert outputs(project, ["."]) == before
    assert "k8s/backend.yaml" in parses


def test_a_baseline_applies_to_cached_findings(project: Path) -> None:
    edit(project / "k8s/backend.yaml", 'limits: {memory: "4Gi", cpu: "2000m"}', 'limits: {cpu: "2000m"}')
    assert main(["baseline", "write", str(project / "base.json"), "--no-respect-gitignore", "."]) in (0, 1)
    edit(project / "k8s/frontend.yaml", 'limits: {memory: "512Mi", cpu: "500m"}', 'limits: {cpu: "500m"}')
    flags = ("--baseline", str(project / "base.json"))
    warm_before = outputs(project, ["."], *flags)
    assert outputs(project, ["."], *flags) == warm_before == outputs(project, ["."], "--no-cache", *flags)
    assert "frontend" in warm_before["text"] and "k8s/backend.yaml" not in warm_before["text"]


def test_no_secret_reaches_the_cache(project: Path) -> None:
    openai = "sk-proj-" + "Q7vWm2Lk9Rt4Yp1Xs8Dn3Bc6Hf0Jg5Ka2Ze7Uv4Nq9Wr1Ty3Io"
    password = "Sup3r-Secret-Passw0rd"
    (project / ".env").write_text(f"OPENAI_API_KEY={openai}\nDATABASE_URL=postgresql://app:{password}@db/app\n", encoding="utf-8")
    users = project / "clickhouse/users.d/etl.xml"
    users.write_text(f"<clickhouse><users><etl><password>{password}</password></etl></users></clickhouse>\n", encoding="utf-8")
    shown = outputs(project, ["."])
    assert "ENV" in shown["text"] and "CH202" in shown["text"]
    hashed = hashlib.sha256(password.encode()).hexdigest()
    stored = b"".join(p.read_bytes() for p in (project / ".deploylint_cache").iterdir())
    assert b"CH202" in stored and b"ENV" in stored  # the groups are kept, redacted
    for secret in (openai, password, hashed, openai[8:30]):
        assert secret.encode() not in stored
    assert outputs(project, ["."]) == shown


def test_concurrent_runs_agree(project: Path) -> None:
    expected = report(project, ["."], "json", "--no-cache")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    argv = [sys.executable, "-m", "linter", "check", ".", "--jobs", "2", "--format", "json"]
    runs = [subprocess.Popen(argv, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [run.communicate(timeout=300) for run in runs]
    for out, err in results:
        assert out.decode() == expected, err.decode()
    assert report(project, ["."], "json") == expected
    assert not [p for p in (project / ".deploylint_cache").iterdir() if p.name.endswith(".tmp")]


def test_the_cache_is_bounded(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linter.core.result_cache, "MAX_BYTES", 0)
    report(project, ["."], "text")
    assert list((project / ".deploylint_cache").glob("*.json")) == []


def test_a_dated_suppression_holds_for_its_day(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(project / "k8s/backend.yaml", 'limits: {memory: "4Gi", cpu: "2000m"}',
         'limits: {cpu: "2000m"}  # deploylint: ignore[K8S104] until=2031-01-31 sized by the load test')
    before = outputs(project, ["."])
    assert "DL010" not in before["text"]

    class Later(datetime.date):
        @classmethod
        def today(cls) -> Later:
            return cls(2031, 2, 1)

    monkeypatch.setattr(linter.core.runner, "date", Later)
    monkeypatch.setattr(linter.core.suppress, "date", Later)
    warm = outputs(project, ["."])
    assert "DL010" in warm["text"] and "K8S104" in warm["text"]
    assert warm == outputs(project, ["."], "--no-cache")


def test_a_run_from_a_parent_folder_depends_on_its_repository_only(project: Path, parses: list[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # `cd ~ && deploylint work/app`: the scan root is the parent folder, but
    # the walks (build roots, the names the cache depends on) stay in the
    # repository, so a file appearing beside it (the report itself, written
    # into the parent folder) is no reason to lint again.
    (project / ".git").mkdir()
    parent = project.parent
    monkeypatch.chdir(parent)
    cold = report(project, ["project/k8s"], "json", "--no-cache")
    assert report(project, ["project/k8s"], "json") == cold  # filling the cache
    (parent / "downloads").mkdir()
    (parent / "downloads" / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    parses.clear()
    assert report(project, ["project/k8s"], "json") == cold
    assert parses == []
    # Inside the repository a new file still counts: it may be a build root.
    (project / "k8s" / "extra.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n", encoding="utf-8")
    assert report(project, ["project/k8s"], "json") == report(project, ["project/k8s"], "json", "--no-cache")
    assert parses != []


def test_the_project_directory_of_a_run(tmp_path: Path) -> None:
    from linter.core.repository import project_directory

    repo = tmp_path / "work" / "app"
    (repo / ".git").mkdir(parents=True)
    (repo / "k8s" / "base").mkdir(parents=True)
    (tmp_path / "loose" / "k8s").mkdir(parents=True)
    assert project_directory([str(repo / "k8s" / "base")], tmp_path, None) == repo
    assert project_directory([str(repo / "k8s"), str(repo / "README.md")], tmp_path, None) == repo
    assert project_directory([str(tmp_path / "loose" / "k8s")], tmp_path, None) == tmp_path  # no repository: the scan root
    assert project_directory([str(tmp_path / "loose" / "k8s")], tmp_path, tmp_path / "loose" / ".deploylint.yaml") == tmp_path / "loose"
    assert project_directory([str(repo / "k8s")], repo / "k8s", None) == repo / "k8s"  # never above the scan root
