"""Where kustomizations are: the file names kustomize reads, and every build
root under a directory (a changed base or patch passed alone is judged inside
each build that uses it, so the builds are found on disk)."""

from __future__ import annotations

import os
from pathlib import Path

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# Directories never searched for build roots (as discovery skips them).
_SKIPPED = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox"})


def is_kustomization(path: Path | str) -> bool:
    return Path(path).name in KUSTOMIZATION_NAMES


def kustomization_in(directory: Path) -> Path | None:
    """The kustomization file of a directory (kustomize's order of preference)."""
    for name in KUSTOMIZATION_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def build_roots_under(root: Path) -> list[Path]:
    """Every kustomization file under `root`, sorted; symlinked directories are
    not followed (a build reads only what lies inside the scanned root)."""
    found: list[Path] = []
    for current, dirnames, filenames in os.walk(root, followlinks=False):
        # Hidden directories (.git, caches, virtual environments) hold no overlay.
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED and not d.startswith("."))
        names = set(filenames)
        for name in KUSTOMIZATION_NAMES:
            if name in names:
                found.append(Path(current) / name)
                break
    return sorted(found)
