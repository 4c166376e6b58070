"""nginx checks (NGX1xx headers, NGX2xx TLS, NGX3xx exposure, NGX4xx traps, DL003).

Each check receives a subject from `selectors/nginx.py`: a group of block
instances (`BlockGroup`), a written directive (`DirectiveGroup`), a setting no
level sets (`MissingSetting`) or an include problem. Every question about
inheritance goes to `linter.formats.nginx.effective`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from linter.core.check import PythonCheck, Violation
from linter.core.errors import UsageError
from linter.core.findings import Severity
from linter.core.subject import Subject
from linter.formats.nginx.assets import API_DIRECTORIES, ASSET_DIRECTORIES, ASSET_EXTENSIONS, AssetPolicy
from linter.formats.nginx.captures import captures, references
from linter.formats.nginx.ciphers import weak_ciphers
from linter.formats.nginx.effective import (
    ANSWERS,
    HANDLERS,
    NESTED,
    Block,
    Header,
    HeaderSet,
    catches_all,
    effective_headers,
    header_inheritors,
    headers_of,
    inherit_mode,
    inherited,
    is_tls_server,
    limit_req_zones,
    location_path,
    may_be_set_in_http,
    plain_listens,
    return_code,
    scope_serves_content,
    serves_content,
    short_circuits,
)
from linter.formats.nginx.includes import IncludeProblem
from linter.formats.nginx.selectors import BlockGroup, DirectiveGroup, HeldDirective, MissingSetting
from linter.formats.nginx.service_checks import proxy_service_unknown, proxy_tls_mismatch
from linter.formats.nginx.variables import client_controlled, variables_in

SECURITY_HEADERS = {
    "strict-transport-security": "Strict-Transport-Security",
    "x-frame-options": "X-Frame-Options",
    "x-content-type-options": "X-Content-Type-Options",
    "content-security-policy": "Content-Security-Policy",
    "referrer-policy": "Referrer-Policy",
    "permissions-policy": "Permissions-Policy",
    "x-xss-protection": "X-XSS-Protection",
    "cross-origin-opener-policy": "Cross-Origin-Opener-Policy",
    "cross-origin-embedder-policy": "Cross-Origin-Embedder-Policy",
    "cross-origin-resource-policy": "Cross-Origin-Resource-Policy",
}
# What NGX106 counts as lost: X-XSS-Protection is NGX105's (by default it should
# not be sent, so losing it is no harm; in `mode: required` NGX105 reports where it is missing).
DROPPABLE_HEADERS = frozenset(SECURITY_HEADERS) - {"x-xss-protection"}
WEAK_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
_MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.I)


# --- helpers -----------------------------------------------------------------


Serving = Callable[[Block], bool]  # which levels' responses a header rule is about


def _header_scopes(subject: Subject, tls_only: bool, serving: Serving) -> Iterator[tuple[Block, HeaderSet]]:
    """The header sets of a scope's instances that serve what the rule is about
    and are fully known (a fragment's unknown includer may add headers: not "missing")."""
    if not isinstance(subject.data, BlockGroup):
        return
    for block in subject.data.blocks:
        headers = effective_headers(block)
        if not headers.complete or not any(serving(b) for b in header_inheritors(block)):
            continue
        server = block.server()
        if tls_only and (server is None or not is_tls_server(server)):
            continue
        yield block, headers


def _missing_header(
    subject: Subject,
    header: str,
    present: Callable[[HeaderSet], bool],
    tls_only: bool = False,
    serving: Serving = serves_content,
) -> Iterator[Violation]:
    for block, headers in _header_scopes(subject, tls_only, serving):
        if present(headers):
            continue
        if any(h.key == header.lower() for h in dropped_headers(block)):
            continue  # set above and dropped by this level's own add_header: NGX106's finding
        yield Violation(subject.anchor, {"header": header, "block": block.label}, logical=header.lower())
        return


def dropped_headers(block: Block, assets: AssetPolicy | None = None) -> list[Header]:
    """The security headers of the level above that this level's own add_header
    drops (nginx inherits add_header only into a level that sets none). One
    finding (NGX106, at that add_header) owns the loss, whichever headers it is;
    X-Frame-Options is not lost where `assets` says no page is served."""
    parent = block.parent
    if not headers_of(block) or block.may_set("add_header", "add_header_inherit") or inherit_mode(block) == "merge":
        return []  # (a level with unseen content may add the headers back)
    if parent is None or parent.kind not in NESTED | {"server", "http"}:
        return []
    kept = {h.key for h in headers_of(block)}
    if _frame_protected(effective_headers(block)):
        kept.add("x-frame-options")  # a CSP frame-ancestors does its work (as NGX101 counts it)
    if assets is not None and assets.serves_no_pages(block):
        kept.add("x-frame-options")  # nothing here renders in a frame (as NGX101 judges it)
    return [h for h in effective_headers(parent).headers if h.key in DROPPABLE_HEADERS and h.key not in kept]


def _header_directive(subject: Subject, name: str) -> DirectiveGroup | None:
    data = subject.data
    if isinstance(data, DirectiveGroup) and data.directive.name == "add_header" and data.directive.arg(0).lower() == name:
        return data
    return None


def _value(group: DirectiveGroup, index: int = 1) -> tuple[str, Any]:
    d = group.directive
    arg = d.args[index] if index < len(d.args) else None
    return (arg.value, arg.span) if arg else ("", d.head)


# --- NGX1xx: response headers ------------------------------------------------------


def _frame_protected(headers: HeaderSet) -> bool:
    if headers.get("x-frame-options"):
        return True
    csp = headers.get("content-security-policy")
    return csp is not None and (csp.variable or "frame-ancestors" in csp.value.lower())


@dataclass(frozen=True, slots=True)
class FramingParams:
    """Levels serving only static assets, an API or a websocket need no framing
    protection: these name the extensions and directories that say so."""

    asset_extensions: tuple[str, ...] = ASSET_EXTENSIONS
    asset_directories: tuple[str, ...] = ASSET_DIRECTORIES
    api_directories: tuple[str, ...] = API_DIRECTORIES

    @property
    def assets(self) -> AssetPolicy:
        return AssetPolicy.of(self.asset_extensions, self.asset_directories, self.api_directories)


def x_frame_options(subject: Subject, params: FramingParams) -> Iterator[Violation]:
    assets = params.assets

    def serves_pages(level: Block) -> bool:
        return serves_content(level) and not assets.serves_no_pages(level)

    yield from _missing_header(subject, "X-Frame-Options", _frame_protected, serving=serves_pages)


def x_content_type_options(subject: Subject, params: Any) -> Iterator[Violation]:
    group = _header_directive(subject, "x-content-type-options")
    if group is not None:
        value, span = _value(group)
        if "$" not in value and value.strip().lower() != "nosniff":
            yield Violation(
                span,
                {"header": "X-Content-Type-Options", "block": group.blocks[0].label, "problem": f"is '{value}', not 'nosniff'"},
            )
        return
    for v in _missing_header(subject, "X-Content-Type-Options", lambda h: h.get("x-content-type-options") is not None):
        v.vars["problem"] = "is missing"
        yield v


def hsts(subject: Subject, params: Any) -> Iterator[Violation]:
    yield from _missing_header(
        subject, "Strict-Transport-Security", lambda h: h.get("strict-transport-security") is not None, tls_only=True
    )


@dataclass(frozen=True, slots=True)
class HstsMaxAgeParams:
    min_max_age: int = 31536000


def hsts_max_age(subject: Subject, params: HstsMaxAgeParams) -> Iterator[Violation]:
    group = _header_directive(subject, "strict-transport-security")
    if group is None:
        return
    value, span = _value(group)
    if "$" in value:
        return
    match = _MAX_AGE.search(value)
    if match is None:
        yield Violation(span, {"max_age": "not set", "min_max_age": params.min_max_age})
    elif int(match.group(1)) < params.min_max_age:
        yield Violation(span, {"max_age": match.group(1), "min_max_age": params.min_max_age})


@dataclass(frozen=True, slots=True)
class XssProtectionParams:
    mode: str = "deprecated"  # deprecated: only "0" is acceptable; required: exactly "1; mode=block"


_XSS_REQUIRED = "1; mode=block"


def x_xss_protection(subject: Subject, params: XssProtectionParams) -> Iterator[Violation]:
    if params.mode not in ("deprecated", "required"):
        raise UsageError(f"NGX105: param 'mode' must be 'deprecated' or 'required', got {params.mode!r}")
    group = _header_directive(subject, "x-xss-protection")
    if group is not None:
        value, span = _value(group)
        normal = " ".join(value.replace(";", "; ").split()).lower()
        if "$" in value:
            return
        if params.mode == "deprecated" and normal != "0":
            yield Violation(
                span, {"problem": f"is '{value}': the XSS auditor it enables is gone and could be abused; send '0' or nothing"}
            )
        elif params.mode == "required" and normal != _XSS_REQUIRED:
            yield Violation(span, {"problem": f"is '{value}', the checklist requires '{_XSS_REQUIRED}'"})
        elif params.mode == "required" and group.directive.arg(2) != "always":
            # this rule owns X-XSS-Protection's 'always' (NGX107 leaves it out: in the
            # default mode the header should not be sent at all)
            yield Violation(group.directive.head, {"problem": "is sent without 'always', so error responses (4xx/5xx) lack it"})
        return
    if params.mode == "required":
        for v in _missing_header(subject, "X-XSS-Protection", lambda h: h.get("x-xss-protection") is not None):
            v.vars["problem"] = f"is missing on {v.vars['block']} (the checklist requires '{_XSS_REQUIRED}')"
            yield v


def add_header_inheritance(subject: Subject, params: FramingParams) -> Iterator[Violation]:
    """A level with its own add_header drops the security headers of the level above."""
    if not isinstance(subject.data, BlockGroup):
        return
    assets = params.assets
    for block in subject.data.blocks:
        lost = dropped_headers(block, assets)
        if lost and block.parent is not None and scope_serves_content(block):  # (as NGX101-NGX103 check)
            names = ", ".join(dict.fromkeys(h.name for h in lost))
            head = headers_of(block)[0].directive.head
            yield Violation(head, {"block": block.label, "parent": block.parent.label, "lost": names}, logical="add_header")
            return


def header_not_always(subject: Subject, params: Any) -> Iterator[Violation]:
    data = subject.data
    if not isinstance(data, DirectiveGroup):
        return
    d = data.directive
    name = SECURITY_HEADERS.get(d.arg(0).lower())
    if name and len(d.args) >= 2 and d.arg(2) != "always":
        yield Violation(d.head, {"header": name})


# --- NGX2xx: TLS -------------------------------------------------------------------------


def tls_protocols(subject: Subject, params: Any) -> Iterator[Violation]:
    data = subject.data
    if isinstance(data, MissingSetting):
        yield Violation(
            data.anchor, {"problem": "no ssl_protocols in effect: nginx before 1.27.3 then enables TLSv1 and TLSv1.1"}
        )
    elif isinstance(data, DirectiveGroup):
        weak = [a for a in data.directive.args if a.value in WEAK_PROTOCOLS]
        if weak:
            names = ", ".join(a.value for a in weak)
            yield Violation(weak[0].span, {"problem": f"{names} enabled"})


def tls_ciphers(subject: Subject, params: Any) -> Iterator[Violation]:
    data = subject.data
    if isinstance(data, DirectiveGroup) and data.directive.args:
        weak = weak_ciphers(data.directive.arg(0))
        if weak:
            yield Violation(data.directive.args[0].span, {"ciphers": ", ".join(weak)})


def _redirects(server: Block) -> bool:
    """The server answers plain HTTP with a redirect or refuses it (or may:
    part of it is unknown)."""
    if short_circuits(server) or server.may_set(*ANSWERS, "ssl"):
        return True
    for child in server.children:
        code = return_code(child)
        if child.kind == "if" and code is not None and 300 <= code < 400:
            return True
        if catches_all(child) and (short_circuits(child) or child.may_set(*ANSWERS)):
            return True
    return False


def http_redirect(subject: Subject, params: Any) -> Iterator[Violation]:
    if not isinstance(subject.data, BlockGroup):
        return
    server = subject.data.first
    listens = server.own("listen")
    plain = plain_listens(server)
    if (listens and not plain) or _redirects(server):
        return
    yield Violation(plain[0].head if plain else server.anchor, {"block": server.label})


def _certificate_problem(server: Block) -> tuple[str, str] | None:
    """(the directive at fault, what is wrong) when nginx would refuse the
    server's certificate setup; None when it is complete or unknown."""
    certificates = inherited(server, "ssl_certificate")
    keys = inherited(server, "ssl_certificate_key")
    if certificates.missing:
        reject = inherited(server, "ssl_reject_handshake")
        if not reject.directives and not reject.known:
            return None  # it may refuse every handshake where we cannot see
        if reject.directives and reject.directives[-1].arg(0) == "on":
            return None  # a catch-all server refusing every handshake needs no certificate
        return "ssl_certificate", "no ssl_certificate is in effect"
    if not certificates.directives:
        return None
    if keys.missing:
        return "ssl_certificate_key", "no ssl_certificate_key is in effect for its ssl_certificate"
    if keys.directives and len(keys.directives) < len(certificates.directives):
        unpaired = certificates.directives[len(keys.directives)].arg(0)
        return "ssl_certificate_key", f"ssl_certificate '{unpaired}' has no matching ssl_certificate_key"
    return None


def ssl_without_certificate(subject: Subject, params: Any) -> Iterator[Violation]:
    if not isinstance(subject.data, BlockGroup):
        return
    for server in subject.data.blocks:
        problem = _certificate_problem(server)
        if problem is not None:
            directive, missing = problem
            yield Violation(subject.anchor, {"block": server.label, "missing": missing}, logical=directive)
            return


@dataclass(frozen=True, slots=True)
class NginxVersionParams:
    # The oldest nginx the configuration must run on: `listen ... http2` is
    # deprecated from 1.25.1, and the `http2 on;` replacing it exists only there.
    nginx_version: str = "1.25.1"


HTTP2_DIRECTIVE = (1, 25, 1)


def nginx_version(text: str) -> tuple[int, ...]:
    """`1.25.1` as (1, 25, 1); what is not a version reads as the newest."""
    parts = text.strip().split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (10**6,)


def deprecated_tls_directive(subject: Subject, params: NginxVersionParams) -> Iterator[Violation]:
    data = subject.data
    if not isinstance(data, DirectiveGroup):
        return
    d = data.directive
    if d.name == "ssl" and d.arg(0) == "on":
        yield Violation(d.head, {"problem": "'ssl on;' is deprecated (removed in nginx 1.25.1): use 'listen ... ssl'"})
    elif d.name == "listen" and nginx_version(params.nginx_version) >= HTTP2_DIRECTIVE:
        for arg in d.args[1:]:
            if arg.value == "http2":
                yield Violation(arg.span, {"problem": "'listen ... http2' is deprecated since nginx 1.25.1: use 'http2 on;'"})


# --- NGX3xx: exposure and limits -------------------------------------------------------


def server_tokens(subject: Subject, params: Any) -> Iterator[Violation]:
    data = subject.data
    if isinstance(data, MissingSetting):
        yield Violation(data.anchor, {"problem": "server_tokens is not set (the default 'on' sends the nginx version)"})
    elif isinstance(data, DirectiveGroup):
        value, span = _value(data, 0)
        if value != "off":
            yield Violation(span, {"problem": f"server_tokens is '{value}'"})


def rate_limit(subject: Subject, params: Any) -> Iterator[Violation]:
    data = subject.data
    if isinstance(data, BlockGroup):
        for block in data.blocks:
            if inherited(block, "limit_req").missing:
                handler = next(d for d in block.directives if d.name in HANDLERS)
                yield Violation(
                    handler.head, {"problem": f"{block.label} hands requests to '{handler.arg(0)}' without limit_req"}
                )
                return
    elif isinstance(data, DirectiveGroup):
        root = data.blocks[0].root()
        if root.opaque or may_be_set_in_http(root, "limit_req_zone"):
            return  # zones may be defined where we cannot see
        zones = limit_req_zones(root)
        for arg in data.directive.args:
            if arg.value.startswith("zone=") and arg.value[5:] not in zones:
                yield Violation(arg.span, {"problem": f"limit_req names zone '{arg.value[5:]}', which no limit_req_zone defines"})


def body_size(subject: Subject, params: Any) -> Iterator[Violation]:
    data = subject.data
    if isinstance(data, DirectiveGroup):
        value, span = _value(data, 0)
        if value.strip() == "0":
            yield Violation(span, {"block": data.blocks[0].label})


# --- NGX4xx: traps -------------------------------------------------------------------------


def _alias_problem(modifier: str, path: str, alias: str) -> tuple[str, Severity | None] | None:
    """What a location's alias exposes, and the severity when it is less than the rule's."""
    if modifier in ("", "^~"):
        if path.endswith("/") or "$" in alias:
            return None
        if alias.endswith("/"):
            return f"allows path traversal: '{path}../' reaches the parent of '{alias}'", None
        if "." in path.rsplit("/", 1)[-1] and "." in alias.rsplit("/", 1)[-1]:
            return None  # one file (`location /robots.txt { alias /srv/robots.txt; }`)
        sibling = alias + "-backup"
        return f"serves siblings of '{alias}': '{path}-backup/' maps to '{sibling}/'", Severity.WARNING
    if modifier in ("~", "~*"):
        for ref in references(alias, captures(path)):
            if ref.capture.may_start_with_dots and (not ref.before or ref.before.endswith("/")):
                where = ref.before or "the alias"
                return (
                    f"allows path traversal: capture {ref.capture.number} may start with '..' (no '/' before it in the "
                    f"pattern), so '{where}../' reaches the parent directory"
                ), None
    return None


def alias_traversal(subject: Subject, params: Any) -> Iterator[Violation]:
    data = subject.data
    if not isinstance(data, DirectiveGroup):
        return
    alias = data.directive.arg(0)
    for block in data.blocks:
        if block.kind != "location" or block.directive is None:  # a snippet's location: its path is not written here
            continue
        modifier, path = location_path(block)
        problem = _alias_problem(modifier, path, alias)
        if problem is not None:
            text, severity = problem
            location = f"{modifier} {path}" if modifier else path
            yield Violation(data.directive.head, {"location": location, "alias": alias, "problem": text}, severity=severity)
            return


def host_header_spoofing(subject: Subject, params: Any) -> Iterator[Violation]:
    data = subject.data
    if isinstance(data, DirectiveGroup) and data.directive.arg(0).lower() == "host":
        value, span = _value(data)
        spoofable = next((name for name in variables_in(value) if client_controlled(name)), None)
        if spoofable is not None:
            yield Violation(span, {"value": value, "variable": "$" + spoofable})


# --- DL003 --------------------------------------------------------------------------------


def include_unresolved(subject: Subject, params: Any) -> Iterator[Violation]:
    problem = subject.data
    if isinstance(problem, IncludeProblem):
        yield Violation(problem.span, {"detail": problem.message}, severity=Severity.WARNING if problem.warning else None)


CHECKS = {
    "x-frame-options": PythonCheck(x_frame_options, FramingParams, takes=(BlockGroup, DirectiveGroup)),
    "x-content-type-options": PythonCheck(x_content_type_options, takes=(BlockGroup, DirectiveGroup)),
    "hsts": PythonCheck(hsts, takes=(BlockGroup, DirectiveGroup)),
    "hsts-max-age": PythonCheck(hsts_max_age, HstsMaxAgeParams, takes=(BlockGroup, DirectiveGroup)),
    "x-xss-protection": PythonCheck(x_xss_protection, XssProtectionParams, takes=(BlockGroup, DirectiveGroup)),
    "add-header-inheritance": PythonCheck(add_header_inheritance, FramingParams, takes=(BlockGroup, DirectiveGroup)),
    "header-not-always": PythonCheck(header_not_always, takes=(BlockGroup, DirectiveGroup)),
    "tls-protocols": PythonCheck(tls_protocols, takes=(DirectiveGroup, MissingSetting)),
    "tls-ciphers": PythonCheck(tls_ciphers, takes=(DirectiveGroup, MissingSetting)),
    "http-redirect": PythonCheck(http_redirect, takes=(BlockGroup,)),
    "ssl-without-certificate": PythonCheck(ssl_without_certificate, takes=(BlockGroup,)),
    "deprecated-tls-directive": PythonCheck(deprecated_tls_directive, NginxVersionParams, takes=(DirectiveGroup,)),
    "server-tokens": PythonCheck(server_tokens, takes=(DirectiveGroup, MissingSetting)),
    "rate-limit": PythonCheck(rate_limit, takes=(BlockGroup, DirectiveGroup)),
    "body-size": PythonCheck(body_size, takes=(DirectiveGroup,)),
    "alias-traversal": PythonCheck(alias_traversal, takes=(DirectiveGroup,)),
    "host-header-spoofing": PythonCheck(host_header_spoofing, takes=(DirectiveGroup,)),
    "include-unresolved": PythonCheck(include_unresolved, takes=(IncludeProblem,)),
    "proxy-service-unknown": PythonCheck(proxy_service_unknown, takes=(HeldDirective,)),
    "proxy-tls-mismatch": PythonCheck(proxy_tls_mismatch, takes=(HeldDirective,)),
}
