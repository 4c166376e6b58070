"""Configuration held in Kubernetes objects, handed to the run as files of
their own, laid out at their lines and columns of the manifest, so the pack
of their format lints them and every finding points at the true line inside
the YAML. Where they run (the containers that mount them, the Services
beside them) is found later, in their holder's deployment: `placement.py`.

The holders:
- ConfigMap `data` and Secret `stringData`: a key named like a file
  (`nginx.conf`, `config.xml`, `.env`) whose value is a multi-line value;
- ingress-nginx snippets: an Ingress's `configuration-snippet` annotation
  (pasted into each `location` of the Ingress) and `server-snippet` (into
  its `server`), and the `main-`, `http-`, `server-` and `location-snippet`
  keys of the controller's ConfigMap (named `ingress-nginx-controller` or
  `nginx-configuration`, or by a `--configmap` argument in the same file).
  Each is a fragment of the config the controller generates, so it is held
  with the nginx context it is pasted into (`Embedded.context`) and judged
  as a fragment: what the controller writes around it is unknown, never
  missing. Values of one line are snippets too;
- Altinity ClickHouseInstallation (and ...Template) `spec.configuration.files`:
  a key naming an XML file (`config.d/x.xml`, `users.d/y.xml`, `x.xml`) is a
  file the operator puts in the server's `config.d`/`users.d`/`conf.d`; the
  files of one object are one installation, like one ConfigMap's keys. A file
  is named by its base name (the operator drops subfolders), so its role is
  told by what it holds. Its memory bounds are the limits of the container
  the operator runs the server in (`clickhouse`, else the first) of each of
  the object's pod templates.

Only values whose every position maps exactly are linted (a literal `|`
block, or one line written without escapes). Folded (`>`) scalars, quoted
values with escapes and multi-line flow scalars are not: their line breaks
and escapes are not the file's, so no position inside them would be exact
(the manifest's own rules still see them).

Configs a Helm chart keeps in its values are linted where values.yaml holds
them, when the template prints the string unchanged into a literal block
(`redis.conf: |` over `{{ .Values.redisConf | nindent 4 }}`): provenance gives
the rendered value the values string's own span, and `rendered_held_files`
lays it out at its lines of values.yaml (every line checked against that
file). A config the template may rewrite (`tpl`, `trim`, `replace`,
`include`) is not linted: its lines are no file's, and a finding at a guessed
line is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linter.core.embedding import Embedded, MemoryBound, Placement
from linter.core.model import MappingNode, ParsedFile, ScalarNode, SequenceNode, SourceFile
from linter.core.workspace import ReadFailure
from linter.formats.kubernetes.annotations import holder_ignores
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.quantity import parse_quantity
from linter.formats.kubernetes.references import sequence_items
from linter.formats.kubernetes.value_positions import in_place

if TYPE_CHECKING:
    from linter.core.loader import Loader
    from linter.core.units import LintUnit

# The kinds that hold files, the field holding them, and how a pod's volume names the holder.
HOLDERS = {"ConfigMap": (("data", "configMap", "name"),), "Secret": (("stringData", "secret", "secretName"),)}

_INGRESS = "nginx.ingress.kubernetes.io/"
# Annotation or controller ConfigMap key -> the nginx context the controller pastes it into.
INGRESS_SNIPPETS = {f"{_INGRESS}configuration-snippet": "location", f"{_INGRESS}server-snippet": "server"}
CONTROLLER_SNIPPETS = {"main-snippet": "main", "http-snippet": "http", "server-snippet": "server", "location-snippet": "location"}
CONTROLLER_CONFIGMAPS = frozenset({"ingress-nginx-controller", "nginx-configuration"})
_CONTROLLER_KINDS = frozenset({"Deployment", "DaemonSet", "StatefulSet"})  # what runs a controller
_CONFIGMAP_ARG = re.compile(r"--configmap=(?:[^/\s]*/)?([^/\s]+)")

CHI_KINDS = frozenset({"ClickHouseInstallation", "ClickHouseInstallationTemplate"})
_CHI_API = "clickhouse.altinity.com/"


@dataclass(frozen=True, slots=True)
class HeldSource:
    """One value of an object that is a file (or a fragment) of another format."""

    name: str  # the name it is detected and reported by
    value: ScalarNode
    context: str = ""  # the fragment's context in its format; "" for a whole file
    installation: bool = False  # assembled with the object's other held files
    # What tells its findings apart from another object's (with the object's
    # ref); "" keeps a ConfigMap key's findings the identity they always had.
    identity: str = ""


def held_values(obj: K8sObject) -> Iterator[tuple[str, ScalarNode, str, str]]:
    """The values of `obj` that hold a file a pod mounts: (key, value, volume kind, volume name key)."""
    for field, volume_kind, name_key in HOLDERS.get(obj.kind, ()):
        data = obj.node.get(field)
        if not isinstance(data, MappingNode):
            continue
        for key, value in data.pairs:
            # One-line values are settings, not files.
            if isinstance(value, ScalarNode) and isinstance(value.value, str) and "\n" in value.value:
                yield key.text, value, volume_kind, name_key


def held_sources(obj: K8sObject, controller_configmaps: frozenset[str]) -> Iterator[HeldSource]:
    """Every value of `obj` holding a file or fragment of another format."""
    if obj.kind == "Ingress":
        yield from _snippets(obj.annotations, INGRESS_SNIPPETS)
        return
    if obj.kind in CHI_KINDS and obj.api_version.startswith(_CHI_API):
        yield from _chi_files(obj)
        return
    controller = obj.kind == "ConfigMap" and obj.name in controller_configmaps
    if controller:
        yield from _snippets(obj.node.mapping("data"), CONTROLLER_SNIPPETS)
    for key, value, _, _ in held_values(obj):
        if not (controller and key in CONTROLLER_SNIPPETS):
            yield HeldSource(key, value, installation=True)


def _text(node: object) -> ScalarNode | None:
    """A string value with something in it."""
    return node if isinstance(node, ScalarNode) and isinstance(node.value, str) and node.value.strip() else None


def _snippets(holder: MappingNode | None, contexts: dict[str, str]) -> Iterator[HeldSource]:
    for key, node in holder.pairs if holder is not None else ():
        context = contexts.get(key.text)
        value = _text(node)
        if context is not None and value is not None:
            # Named as nginx's (a `.conf` under an nginx folder), whatever its text looks like:
            # the controller pastes it into nginx.conf, so text nginx cannot read is a DL001.
            name = key.text if key.text.startswith(_INGRESS) else f"ingress-nginx/{key.text}"
            yield HeldSource(f"{name}.conf", value, context, identity=key.text)


def _chi_files(obj: K8sObject) -> Iterator[HeldSource]:
    files = obj.node.path("spec", "configuration", "files")
    for key, node in files.pairs if isinstance(files, MappingNode) else ():
        base = key.text.rsplit("/", 1)[-1]
        value = _text(node)
        if base.lower().endswith(".xml") and value is not None:
            yield HeldSource(base, value, installation=True, identity="spec.configuration.files")


def chi_memory_bounds(obj: K8sObject) -> tuple[MemoryBound, ...]:
    """The memory limits of the servers a CHI's pod templates run: the
    container the operator runs ClickHouse in is the one named `clickhouse`,
    else the template's first. Every template counts (the clusters may use any)."""
    if obj.kind not in CHI_KINDS:
        return ()
    bounds = []
    for template in sequence_items(_sequence(obj.node, "spec", "templates", "podTemplates")):
        containers = list(sequence_items(_sequence(template, "spec", "containers")))
        server = next((c for c in containers if c.text("name") == "clickhouse"), containers[0] if containers else None)
        who = f"of pod template '{template.text('name')}' in {obj.kind}/{obj.name}"
        bound = container_memory_bound(server, who) if server is not None else None
        if bound is not None:
            bounds.append(bound)
    return tuple(bounds)


