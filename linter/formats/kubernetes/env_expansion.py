"""K8S014: `$(VAR)` in a container's command, args or env values that nothing
defines.

The kubelet expands `$(VAR)` in `command`, `args` and `env[].value` from the
container's own environment: every `envFrom` source, then the `env` entries
(an env value sees only the entries before it; command and args see all).
`$$` escapes a `$`. A reference to a name nothing defines is left as written,
so the process receives the literal text `$(VAR)`. A name is judged only when
every envFrom source of the container is known to the deployment (a
ConfigMap or Secret it defines with its keys written, not `optional`): a
source from elsewhere may define anything. Only names written the way
environment variables are (upper case, digits, `_`) are read: `$(date)` in a
shell command is the shell's, which the kubelet leaves alone too. The
variables Kubernetes adds for each Service (`WEB_SERVICE_HOST`, `WEB_PORT`)
always count as defined.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from linter.core.check import NoParams, Violation
from linter.core.model import LineIndex, MappingNode, ScalarNode, SequenceNode, Span
from linter.core.subject import Subject
from linter.formats.kubernetes.parser import K8sObject
from linter.formats.kubernetes.references import DeploymentIndex, InDeployment, keys_of, sequence_items, templated
from linter.formats.kubernetes.value_positions import value_positions

_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_SERVICE_LINK = re.compile(r"[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)?)")
_SOURCES = (("configMapRef", "ConfigMap"), ("secretRef", "Secret"))


@dataclass(frozen=True, slots=True)
class Reference:
    name: str
    offset: int  # of the `$` in the value's text
    width: int  # `$(NAME)`


def references(text: str) -> Iterator[Reference]:
    """The `$(NAME)` references of a value as the kubelet reads them (`$$` is an escaped `$`)."""
    at = 0
    while (at := text.find("$", at)) != -1:
        following = text[at + 1 : at + 2]
        if following == "$":
            at += 2
            continue
        close = text.find(")", at + 2) if following == "(" else -1
        if close != -1 and _NAME.fullmatch(name := text[at + 2 : close]):
            yield Reference(name, at, close + 1 - at)
            at = close + 1
        else:
            at += 1


@dataclass(frozen=True, slots=True)
class EnvSources:
    """What a container's envFrom defines, when every source is known."""

    names: frozenset[str]
    shown: str  # the sources, as the message names them


def _env_from(container: MappingNode, obj: K8sObject, index: DeploymentIndex) -> EnvSources | None:
    names: set[str] = set()
    shown: list[str] = []
    for item in sequence_items(container.sequence("envFrom")):
        found = [(ref, kind) for field, kind in _SOURCES if (ref := item.mapping(field)) is not None]
        if not found:
            return None
        ref, kind = found[0]
        name = ref.scalar("name")
        optional = ref.get("optional")
        if name is None or templated(name) or (isinstance(optional, ScalarNode) and optional.value is True):
            return None
        target = index.find(kind, obj.namespace, name.text)
        keys = keys_of(target.node) if target is not None and target.kind == kind else None
        if target is None or keys is None:
            return None  # made elsewhere (a secret manager, another bundle): it may define anything
        names |= {item.text("prefix") + key for key in keys}
        shown.append(f"{kind}/{name.text}" + (f" from {' and '.join(target.env_files)}" if target.env_files else ""))
    return EnvSources(frozenset(names), ", ".join(shown))


def env_variable_undefined(subject: Subject, params: NoParams) -> Iterator[Violation]:
    """K8S014: `$(VAR)` that no env entry before it and no envFrom source defines."""
    ref = subject.data
    if not isinstance(ref, InDeployment):
        return
    pod = ref.index.pod_of(ref.obj)
    for container in pod.containers if pod is not None else ():
        sources = _env_from(container, ref.obj, ref.index)
        if sources is None:
            continue
        entries = list(sequence_items(container.sequence("env")))
        every = sources.names | {e.text("name") for e in entries}
        who = f"container '{container.text('name')}'"
        values: list[tuple[Expanded, ScalarNode]] = []
        for field in ("command", "args"):
            node = container.get(field)
            for number, item in enumerate(node.items if isinstance(node, SequenceNode) else ()):
                if isinstance(item, ScalarNode):
                    values.append((Expanded(f"{field}[{number}] of {who}", "no env entry", every), item))
        before = set(sources.names)
        for entry in entries:
            value = entry.scalar("value")
            if value is not None:
                values.append((Expanded(f"env {entry.text('name')} of {who}", "no env entry before it", frozenset(before)), value))
            before.add(entry.text("name"))
        for expanded, value in values:
            yield from _undefined(ref.obj, value, expanded, sources.shown)


@dataclass(frozen=True, slots=True)
class Expanded:
    """A value the kubelet expands, and the names defined for it."""

    where: str  # "args[1] of container 'app'"
    entries: str  # which env entries it sees, as the message says it
    defined: frozenset[str]


def _undefined(obj: K8sObject, value: ScalarNode, expanded: Expanded, sources: str) -> Iterator[Violation]:
    if not isinstance(value.value, str):
        return
    for reference in references(value.value):
        if reference.name in expanded.defined or _SERVICE_LINK.fullmatch(reference.name):
            continue
        from_env = f"its envFrom ({sources})" if sources else "an envFrom source (it has none)"
        detail = (f"$({reference.name}) in {expanded.where}: {expanded.entries} defines {reference.name}, nor does "
                  f"{from_env}; Kubernetes passes it unexpanded")
        yield Violation(_span(obj, value, reference), {"detail": detail}, logical=f"{expanded.where}/{reference.name}")


def _span(obj: K8sObject, value: ScalarNode, reference: Reference) -> Span:
    """The reference's own columns when the value maps exactly onto its file, else the value's."""
    source = obj.source
    if source is None or source.path != value.span.file:
        return value.span
    line, column = LineIndex(value.text).position(reference.offset)
    return value_positions(value, source).span(line, column, reference.width)
