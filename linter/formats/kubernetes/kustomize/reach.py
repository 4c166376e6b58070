"""What a kustomization reaches, read from the kustomization files alone: the
kustomizations it builds on and every other file it names. Cheap (no
resource is parsed), so a run decides which builds concern the files it lints
before building any (a pre-commit call on one file builds only the overlays
that use it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.model import MappingNode, Node, ScalarNode, SequenceNode
from linter.core.workspace import is_directory
from linter.formats.kubernetes.kustomize.files import kustomization_in

if TYPE_CHECKING:
    from linter.core.loader import Loader

# Fields whose entries name files or directories (strings, or mappings with `path`).
_NAMING = ("resources", "bases", "components", "patchesStrategicMerge", "patches", "patchesJson6902")
_GENERATORS = ("configMapGenerator", "secretGenerator")


@dataclass(frozen=True, slots=True)
class Reach:
    kustomizations: frozenset[Path]  # itself and every kustomization it builds on
    files: frozenset[Path]  # every other file it names
    component: bool


def reach(kustomization: Path, loader: Loader, memo: dict[Path, Reach] | None = None, stack: tuple[Path, ...] = ()) -> Reach:
    memo = {} if memo is None else memo
    if kustomization in memo:
        return memo[kustomization]
    kustomizations = {kustomization}
    files: set[Path] = set()
    root = _root(kustomization, loader)
    directory = kustomization.parent
    for entry in _named(root):
        target = Path(os.path.normpath(directory / entry))
        if loader.workspace.confined(target) is None:
            continue  # the build reports it; nothing outside the root is looked at
        inner = kustomization_in(target) if is_directory(target) else None
        if inner is not None:
            inner = inner.absolute()
            if inner not in stack and inner != kustomization:
                found = reach(inner, loader, memo, (*stack, kustomization))
                kustomizations |= found.kustomizations
                files |= found.files
        else:
            files.add(target)
    result = Reach(frozenset(kustomizations), frozenset(files), root is not None and root.text("kind") == "Component")
    memo[kustomization] = result
    return result


def _root(kustomization: Path, loader: Loader) -> MappingNode | None:
    parsed = loader.load(kustomization, "kubernetes")
    documents = getattr(parsed, "documents", None)
    return documents[0] if documents and isinstance(documents[0], MappingNode) else None


def _named(root: MappingNode | None) -> list[str]:
    if root is None:
        return []
    names: list[str] = []
    for field in _NAMING:
        names.extend(_paths(root.get(field)))
    for field in _GENERATORS:
        for entry in _items(root.get(field)):
            if isinstance(entry, MappingNode):
                names.extend(item.text.partition("=")[2] or item.text for item in _scalars(entry.get("files")))
                names.extend(item.text for item in (*_scalars(entry.get("envs")), *_scalars(entry.get("env"))))
    return names


def _paths(node: Node | None) -> list[str]:
    out = []
    for entry in _items(node):
        if isinstance(entry, ScalarNode) and "\n" not in entry.text:
            out.append(entry.text)
        elif isinstance(entry, MappingNode) and entry.scalar("path") is not None:
            out.append(entry.text("path"))
    return out


def _items(node: Node | None) -> list[Node]:
    return list(node.items) if isinstance(node, SequenceNode) else []


def _scalars(node: Node | None) -> list[ScalarNode]:
    if isinstance(node, ScalarNode):
        return [node]
    return [item for item in _items(node) if isinstance(item, ScalarNode)]
