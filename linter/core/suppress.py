"""Suppressions (design §3). Inline comments, file-level comments, Kubernetes
annotations, config ignore globs and the baseline all end here.

Comments are found on the raw lines of every file of a unit, so they work the
same in every format: `# deploylint: ignore[K8S104] reason` (YAML, nginx, env)
or `<!-- deploylint: ignore[CH201] reason -->` (XML), on the finding's line or
on comment lines directly above it; `ignore-file[...]` (no list: every rule)
anywhere in the file. Rules are named by ID, name or ID prefix.

Interop: `# pragma: allowlist secret` (detect-secrets) and `gitleaks:allow` on a
line suppress findings of secret rules there. A rule is a secret rule when it
is tagged `secret` or `secrets` (SEC101, K8S701-703, ENV101-103, ENV106 and
CH202 are; ENV104, a plaintext connection, is a network rule), so custom secret
rules join by tagging themselves.

A directive that suppressed nothing, for rules that ran on its file, is a
DL002 finding, and so is a rule token that names no rule at all (a typo such
as `ignore[K8S4O4]` would otherwise hide nothing, silently). A bare `ignore`
(no rule list) suppresses nothing and is counted; the config's `suppressions:`
policy (reason, end, rule list) is checked as DL011. `--no-inline-suppressions`
ignores comments and annotations.

Any directive may carry `until=YYYY-MM-DD`, `owner=...` and `ticket=...` among
the words of its reason (`ignore[K8S104] until=2027-01-31 owner=@team-a load
test`). After its `until` day, or when `until` is not a date, the directive
suppresses nothing and is a DL010 finding instead (never a DL002).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from linter.core.discover import is_excluded
from linter.core.embedding import embedding_of, placement_of
from linter.core.findings import Finding, Suppression
from linter.core.format import COMMON
from linter.core.messages import safe_text, tool_finding
from linter.core.model import ParsedFile, Span
from linter.core.rules import Rule, names_rule

if TYPE_CHECKING:
    from linter.core.format import FormatRegistry
    from linter.core.run_types import Settings, SuppressionPolicy
    from linter.core.units import LintUnit

_DIRECTIVE = re.compile(
    r"(?P<lead>#|<!--)\s*deploylint:\s*(?P<kind>ignore-file|ignore)(?![\w-])"
    r"(?:\[(?P<rules>[^\]]*)\])?(?P<reason>.*?)\s*(?:-->.*)?$"
)
_INTEROP = re.compile(r"pragma:\s*allowlist\s+(?P<next>nextline\s+)?secret|gitleaks:allow")
_COMMENT_ONLY = re.compile(r"^\s*(#|<!--)")
_FIELD = re.compile(r"(?<!\S)(?P<key>until|owner|ticket)=(?P<value>\S*)")
SECRET_TAGS = frozenset({"secret", "secrets"})


@dataclass(slots=True)
class Directive:
    """One suppression the user wrote: a comment or an annotation."""

    kind: str  # inline | file | annotation | bare (an `ignore` naming no rule: suppresses nothing)
    tokens: tuple[str, ...]  # rule IDs, names or prefixes; empty: every rule
    reason: str
    span: Span  # where the directive is written (DL002 points here)
    lines: tuple[int, int] = (0, 0)  # the finding lines it covers (inclusive)
    container: str | None = None  # annotation scoped to one container
    annotation: tuple[str, str] | None = None  # (key, value) an object's findings must carry
    # The file whose findings it covers when it is written in another: a
    # holder's annotation over a file on disk its generated ConfigMap is made of.
    target: str | None = None
    used: set[str] = field(default_factory=set)  # tokens that suppressed something
    fields: dict[str, str] = field(default_factory=dict)  # until / owner / ticket, taken out of the reason
    expiry: str | None = None  # why the directive no longer applies (set by apply_suppressions)

    def __post_init__(self) -> None:
        self.fields = {m.group("key"): m.group("value") for m in _FIELD.finditer(self.reason)}
        if self.fields:
            self.reason = reason_of(" ".join(_FIELD.sub(" ", self.reason).split()))
        self.reason = safe_text(self.reason)  # printed with the findings it suppresses: no key in it

    def lapsed(self, today: date) -> str | None:
        """Why the directive has stopped applying on `today`, or None while it holds."""
        until = self.fields.get("until")
        if until is None:
            return None
        try:
            end = date.fromisoformat(until) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", until) else None
        except ValueError:
            end = None
        if end is None:
            return f"its until={until!r} is not a date (YYYY-MM-DD)"
        return f"it expired after {end.isoformat()}" if today > end else None

    def token_for(self, finding: Finding) -> str | None:
        """The token naming the finding's rule, or None."""
        if not self.tokens:
            return "" if self.kind == "file" else None
        for token in self.tokens:
            if names_rule(token, finding.rule_id, finding.rule_name):
                return token
        return None

    def covers(self, finding: Finding) -> bool:
        if (self.target or self.span.file) != finding.span.file:
            return False
        if self.kind == "file":
            return True
        if not self.lines[0] <= finding.span.line <= self.lines[1]:
            return False
        if self.annotation is None:
            return True
        scope = finding.extra.get("scope")
        if not isinstance(scope, dict):
            return False
        key, value = self.annotation
        if scope.get("annotations", {}).get(key) != value:
            return False
        return self.container is None or scope.get("container") == self.container


