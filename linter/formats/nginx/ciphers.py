"""OpenSSL cipher strings (`ssl_ciphers`), evaluated for the weak suites they leave enabled.

A cipher string is a list of elements (`:`, `,` or space separated). A plain
element adds suites, `!X` removes them for good, `-X` removes them (a later
element may add them back), `+X` only moves them to the end, `@...` is a
command; `A+B` selects the suites in both A and B. Suites are not enumerated:
each element selects *groups*, a group being "suites that all have these weak
classes" (`RC4-MD5` is one group with RC4 and MD5; `ALL` is several groups, one
per weak class it contains). Removing a group removes every group whose suites
all belong to it (`!RC4` removes `RC4-MD5`; `!RC4-MD5` leaves `RC4-SHA`).
Names we do not know (`HIGH`, `ECDHE`, `AESGCM`) select nothing weak, and
restrict nothing in an `A+B` combination.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Group = frozenset[str]  # the weak classes every suite of the group has

# Aliases, upper-cased (OpenSSL spells `aNULL`, `eNULL`), and the groups they select.
# `ALL` as OpenSSL 3 builds it (its weak suites are the anonymous ones; 1.0.x,
# out of support, also had RC4, 3DES and DES in it); `MEDIUM` is 3DES and RC4
# where they are built in.
_ALIASES: dict[str, tuple[Group, ...]] = {
    "NULL": (frozenset({"NULL"}),),
    "ENULL": (frozenset({"NULL"}),),
    "COMPLEMENTOFALL": (frozenset({"NULL"}),),
    "ANULL": (frozenset({"ANON"}),),
    "ADH": (frozenset({"ANON"}),),
    "AECDH": (frozenset({"ANON"}),),
    "COMPLEMENTOFDEFAULT": (frozenset({"ANON"}),),
    "EXPORT": (frozenset({"EXPORT"}),),
    "EXP": (frozenset({"EXPORT"}),),
    "EXPORT40": (frozenset({"EXPORT"}),),
    "EXPORT56": (frozenset({"EXPORT"}),),
    "DES": (frozenset({"DES"}),),
    "3DES": (frozenset({"3DES"}),),
    "RC4": (frozenset({"RC4"}),),
    "MD5": (frozenset({"MD5"}),),
    "LOW": (frozenset({"LOW"}),),
    "ALL": (frozenset({"ANON"}),),
    "MEDIUM": (frozenset({"3DES"}), frozenset({"RC4"})),
}

# Weak classes of one suite, from its OpenSSL name (`EDH-RSA-DES-CBC3-SHA`).
_SUITE_CLASSES = (
    (re.compile(r"(^|-)NULL(-|$)"), ("NULL",)),
    (re.compile(r"^(ADH|AECDH)-|-ANON-"), ("ANON",)),
    (re.compile(r"^EXP(\d*)-"), ("EXPORT",)),
    (re.compile(r"DES-CBC3|3DES|DES-EDE3"), ("3DES",)),
    (re.compile(r"(^|-)DES-CBC-"), ("DES", "LOW")),
    (re.compile(r"RC4"), ("RC4",)),
    (re.compile(r"MD5"), ("MD5",)),
)

def _groups(part: str) -> tuple[Group, ...] | None:
    """The weak groups one name selects; None for a name we do not know."""
    upper = part.upper()
    if upper in _ALIASES:
        return _ALIASES[upper]
    if "-" not in upper:
        return None  # an alias we have no table for (HIGH, ECDHE, kEDH, AESGCM ...)
    classes = frozenset(cls for pattern, names in _SUITE_CLASSES if pattern.search(upper) for cls in names)
    return (classes,)  # a suite: one group (empty for a strong suite)


def _selection(body: str) -> tuple[Group, ...]:
    """The weak groups an element selects; `A+B` is what both select."""
    selected: tuple[Group, ...] | None = None
    for part in body.split("+"):
        groups = _groups(part)
        if groups is None:
            continue
        selected = groups if selected is None else tuple(a | b for a in selected for b in groups)
    return tuple(g for g in selected or () if g)


@dataclass(slots=True)
class _Added:
    element: str
    groups: list[Group]


def _covered(group: Group, removed: list[Group]) -> bool:
    """Every suite of `group` is in one of the `removed` groups (it has all of that group's classes)."""
    return any(r <= group for r in removed)


def weak_ciphers(spec: str) -> list[str]:
    """The elements of a cipher string whose weak suites are still enabled at its end, as written."""
    added: list[_Added] = []
    banned: list[Group] = []  # removed for good by `!`
    for element in filter(None, re.split(r"[:, ]+", spec)):
        prefix, body = (element[0], element[1:]) if element[0] in "!-+@" else ("", element)
        if prefix in ("+", "@") or body.startswith("@"):
            continue  # moves suites, or a command (@STRENGTH, @SECLEVEL=n)
        groups = list(_selection(body))
        if prefix:  # '!' or '-'
            if prefix == "!":
                banned += groups
            for entry in added:
                entry.groups = [g for g in entry.groups if not _covered(g, groups)]
        else:
            kept = [g for g in groups if not _covered(g, banned)]
            if kept:
                added.append(_Added(element, kept))
    return list(dict.fromkeys(entry.element for entry in added if entry.groups))
