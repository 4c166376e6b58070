"""Files held inside other files, and what their holder knows of where they
are deployed: the format-neutral vocabulary between a holding format (a
ConfigMap in a manifest) and the format of the file it holds (a redis.conf),
so a rule can check one against the other without either format importing
the other.

A held file is extracted when its holder is parsed, but where it runs is a
fact of the holder's deployment (the StatefulSet mounting the ConfigMap may
be in a sibling file, or in another file of the Kustomize build). So the run
places every held file once its deployments are complete (context read from
disk included): the holder's format finds the value the file came from among
its deployment's objects (`Format.place_held`) and returns the neutral facts
below, which the held file's checks read from its `Embedded`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from linter.core.model import ParsedFile, ParseProblem, SourceFile, Span

if TYPE_CHECKING:
    from linter.core.errorlog import ErrorLog
    from linter.core.format import FormatRegistry
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit

EMBEDDED = "embedded"  # ParsedFile.meta key of a held file: its `Embedded`


@dataclass(frozen=True, slots=True)
class MemoryBound:
    """The memory the process reading a held config may use: the limit of a
    container that mounts it, and where that limit is written."""

    who: str  # "container 'redis' in StatefulSet/cache"
    limit_bytes: int
    span: Span  # the limit's value

    @property
    def where(self) -> str:
        """The limit's file and line, as messages name the other side."""
        return f"{self.span.file}:{self.span.line}"


@dataclass(frozen=True, slots=True)
class MemoryExcess:
    """A size a held config sets past the share of a container's limit it may take."""

    bound: MemoryBound
    past_limit: bool  # past the limit itself, not only the share: the kernel kills the process


def memory_excesses(size: int, bounds: tuple[MemoryBound, ...], max_share: float) -> Iterator[MemoryExcess]:
    """The bounds whose `max_share` of the limit `size` bytes exceed (the
    headroom the rest leaves is the process's own, its forks and caches)."""
    for bound in bounds:
        if size > bound.limit_bytes * max_share:
            yield MemoryExcess(bound, size > bound.limit_bytes)


@dataclass(frozen=True, slots=True)
class ServicePort:
    number: int
    name: str = ""
    app_protocol: str = ""  # as written (`http`, `https`, `kubernetes.io/h2c`); "" when unset
    target_port_name: str = ""  # a named targetPort (the container port's name); "" when a number or unset
    span: Span | None = None  # where the port is written, for messages naming it


@dataclass(frozen=True, slots=True)
class NamedService:
    """A network name the held file's deployment defines (a Kubernetes
    Service): what a proxy in the held config may send requests to."""

    name: str
    namespace: str
    ports: tuple[ServicePort, ...]


@dataclass(frozen=True, slots=True)
class Network:
    """What a held file can reach in one deployment it is applied in: the
    Services there, and the namespace its own names resolve in."""

    namespace: str  # the holder's, in that deployment
    where: str  # the deployment, as messages name it ("the manifests of its directory")
    services: tuple[NamedService, ...]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a held file runs: the memory limits of the containers that read
    it, and one network per deployment its holder is in (a base built by two
    overlays is in two). Empty when the holder is in no deployment the run
    knows: nothing is judged."""

    memory_bounds: tuple[MemoryBound, ...] = ()
    networks: tuple[Network, ...] = ()


@dataclass(frozen=True, slots=True)
class Embedded:
    name: str  # the name it would have on disk (`redis.conf`)
    source: SourceFile  # laid out at its own lines and columns of the holder
    holder_format: str = ""
    value: Span | None = None  # the holder's value that is this file: finds it among the deployment's objects
    # Files of one group (the keys of one ConfigMap) are assembled together,
    # as one installation of their format (a ClickHouse config.xml and its
    # config.d fragments); "" assembles the file alone.
    group: str = ""
    # Where in its format's configuration the text sits, when it is a
    # fragment rather than a whole file (an ingress-nginx snippet annotation
    # is pasted into a `location`): its format parses it there, beside
    # content nobody wrote in the repository. "" for a whole file.
    context: str = ""
    # How the holder names the value, stable under edits (`Ingress/shop/web`,
    # and the annotation): findings inside it are told apart from the same
    # finding in another value of the same file. "" leaves them the file's.
    identity: str = ""
    placement: Placement = Placement()

    @property
    def memory_bounds(self) -> tuple[MemoryBound, ...]:
        return self.placement.memory_bounds


def embedding_of(parsed: ParsedFile) -> Embedded | None:
    """How a parsed file is held in another (None for a file on disk)."""
    found = parsed.meta.get(EMBEDDED)
    return found if isinstance(found, Embedded) else None


def held_identity(files: list[ParsedFile]) -> str:
    """The identity a unit's findings carry beside their file: its held file's, if any."""
    held = embedding_of(files[0]) if files else None
    return held.identity if held is not None else ""


def place_held_files(units: list[LintUnit], ctx: RunContext, formats: FormatRegistry, log: ErrorLog) -> None:
    """Give each held file of `units` its placement among its holder's
    deployment (`ctx` holds the deployments, context from disk included). A
    failure leaves that file unplaced (its cross-format rules judge nothing)
    and is reported as a DL006 at the file's start, never ends the run."""
    for unit in units:
        for parsed in unit.files:
            held = embedding_of(parsed)
            fmt = formats.find(held.holder_format) if held is not None else None
            if held is None or fmt is None:
                continue
            try:
                parsed.meta[EMBEDDED] = replace(held, placement=fmt.place_held(held, ctx))
            except Exception as exc:  # a placement bug loses the cross-format checks of this file only
                message = f"internal error placing {held.name} in its deployment ({type(exc).__name__}); {log.where('placement', exc)}"
                at = held.value or Span.point(parsed.path, 1, 1)
                parsed.problems.append(ParseProblem("DL006", message, Span.point(at.file, at.line, at.column)))
