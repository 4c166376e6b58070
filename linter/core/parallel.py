"""`--jobs N`: lint the files in N worker processes and merge the results.

The files are split into balanced partitions of whole groups (an nginx tree or
a ClickHouse installation stays in one partition, see `shard.py`); each worker
runs the whole pipeline on its partition, with the cross-file context of the
other partitions rebuilt cheaply (`context.py`), and sends back its findings.
The parent sorts the merged findings into the same total order as a serial
run, so the output is identical to `--jobs 1`. Small runs stay in-process:
starting workers would cost more than it saves.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from linter.core.errors import RunAborted, UsageError

if TYPE_CHECKING:  # multiprocessing is imported only when workers start
    from multiprocessing.connection import Connection

    from linter.core.discover import Candidate
    from linter.core.run_types import PartialResult, RunResult, Settings

# Each worker gets at least this much work (bytes of input plus a per-file
# allowance, about 0.2 s of linting): below it, starting a worker and reading
# the other files' cross-file context cost more than the worker saves.
WORK_PER_WORKER = 1_000_000
_PROGRESS_INTERVAL = 0.1  # seconds between a worker's progress messages


def cpu_count() -> int:
    """CPUs this process may run on (respects affinity masks and containers' cpusets)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def effective_jobs(requested: int, candidates: list[Candidate]) -> int:
    """How many workers to start: 0 asks for one per CPU; never more than the
    work fills (1 means in-process: small runs, pre-commit's few files)."""
    jobs = cpu_count() if requested <= 0 else requested
    if jobs <= 1 or len(candidates) < 2:
        return 1
    from linter.core.shard import weight

    if WORK_PER_WORKER > 0:
        jobs = min(jobs, weight(candidates) // WORK_PER_WORKER)
    return max(1, min(jobs, len(candidates)))


class _ProgressSender:
    """Progress events of a worker, batched so the pipe is not flooded."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pending: dict[str, int] = {}
        self.last = time.monotonic()

    def __call__(self, event: str, count: int) -> None:
        self.pending[event] = self.pending.get(event, 0) + count
        if event == "units" or time.monotonic() - self.last >= _PROGRESS_INTERVAL:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.conn.send(("progress", self.pending))
            self.pending = {}
        self.last = time.monotonic()


def _worker(conn: Connection, mine: list[Candidate], settings: Settings, walked: frozenset[str], report_progress: bool) -> None:
    from linter.core.runner import lint_candidates, paused_gc

    sender = _ProgressSender(conn) if report_progress else None
    try:
        with paused_gc():
            worker_settings = dataclasses.replace(settings, jobs=1, progress=sender)
            result = lint_candidates(mine, worker_settings, with_stdin=False, walked=walked)
        if sender is not None:
            sender.flush()
        conn.send(("done", result))
    except UsageError as exc:
        conn.send(("usage", str(exc)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which decides
        import traceback

        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def _start_method() -> str:
    # fork shares the loaded rules and modules with the workers for free; it is
    # only safe on Linux (macOS frameworks and Windows need spawn).
    return "fork" if sys.platform.startswith("linux") else "spawn"


def run_parallel(candidates: list[Candidate], settings: Settings, jobs: int, walked: frozenset[str] = frozenset()) -> RunResult:
    import multiprocessing
    from multiprocessing.connection import Connection, wait

    from linter.core.runner import merge_results
    from linter.core.shard import partition

    parts = [p for p in partition(candidates, jobs, settings.formats) if p]
    mp: Any = multiprocessing.get_context(_start_method())  # fork or spawn context
    workers: list[tuple[Any, Connection]] = []
    results: dict[int, PartialResult] = {}
    child_settings = dataclasses.replace(settings, progress=None)  # a callback does not cross processes
    try:
        for mine in parts:
            parent_end, child_end = mp.Pipe(duplex=False)
            process = mp.Process(target=_worker, args=(child_end, mine, child_settings, walked, settings.progress is not None), daemon=True)
            process.start()
            child_end.close()
            workers.append((process, parent_end))
        index_of = {id(conn): i for i, (_, conn) in enumerate(workers)}
        open_conns = [conn for _, conn in workers]
        while open_conns:
            for conn in wait(open_conns):
                assert isinstance(conn, Connection)
                i = index_of[id(conn)]
                try:
                    kind, payload = conn.recv()
                except EOFError:
                    open_conns.remove(conn)
                    if i not in results:
                        process = workers[i][0]
                        process.join()
                        raise RunAborted(_lost(i, len(workers), process.exitcode, parts[i])) from None
                    continue
                if kind == "progress":
                    if settings.progress is not None:
                        for event, count in payload.items():
                            settings.progress(event, count)
                elif kind == "done":
                    results[i] = payload
                elif kind == "usage":
                    raise UsageError(payload)
                else:
                    raise RuntimeError(f"worker {i + 1} of {len(workers)} failed:\n{payload}")
    finally:
        for process, conn in workers:
            conn.close()
            if process.is_alive():
                process.terminate()
            process.join()
    return merge_results([results[i] for i in range(len(parts))], settings)


def _lost(index: int, count: int, exitcode: int | None, mine: list[Candidate]) -> str:
    """Why a worker's files have no result: what ended it and what it was linting."""
    import signal

    if exitcode is not None and exitcode < 0:
        try:
            how = f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"was killed by signal {-exitcode}"
    else:
        how = f"exited (code {exitcode}) without a result"
    files = mine[0].relpath + (f" and {len(mine) - 1} more file(s)" if len(mine) > 1 else "")
    return (f"worker {index + 1} of {count} {how} while linting {files}; no report was written "
            "(out of memory? rerun with --jobs 1 or fewer jobs)")
