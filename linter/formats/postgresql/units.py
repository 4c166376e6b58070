"""PostgreSQL lint units: one per data directory's configuration.

postgresql.conf is expanded with its `include`, `include_if_exists` and
`include_dir` (files ending in `.conf`, in name order) relative to the
including file; postgresql.auto.conf is read after it (ALTER SYSTEM wins);
pg_hba.conf beside it gives the client-authentication records. A file passed
alone (pre-commit) is judged with its siblings read from disk, and the unit
reports only on the files that were scanned.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from linter.core.embedding import embedding_of
from linter.core.model import ParsedFile
from linter.core.units import LintUnit
from linter.formats.common.line_includes import ConfigTree, IncludeRequest, TreeBuilder, build_trees, lines_of
from linter.formats.common.lines import Line
from linter.formats.postgresql.model import Cluster
from linter.formats.postgresql.parser import CONF, FORMAT, HBA, file_name, syntax_of

if TYPE_CHECKING:
    from linter.core.loader import Loader

MAIN, AUTO, HBA_FILE = "postgresql.conf", "postgresql.auto.conf", "pg_hba.conf"
_KINDS = {"include": ("file", False), "include_if_exists": ("file", True), "include_dir": ("dir", False)}


def include_request(line: Line) -> IncludeRequest | None:
    kind = _KINDS.get(line.key)
    if kind is None or not line.args:
        return None
    return IncludeRequest(line.args[0], kind=kind[0], optional=kind[1], suffix=".conf")


def _sibling(loader: Loader, directory: Path, name: str, scanned: dict[str, ParsedFile]) -> ParsedFile | None:
    path = directory / name
    if str(path) in scanned:
        return scanned[str(path)]
    if not path.is_file() or loader.workspace.confined(path) is None:
        return None
    loaded = loader.load(path, FORMAT)
    return loaded if isinstance(loaded, ParsedFile) else None


def _directory(parsed: ParsedFile) -> Path:
    return Path(parsed.source.abspath).absolute().parent


def assemble_units(files: list[ParsedFile], loader: Loader) -> list[LintUnit]:
    scanned = {str(Path(f.source.abspath).absolute()): f for f in files}
    reported = frozenset(f.path for f in files)
    builder = TreeBuilder(loader, FORMAT, include_request)
    # by name, not meta: a file that could not be read has no parse to say
    conf_files = [f for f in files if syntax_of(file_name(f.source)) == CONF and file_name(f.source) != AUTO]
    hba_files = [f for f in files if syntax_of(file_name(f.source)) == HBA]
    autos = {_directory(f): f for f in files if file_name(f.source) == AUTO}
    units: list[LintUnit] = []
    directories_done: set[Path] = set()
    trees = build_trees(conf_files, builder)
    for tree in trees:
        directory = _directory(tree.main)
        name = file_name(tree.main.source)
        # A config held in a manifest has no siblings on disk: the files beside the manifest are not its cluster's.
        is_main = name == MAIN and embedding_of(tree.main) is None
        extra: list[ParsedFile] = []
        hba = auto = None
        if is_main:
            directories_done.add(directory)
            hba = _sibling(loader, directory, HBA_FILE, scanned)
            auto = autos.pop(directory, None) or _sibling(loader, directory, AUTO, scanned)
            extra = [f for f in (auto, hba) if f is not None]
        # Another name is an include_dir fragment (conf.d/override.conf), judged on what it sets.
        fragment = name != MAIN and not name.endswith(".postgresql.conf")
        cluster = Cluster(tree if tree.readable else None, hba, lines_of(auto) if auto is not None else [], fragment)
        # what a scanned config includes is reported; siblings read from disk only inform
        units.append(_unit(tree.main.path, [*tree.files, *extra], cluster, reported | {f.path for f in tree.files}))
    for directory, auto in autos.items():  # ALTER SYSTEM's file alone
        if directory not in directories_done:
            directories_done.add(directory)
            hba = _sibling(loader, directory, HBA_FILE, scanned)
            cluster = Cluster(ConfigTree(auto, files=[auto]), hba, lines_of(auto))
            units.append(_unit(auto.path, [auto, *([hba] if hba else [])], cluster, reported))
    for hba in hba_files:
        directory = _directory(hba)
        if directory in directories_done:
            continue
        main = _sibling(loader, directory, MAIN, scanned) if embedding_of(hba) is None else None
        known = builder.build(main) if main is not None else None
        cluster = Cluster(known if known is not None and known.readable else None, hba)
        units.append(_unit(hba.path, [hba, *(known.files if known else [])], cluster, reported))
    return units


def _unit(path: str, files: list[ParsedFile], cluster: Cluster, reported: frozenset[str]) -> LintUnit:
    unique: list[ParsedFile] = []
    for f in files:
        if all(f is not u for u in unique):
            unique.append(f)
    return LintUnit(FORMAT, path, unique, cluster, reports_on=reported.intersection(f.path for f in unique))
