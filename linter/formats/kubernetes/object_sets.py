"""An object together with the other objects of its lint unit (one file, or
one Kustomize build or Helm render): what a check needs to follow a reference
that the same set resolves, such as a RoleBinding's roleRef or a pod's
ServiceAccount. References across the whole run are not this module's job."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linter.core.subject import Subject
from linter.formats.kubernetes.object_subject import object_subject
from linter.formats.kubernetes.parser import K8sObject

if TYPE_CHECKING:
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit


@dataclass(frozen=True, slots=True)
class ObjectInSet:
    """An `objects-in-set` subject's `data`: the object and its unit's objects."""

    obj: K8sObject
    neighbours: tuple[K8sObject, ...]

    def find(self, kind: str, name: str, namespace: str | None = None) -> K8sObject | None:
        """The last object of the set with this kind and name (and namespace,
        when one is given: '' is the namespace a manifest is applied to)."""
        found = None
        for other in self.neighbours:
            if other.kind == kind and other.name == name and (namespace is None or other.namespace == namespace):
                found = other
        return found


def unit_objects(unit: LintUnit) -> tuple[K8sObject, ...]:
    return tuple(unit.model) if isinstance(unit.model, list) else ()


def objects_in_set(unit: LintUnit, options: dict[str, Any], ctx: RunContext) -> Iterator[Subject]:
    """Every object (option `kinds` restricts to some kinds), with its set."""
    kinds = options.get("kinds")
    everything = unit_objects(unit)
    for obj in everything:
        if not kinds or obj.kind in kinds:
            yield object_subject(obj, ObjectInSet(obj, everything))
