"""Finding messages: a rule's template filled in, made safe to print.

Every finding's message goes through `render_message`, and the tool's own
findings (DL0xx) are built by `tool_finding` from their rule files in
`rules/meta/`, so their severity, message and help are configurable like any
rule's.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Sequence
from typing import Any

from linter.core.findings import Finding, printable
from linter.core.model import Span
from linter.core.rules import Rule


class _Vars(dict):  # type: ignore[type-arg]
    """Message template variables; an unknown `{name}` stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_message(template: str, variables: dict[str, Any]) -> str:
    """The message, with control characters from the linted files escaped and
    any provider-shaped credential redacted (a key pasted where a name goes
    would otherwise reach a parse error's message)."""
    from linter.formats.common.secrets import redact_value

    # Each value is redacted whole before it joins the message: cut out of its
    # context by a template, a credential may no longer be recognisable.
    whole = {name: redact_value(value) if isinstance(value, str) else value for name, value in variables.items()}
    try:
        return safe_text(bounded_template(template).format_map(_Vars(whole)))
    except (ValueError, IndexError, AttributeError):
        return template


def safe_text(text: str) -> str:
    """Text from the linted files made safe to print: credentials redacted
    (`secrets.redact_text`), control characters escaped. Messages and
    suppression reasons all pass here."""
    from linter.formats.common.secrets import redact_text

    return printable(redact_text(text))


_WIDE = re.compile(r"\d{4,}")  # a width or precision of 1000 or more


@functools.lru_cache(maxsize=1024)
def bounded_template(template: str) -> str:
    """`template` without the format specs that could make a message huge: a
    width like `{kind:>999999999}` (a 700-byte rule file asking for a gigabyte
    per finding) or one taken from a value (`{kind:{name}}`)."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return template  # format_map fails the same way: the template is shown as written
    if not any(spec and ("{" in spec or _WIDE.search(spec)) for _, _, spec, _ in fields):
        return template
    parts = []
    for literal, name, spec, conversion in fields:
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            keep = spec and not ("{" in spec or _WIDE.search(spec))
            parts.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if keep else "") + "}")
    return "".join(parts)


def tool_finding(rules: Sequence[Rule], rule_id: str, detail: str, span: Span, logical: str, **variables: Any) -> Finding | None:
    """A finding of one of the tool's own rules, as its rule file says (its
    message template receives `detail`); None when the config disables it."""
    rule = next((r for r in rules if r.id == rule_id), None)
    if rule is None:
        return None
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        severity=rule.severity,
        message=render_message(rule.message, {"detail": detail, **variables}),
        span=span,
        logical=logical,
        tags=tuple(rule.tags),
    )
