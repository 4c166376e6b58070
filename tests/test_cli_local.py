"""Local use: no-argument runs, `--diff-only` / `--changed-since` on a real git
repository, and colour only where a person reads it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT

from linter.cli import main

WORKER = (Path(__file__).parent / "fixtures" / "worker-without-memory-limit.yaml").read_text(encoding="utf-8")


def broken(name: str) -> str:
    """A Deployment `name` whose container has no memory limit (K8S104 at 10:11)."""
    return WORKER.replace("worker", name)


def fixed(name: str) -> str:
    return broken(name) + "            limits: {memory: 256Mi}\n"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main",
                           "-c", "commit.gpgsign=false", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")


def commit(repo: Path, files: dict[str, str], message: str) -> None:
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose first commit holds one old broken manifest and one fixed one."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    commit(root, {"k8s/old.yaml": broken("old"), "k8s/api.yaml": fixed("api"), "README.md": "# demo\n"}, "initial")
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return root


def files_with_findings(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, list[str]]:
    code = main(["--select", "K8S104", "--no-color", *args])
    lines = capsys.readouterr().out.splitlines()
    return code, sorted({line.split(":")[0] for line in lines if ": error[K8S104] " in line})


def test_no_arguments_lints_the_current_directory(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert files_with_findings(capsys, []) == (1, ["k8s/old.yaml"])


def test_diff_only_without_upstream_lints_uncommitted_and_untracked(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, {"k8s/api.yaml": broken("api"), "k8s/new.yaml": broken("new"), "README.md": "# changed\n"})
    assert files_with_findings(capsys, ["--diff-only"]) == (1, ["k8s/api.yaml", "k8s/new.yaml"])
    git(repo, "add", "k8s/new.yaml")  # staged counts too
    assert files_with_findings(capsys, ["--diff-only"]) == (1, ["k8s/api.yaml", "k8s/new.yaml"])


def test_diff_only_with_a_file_name_that_is_not_utf8(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "k8s").joinpath(os.fsdecode(b"new\xff.yaml")).write_text(broken("new"), encoding="utf-8")
    assert files_with_findings(capsys, ["--diff-only"]) == (1, ["k8s/new\\xff.yaml"])


def test_diff_only_with_nothing_changed_is_clean(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "k8s" / "old.yaml").unlink()  # a deletion leaves nothing to lint
    code = main(["--diff-only", "--no-color"])
    assert code == 0
    assert capsys.readouterr().out.splitlines() == ["0 findings, 0 suppressed, 0 files"]


def test_diff_only_compares_with_the_upstream_merge_base(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "branch", "-q", "--set-upstream-to=main")
    commit(repo, {"k8s/feature.yaml": broken("feature")}, "feature work, not pushed yet")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"k8s/upstream.yaml": broken("upstream")}, "someone else's change upstream")
    git(repo, "checkout", "-q", "feature")
    write(repo, {"k8s/wip.yaml": broken("wip")})
    assert files_with_findings(capsys, ["--diff-only"]) == (1, ["k8s/feature.yaml", "k8s/wip.yaml"])


def test_changed_since_a_ref(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "tag", "v1")
    commit(repo, {"k8s/api.yaml": broken("api")}, "regress api")
    assert files_with_findings(capsys, ["--changed-since", "v1"]) == (1, ["k8s/api.yaml"])
    assert files_with_findings(capsys, ["--changed-since", "HEAD"]) == (0, [])


def test_changed_files_are_restricted_to_the_given_paths(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, {"k8s/api.yaml": broken("api"), "other/new.yaml": broken("new")})
    assert files_with_findings(capsys, ["--diff-only", "other"]) == (1, ["other/new.yaml"])
    os.chdir(repo / "k8s")  # from a subfolder: its changes only, shown relative to it
    assert files_with_findings(capsys, ["--diff-only"]) == (1, ["api.yaml"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--changed-since", "no-such-ref"], "deploylint: error: --changed-since: 'no-such-ref' is not a commit in this repository"),
        (["--diff-only", "--changed-since", "HEAD"], "deploylint: error: --diff-only and --changed-since are alternatives: give one"),
    ],
)
def test_git_usage_errors(repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err.splitlines() == [message]


def test_diff_only_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert main(["--diff-only"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("deploylint: error: ") and "not inside a git repository" in err and len(err.splitlines()) == 1


def run_on_tty(cwd: Path, args: list[str], env: dict[str, str]) -> str:
    """Run deploylint with stdout on a pseudo-terminal, as a person would."""
    import pty

    primary, secondary = pty.openpty()
    inherited = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    full_env = {**inherited, "PYTHONPATH": str(PROJECT), **env}
    proc = subprocess.Popen([sys.executable, "-m", "linter", *args], cwd=cwd, stdout=secondary, stderr=subprocess.DEVNULL, env=full_env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(primary)
    return b"".join(chunks).decode()


@pytest.mark.parametrize(
    "args, env, coloured",
    [
        ([], {}, True),
        ([], {"NO_COLOR": "1"}, False),
        ([], {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
        (["--no-color"], {}, False),
        (["--color"], {"NO_COLOR": "1"}, True),
    ],
)
def test_colour_on_a_terminal(repo: Path, args: list[str], env: dict[str, str], coloured: bool) -> None:
    out = run_on_tty(repo, ["--select", "K8S104", *args], env)
    assert "k8s/old.yaml:10:11:" in out
    assert ("\x1b[" in out) is coloured


def test_no_colour_when_piped(repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    main(["--select", "K8S104"])
    out = capsys.readouterr().out
    assert "k8s/old.yaml:10:11:" in out and "\x1b[" not in out
    main(["--select", "K8S104", "--color"])
    assert "\x1b[31merror[K8S104]" in capsys.readouterr().out


def test_diff_only_without_upstream_compares_with_the_default_branch(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "checkout", "-q", "-b", "feature")  # never pushed: no upstream
    commit(repo, {"k8s/feature.yaml": broken("feature")}, "committed feature work")
    assert files_with_findings(capsys, ["--diff-only"]) == (1, ["k8s/feature.yaml"])


def test_a_run_that_lints_nothing_says_why(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--diff-only", "--no-color"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "0 findings, 0 suppressed, 0 files\n"
    assert captured.err.endswith("deploylint: warning: nothing was linted: no changed file of a format deploylint reads "
                                 "(--diff-only / --changed-since)\n")
    assert captured.err.startswith("deploylint: --diff-only: files changed since ")  # which base was used
    assert main(["README.md", "--ignore-unknown"]) == 0
    assert "deploylint: warning: nothing was linted: no file there is of a format deploylint reads" in capsys.readouterr().err


def test_directory_walks_honour_gitignore(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, {".gitignore": "generated/\n*.rendered.yaml\n", "generated/app.yaml": broken("gen"),
                 "k8s/out.rendered.yaml": broken("rendered"), "k8s/new.yaml": broken("new")})
    assert files_with_findings(capsys, []) == (1, ["k8s/new.yaml", "k8s/old.yaml"])
    assert files_with_findings(capsys, ["--no-respect-gitignore"]) == (1, ["generated/app.yaml", "k8s/new.yaml", "k8s/old.yaml", "k8s/out.rendered.yaml"])
    # Named on the command line, an ignored file or directory is linted all the same.
    assert files_with_findings(capsys, ["k8s/out.rendered.yaml", "generated"]) == (1, ["generated/app.yaml", "k8s/out.rendered.yaml"])
    # A tracked file stays linted whatever .gitignore says, as in git.
    write(repo, {".gitignore": "generated/\n*.rendered.yaml\nold.yaml\n"})
    assert "k8s/old.yaml" in files_with_findings(capsys, [])[1]


def diff_only(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["--select", "K8S104", "--no-color", "--diff-only"])
    captured = capsys.readouterr()
    files = sorted({line.split(":")[0] for line in captured.out.splitlines() if ": error[K8S104] " in line})
    return code, files, captured.err


def test_diff_only_on_a_new_branch_uses_the_merge_base_with_main(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "checkout", "-q", "-b", "topic")
    commit(repo, {"k8s/topic.yaml": broken("topic")}, "topic work, never pushed")
    base = git(repo, "rev-parse", "main").strip()
    code, files, err = diff_only(capsys)
    assert (code, files) == (1, ["k8s/topic.yaml"])
    assert err == f"deploylint: --diff-only: files changed since the merge base with default branch main ({base[:12]})\n"


def test_diff_only_prefers_origin_head_then_master(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = git(repo, "rev-parse", "HEAD").strip()
    commit(repo, {"k8s/later.yaml": broken("later")}, "on the remote's default branch")
    git(repo, "update-ref", "refs/remotes/origin/trunk", "HEAD")
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    git(repo, "checkout", "-q", "-b", "topic")
    git(repo, "branch", "-q", "-f", "main", first)  # a stale local main must not win over origin/HEAD
    commit(repo, {"k8s/topic.yaml": broken("topic")}, "topic")
    code, files, err = diff_only(capsys)
    assert (code, files) == (1, ["k8s/topic.yaml"])
    assert "the merge base with default branch origin/HEAD" in err
    git(repo, "symbolic-ref", "--delete", "refs/remotes/origin/HEAD")
    git(repo, "branch", "-q", "-m", "main", "master")
    code, files, err = diff_only(capsys)
    assert (code, files) == (1, ["k8s/later.yaml", "k8s/topic.yaml"])
    assert "the merge base with default branch master" in err


def test_diff_only_with_no_base_lints_the_working_tree_changes_and_says_so(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "branch", "-q", "-m", "main", "trunk")
    write(repo, {"k8s/wip.yaml": broken("wip")})
    code, files, err = diff_only(capsys)
    assert (code, files) == (1, ["k8s/wip.yaml"])
    assert err == ("deploylint: --diff-only: files changed since HEAD: no upstream and no default branch "
                   "(origin/HEAD, main, master), so the working tree's changes\n")
