"""The pre-commit hooks, run by the real pre-commit.

pre-commit installs the hook from a git repository: the project's build inputs
(as they are in this checkout, committed or not) are copied into a throwaway
repository and committed there. pre-commit then builds deploylint into its own
virtualenv with pip (dependencies from the package index, as for any user).
`try-repo` builds a new virtualenv on every call, so the other cases run
`pre-commit run` with the documented `.pre-commit-config.yaml`, which installs
once into PRE_COMMIT_HOME.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, PROJECT

pytest.importorskip("pre_commit")

BUILD_INPUTS = ("linter", "rules", "schemas", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
}


FRAME_OPTIONS = '    add_header X-Frame-Options "DENY" always;\n'
NGINX_MAIN = f"""\
events {{}}
http {{
    server_tokens off;
{FRAME_OPTIONS}    add_header X-Content-Type-Options "nosniff" always;
    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    include conf.d/*.conf;
}}
"""
NGINX_SITE = """\
server {
    listen 443 ssl;
    server_name app.example.com;
    ssl_certificate /etc/ssl/app.pem;
    ssl_certificate_key /etc/ssl/app.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {
        root /srv/app;
    }
}
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=repo,
                   env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q")
    return path


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(hook repository, user repository, PRE_COMMIT_HOME)."""
    base = tmp_path_factory.mktemp("pre-commit")
    hook_repo = new_repo(base / "deploylint")
    for name in BUILD_INPUTS:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, hook_repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, hook_repo / name)
    git(hook_repo, "add", "-A")
    git(hook_repo, "commit", "-q", "-m", "deploylint")

    user_repo = new_repo(base / "user")
    (user_repo / "k8s").mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "worker-without-memory-limit.yaml", user_repo / "k8s" / "broken.yaml")
    shutil.copy(EXAMPLES / "ai-etl" / "k8s" / "backend.yaml", user_repo / "k8s" / "clean.yaml")
    (user_repo / "README.md").write_text("# services\n", encoding="utf-8")
    (user_repo / ".envrc").write_text("export PASSWORD=changeme\n", encoding="utf-8")
    (user_repo / "supervisord.conf").write_text("[program:app]\ncommand=/srv/app/run\n", encoding="utf-8")
    # Two nginx trees whose conf.d/site.conf is the same fragment; only one
    # includer sends X-Frame-Options for it.
    for tree, includer in (("edge", NGINX_MAIN), ("legacy", NGINX_MAIN.replace(FRAME_OPTIONS, ""))):
        (user_repo / tree / "nginx" / "conf.d").mkdir(parents=True)
        (user_repo / tree / "nginx" / "nginx.conf").write_text(includer, encoding="utf-8")
        (user_repo / tree / "nginx" / "conf.d" / "site.conf").write_text(NGINX_SITE, encoding="utf-8")
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, check=True, capture_output=True, text=True).stdout.strip()
    (user_repo / "k8s" / "fixable.yaml").write_text(FIXABLE, encoding="utf-8")
    hook_ids = ("deploylint", "deploylint-all", "deploylint-fix")
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": hook_id} for hook_id in hook_ids]}]}
    (user_repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(user_repo, "add", "-A")
    return hook_repo, user_repo, base / "cache"


def pre_commit(hooks: tuple[Path, Path, Path], *args: str) -> subprocess.CompletedProcess[str]:
    _, user_repo, home = hooks
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"],
                          cwd=user_repo, env=env, check=False, capture_output=True, text=True, timeout=600)


def try_repo(hooks: tuple[Path, Path, Path], hook_id: str, *args: str) -> subprocess.CompletedProcess[str]:
    return pre_commit(hooks, "try-repo", str(hooks[0]), hook_id, *args)


def run_hook(hooks: tuple[Path, Path, Path], hook_id: str, *args: str) -> subprocess.CompletedProcess[str]:
    return pre_commit(hooks, "run", hook_id, *args)


@pytest.mark.slow
def test_hook_fails_on_a_broken_manifest(hooks: tuple[Path, Path, Path]) -> None:
    done = try_repo(hooks, "deploylint", "--files", "k8s/broken.yaml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "deploylint...." in done.stdout and "Failed" in done.stdout
    assert "k8s/broken.yaml:10:11: error[K8S104] container 'main' in Deployment/worker has no memory limit" in done.stdout


@pytest.mark.slow
def test_hook_passes_on_a_clean_manifest(hooks: tuple[Path, Path, Path]) -> None:
    done = try_repo(hooks, "deploylint", "--files", "k8s/clean.yaml", "supervisord.conf")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout


@pytest.mark.slow
def test_hook_skips_files_it_does_not_select(hooks: tuple[Path, Path, Path]) -> None:
    done = run_hook(hooks, "deploylint", "--files", "README.md", ".envrc")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(no files to check)Skipped" in done.stdout


@pytest.mark.slow
def test_fragment_is_judged_with_its_includer(hooks: tuple[Path, Path, Path]) -> None:
    """pre-commit passes only the changed fragment; its includer on disk decides."""
    provided = run_hook(hooks, "deploylint", "--files", "edge/nginx/conf.d/site.conf")
    assert provided.returncode == 0, provided.stdout + provided.stderr
    missing = run_hook(hooks, "deploylint", "--files", "legacy/nginx/conf.d/site.conf")
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert "legacy/nginx/conf.d/site.conf:1:1: warning[NGX101] server 'app.example.com' sends responses without X-Frame-Options" in missing.stdout


FIXABLE = """\
apiVersion: v1
kind: Pod
metadata: {name: p}  # a pod
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0.0
"""


@pytest.mark.slow
def test_fix_hook_fixes_then_passes(hooks: tuple[Path, Path, Path]) -> None:
    """As ruff's: the hook changes the file and fails; the next run passes."""
    first = run_hook(hooks, "deploylint-fix", "--files", "k8s/fixable.yaml")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    fixed = (hooks[1] / "k8s" / "fixable.yaml").read_text(encoding="utf-8")
    assert fixed == FIXABLE.replace("    - name: app\n", (
        "    - name: app\n      securityContext:\n        capabilities:\n          drop: [ALL]\n        allowPrivilegeEscalation: false\n"
    ))
    second = run_hook(hooks, "deploylint-fix", "--files", "k8s/fixable.yaml")
    assert second.returncode == 0, second.stdout + second.stderr
    assert (hooks[1] / "k8s" / "fixable.yaml").read_text(encoding="utf-8") == fixed


@pytest.mark.slow
def test_whole_repository_hook_ignores_the_file_list(hooks: tuple[Path, Path, Path]) -> None:
    done = run_hook(hooks, "deploylint-all", "--files", "k8s/clean.yaml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "k8s/broken.yaml:10:11: error[K8S104]" in done.stdout


def test_hook_definitions() -> None:
    hooks_file = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks_file}
    assert set(by_id) == {"deploylint", "deploylint-all", "deploylint-fix"}
    single, whole, fix = by_id["deploylint"], by_id["deploylint-all"], by_id["deploylint-fix"]
    assert fix["entry"] == "deploylint --ignore-unknown --fix-only" and fix["files"] == single["files"]
    assert single["language"] == whole["language"] == "python"
    assert single["entry"] == "deploylint --ignore-unknown" and single["types"] == ["text"]
    assert single["require_serial"] and whole["require_serial"]
    assert whole["pass_filenames"] is False and whole["always_run"] is True
    assert all(hook["minimum_pre_commit_version"] for hook in hooks_file)


@pytest.mark.parametrize(
    "path, selected",
    [
        ("k8s/app.yaml", True), ("deploy/app.YML", True), ("manifests/list.json", True),
        ("clickhouse/config.d/limits.xml", True), ("users.xml", True),
        ("nginx.conf", True), ("etc/nginx/conf.d/site.conf", True), ("docker/nginx-proxy/snippets/tls.conf", True),
        ("site.nginx", True), ("etc/nginx/sites-available/default", True), ("proxy/snippets/tls", True),
        ("supervisord.conf", True),  # any *.conf: deploylint reads it and skips what is not nginx or ClickHouse
        (".env", True), ("app/.env", True), (".env.production", True), (".env.example", True), ("config/prod.env", True),
        (".envrc", False), ("app/.envrc", False), ("README.md", False), ("main.py", False),
        ("backup.env.bak", False), ("scripts/env/run.sh", False), ("sites-available.sh", False),
    ],
)
def test_files_pattern(path: str, selected: bool) -> None:
    import re

    hooks_file = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    pattern = re.compile(next(h["files"] for h in hooks_file if h["id"] == "deploylint"))
    assert bool(pattern.search(path)) is selected


@pytest.mark.slow
def test_init_in_an_empty_repository_then_a_passing_pre_commit_run(hooks: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """`deploylint init --baseline` in a new repository with today's problems: the
    hook it writes (pointed at the local hook repository, as the public one is
    not reachable here) passes, because the baseline knows those problems."""
    hook_repo, _, home = hooks
    repo = new_repo(tmp_path / "new")
    (repo / "k8s").mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "worker-without-memory-limit.yaml", repo / "k8s" / "broken.yaml")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PYTHONPATH": str(PROJECT)}
    env.pop("GITHUB_ACTIONS", None)
    init = subprocess.run([sys.executable, "-m", "linter", "init", "--baseline", "--preset", "recommended"], cwd=repo, env=env,
                          check=False, capture_output=True, text=True)
    assert init.returncode == 0, init.stdout + init.stderr
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, check=True, capture_output=True, text=True).stdout.strip()
    config["repos"][0].update(repo=str(hook_repo), rev=rev)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(repo, "add", "-A")
    env.pop("PYTHONPATH")
    done = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"], cwd=repo, env=env,
                          check=False, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "Passed" in done.stdout, done.stdout + done.stderr
    (repo / "k8s" / "second.yaml").write_text((repo / "k8s" / "broken.yaml").read_text().replace("worker", "second"))
    git(repo, "add", "-A")
    again = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"], cwd=repo, env=env,
                           check=False, capture_output=True, text=True, timeout=600)
    assert again.returncode == 1 and "k8s/second.yaml:10:11: error[K8S104]" in again.stdout, again.stdout + again.stderr
