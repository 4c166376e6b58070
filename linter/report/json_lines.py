"""`--format json-lines`: one JSON object a finding, one line each (the
objects of `--format json`'s `findings`), for streaming tools and `jq -c`."""

from __future__ import annotations

import json

from linter.core.run_types import RunResult

from .json import finding_dict


def render(result: RunResult, *, show_suppressed: bool = False) -> str:
    findings = result.findings if show_suppressed else result.shown
    return "".join(json.dumps(finding_dict(f), ensure_ascii=False) + "\n" for f in findings)
