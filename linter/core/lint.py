"""`run`: lint paths with settings, in this process or in worker processes."""

from __future__ import annotations

from linter.core.context import walked_directories
from linter.core.run_types import RunResult, Settings
from linter.core.runner import find_candidates, lint_candidates, merge_results, paused_gc


def run(paths: list[str], settings: Settings) -> RunResult:
    with paused_gc():
        candidates = find_candidates(settings, paths)
        walked = walked_directories(paths, settings.root)
        if settings.cache is not None:
            settings.cache.prepare(settings)
        if settings.progress is not None:
            settings.progress("files", len(candidates))
        result = None
        if settings.jobs != 1 and settings.stdin is None:
            from linter.core import parallel

            jobs = parallel.effective_jobs(settings.jobs, candidates)
            if jobs > 1:
                result = parallel.run_parallel(candidates, settings, jobs, walked)
        if result is None:
            result = merge_results([lint_candidates(candidates, settings, with_stdin=True, walked=walked)], settings)
        if settings.cache is not None:
            settings.cache.prune()
        return result
