"""Building a kustomization offline, as `kustomize build` does for the
features teams use, on positioned trees.

Every node of a built object is a node of the file that gave it its value
(the base, a patch, the kustomization line of a transformer), so findings on
built objects point where the value was written. What the builder does not
support, or cannot read, is a DL007 problem at the kustomization's line and
the build stops there: never a silently different result.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.model import MappingNode, Node, ParsedFile, ParseProblem, ScalarNode, SequenceNode, SourceFile, Span
from linter.core.workspace import ReadFailure, is_directory, path_exists
from linter.formats.common.yaml_tree import YamlLimits
from linter.formats.kubernetes.kustomize import generators, transformers
from linter.formats.kubernetes.kustomize.edit import to, update_path
from linter.formats.kubernetes.kustomize.fields import TEMPLATE_LABELS
from linter.formats.kubernetes.kustomize.files import kustomization_in
from linter.formats.kubernetes.kustomize.inline import parse_inline
from linter.formats.kubernetes.kustomize.patches import Patch, apply_patch, patches_of
from linter.formats.kubernetes.kustomize.resource import Generated, NotBuilt, Resource

if TYPE_CHECKING:
    from linter.core.loader import Loader

SUPPORTED = frozenset({
    "apiVersion", "kind", "metadata", "resources", "bases", "components", "patches", "patchesStrategicMerge",
    "patchesJson6902", "namespace", "namePrefix", "nameSuffix", "labels", "commonLabels", "commonAnnotations",
    "images", "replicas", "configMapGenerator", "secretGenerator", "generatorOptions", "sortOptions", "buildMetadata",
})
# Known fields the builder leaves out: their effect would be missing from the build.
UNSUPPORTED = {
    "helmCharts": "Helm charts inflated by kustomize",
    "helmChartInflationGenerator": "Helm charts inflated by kustomize",
    "helmGlobals": "Helm charts inflated by kustomize",
    "replacements": "replacements",
    "vars": "vars",
    "transformers": "transformer plugins",
    "generators": "generator plugins",
    "validators": "validator plugins",
    "crds": "CRD field specs",
    "configurations": "custom transformer configurations",
    "openapi": "custom OpenAPI schemas",
}
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)|\?ref=|\.git(?:$|//)", re.I)


@dataclass(slots=True)
class Build:
    """A kustomization's build: its objects, every file it read, and the files
    it consumed as patches or generator inputs (never linted as objects)."""

    kustomization: str
    resources: list[Resource] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    consumed: set[str] = field(default_factory=set)
    bases: list[str] = field(default_factory=list)  # kustomizations it builds on
    built: bool = True
    component: bool = False  # `kind: Component`: only built inside another kustomization


@dataclass
class Builder:
    """Builds kustomizations for one run; a base shared by several overlays is
    built once."""

    loader: Loader
    reported: list[ParseProblem] = field(default_factory=list)  # every problem that stopped a build
    _builds: dict[Path, Build] = field(default_factory=dict)
    _raw: dict[Path, Build] = field(default_factory=dict)

    @property
    def _limits(self) -> YamlLimits:
        limits = self.loader.workspace.limits
        return YamlLimits(limits.max_yaml_alias_nodes, limits.max_depth)

    def build(self, kustomization: Path) -> Build:
        """The final build of a kustomization file (generated names hashed,
        references renamed)."""
        key = kustomization.absolute()
        done = self._builds.get(key)
        if done is None:
            raw = self._raw_build(key, ())
            final = Build(raw.kustomization, _hashed(raw.resources), raw.files, raw.consumed, raw.bases, raw.built, raw.component)
            done = self._builds[key] = final
        return done

    # --- one kustomization ------------------------------------------------------

    def _raw_build(self, kustomization: Path, stack: tuple[Path, ...], inherited: list[Resource] | None = None) -> Build:
        if inherited is None and kustomization in self._raw:
            return self._raw[kustomization]
        display = self.loader.workspace.display_path(kustomization)
        result = Build(display, files=[display])
        parsed = self.loader.load(kustomization, "kubernetes")
        if isinstance(parsed, ParseProblem) or not parsed.documents or any(p.rule_id in ("DL001", "DL005", "DL006") for p in parsed.problems):
            result.built = False  # its parse problem is its finding
            if not isinstance(parsed, ParseProblem) and not parsed.problems:
                empty = ParseProblem("DL007", "empty kustomization: nothing to build (kustomize refuses it)", Span.start(parsed.path))
                _report(parsed, empty)
                self.reported.append(empty)
            self.reported.extend([parsed] if isinstance(parsed, ParseProblem) else [p for p in parsed.problems if p.rule_id.startswith("DL")])
        else:
            root = parsed.documents[0]
            result.component = isinstance(root, MappingNode) and root.text("kind") == "Component"
            if result.component and inherited is None:
                # A component means something only inside the kustomization
                # that lists it (its patches target that one's objects).
                self._raw[kustomization] = result
                return result
            try:
                self._build_into(result, parsed, kustomization, (*stack, kustomization), inherited or [])
            except NotBuilt as stop:
                _report(parsed, stop.problem)
                self.reported.append(stop.problem)
                result.built = False
                result.resources = []
        if inherited is None:
            self._raw[kustomization] = result
        return result

    def _build_into(self, result: Build, parsed: ParsedFile, path: Path, stack: tuple[Path, ...], inherited: list[Resource]) -> None:
        root = parsed.documents[0]
        if not isinstance(root, MappingNode):
            raise NotBuilt(ParseProblem("DL007", "a kustomization must be a mapping: not built", root.span))
        for key, _ in root.pairs:
            if key.text in UNSUPPORTED:
                raise NotBuilt(ParseProblem("DL007", f"not built: `{key.text}` ({UNSUPPORTED[key.text]}) is not supported; this kustomization's objects are not linted", key.span))
            if key.text not in SUPPORTED:
                raise NotBuilt(ParseProblem("DL007", f"unknown kustomization field '{key.text}' (kustomize refuses it): not built", key.span))
        directory = path.parent
        resources = list(inherited)
        for item in [*_strings(root.get("resources")), *_strings(root.get("bases"))]:
            resources.extend(self._resource(item, directory, stack, result))
        for item in _strings(root.get("components")):
            component = self._entry_kustomization(item, directory, stack)
            built = self._raw_build(component, stack, resources)
            if not built.built:
                raise NotBuilt(ParseProblem("DL007", f"component '{item.text}' was not built (see its findings)", item.span))
            _absorb(result, built)
            result.bases.append(built.kustomization)
            resources = built.resources
        resources = self._generate(root, directory, resources, result)
        source = parsed.source
        for name in ("patchesStrategicMerge", "patches"):
            for patch in self._patches(root, name, source, directory, result):
                resources = apply_patch(resources, patch)
        namespace = root.scalar("namespace")
        if namespace is not None and namespace.text:
            resources = transformers.set_namespace(resources, namespace)
        prefix, suffix = root.scalar("namePrefix"), root.scalar("nameSuffix")
        if (prefix is not None and prefix.text) or (suffix is not None and suffix.text):
            resources = transformers.add_affixes(resources, prefix, suffix)
        common = root.mapping("commonLabels")
        if common is not None:
            resources = transformers.add_labels(resources, common)
        for entry in _mappings(root.get("labels")):
            pairs = entry.mapping("pairs")
            if pairs is None:
                continue
            if entry.scalar("includeSelectors") is not None and entry.scalar("includeSelectors").value is True:  # type: ignore[union-attr]
                resources = transformers.add_labels(resources, pairs)
            else:
                from linter.formats.kubernetes.kustomize.fields import COMMON_LABELS

                specs = (COMMON_LABELS[0], *(TEMPLATE_LABELS if _flag(entry, "includeTemplates") else ()))
                resources = transformers.add_labels(resources, pairs, specs)
        annotations = root.mapping("commonAnnotations")
        if annotations is not None:
            resources = transformers.add_annotations(resources, annotations)
        for patch in self._patches(root, "patchesJson6902", source, directory, result):
            resources = apply_patch(resources, patch)
        replicas = root.sequence("replicas")
        if replicas is not None:
            resources = transformers.set_replicas(resources, replicas)
        images = root.sequence("images")
        if images is not None:
            resources = transformers.set_images(resources, images)
        result.resources = transformers.fix_references(resources)

    # --- resources --------------------------------------------------------------

    def _resource(self, item: ScalarNode, directory: Path, stack: tuple[Path, ...], result: Build) -> list[Resource]:
        target = self._local(item, directory)
        if is_directory(target):
            kustomization = self._entry_kustomization(item, directory, stack)
            built = self._raw_build(kustomization, stack)
            if not built.built:
                raise NotBuilt(ParseProblem("DL007", f"resource '{item.text}' was not built (see its findings)", item.span))
            _absorb(result, built)
            result.bases.append(built.kustomization)
            return built.resources
        parsed = self._load(target, item)
        result.files.append(parsed.path)
        return [Resource.of(obj.node) for obj in parsed.meta.get("model", [])]

    def _entry_kustomization(self, item: ScalarNode, directory: Path, stack: tuple[Path, ...]) -> Path:
        target = self._local(item, directory)
        kustomization = kustomization_in(target) if is_directory(target) else None
        if kustomization is None:
            raise NotBuilt(ParseProblem("DL007", f"'{item.text}' is not a directory holding a kustomization: not built", item.span))
        kustomization = kustomization.absolute()
        if kustomization in stack:
            cycle = " -> ".join(self.loader.workspace.display_path(p) for p in (*stack[stack.index(kustomization):], kustomization))
            raise NotBuilt(ParseProblem("DL007", f"kustomization cycle: {cycle}", item.span))
        return kustomization

    def _local(self, item: ScalarNode, directory: Path) -> Path:
        if _REMOTE.search(item.text):
            raise NotBuilt(ParseProblem("DL007", f"not built: remote resource '{item.text}' (deploylint reads no network)", item.span))
        # Normalised, not resolved: `..` steps are the user's own; symlinks are
        # checked by confinement.
        target = Path(os.path.normpath(directory / item.text))
        if self.loader.workspace.confined(target) is None:
            raise NotBuilt(ParseProblem("DL007", f"'{item.text}' is outside the scanned root (after resolving symlinks): not read, not built", item.span))
        if not path_exists(target):
            raise NotBuilt(ParseProblem("DL007", f"'{item.text}' does not exist: not built", item.span))
        return target

    def _load(self, target: Path, item: ScalarNode) -> ParsedFile:
        parsed = self.loader.load(target, "kubernetes")
        if isinstance(parsed, ParseProblem):
            raise NotBuilt(ParseProblem("DL007", f"'{item.text}' could not be read: {parsed.message}", item.span))
        return parsed

    def _read_text(self, target: Path, at: Span) -> SourceFile | ParseProblem:
        target = Path(os.path.normpath(target))
        if self.loader.workspace.confined(target) is None:
            return ParseProblem("DL007", f"'{target.name}' is outside the scanned root (after resolving symlinks): not read", at)
        try:
            return self.loader.workspace.read(target)
        except ReadFailure as failure:
            return ParseProblem("DL007", f"generator input could not be read: {failure.problem.message}", at)

    # --- generators -------------------------------------------------------------

    def _generate(self, root: MappingNode, directory: Path, resources: list[Resource], result: Build) -> list[Resource]:
        options = root.mapping("generatorOptions")
        for kind in ("configMapGenerator", "secretGenerator"):
            for entry in _mappings(root.get(kind)):
                name = entry.scalar("name")
                if name is None:
                    raise NotBuilt(ParseProblem("DL007", f"a {kind} entry has no name: not built", entry.span))
                data = generators.generator_data(entry, directory, self._read_text)
                if data.problems:
                    raise NotBuilt(data.problems[0])
                result.consumed.update(data.inputs)
                result.files.extend(data.inputs)
                own = entry.mapping("options")
                merged_options = _merge_options(options, own)
                if kind == "configMapGenerator":
                    node = generators.config_map(name, entry.scalar("namespace"), data, merged_options, entry.span)
                else:
                    node = generators.secret(name, entry.scalar("namespace"), entry.scalar("type"), data, merged_options, entry.span)
                hashed = not _flag(merged_options, "disableNameSuffixHash")
                behavior = entry.text("behavior") or "create"
                resources = _place_generated(resources, Resource.of(node), Generated(hashed, behavior, tuple(data.env_files)), entry)
        return resources

    # --- patches ----------------------------------------------------------------

    def _patches(self, root: MappingNode, field_name: str, source: SourceFile, directory: Path, result: Build) -> list[Patch]:
        node = root.get(field_name)
        if node is None:
            return []
        found: list[Patch] = []
        for entry, text_holder, path_holder in patches_of(field_name, node):
            if path_holder is not None:
                target = self._local(path_holder, directory)
                parsed = self._load(target, path_holder)
                if parsed.problems and any(p.rule_id in ("DL001", "DL005") for p in parsed.problems):
                    raise NotBuilt(ParseProblem("DL007", f"patch '{path_holder.text}' does not parse: not built", path_holder.span))
                result.files.append(parsed.path)
                result.consumed.add(parsed.path)
                documents: list[Node] = list(parsed.documents)
            else:
                assert text_holder is not None
                documents, problems = parse_inline(text_holder, source, self._limits)
                if problems:
                    raise NotBuilt(ParseProblem("DL007", f"inline patch does not parse: {problems[0].message}", problems[0].span))
            found.append(Patch(field_name, entry, documents))
        return found


def _report(parsed: ParsedFile, problem: ParseProblem) -> None:
    # Its identity for fingerprints: the message names the entry, never a line.
    problem.logical = problem.logical or problem.message
    if not any(p.rule_id == problem.rule_id and p.span == problem.span for p in parsed.problems):
        parsed.problems.append(problem)


def _absorb(result: Build, built: Build) -> None:
    result.files.extend(f for f in built.files if f not in result.files)
    result.consumed.update(built.consumed)
    result.bases.extend(b for b in built.bases if b not in result.bases)


def _strings(node: Node | None) -> list[ScalarNode]:
    if isinstance(node, SequenceNode):
        return [item for item in node.items if isinstance(item, ScalarNode)]
    return []


def _mappings(node: Node | None) -> list[MappingNode]:
    if isinstance(node, SequenceNode):
        return [item for item in node.items if isinstance(item, MappingNode)]
    return []


def _flag(node: MappingNode | None, key: str) -> bool:
    value = node.scalar(key) if node is not None else None
    return value is not None and value.value is True


def _merge_options(general: MappingNode | None, own: MappingNode | None) -> MappingNode | None:
    if general is None or own is None:
        return own or general
    pairs = {k.text: (k, v) for k, v in general.pairs}
    for k, v in own.pairs:
        pairs[k.text] = (k, v)
    return MappingNode([(ScalarNode(k.text, k.span), v) for k, v in pairs.values()], own.span)


def _place_generated(resources: list[Resource], generated: Resource, how: Generated, entry: MappingNode) -> list[Resource]:
    """A new ConfigMap/Secret, or (behavior merge/replace) one combined with
    the base's of the same name."""
    made = Resource(generated.node, generated.names, generated.namespaces, how)
    if how.behavior == "create":
        return [*resources, made]
    for index, existing in enumerate(resources):
        if existing.kind == made.kind and made.name in existing.names and existing.generated is not None:
            if how.behavior == "replace":
                node = made.node
            else:
                node = _merged_data(existing.node, made.node)
            node = update_path(node, ("metadata", "name"), to(ScalarNode(existing.name, made.node.span)), made.node.span)
            resources = list(resources)
            env_files = how.env_files if how.behavior == "replace" else tuple(dict.fromkeys(existing.generated.env_files + how.env_files))
            combined = Generated(existing.generated.hashed and how.hashed, "create", env_files)
            resources[index] = Resource(node, existing.names, existing.namespaces, combined)
            return resources
    raise NotBuilt(ParseProblem("DL007", f"behavior '{how.behavior}' but no generated {made.kind} '{made.name}' to {how.behavior}", entry.span))


def _merged_data(base: MappingNode, overlay: MappingNode) -> MappingNode:
    data = base.mapping("data") or MappingNode([], overlay.span)
    new = overlay.mapping("data")
    merged = {k.text: (k, v) for k, v in data.pairs}
    for k, v in new.pairs if new is not None else ():
        merged[k.text] = (k, v)
    node = MappingNode([(ScalarNode(k.text, k.span), v) for k, v in (merged[key] for key in sorted(merged))], data.span)
    return update_path(base, ("data",), to(node), overlay.span)


def _hashed(resources: list[Resource]) -> list[Resource]:
    """Generated names with their content hash, and references to them renamed."""
    out = []
    for resource in resources:
        if resource.generated is not None and resource.generated.hashed:
            name = f"{resource.name}-{generators.name_hash(resource.node)}"
            metadata = resource.node.mapping("metadata")
            old = metadata.get("name") if metadata else None
            span = old.span if old is not None else resource.node.span
            resource = resource.with_node(update_path(resource.node, ("metadata", "name"), to(ScalarNode(name, span)), span))
        out.append(resource)
    return transformers.fix_references(out)
