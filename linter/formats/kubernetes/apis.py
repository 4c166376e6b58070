"""Which release serves which built-in apiVersion/kind pair (`apis.json`,
derived from the schema sets by `derive_apis.py`), and what that means for an
object at a target release: removed, not served yet, or deprecated in favour
of a more stable version of the same group that the target also serves."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from linter.formats.kubernetes.schema_source import Version, format_version, parse_version

TABLE = Path(__file__).with_name("apis.json")
_LEVEL = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")
_LEVELS = {"alpha": 0, "beta": 1, None: 2}


def stability(api_version: str) -> tuple[int, int, int]:
    """An ordering of versions of one group: alpha < beta < GA, then by number
    (v1beta1 < v1beta2 < v1 < v2)."""
    match = _LEVEL.match(api_version.rpartition("/")[2])
    if match is None:
        return (-1, 0, 0)
    return (_LEVELS[match.group(2)], int(match.group(1)), int(match.group(3) or 0))


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


@dataclass(frozen=True, slots=True)
class Api:
    api_version: str
    kind: str
    introduced: Version | None  # None: served by the first release the schemas know, or earlier
    removed: Version | None
    replacement: str | None

    def served_in(self, target: Version) -> bool:
        return (self.introduced is None or self.introduced <= target) and (self.removed is None or target < self.removed)


@dataclass(frozen=True, slots=True)
class ApiStatus:
    """What the target release makes of one object's apiVersion/kind."""

    state: str  # "removed" | "unreleased" | "deprecated"
    api: Api
    replacement: str | None  # the apiVersion to use instead, when there is one


class ApiTable:
    def __init__(self, apis: list[Api], newest: Version) -> None:
        self.newest = newest
        self._by_pair = {(api.api_version, api.kind): api for api in apis}
        self._by_kind: dict[tuple[str, str], list[Api]] = {}
        for api in apis:
            self._by_kind.setdefault((group_of(api.api_version), api.kind), []).append(api)
        self._statuses: dict[tuple[str, str, Version], ApiStatus | None] = {}  # every object asks: a run meets few pairs

    def knows(self, api_version: str, kind: str) -> bool:
        """Whether `kind` is a built-in kind of the API group (any version)."""
        return (group_of(api_version), kind) in self._by_kind

    def _most_stable_served(self, group: str, kind: str, target: Version) -> Api | None:
        served = [api for api in self._by_kind.get((group, kind), ()) if api.served_in(target)]
        return max(served, key=lambda api: stability(api.api_version), default=None)

    def status(self, api_version: str, kind: str, target: Version) -> ApiStatus | None:
        """None when the pair is served and current in `target`, or unknown
        (a custom resource, or a typo the schema rules report)."""
        key = (api_version, kind, target)
        if key not in self._statuses:
            self._statuses[key] = self._status(api_version, kind, target)
        return self._statuses[key]

    def _status(self, api_version: str, kind: str, target: Version) -> ApiStatus | None:
        api = self._by_pair.get((api_version, kind))
        if api is None:
            return None
        best = self._most_stable_served(group_of(api_version), kind, target)
        if api.removed is not None and target >= api.removed:
            replacement = best.api_version if best else api.replacement
            return ApiStatus("removed", api, replacement)
        if api.introduced is not None and target < api.introduced:
            return ApiStatus("unreleased", api, best.api_version if best else None)
        level = stability(api_version)
        if level[0] < 2 and best is not None and stability(best.api_version) > level:
            return ApiStatus("deprecated", api, best.api_version)
        return None


def _version(value: object) -> Version | None:
    return parse_version(value) if isinstance(value, str) else None


def load_table(path: Path = TABLE) -> ApiTable:
    data = json.loads(path.read_text(encoding="utf-8"))
    apis = [
        Api(entry["apiVersion"], entry["kind"], _version(entry.get("introduced")), _version(entry.get("removed")),
            entry.get("replacement"))
        for entry in data["apis"]
    ]
    newest = _version(data["newest"])
    assert newest is not None, "apis.json names its newest release"
    return ApiTable(apis, newest)


def describe(status: ApiStatus, target: Version) -> dict[str, str]:
    """Message variables for a status: what to use instead and when."""
    api = status.api
    instead = f"use {status.replacement}" if status.replacement else "no replacement API (see the migration guide)"
    if status.state == "removed":
        assert api.removed is not None
        when = f"removed in {format_version(api.removed)}"
    elif status.state == "unreleased":
        assert api.introduced is not None
        when = f"first served in {format_version(api.introduced)}"
    else:
        when = f"removed in {format_version(api.removed)}" if api.removed else "removal not yet scheduled in the known releases"
    return {"instead": instead, "when": when, "target": format_version(target)}
