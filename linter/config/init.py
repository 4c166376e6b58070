"""`deploylint init`: the files a repository adopting deploylint starts with.

A `.deploylint.yaml` naming a preset, with the `yaml-language-server` modeline
so editors complete and validate it against the config schema, and a
pre-commit configuration running the hook. Nothing that exists is replaced
unless the caller says `force`; a pre-commit config that exists is left alone
and the snippet to add is returned instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from linter import __version__
from linter.core.errors import UsageError
from linter.core.resources import schemas_dir

CONFIG_NAME = ".deploylint.yaml"
PRECOMMIT_NAME = ".pre-commit-config.yaml"
HOOK_REPOSITORY = "https://github.com/deploylint/deploylint"


def schema_url() -> str:
    """Where editors fetch the config schema: the schema's own `$id`."""
    return str(json.loads((schemas_dir() / "config.schema.json").read_text(encoding="utf-8"))["$id"])


def config_text(preset: str, baseline: str | None) -> str:
    lines = [
        f"# yaml-language-server: $schema={schema_url()}",
        "# deploylint configuration; `deploylint config show` prints what applies to a path.",
        f"extends: {preset}",
        "# fail_on: warning                 # lowest severity that fails a run (default: note)",
        '# exclude: ["charts/**"]           # paths never linted',
        "# rules:",
        "#   K8S404: disable",
        "#   K8S301: {params: {min_replicas: 4}}",
    ]
    if baseline:
        lines.append(f"# Findings recorded in {baseline} are known: lint with `deploylint --baseline {baseline}`.")
    return "\n".join(lines) + "\n"


def precommit_snippet(baseline: str | None) -> str:
    args = f"\n        args: [--baseline, {baseline}]" if baseline else ""
    return (f"repos:\n  - repo: {HOOK_REPOSITORY}\n    rev: v{__version__}\n    hooks:\n"
            f"      - id: deploylint{args}\n")


@dataclass(slots=True)
class InitPlan:
    written: list[Path] = field(default_factory=list)
    snippet: str = ""  # pre-commit lines to add by hand (the file exists)


def write_files(directory: Path, preset: str, *, baseline: str | None, precommit: bool, force: bool) -> InitPlan:
    """Write the config (refusing to replace one unless `force`) and, when
    asked, the pre-commit config (or return its snippet when one exists)."""
    from linter.core.atomic import write_atomically

    plan = InitPlan()
    config = directory / CONFIG_NAME
    if config.exists() and not force:
        raise UsageError(f"{config} exists; pass --force to replace it")
    write_atomically(config, config_text(preset, baseline))
    plan.written.append(config)
    if precommit:
        hooks = directory / PRECOMMIT_NAME
        if hooks.exists() and not force:
            plan.snippet = precommit_snippet(baseline)
        else:
            write_atomically(hooks, precommit_snippet(baseline))
            plan.written.append(hooks)
    return plan
