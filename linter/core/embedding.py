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

A file on disk can be held too: a Kustomize `configMapGenerator` makes a
ConfigMap of a `redis.conf` next to the kustomization. It is linted as the
file the user wrote (its own path and positions) and placed the same way,
through the deployments that consume it (`Format.consumer_units` builds
them when the run has not: a file linted alone is judged as in its tree),
with `Format.place_consumed`. Its placement is kept apart from `Embedded`
(it is no held file: its text and positions are its own): `placement_of`
reads either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.model import ParsedFile, ParseProblem, SourceFile, Span

if TYPE_CHECKING:
    from linter.core.errorlog import ErrorLog
    from linter.core.format import FormatRegistry
    from linter.core.loader import Loader
    from linter.core.run_types import RunContext
    from linter.core.units import LintUnit

EMBEDDED = "embedded"  # ParsedFile.meta key of a held file: its `Embedded`
PLACED = "placed"  # ParsedFile.meta key of a file on disk a deployment consumes: its `Placement`


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
class HolderIgnore:
    """A suppression written on the holder (`deploylint.dev/ignore` on the
    ConfigMap) that covers the findings inside what it holds, as it covers
    the holder's own."""

    tokens: tuple[str, ...]  # rule IDs, names or prefixes
    reason: str
    span: Span  # where it is written


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a held file runs: the memory limits of the containers that read
    it, and one network per deployment its holder is in (a base built by two
    overlays is in two). Empty when the holder is in no deployment the run
    knows: nothing is judged."""

    memory_bounds: tuple[MemoryBound, ...] = ()
    networks: tuple[Network, ...] = ()
    ignores: tuple[HolderIgnore, ...] = ()  # the holders' suppressions over the held file

    def __add__(self, other: Placement) -> Placement:
        """Both placements (a file two formats' deployments consume)."""
        return Placement(self.memory_bounds + other.memory_bounds, self.networks + other.networks, self.ignores + other.ignores)


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


def placement_of(parsed: ParsedFile) -> Placement:
    """Where a file runs, as far as the run knows: a held file's placement,
    or the one a file on disk got from the deployments consuming it (empty
    when none does)."""
    held = embedding_of(parsed)
    if held is not None:
        return held.placement
    placed = parsed.meta.get(PLACED)
    return placed if isinstance(placed, Placement) else Placement()


def held_identity(files: list[ParsedFile]) -> str:
    """The identity a unit's findings carry beside their file: its held file's, if any."""
    held = embedding_of(files[0]) if files else None
    return held.identity if held is not None else ""


def consumer_context(units: list[LintUnit], loader: Loader, wanted: set[str]) -> list[LintUnit]:
    """The deployments that consume the files on disk of `units` whose format
    reads placements and is in `wanted` (the formats some enabled rule
    targets), as context units: those the run did not assemble itself
    (`Format.consumer_units`). Other files cost nothing here."""
    placed = {fmt.name for fmt in loader.formats if fmt.reads_placement} & wanted
    paths = {Path(f.source.abspath).absolute(): f.format for unit in units if unit.format in placed
             for f in unit.files if embedding_of(f) is None and f.source.abspath}
    found: list[LintUnit] = []
    for fmt in loader.formats:
        mine = frozenset(path for path, name in paths.items() if name != fmt.name)
        if mine:
            found.extend(fmt.consumer_units(mine, units, loader))
    return found


def place_held_files(units: list[LintUnit], ctx: RunContext, formats: FormatRegistry, log: ErrorLog) -> None:
    """Give each held file of `units` its placement among its holder's
    deployment (`ctx` holds the deployments, context from disk included), and
    each file on disk that a deployment consumes its placement there. A
    failure leaves that file unplaced (its cross-format rules judge nothing)
    and is reported as a DL006 at the file's start, never ends the run."""
    for unit in units:
        for parsed in unit.files:
            held = embedding_of(parsed)
            try:
                if held is None:
                    _place_on_disk(parsed, ctx, formats)
                    continue
                fmt = formats.find(held.holder_format)
                if fmt is not None:
                    parsed.meta[EMBEDDED] = replace(held, placement=fmt.place_held(held, ctx))
            except Exception as exc:  # a placement bug loses the cross-format checks of this file only
                name = held.name if held is not None else Path(parsed.path).name
                message = f"internal error placing {name} in its deployment ({type(exc).__name__}); {log.where('placement', exc)}"
                at = held.value if held is not None and held.value is not None else Span.point(parsed.path, 1, 1)
                parsed.problems.append(ParseProblem("DL006", message, Span.point(at.file, at.line, at.column)))


def _place_on_disk(parsed: ParsedFile, ctx: RunContext, formats: FormatRegistry) -> None:
    own = formats.find(parsed.format)
    if own is None or not own.reads_placement or PLACED in parsed.meta:
        return  # a file in several units (an nginx include) is placed once
    placement = Placement()
    for fmt in formats:
        if fmt.name != parsed.format:
            placement += fmt.place_consumed(parsed.path, ctx)
    if placement != Placement():
        parsed.meta[PLACED] = placement