def container_memory_bound(container: MappingNode, where: str) -> MemoryBound | None:
    """The container's memory limit as a bound on what it runs (None without one)."""
    limit = container.path("resources", "limits", "memory")
    amount = parse_quantity(limit.value) if isinstance(limit, ScalarNode) else None
    if limit is None or amount is None:
        return None
    return MemoryBound(f"container '{container.text('name')}' {where}", int(amount), limit.span)


def _sequence(node: MappingNode, *keys: str) -> SequenceNode | None:
    found = node.path(*keys)
    return found if isinstance(found, SequenceNode) else None


def controller_configmaps(objects: list[K8sObject]) -> frozenset[str]:
    """The ConfigMaps an ingress-nginx controller reads: the stock names, and
    any a controller of these objects names with `--configmap=ns/name` (looked
    for only when a ConfigMap of theirs has a snippet key)."""
    named = set(CONTROLLER_CONFIGMAPS)
    if not any(obj.kind == "ConfigMap" and _has_snippets(obj) for obj in objects):
        return frozenset(named)
    for obj in objects:
        if obj.kind not in _CONTROLLER_KINDS:
            continue
        for container in sequence_items(_sequence(obj.node, "spec", "template", "spec", "containers")):
            for word in (w for field in ("command", "args") for w in container.sequence(field) or ()):
                found = _CONFIGMAP_ARG.fullmatch(word.text.strip()) if isinstance(word, ScalarNode) else None
                if found is not None:
                    named.add(found.group(1))
    return frozenset(named)


