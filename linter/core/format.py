"""The seam between the format-blind core and the format packages.

A format (`linter/formats/<name>/`) is one `Format` subclass: how its files are
recognised, parsed and assembled into lint units, which selectors and Python
checks its rules may name, how its suppression comments look, which files
must be linted together, and which cross-file context its rules read. The core
asks a `FormatRegistry` (built in `linter/formats/__init__.py`) and never
spells a format's name.

Everything heavy (parsers, selectors, checks) is imported by the methods that
need it, so a run pays only for the formats it meets: detection is the only
code every run imports.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from linter.core.errors import UsageError

if TYPE_CHECKING:
    from linter.core.check import PythonCheck
    from linter.core.embedding import Embedded, Placement
    from linter.core.fix import Fixer
    from linter.core.loader import Loader
    from linter.core.model import ParsedFile, ParseProblem, SourceFile
    from linter.core.run_types import RunContext
    from linter.core.subject import Selector
    from linter.core.suppress import Directive
    from linter.core.units import LintUnit

T = TypeVar("T")

COMMON = "any"  # the target format of rules that apply to every format (DL, SEC101)


@dataclass(frozen=True, slots=True)
class CommentSyntax:
    """How a suppression comment is written: `# ...` or `<!-- ... -->`."""

    opener: str = "#"
    closer: str = ""

    def wrap(self, text: str) -> str:
        return f"{self.opener} {text}{' ' + self.closer if self.closer else ''}"


@dataclass(frozen=True, slots=True)
class ContextNeed:
    """Selectors that read other units of their format (K8S302 reads every
    autoscaler of the run); a worker or shard that does not lint those units
    rebuilds just this context from their files (`Format.context_units`)."""

    selectors: tuple[str, ...]


class Format:
    """One input format. Subclasses set the class attributes and override what
    differs from these defaults (one file per unit, per-file sharding, no
    declared encodings, no cross-file context, comments only for suppression)."""

    name: str = ""
    title: str = ""  # for documentation headings
    example_file: str = "file"  # the name a rule's help example is linted under
    code_fence: str = "text"  # the Markdown fence of its examples
    comment: CommentSyntax = CommentSyntax()
    data_suppression: str = ""  # how `suppressions` are written, for the docs ({rule}: the rule's ID)
    context: ContextNeed | None = None
    # Whether the files one holder groups (the keys of one ConfigMap) are one
    # installation, assembled together (a ClickHouse config.xml with its
    # config.d fragments), rather than each linted alone.
    held_installation: bool = False
    # Whether its rules judge a file against where it runs (a memory limit, the
    # Services it proxies to): a file of it on disk that another format's
    # deployment reads as data is placed there (`embedding.consumer_context`).
    reads_placement: bool = False
    cost_per_byte: float = 1.0  # linting work per byte next to a manifest's: balances shards and workers

    def environment(self) -> str:
        """What beside the files and the config changes this format's findings
        (a tool or package it runs), as text: part of the result cache's key."""
        return ""

    # --- discovery -------------------------------------------------------
    def claims_by_name(self, path: Path) -> bool:
        """Whether the name alone makes the file this format's (no content read)."""
        return False

    def wants_content(self, path: Path) -> bool:
        """Whether `detect` needs the start of the file to decide."""
        return False

    def detect(self, path: Path, head: str, root: Path) -> bool:
        """Whether a file is this format's, from its name and its first bytes."""
        return False

    def declared_encoding(self, data: bytes) -> str | None:
        """The encoding a file declares for itself (an XML prolog), if any."""
        return None

    # --- parsing and assembly -------------------------------------------
    def parse(self, source: SourceFile, loader: Loader) -> ParsedFile:
        raise NotImplementedError

    def build_units(self, files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
        from linter.core.units import single_file_units

        return single_file_units(files)

    def shard_key(self, relpath: str, abspath: str) -> str:
        """Files with equal keys are assembled together, so they stay in one
        worker, one CI shard and one group of a run."""
        return "file:" + relpath

    # True when `shard_key` depends on a file's directory alone: it is then
    # asked once per directory of a run (it may look at the disk).
    shard_key_by_directory: bool = False

    # --- rules --------------------------------------------------------------
    # The format's package (`linter.formats.<name>`): its `selectors` module
    # holds SELECTORS, its `checks` module CHECKS and its `fixes` module (if
    # it has fixes) FIXERS, imported when a rule first needs them.
    package: str = ""

    def selectors(self) -> Mapping[str, Selector]:
        return self._table("selectors", "SELECTORS")

    def checks(self) -> Mapping[str, PythonCheck]:
        return self._table("checks", "CHECKS")

    def fixers(self) -> Mapping[str, Fixer]:
        """The fixers its rules' `fix: {python: ...}` may name."""
        return self._table("fixes", "FIXERS", optional=True)

    def _table(self, module: str, name: str, optional: bool = False) -> Mapping[str, T]:
        if not self.package or (optional and importlib.util.find_spec(f"{self.package}.{module}") is None):
            return {}
        table: Mapping[str, T] = getattr(importlib.import_module(f"{self.package}.{module}"), name)
        return table

    # --- suppression and context ------------------------------------------
    def suppressions(self, parsed: ParsedFile) -> list[Directive]:
        """Suppressions written in the data rather than in comments (Kubernetes annotations)."""
        return []

    def context_units(self, source: SourceFile, loader: Loader) -> list[LintUnit]:
        """Units holding only the context objects of a file linted elsewhere."""
        return []

    def embedded(self, parsed: ParsedFile) -> list[Embedded]:
        """Files held inside this format's files (a ConfigMap's `nginx.conf`),
        each laid out at its own lines and columns of the holding file, with
        what the holder knows of where it is deployed. The run lints each with
        the format its name and content say, so its findings point into the
        holder."""
        return []

    def held_in_unit(self, unit: LintUnit, loader: Loader) -> list[Embedded]:
        """Files held in the objects a unit made rather than read (a chart's
        render), laid out in the file that wrote each: the run lints them as
        it lints `embedded` ones. None by default."""
        return []

    def place_held(self, held: Embedded, ctx: RunContext) -> Placement:
        """Where one of this format's held files runs, from the deployment
        its holder is in (`ctx.together`): the containers that read it, the
        services beside it. Called once the run's deployments are complete."""
        return held.placement

    def consumer_units(self, paths: frozenset[Path], units: list[LintUnit], loader: Loader) -> list[LintUnit]:
        """Context units of this format's deployments that read some of
        `paths` (files of other formats) as data, other than those `units`
        already hold: a Kustomize build whose generator makes a ConfigMap of
        a redis.conf the run lints alone."""
        return []

    def place_consumed(self, path: str, ctx: RunContext) -> Placement:
        """Where the file on disk at `path` (display path) runs, from the
        deployments of `ctx` that consume it whole as data (a ConfigMap
        generated from it); empty when none does."""
        from linter.core.embedding import Placement

        return Placement()

    # --- rendering ----------------------------------------------------------
    def render(self, path: Path, loader: Loader) -> tuple[str, list[ParseProblem]] | None:
        """What this format builds from `path` before linting (a Kustomize
        build), as text, with the problems that stopped it; None when `path`
        is nothing this format builds."""
        return None


class FormatRegistry:
    """The formats, in detection order, plus the selectors and checks every
    format's rules share (`COMMON`)."""

    def __init__(self, formats: tuple[Format, ...], common: Format) -> None:
        self.formats = formats
        self.common = common
        self._by_name = {f.name: f for f in formats}

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def __iter__(self) -> Iterator[Format]:
        return iter(self.formats)

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def get(self, name: str) -> Format:
        try:
            return self._by_name[name]
        except KeyError:
            raise UsageError(f"unknown format '{name}' (known: {', '.join(self.names())})") from None

    def find(self, name: str) -> Format | None:
        """The format of that name; None for a file no format could read."""
        return self._by_name.get(name)

    def target(self, name: str) -> Format:
        """The format of a rule's `target.format`: a format, or the common one."""
        return self.common if name == COMMON else self.get(name)

    def detect(self, path: Path, head: str | None, root: Path) -> str | None:
        """The format of a file from its name and (if read) the start of its text."""
        for fmt in self.formats:
            if fmt.claims_by_name(path):
                return fmt.name
        if head is None:
            return None
        head = head.removeprefix("\ufeff")  # a BOM would hide a first-line `apiVersion:`
        for fmt in self.formats:
            if fmt.detect(path, head, root):
                return fmt.name
        return None

    def wants_content(self, path: Path) -> bool:
        return any(fmt.wants_content(path) for fmt in self.formats)

    def selectors(self, target: str) -> Mapping[str, Selector]:
        """The selectors a rule of that target format may name."""
        return {**self.common.selectors(), **self.target(target).selectors()}

    def selector(self, target: str, name: str) -> Selector:
        return _named("selector", name, target, self.selectors(target))

    def python_check(self, target: str, name: str) -> PythonCheck:
        return _named("python check", name, target, {**self.common.checks(), **self.target(target).checks()})

    def fixer(self, target: str, name: str) -> Fixer:
        return _named("fixer", name, target, {**self.common.fixers(), **self.target(target).fixers()})


def _named(what: str, name: str, target: str, table: Mapping[str, T]) -> T:
    """`table[name]`, or a usage error listing what the rule's format offers."""
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table))
        raise UsageError(f"unknown {what} '{name}' for format '{target}' (known: {known})") from None
