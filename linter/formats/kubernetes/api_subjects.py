"""Selectors that judge objects against a target Kubernetes release (the
config's `kubernetes_version`, default the newest the API table knows): the
API each object uses, and its fields against that release's schemas.

The table, the compiled schemas and each object's schema problems are loaded
or computed once per run (`RunContext.cache`): several rules read them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linter.core.subject import Subject
from linter.formats.kubernetes.apis import ApiStatus, ApiTable, load_table
from linter.formats.kubernetes.object_subject import object_subject
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.schema import KindTree, Shapes, load_shapes
from linter.formats.kubernetes.schema_source import Version, parse_version
from linter.formats.kubernetes.schema_walk import SchemaProblem, schema_problems

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit


@dataclass(frozen=True, slots=True)
class ApiUse:
    """An `api-objects` subject's data: an object whose apiVersion/kind the
    target release removed, does not serve yet, or deprecates."""

    obj: K8sObject
    status: ApiStatus
    target: Version


@dataclass(frozen=True, slots=True)
class SchemaReport:
    """A `schema-objects` subject's data: an object with a schema in the
    target release, and what its fields get wrong."""

    obj: K8sObject
    problems: tuple[SchemaProblem, ...]


def api_table(ctx: RunContext) -> ApiTable:
    table: ApiTable | None = ctx.cache.get("kubernetes.apis")
    if table is None:
        table = ctx.cache["kubernetes.apis"] = load_table()
    return table


def target_version(ctx: RunContext) -> Version:
    configured = ctx.options.get("kubernetes_version")
    parsed = parse_version(configured) if isinstance(configured, str) else None
    return parsed or api_table(ctx).newest


def _shapes(ctx: RunContext) -> Shapes | None:
    if "kubernetes.shapes" not in ctx.cache:
        ctx.cache["kubernetes.shapes"] = load_shapes(target_version(ctx))
    shapes: Shapes | None = ctx.cache["kubernetes.shapes"]
    return shapes


def _objects(unit: LintUnit) -> list[K8sObject]:
    return unit.model if isinstance(unit.model, list) else []


def api_objects(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Objects whose API the target release does not serve as written; option
    `states` (removed, unreleased, deprecated) picks which."""
    states = set(options.get("states") or ("removed", "unreleased", "deprecated"))
    table, target = api_table(ctx), target_version(ctx)
    for obj in _objects(unit):
        status = table.status(obj.api_version, obj.kind, target)
        if status is not None and status.state in states:
            yield object_subject(obj, ApiUse(obj, status, target))


def _problems(obj: K8sObject, tree: KindTree, ctx: RunContext) -> tuple[SchemaProblem, ...]:
    # Keyed by the node's identity; the node is kept with the answer so a
    # recycled id never returns another object's problems.
    memo: dict[int, tuple[object, tuple[SchemaProblem, ...]]] = ctx.cache.setdefault("kubernetes.schema_problems", {})
    cached = memo.get(id(obj.node))
    if cached is not None and cached[0] is obj.node:
        return cached[1]
    problems = tuple(schema_problems(obj.node, tree))
    memo[id(obj.node)] = (obj.node, problems)
    return problems


def schema_objects(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Objects of built-in kinds with schema problems in the target release
    (custom resources have no schema here and are skipped); nothing when the
    optional schemas (`deploylint[schemas]`) are not installed."""
    objects = _objects(unit)
    shapes = _shapes(ctx) if objects else None
    if shapes is None:
        return
    for obj in objects:
        tree = shapes.tree(obj.api_version, obj.kind)
        if tree is None:
            continue
        problems = _problems(obj, tree, ctx)
        if problems:
            yield object_subject(obj, SchemaReport(obj, problems))