def _has_snippets(obj: K8sObject) -> bool:
    data = obj.node.mapping("data")
    return data is not None and any(key.text in CONTROLLER_SNIPPETS for key, _ in data.pairs)


def embedded_files(parsed: ParsedFile) -> list[Embedded]:
    objects = [obj for obj in parsed.meta.get("model", []) if isinstance(obj, K8sObject)]
    return _held_files(objects, lambda file: parsed.source if file == parsed.path else None)


def rendered_held_files(unit: LintUnit, loader: Loader) -> list[Embedded]:
    """The held values of a chart render's objects that a values file wrote
    whole: provenance gives a block printed unchanged by `{{ .Values.x |
    nindent N }}` the span of that values string, so it is laid out at its own
    lines of values.yaml (`in_place` checks every line against that file).
    Values printed any other way are no file's text, and are not linted."""
    if "chart" not in unit.meta or not isinstance(unit.model, list):
        return []
    sources: dict[str, SourceFile | None] = {}

    def source_of(file: str) -> SourceFile | None:
        if file not in sources:
            sources[file] = _values_source(file, loader)
        return sources[file]

    return _held_files([obj for obj in unit.model if isinstance(obj, K8sObject)], source_of)


def _held_files(objects: list[K8sObject], source_of: Callable[[str], SourceFile | None]) -> list[Embedded]:
    """The files the objects hold that lie exactly in the text `source_of`
    gives for the file each value's span names."""
    controllers = controller_configmaps(objects)
    found: list[Embedded] = []
    for obj in objects:
        # A CHI says itself where its files run; a ConfigMap's placement is found in its deployment.
        placement = Placement(chi_memory_bounds(obj), ignores=holder_ignores(obj))
        for held in held_sources(obj, controllers):
            file = held.value.span.file
            source = source_of(file)
            laid_out = in_place(held.value, source) if source is not None else None
            if laid_out is not None:
                group = f"{file}:{obj.node.span.line}:{obj.node.span.column}"
                found.append(Embedded(held.name, laid_out, value=held.value.span, group=group if held.installation else "",
                                      context=held.context, identity=held.identity and f"{obj.ref}/{held.identity}",
                                      placement=placement))
    return found


def _values_source(display: str, loader: Loader) -> SourceFile | None:
    """A chart file's text as the chart holds it (values files only: a
    template's text is not what the rendered value says)."""
    if "/templates/" in f"/{display}":
        return None
    try:
        return loader.workspace.read(loader.workspace.root / display, display)
    except ReadFailure:
        return None
