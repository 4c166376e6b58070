"""Time deploylint as whole processes and print a markdown table.

    python bench/run.py                   # every row, 5 repetitions
    python bench/run.py --repeat 3 --quick  # fewer repetitions, no 4x corpus
    python bench/run.py --only cold,full  # some rows

Rows: `--version`; cold start on one small manifest (the typical pre-commit
call) beside its floor, `python -c "import yaml"`; the `--small` corpus; the
full corpus with --jobs 1 (text, and SARIF written to a file) and --jobs N; the
corpus at 1x/2x/4x for linearity (per-file cost after subtracting start-up);
peak RSS; the result cache on the full corpus (`--only cache`: a run filling
an empty cache, warm runs with nothing changed and with one file changed, as
ratios of the run without it; every other row runs with `--no-cache`); and
two "floor" rows, timed inside one process on the same files:
the raw parsers alone (libyaml compose, expat, python-dotenv, our nginx lexer)
and deploylint's parsers building the positioned model, both without rules.

Every command runs in a fresh process `repeat` times; the table shows the
median, min and max wall time. Peak RSS is the largest process (the CLI or one
of its workers), taken from getrusage(RUSAGE_CHILDREN) in a fresh wrapper.
Corpora are generated deterministically by make_corpus.py into a work
directory (kept between runs; `--workdir`).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

import make_corpus

ENV = {**os.environ, "PYTHONPATH": str(PROJECT), "NO_COLOR": "1"}
CLI = [sys.executable, "-m", "linter"]

ONE_MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 10001}
      containers:
        - name: web
          image: registry.example.com/shop/web:2.4.1
          ports: [{name: http, containerPort: 8080}]
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: 500m, memory: 512Mi}
          livenessProbe: {httpGet: {path: /healthz, port: http}}
          readinessProbe: {httpGet: {path: /ready, port: http}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
"""


@dataclass
class Row:
    case: str
    files: int | None
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user+sys, workers included
    rss_kb: int | None = None
    note: str = ""
    in_process: bool = False  # timed inside one process: no start-up to subtract

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def run_once(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and the workers it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    errors = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(argv)} exited {proc.returncode}:\n{errors.decode(errors='replace')}")
    return elapsed, usage.ru_utime + usage.ru_stime


def timed(case: str, argv: list[str], cwd: Path, repeat: int, files: int | None,
          before: Callable[[int], None] | None = None, env: dict[str, str] | None = None) -> Row:
    """`before(i)`, when given, runs ahead of each run (the warm-up is run 0), untimed."""
    if before is not None:
        before(0)
    run_once(argv, cwd, env)  # warm the page cache and .pyc files
    row = Row(case, files)
    for i in range(repeat):
        if before is not None:
            before(i + 1)
        wall, cpu = run_once(argv, cwd, env)
        row.times.append(wall)
        row.cpu.append(cpu)
    return row


def peak_rss_kb(argv: list[str], cwd: Path) -> int:
    """Largest resident set of the command or any process it waited for."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *argv], cwd=cwd, env=ENV, capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


FLOOR_SCRIPT = r"""
import json, sys, time
from pathlib import Path
root = Path(sys.argv[1]); mode = sys.argv[2]
from linter.core.discover import discover
from linter.core.loader import Loader
from linter.core.workspace import Workspace
from linter.formats import REGISTRY
candidates = [c for c in discover(["."], root, formats=REGISTRY) if c.format]
import yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

def raw_parser(fmt):
    if fmt == "kubernetes":
        return lambda text: list(yaml.compose_all(text, Loader=loader))
    if fmt == "clickhouse":
        import xml.parsers.expat
        def parse(text):
            p = xml.parsers.expat.ParserCreate()
            p.Parse(text, True)
        return parse
    if fmt == "env":
        import io
        from dotenv.parser import parse_stream
        return lambda text: list(parse_stream(io.StringIO(text)))
    if fmt == "nginx":  # no C parser exists for nginx: our lexer is the floor
        try:
            from linter.formats.nginx.syntax import Lexer
        except ImportError:
            return None
        def lex(text):
            lexer = Lexer(text, "nginx.conf")
            while lexer.next() is not None:
                pass
        return lex
    return None