def tokens_of(text: str) -> tuple[str, ...]:
    return tuple(t for t in re.split(r"[,\s]+", text) if t)


def reason_of(text: str) -> str:
    return text.strip().lstrip(":-–— ").strip()


def comment_directives(parsed: ParsedFile) -> list[Directive]:
    """`deploylint: ignore[...]` / `ignore-file[...]` comments of one file."""
    text = parsed.source.text
    if "deploylint:" not in text:
        return []
    lines = parsed.source.lines
    found: list[Directive] = []
    for number, line in enumerate(lines, 1):
        match = _DIRECTIVE.search(line)
        if match is None:
            continue
        span = Span(parsed.path, number, match.start() + 1, number, len(line.rstrip()) + 1)
        tokens = tokens_of(match.group("rules") or "")
        reason = reason_of(match.group("reason"))
        if match.group("kind") == "ignore-file":
            found.append(Directive("file", tokens, reason, span))
        elif tokens:  # a line-level ignore must name its rules, as ruff's noqa does
            found.append(Directive("inline", tokens, reason, span, (number, _target_line(lines, number))))
        elif _outside_quotes(line[: match.start()]):
            # Kept to be counted (and, under a policy asking for rule lists,
            # reported); it suppresses nothing. Text inside a quoted value is no comment.
            found.append(Directive("bare", (), reason, span, (number, number)))
    return found


def _outside_quotes(before: str) -> bool:
    return before.count('"') % 2 == 0 and before.count("'") % 2 == 0


def _target_line(lines: list[str], number: int) -> int:
    """A trailing comment covers its own line; a comment on a line of its own
    covers the next line that is not itself a comment."""
    if not _COMMENT_ONLY.match(lines[number - 1]):
        return number
    for following in range(number + 1, len(lines) + 1):
        if lines[following - 1].strip() and not _COMMENT_ONLY.match(lines[following - 1]):
            return following
    return number


def _interop_lines(parsed: ParsedFile) -> dict[int, str]:
    """Lines where another secret scanner's allow marker applies, with the marker."""
    text = parsed.source.text
    if "allowlist" not in text and "gitleaks:allow" not in text:
        return {}
    lines: dict[int, str] = {}
    for number, line in enumerate(parsed.source.lines, 1):
        match = _INTEROP.search(line)
        if match:
            lines[number + 1 if match.group("next") else number] = " ".join(match.group(0).split())
    return lines


def is_secret_finding(finding: Finding) -> bool:
    return bool(SECRET_TAGS.intersection(finding.tags))


@dataclass(slots=True)
class _FileSuppressions:
    parsed: ParsedFile
    directives: list[Directive]
    interop: dict[int, str]
    # Its holders' suppressions over the file's held configs: reported (DL002,
    # DL010, DL011) where they are written, as the holder's own.
    held: list[Directive] = field(default_factory=list)


def holder_directives(parsed: ParsedFile) -> list[Directive]:
    """The suppressions a held file's holder writes (`deploylint.dev/ignore` on
    the ConfigMap), covering every line of the file: those of the value it
    is, or the whole of a file on disk a generated ConfigMap is made of."""
    ignores = placement_of(parsed).ignores
    if not ignores:
        return []
    held = embedding_of(parsed)
    if held is not None and held.value is not None:
        lines = (held.value.line, held.value.end_line)
    else:
        lines = (1, max(len(parsed.source.lines), 1))
    return [Directive("annotation", i.tokens, i.reason, i.span, lines, target=parsed.path) for i in ignores]


