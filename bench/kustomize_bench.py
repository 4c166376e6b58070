"""Kustomize build cost: a repository of 50 overlays over 10 bases, linted by
deploylint (which builds every overlay in-process) beside `kubectl kustomize`
run on each overlay (build only, no linting).

    python bench/kustomize_bench.py [--repeat 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc{b}
  labels: {{app: svc{b}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: svc{b}}}}}
  template:
    metadata: {{labels: {{app: svc{b}}}}}
    spec:
      containers:
        - name: app
          image: registry.example.com/svc{b}
          ports: [{{containerPort: 8080}}]
          envFrom: [{{configMapRef: {{name: svc{b}-settings}}}}]
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
---
apiVersion: v1
kind: Service
metadata: {{name: svc{b}}}
spec:
  selector: {{app: svc{b}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""

BASE_KUSTOMIZATION = """\
resources: [deployment.yaml]
configMapGenerator:
  - name: svc{b}-settings
    literals: [LOG_LEVEL=info, WORKERS=4]
"""

OVERLAY = """\
namespace: env{o}
namePrefix: env{o}-
commonLabels: {{env: env{o}}}
resources: [../../base]
images:
  - name: registry.example.com/svc{b}
    newTag: "1.{o}.0"
patches:
  - path: resources.yaml
  - target: {{kind: Deployment}}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/livenessProbe
        value: {{httpGet: {{path: /healthz, port: 8080}}}}
"""

PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: svc{b}}}
spec:
  template:
    spec:
      containers:
        - name: app
          resources: {{limits: {{memory: {m}Mi}}}}
"""


def make_tree(root: Path, bases: int = 10, overlays_per_base: int = 5) -> list[Path]:
    overlays = []
    for b in range(bases):
        base = root / f"app{b}" / "base"
        base.mkdir(parents=True)
        (base / "deployment.yaml").write_text(BASE_DEPLOYMENT.format(b=b))
        (base / "kustomization.yaml").write_text(BASE_KUSTOMIZATION.format(b=b))
        for o in range(overlays_per_base):
            overlay = root / f"app{b}" / "overlays" / f"env{o}"
            overlay.mkdir(parents=True)
            (overlay / "kustomization.yaml").write_text(OVERLAY.format(b=b, o=o))
            (overlay / "resources.yaml").write_text(PATCH.format(b=b, m=256 * (o + 1)))
            overlays.append(overlay)
    return overlays


def timed(action: list[list[str]], cwd: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat + 1):  # one warm-up
        start = time.perf_counter()
        for argv in action:
            subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times[1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the tree here and keep it")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="kustomize-bench-"))
    if root.exists():
        shutil.rmtree(root)
    overlays = make_tree(root)
    rows = [("deploylint, the whole tree (50 overlays built and linted)", timed([[sys.executable, "-m", "linter", "--jobs", "1", "."]], root, args.repeat))]
    if shutil.which("kubectl"):
        rows.append(("kubectl kustomize, each of the 50 overlays (build only)", timed([["kubectl", "kustomize", str(o)] for o in overlays], root, args.repeat)))
    print("| case | median | min | max |\n|---|---|---|---|")
    for case, values in rows:
        print(f"| {case} | {statistics.median(values):.2f} s | {min(values):.2f} s | {max(values):.2f} s |")
    if not args.keep:
        shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