parsers = {}
skipped = set()
start, start_cpu = time.perf_counter(), time.process_time()
if mode == "raw":
    for c in candidates:
        if c.format not in parsers:
            parsers[c.format] = raw_parser(c.format)
        fn = parsers[c.format]
        if fn is None:
            skipped.add(c.format); continue
        with open(c.abspath, encoding="utf-8") as fh:
            fn(fh.read())
else:
    model_loader = Loader(Workspace(root), REGISTRY)
    for c in candidates:
        try:
            source = model_loader.workspace.read(Path(c.abspath), c.relpath)
            model_loader.parse(source, c.format)
        except ImportError:
            skipped.add(c.format)
elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "files": len(candidates), "skipped": sorted(skipped)}))
"""


def floor(mode: str, corpus: Path, repeat: int) -> Row:
    label = {"raw": "floor: raw parsers (libyaml compose, expat, dotenv, nginx lexer)",
             "model": "floor: deploylint parsers to the positioned model"}[mode]
    row = Row(label, None, in_process=True)
    skipped: list[str] = []
    for _ in range(repeat + 1):
        out = subprocess.run([sys.executable, "-c", FLOOR_SCRIPT, str(corpus), mode], cwd=corpus, env=ENV,
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise SystemExit(f"bench: floor ({mode}) failed:\n{out.stderr}")
        data = json.loads(out.stdout)
        row.times.append(data["seconds"])
        row.cpu.append(data["cpu"])
        row.files = data["files"]
        skipped = data["skipped"]
    row.times, row.cpu = row.times[1:], row.cpu[1:]  # the first run warmed the caches
    row.note = "in-process, no start-up" + (f"; no parser for {', '.join(skipped)}" if skipped else "")
    return row


COUNT_SCRIPT = (
    "from pathlib import Path; from linter.core.discover import discover; from linter.formats import REGISTRY; "
    "print(len([c for c in discover(['.'], Path('.'), formats=REGISTRY) if c.format]))"
)


def corpus(workdir: Path, name: str, args: list[str]) -> tuple[Path, int]:
    """Generate (once) a corpus; returns its directory and the number of lintable files."""
    target = workdir / name
    stamp = target / ".bench-args"
    if not (stamp.is_file() and stamp.read_text() == " ".join(args)):
        make_corpus.main([str(target), *args])
        stamp.write_text(" ".join(args))
    count = subprocess.run(
        [sys.executable, "-c", COUNT_SCRIPT],
        cwd=target, env=ENV, capture_output=True, text=True, check=True)
    return target, int(count.stdout)


def fmt_seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def table(rows: list[Row], startup: float | None) -> str:
    out = ["| case | files | median | min | max | CPU (median) | per file (excl. start-up) | peak RSS | note |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        per_file = ""
        if r.files and r.times and r.files > 1 and (r.in_process or startup is not None):
            fixed = 0.0 if r.in_process else startup or 0.0
            per_file = f"{(r.median - fixed) / r.files * 1e6:.0f} µs"
        rss = f"{r.rss_kb / 1024:.0f} MB" if r.rss_kb else ""
        times = [fmt_seconds(v) for v in (r.median, min(r.times), max(r.times))] if r.times else ["", "", ""]
        cpu = fmt_seconds(statistics.median(r.cpu)) if r.cpu else ""
        out.append(f"| {r.case} | {r.files if r.files is not None else ''} | {' | '.join(times)} | {cpu} | {per_file} | {rss} | {r.note} |")
    return "\n".join(out)


def linear_fit(rows: list[Row]) -> str:
    """Least squares `time = fixed + per_file * files` through the linearity
    rows, and how far each row is from that line: linear cost means small
    residuals, whatever the fixed start-up cost is."""
    if len(rows) < 3:
        return ""
    out = []
    for label, values in (("wall", [r.median for r in rows]), ("CPU", [statistics.median(r.cpu) for r in rows])):
        xs = [float(r.files or 0) for r in rows]
        mean_x, mean_y = statistics.fmean(xs), statistics.fmean(values)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, values)) / sum((x - mean_x) ** 2 for x in xs)
        fixed = mean_y - slope * mean_x
        worst = max(abs(y - (fixed + slope * x)) / y for x, y in zip(xs, values))
        out.append(f"{label}: {fixed:.2f} s + {slope * 1e6:.0f} µs per file; every size within {worst * 100:.1f}% of that line")
    return "Linearity fit (1x/2x/4x, --jobs 1): " + "; ".join(out)


def cache_rows(workdir: Path, full: Path, n_full: int, repeat: int) -> list[Row]:
    """The result cache on the full corpus, `--jobs 1`: the run without it, a
    run filling an empty cache, warm runs with nothing changed and with one
    file changed (a manifest: its directory's group is re-linted; an env
    file: only itself), each quoted as a ratio of the run without the cache."""
    env = {**ENV, "DEPLOYLINT_CACHE_DIR": str(workdir / "user-cache")}
    env.pop("DEPLOYLINT_NO_CACHE", None)
    results = workdir / "user-cache" / "results"
    argv = [*CLI, "--jobs", "1", "."]
    manifest = sorted((full / "k8s").rglob("*.yaml"))[0]
    env_file = sorted(p for p in (full / "env").rglob("*") if p.is_file())[0]
    group = len(list(manifest.parent.glob("*.yaml")))

    def empty(_: int) -> None:
        shutil.rmtree(results, ignore_errors=True)

    def changing(path: Path) -> Callable[[int], None]:
        original = path.read_text(encoding="utf-8")

        def change(i: int) -> None:  # a new text every run, so the group misses every time
            path.write_text(original + f"# bench edit {i}\n", encoding="utf-8")
        return change

    cold = timed("full corpus, `--jobs 1 --no-cache`", [*CLI, "--no-cache", "--jobs", "1", "."], full, repeat, n_full, env=env)
    filling = timed("full corpus, `--jobs 1`, empty cache (every entry written)", argv, full, repeat, n_full, empty, env)
    warm = timed("full corpus, `--jobs 1`, warm cache, nothing changed", argv, full, repeat, n_full, env=env)
    rows = [cold, filling, warm]
    for path, what in ((manifest, f"one manifest changed (its directory, {group} files, re-linted)"), (env_file, "one env file changed")):
        original = path.read_text(encoding="utf-8")
        try:
            rows.append(timed(f"full corpus, `--jobs 1`, warm cache, {what}", argv, full, repeat, n_full, changing(path), env))
        finally:
            path.write_text(original, encoding="utf-8")
    for row in rows[1:]:
        row.note = f"{row.median / cold.median * 100:.1f}% of the run without the cache (CPU {statistics.median(row.cpu) / statistics.median(cold.cpu) * 100:.1f}%)"
    # The pre-commit call in a big tree: one manifest named, the tree's shape walked all the same.
    one = [*CLI, "--jobs", "1", manifest.relative_to(full).as_posix()]
    alone = timed("one manifest of the full corpus (pre-commit), `--no-cache`", [*CLI, "--no-cache", *one[len(CLI):]], full, repeat, 1, env=env)
    alone_warm = timed("one manifest of the full corpus (pre-commit), warm cache", one, full, repeat, 1, env=env)
    alone_warm.note = f"{alone_warm.median / alone.median * 100:.0f}% of the run without the cache"
    return [*rows, alone, alone_warm]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark deploylint (see the module docstring).")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="N for the --jobs N row")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "deploylint-bench")
    parser.add_argument("--quick", action="store_true", help="skip the 4x corpus")
    parser.add_argument("--only", default="", help="comma-separated: version,cold,small,full,sarif,jobs,linear,rss,cache,floor")
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    args = parser.parse_args(argv)
    only = set(filter(None, args.only.split(",")))

    def want(name: str) -> bool:
        return not only or name in only

    args.workdir.mkdir(parents=True, exist_ok=True)
    # An installed wheel has its bytecode compiled; a checkout run with
    # PYTHONDONTWRITEBYTECODE set would compile every module on every start.
    compileall.compile_dir(str(PROJECT / "linter"), quiet=1)
    rows: list[Row] = []
    repeat = args.repeat

    one = args.workdir / "one"
    one.mkdir(exist_ok=True)
    (one / "deployment.yaml").write_text(ONE_MANIFEST, encoding="utf-8")
    startup: float | None = None
    cold_cpu: float | None = None
    if want("version"):
        rows.append(timed("`deploylint --version`", [*CLI, "--version"], one, repeat, None))
    if want("cold") or want("linear"):
        cold = timed("cold start: `deploylint deployment.yaml` (pre-commit)", [*CLI, "--no-cache", "deployment.yaml"], one, max(repeat, 10), 1)
        startup = cold.median
        cold_cpu = statistics.median(cold.cpu)
        if want("cold"):
            interpreter = timed('cold start floor: `python -c "import yaml"`', [sys.executable, "-c", "import yaml"], one,
                                max(repeat, 10), None)
            cold.note = f"{cold.median / interpreter.median:.2f}× its floor (goal ≤ 2.2×)"
            rows += [cold, interpreter]
    if want("small"):
        small, n = corpus(args.workdir, "small", ["--small", "--seed", "1"])
        rows.append(timed("`--small` corpus", [*CLI, "--no-cache", "."], small, repeat, n))
    full, n_full = corpus(args.workdir, "full", ["--seed", "1"])
    if want("full"):
        text_row = timed("full corpus, `--jobs 1`", [*CLI, "--no-cache", "--jobs", "1", "."], full, repeat, n_full)
        rows.append(text_row)
    if want("sarif"):
        sarif_argv = [*CLI, "--no-cache", "--jobs", "1", "--format", "sarif", "-o", str(args.workdir / "full.sarif"), "."]
        sarif_row = timed("full corpus, `--jobs 1 --format sarif -o FILE`", sarif_argv, full, repeat, n_full)
        sarif_row.rss_kb = peak_rss_kb(sarif_argv, full)
        if want("full"):
            sarif_row.note = f"{sarif_row.median / text_row.median:.2f}× the text run"
        rows.append(sarif_row)
    if want("jobs"):
        rows.append(timed(f"full corpus, `--jobs {args.jobs}`", [*CLI, "--no-cache", "--jobs", str(args.jobs), "."], full, repeat, n_full))
    if want("linear"):
        for scale in (1, 2) if args.quick else (1, 2, 4):
            target, n = corpus(args.workdir, f"scale{scale}", ["--seed", "1", "--scale", str(scale)]) if scale > 1 else (full, n_full)
            rows.append(timed(f"linearity {scale}x, `--jobs 1`", [*CLI, "--no-cache", "--jobs", "1", "."], target, max(3, repeat // 2), n))
    if want("rss"):
        for jobs in (1, args.jobs):
            row = Row(f"peak RSS, full corpus, `--jobs {jobs}`", n_full)
            row.rss_kb = peak_rss_kb([*CLI, "--no-cache", "--jobs", str(jobs), "."], full)
            row.note = "largest single process"
            rows.append(row)
    if want("cache"):
        rows += cache_rows(args.workdir, full, n_full, repeat)
    if want("floor"):
        rows.append(floor("raw", full, repeat))
        rows.append(floor("model", full, repeat))

    linear = [r for r in rows if r.case.startswith("linearity")]
    if len(linear) > 1 and startup is not None and cold_cpu is not None:
        base = (linear[0].median - startup) / (linear[0].files or 1)
        base_cpu = (statistics.median(linear[0].cpu) - cold_cpu) / (linear[0].files or 1)
        for r in linear[1:]:
            per = (r.median - startup) / (r.files or 1)
            per_cpu = (statistics.median(r.cpu) - cold_cpu) / (r.files or 1)
            r.note = f"per file vs 1x: wall {(per / base - 1) * 100:+.1f}%, CPU {(per_cpu / base_cpu - 1) * 100:+.1f}%"
    fit = linear_fit(linear)
    cpus = os.cpu_count()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"deploylint benchmark: {cpus} CPUs ({platform.processor() or platform.machine()}), "
          f"Python {platform.python_version()} on {platform.system()} {platform.release()}, "
          f"{repeat} repetitions, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average at the end {load} (other processes inflate wall times; CPU times are steadier)\n")
    print(table(rows, startup))
    if fit:
        print(f"\n{fit}")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