def _data_directives(parsed: ParsedFile, formats: FormatRegistry) -> list[Directive]:
    fmt = formats.find(parsed.format)
    return fmt.suppressions(parsed) if fmt is not None else []


def _collect(units: list[LintUnit], inline: bool, formats: FormatRegistry) -> dict[str, _FileSuppressions]:
    by_file: dict[str, _FileSuppressions] = {}
    seen: set[int] = set()
    for unit in units:
        for parsed in unit.files:
            if id(parsed) in seen:
                continue
            seen.add(id(parsed))
            here = by_file.get(parsed.path)
            if here is None:  # a held file shares its holder's path: the holder's text has the comments
                directives = comment_directives(parsed) + _data_directives(parsed, formats) if inline else []
                here = by_file[parsed.path] = _FileSuppressions(parsed, directives, _interop_lines(parsed) if inline else {})
            if inline:
                here.held.extend(holder_directives(parsed))
    return by_file


def _suppress_inline(finding: Finding, here: _FileSuppressions) -> Suppression | None:
    for directive in (*here.directives, *here.held):
        if directive.expiry is not None:
            continue
        token = directive.token_for(finding)
        if token is not None and directive.covers(finding):
            directive.used.add(token)
            return Suppression(directive.kind, directive.reason, directive.span, dict(directive.fields))
    marker = here.interop.get(finding.span.line)
    if marker and is_secret_finding(finding):
        return Suppression("inline", marker, Span.point(finding.span.file, finding.span.line, 1))
    return None


def _config_ignore(finding: Finding, settings: Settings) -> Suppression | None:
    globs = settings.rule_ignores.get(finding.rule_id, ())
    if globs and is_excluded(finding.span.file, globs):
        return Suppression("config", f"ignored for this path in {settings.config_source}")
    return None


def apply_suppressions(findings: list[Finding], units: list[LintUnit], settings: Settings, today: date | None = None) -> list[Finding]:
    """Mark suppressed findings (they are kept, counted, and listed on request),
    add a DL010 finding for each directive past its `until` date (it suppresses
    nothing) and a DL002 finding for each directive that suppressed nothing."""
    by_file = _collect(units, settings.inline_suppressions, settings.formats)
    today = today or date.today()
    lapsed = lapsed_suppressions(by_file, settings.rules, today)
    lapsed += policy_violations(by_file, settings.rules, settings.suppression_policy, today)
    for holder in by_file.values():
        for directive in holder.held:  # its DL010 is its holder's
            directive.expiry = directive.lapsed(today)
    for finding in findings:
        if settings.repository is not None:
            finding.repository_path = settings.repository(finding.span.file)
        if finding.suppressed:
            continue
        here = by_file.get(finding.span.file)
        finding.suppression = (
            (_suppress_inline(finding, here) if here else None)
            or _config_ignore(finding, settings)
            or (settings.baseline.consume(finding) if settings.baseline is not None else None)
        )
    unused = unused_suppressions(by_file, settings.rules, settings.catalogue)
    if settings.repository is not None:
        for finding in [*lapsed, *unused]:
            finding.repository_path = settings.repository(finding.span.file)
    return findings + lapsed + unused


def _where(directive: Directive) -> str:
    return {"inline": "comment", "file": "file-level comment", "annotation": "annotation", "bare": "comment"}[directive.kind]


def _identity(directive: Directive, parsed: ParsedFile) -> str:
    """A directive's identity without a line number: its own text (never the
    code before it, which may hold a value)."""
    lines = parsed.source.lines
    own_text = lines[directive.span.line - 1][directive.span.column - 1 :] if directive.span.line <= len(lines) else ""
    return hashlib.sha256(own_text.strip().encode("utf-8", "surrogatepass")).hexdigest()[:12]


