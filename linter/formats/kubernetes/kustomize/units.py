"""Kubernetes lint units when kustomizations are about: each build root's
objects as one unit, reporting on the linted files it read, and every other
manifest on its own.

A file passed alone (the pre-commit hook) is judged inside every build that
uses it: the build roots are found on disk, under the scanned root, so a file
gets the same findings whether linted alone, with its folder or with the
whole repository. Files a build consumes as patches or generator inputs are
never linted as whole objects.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.model import ParsedFile
from linter.core.units import BUILT_BY, LintUnit, single_file_units
from linter.formats.kubernetes.deployments import as_plain, build_deployment
from linter.formats.kubernetes.kustomize.files import build_roots_under, is_kustomization
from linter.formats.kubernetes.parser import K8sObject, objects_of

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.formats.kubernetes.kustomize.build import Build
    from linter.formats.kubernetes.kustomize.reach import Reach


def kubernetes_units(files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
    linted = {f.path: f for f in files}
    found = {Path(os.path.normpath(Path(f.source.abspath).absolute())) for f in files if is_kustomization(f.path)}
    roots, reaches = _build_roots(found, loader)
    if not reaches:
        return as_plain(single_file_units(files))
    # Only a run that meets a kustomization loads the builder.
    from linter.formats.kubernetes.kustomize.build import Builder

    # Only the builds that read a linted file are made.
    named = {Path(os.path.normpath(f.source.abspath)).absolute() for f in files}
    builder = Builder(loader)
    relevant = [builder.build(p) for p in roots if (reaches[p].kustomizations | reaches[p].files) & named]
    covered: set[str] = set()
    consumed: set[str] = set()
    for build in relevant:
        consumed |= build.consumed
        if build.built:
            covered.update(build.files)
    units = [_build_unit(build, linted) for build in sorted(relevant, key=lambda b: b.kustomization)]
    in_units = {f.path for unit in units for f in unit.files}
    # A kustomization no unit holds (a base whose build failed) still reports its problems.
    orphans = [LintUnit("kubernetes", f.path, [f], []) for f in files if is_kustomization(f.path) and f.path not in in_units]
    alone = [f for f in files if f.path not in covered and f.path not in consumed and not is_kustomization(f.path)]
    return units + orphans + as_plain(single_file_units(alone))


def consumer_units(paths: frozenset[Path], units: list[LintUnit], loader: Loader) -> list[LintUnit]:
    """Context units of the builds that read some of `paths` (files of other
    formats: a generator's redis.conf) and that `units` do not hold, so a
    file a build consumes is placed in it however the run was split."""
    roots, reaches = _build_roots(set(), loader)
    held = {unit.meta.get(BUILT_BY) for unit in units if unit.format == "kubernetes"}
    wanted = [p for p in roots if reaches[p].files & paths and loader.workspace.display_path(p) not in held]
    if not wanted:
        return []
    from linter.formats.kubernetes.kustomize.build import Builder

    builder = Builder(loader)
    return [_build_unit(build, {}) for build in map(builder.build, wanted) if build.built]


def _build_roots(found: set[Path], loader: Loader) -> tuple[list[Path], dict[Path, Reach]]:
    """The kustomizations deployed as builds, among `found` and every one of
    the tree, with what each of them reaches (none: no kustomization)."""
    # Every build root of the tree, even for a kustomization alone: which
    # kustomizations are roots (built) and which are bases depends on all of them.
    root = loader.workspace.walk_root
    found = found | {p.absolute() for p in loader.facts.once(f"kustomize.roots:{root}", loader.workspace, lambda: build_roots_under(root))}
    if not found:
        return [], {}
    reaches = _reaches(sorted(found), loader)
    # A kustomization another one builds on (a base, a component) is not
    # deployed alone: its objects are linted as the overlays build them, so an
    # image tag or replica count an overlay sets is not reported in the base.
    used = {base for path in found for base in reaches[path].kustomizations if base != path}
    return [p for p in sorted(found) if p not in used and not reaches[p].component], reaches


def _reaches(found: list[Path], loader: Loader) -> dict[Path, Reach]:
    """What each kustomization reaches (once per run for the same set: every
    group of plain manifests asks for all the build roots of the tree)."""
    from linter.formats.kubernetes.kustomize.reach import reach

    def compute() -> dict[Path, Reach]:
        reaches: dict[Path, Reach] = {}
        for path in found:  # in order: which member of a cycle is its root must not vary
            reach(path, loader, reaches)
        return reaches

    return loader.facts.once("kustomize.reaches:" + "\0".join(map(str, found)), loader.workspace, compute)


def _build_unit(build: Build, linted: dict[str, ParsedFile]) -> LintUnit:
    objects: list[K8sObject] = []
    for resource in build.resources:
        start = len(objects)
        objects_of(resource.node, objects)
        if resource.generated is not None:
            for obj in objects[start:]:
                obj.env_files = resource.generated.env_files
    files = [linted[path] for path in build.files if path in linted]
    return LintUnit("kubernetes", build.kustomization, files, objects, {BUILT_BY: build.kustomization},
                    reports_on=frozenset(f.path for f in files), deployment=build_deployment(build.kustomization))
