"""Time linting a 30-template Helm chart, beside linting its rendered output
as plain manifests (what rendering and mapping back cost), and the render
alone in-process.

    python bench/helm_chart.py                 # 5 repetitions
    python bench/helm_chart.py --templates 60 --repeat 3

Needs the `deploylint[helm]` extra (helm-python-sdk); prints a markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ .Release.Name }}}}-svc{n}
  labels:
    {{{{- include "bench.labels" . | nindent 4 }}}}
spec:
  replicas: {{{{ .Values.svc{n}.replicas }}}}
  selector:
    matchLabels:
      app: svc{n}
  template:
    metadata:
      labels:
        app: svc{n}
    spec:
      containers:
        - name: app
          image: {{{{ .Values.svc{n}.image | quote }}}}
          resources:
            {{{{- toYaml .Values.resources | nindent 12 }}}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
---
apiVersion: v1
kind: Service
metadata:
  name: {{{{ .Release.Name }}}}-svc{n}
spec:
  selector: {{app: svc{n}}}
  ports:
    - port: 80
      targetPort: 8080
"""


def make_chart(root: Path, templates: int) -> Path:
    chart = root / "bench"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: bench\nversion: 0.1.0\n")
    (chart / "templates" / "_helpers.tpl").write_text('{{- define "bench.labels" -}}\napp.kubernetes.io/name: bench\n{{- end }}\n')
    values = ["resources:\n  limits: {cpu: 500m, memory: 256Mi}\n  requests: {cpu: 100m, memory: 128Mi}\n"]
    for n in range(templates):
        (chart / "templates" / f"svc{n}.yaml").write_text(TEMPLATE.format(n=n))
        values.append(f"svc{n}:\n  replicas: {1 + n % 3}\n  image: registry.example/svc{n}:{'latest' if n % 4 == 0 else '1.0.' + str(n)}\n")
    (chart / "values.yaml").write_text("".join(values))
    return chart


def timed(argv: list[str], cwd: Path, repeat: int) -> list[float]:
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--templates", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import helm_python

    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        (root / ".git").mkdir()
        chart = make_chart(root, args.templates)
        with helm_python.Chart.load(str(chart)) as loaded:
            start = time.perf_counter()
            rendered = loaded.render(name="release-name", namespace="default")
            render_seconds = time.perf_counter() - start
        plain = root / "rendered.yaml"
        plain.write_text("".join(f"---\n# Source: {k}\n{v}" for k, v in sorted(rendered.items()) if v.strip()))
        cli = [sys.executable, "-m", "linter"]
        rows = [
            (f"chart, {args.templates} templates (render + map + lint)", timed([*cli, "bench"], root, args.repeat)),
            ("its rendered output as one plain manifest file", timed([*cli, "rendered.yaml"], root, args.repeat)),
        ]
        print("| case | median s | min s | max s |\n|---|---|---|---|")
        for name, times in rows:
            print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |")
        print(f"| helm-python-sdk render alone, in-process | {render_seconds:.3f} | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