def policy_violations(by_file: dict[str, _FileSuppressions], rules: list[Rule], policy: SuppressionPolicy, today: date) -> list[Finding]:
    """DL011 for each directive that says less than the config's `suppressions:`
    policy asks (no reason; no until=, or one too far ahead). It still suppresses:
    the policy is reported, the finding stays excused."""
    if not policy.require_reason and policy.max_days is None and not policy.require_rule_list:
        return []
    found: list[Finding] = []
    for here in by_file.values():
        for directive in here.directives:
            if directive.expiry is not None:
                continue  # DL010 already speaks for it
            missing = []
            if directive.kind == "bare":
                if policy.require_rule_list:
                    missing.append("its rule list (`ignore[RULE]`: a bare ignore suppresses nothing)")
            elif policy.require_reason and not directive.reason:
                missing.append("a reason")
            if policy.max_days is not None and directive.kind != "bare":
                until = directive.fields.get("until")
                latest = today + timedelta(days=policy.max_days)
                if until is None:
                    missing.append(f"an until= date (at most {policy.max_days} days ahead)")
                elif date.fromisoformat(until) > latest:
                    missing.append(f"an until= date at most {policy.max_days} days ahead (by {latest.isoformat()}, not {until})")
            if missing:
                detail = f"suppression {_where(directive)} must give {' and '.join(missing)} (config `suppressions:`)"
                finding = tool_finding(rules, "DL011", detail, directive.span, f"{directive.kind}/policy/{_identity(directive, here.parsed)}")
                if finding is not None:
                    found.append(finding)
    return found


def lapsed_suppressions(by_file: dict[str, _FileSuppressions], rules: list[Rule], today: date) -> list[Finding]:
    """Mark directives past their `until` date as no longer applying, with a DL010 finding each."""
    found: list[Finding] = []
    for here in by_file.values():
        for directive in here.directives:
            why = directive.lapsed(today) if directive.kind != "bare" else None
            if why is None:
                continue
            directive.expiry = why
            what = ", ".join(f"'{t}'" for t in directive.tokens) or "every rule"
            who = ", ".join(f"{key} {directive.fields[key]}" for key in ("owner", "ticket") if directive.fields.get(key))
            detail = (f"suppression {_where(directive)} for {what} no longer applies: {why}"
                      + (f" ({who})" if who else "") + "; what it hid is reported again")
            finding = tool_finding(rules, "DL010", detail, directive.span, f"{directive.kind}/expired/{_identity(directive, here.parsed)}")
            if finding is not None:
                found.append(finding)
    return found


def unused_suppressions(by_file: dict[str, _FileSuppressions], rules: list[Rule],
                        catalogue: tuple[tuple[str, str], ...] = ()) -> list[Finding]:
    """DL002 for every directive token that suppressed nothing, counting only
    rules that ran on the directive's file (a disabled rule's suppression is
    fine), and for every token that names no rule of the `catalogue`."""
    unused: list[Finding] = []
    for here in by_file.values():
        ran = [r for r in rules if r.target.format in (COMMON, here.parsed.format)]
        for directive in here.directives:
            if directive.expiry is not None or directive.kind == "bare":
                continue  # DL010 already speaks for it; a bare ignore is counted, not unused
            for token in directive.tokens or ("",):
                if token in directive.used:
                    continue
                unknown = bool(token and catalogue) and not any(names_rule(token, i, n) for i, n in catalogue)
                if token and not unknown and not any(r.matches(token) for r in ran):
                    continue
                finding = (_unknown_finding(rules, directive, token, here.parsed, catalogue) if unknown
                           else _unused_finding(rules, directive, token, here.parsed))
                if finding is None:
                    return []  # DL002 is disabled
                unused.append(finding)
    return unused


def _unused_finding(rules: list[Rule], directive: Directive, token: str, parsed: ParsedFile) -> Finding | None:
    what = f"'{token}'" if token else "every rule"
    detail = f"suppression {_where(directive)} for {what} suppressed nothing; remove it"
    return tool_finding(rules, "DL002", detail, directive.span, f"{directive.kind}/{token or '*'}/{_identity(directive, parsed)}")


def _unknown_finding(rules: list[Rule], directive: Directive, token: str, parsed: ParsedFile,
                     catalogue: tuple[tuple[str, str], ...]) -> Finding | None:
    import difflib

    close = difflib.get_close_matches(token.upper(), [i for i, _ in catalogue], n=1, cutoff=0.6)
    close = close or difflib.get_close_matches(token, [n for _, n in catalogue], n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    detail = f"suppression {_where(directive)} names no rule: '{token}'{hint}; it suppresses nothing"
    return tool_finding(rules, "DL002", detail, directive.span, f"{directive.kind}/{token}/{_identity(directive, parsed)}")


def bare_ignores(units: list[LintUnit]) -> int:
    """How many `deploylint: ignore` comments of these units name no rule (they suppress nothing)."""
    seen: set[str] = set()
    count = 0
    for unit in units:
        for parsed in unit.files:
            if parsed.path not in seen:
                seen.add(parsed.path)
                count += sum(1 for d in comment_directives(parsed) if d.kind == "bare")
    return count
