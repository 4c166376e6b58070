"""Differential check of the in-process Kustomize builder against `kubectl
kustomize` on real repositories: every kustomization under the given roots
that kubectl builds is built by deploylint too, and the object streams are
compared (secret values compared by size: deploylint never prints them).

    python bench/kustomize_differential.py CHECKOUT [CHECKOUT...]

Prints one line per overlay that differs (with the DL007 that declined it,
if any) and a summary: built by kubectl, equal, declined, different.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from linter.core.loader import Loader
from linter.core.workspace import Workspace
from linter.formats import REGISTRY
from linter.formats.kubernetes.kustomize.files import KUSTOMIZATION_NAMES
from linter.formats.kubernetes.kustomize.render import render_build


def kubectl_stream(directory: Path) -> list[Any] | None:
    run = subprocess.run(["kubectl", "kustomize", str(directory)], capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        return None
    documents = [d for d in yaml.safe_load_all(run.stdout) if d]
    for document in documents:
        if document.get("kind") == "Secret":
            for field in ("data", "stringData"):
                if isinstance(document.get(field), dict):
                    document[field] = {k: f"<redacted: {len(str(v))} characters>" for k, v in document[field].items()}
    return documents


def main(roots: list[str]) -> int:
    built = equal = declined = different = 0
    for name in roots:
        root = Path(name).resolve()
        for kustomization in sorted(p for n in KUSTOMIZATION_NAMES for p in root.rglob(n)):
            try:
                theirs = kubectl_stream(kustomization.parent)
            except (subprocess.TimeoutExpired, yaml.YAMLError):
                continue
            if theirs is None:
                continue
            built += 1
            text, problems = render_build(kustomization, Loader(Workspace(root), REGISTRY))
            ours = [d for d in yaml.safe_load_all(text) if d]
            where = kustomization.parent.relative_to(root)
            if ours == theirs:
                equal += 1
            elif problems:
                declined += 1
                print(f"declined {root.name}/{where}: {problems[0].message}")
            else:
                different += 1
                print(f"DIFFERENT {root.name}/{where}: {len(ours)} objects, kubectl {len(theirs)}")
    print(f"kubectl built {built}; deploylint equal {equal}, declined with DL007 {declined}, different {different}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
