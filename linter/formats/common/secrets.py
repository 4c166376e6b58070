"""One secret classifier shared by every format (K8S7xx, CH202, ENV1xx, SEC101).

- `classify(key, value) -> Verdict`: is this key secret-like, and what is the value
  (EMPTY, REFERENCE, PLACEHOLDER, WEAK, STRONG) with its estimated strength in bits;
- `find_credentials(text)`: provider-shaped credentials (OpenAI, AWS, GitHub, ...) in a text;
- `parse_url(value)`: a connection URL split into scheme, credentials, hosts and query;
- `redact(value) -> str`: the only form in which a secret value may ever be shown
  (a provider's public prefix and the length, or a URL with `***`).

Key patterns, placeholders, references, thresholds and provider formats are data
(`rules/secrets/data/classifier.yaml`), loaded once on first use.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from re import Pattern
from typing import Any
from urllib.parse import parse_qsl

import yaml

from linter.core.errors import UsageError
from linter.core.resources import rules_dir
from linter.formats.common.regex_anchors import anchors


class ValueKind(str, Enum):
    EMPTY = "empty"
    REFERENCE = "reference"
    PLACEHOLDER = "placeholder"
    WEAK = "weak"
    STRONG = "strong"


@dataclass(frozen=True, slots=True)
class Verdict:
    secret_key: bool  # the key/field name looks like it holds a secret
    kind: ValueKind
    bits: float  # estimated strength of the value (0 unless WEAK/STRONG)
    required_bits: int  # the threshold for this key
    known_public: bool = False  # a PLACEHOLDER because its vendor publishes it (Azurite's key)

    @property
    def literal(self) -> bool:
        """A value written in the file (not empty, not a reference to elsewhere)."""
        return self.kind not in (ValueKind.EMPTY, ValueKind.REFERENCE)


@dataclass(frozen=True, slots=True)
class Provider:
    id: str
    name: str
    pattern: Pattern[str]
    validate: str | None = None
    # Texts one of which every match begins with (None: unknown); a text that
    # holds none cannot match, and most messages and values hold none.
    anchors: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SecretPolicy:
    """The classifier's data, compiled."""

    secret_keys: Pattern[str]
    not_secret_suffixes: Pattern[str]
    signing_keys: Pattern[str]
    references: Pattern[str]
    placeholders: Pattern[str]
    placeholder_markers: Pattern[str]
    providers: tuple[Provider, ...]
    secret_nouns: Pattern[str] = re.compile(r"(?!)")
    setting_values: Pattern[str] = re.compile(r"(?!)")
    known_public_sha256: frozenset[str] = frozenset()
    public_jwt_issuers: frozenset[str] = frozenset()
    prose_words: frozenset[str] = frozenset()
    prose_min_words: int = 4
    min_bits: int = 128
    min_bits_signing: int = 256
    shannon_ratio: float = 0.6
    fake_below_bits: float = 80.0  # provider-shaped but too regular to be real
    # Every provider's anchors in one pattern, when every provider has some: a
    # text it does not find holds no credential (most messages and values).
    credential_gate: Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        anchored = [p.anchors for p in self.providers]
        gate = None
        if all(a is not None for a in anchored):
            gate = re.compile("|".join(re.escape(a) for a in sorted({a for group in anchored for a in group or ()})) or "(?!)")
        object.__setattr__(self, "credential_gate", gate)  # a frozen dataclass's own derived field


@dataclass(frozen=True, slots=True)
class CredentialMatch:
    provider: str  # provider id, e.g. "openai"
    name: str  # human name, e.g. "OpenAI API key"
    start: int
    end: int


DATA_FILE = "secrets/data/classifier.yaml"
# Placeholder words that give a value away even stuck to other letters (AWS's
# documented AKIAIOSFODNN7EXAMPLE) and that a random value practically never spells.
_MARKERS = r"example|your|dummy|fake|placeholder|x{6,}|0{10,}|0123456789|abcdefghij"


def _words(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


_LISTS = ("secret_keys", "not_secret_suffixes", "signing_keys", "references", "placeholders", "providers",
          "secret_nouns", "setting_values", "known_public_sha256", "public_jwt_issuers", "prose_words")


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{path}: cannot read secret classifier data: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: secret classifier data must be a mapping")
    return data


def load_policy(*extra: Path) -> SecretPolicy:
    """Compile the bundled classifier data, extended by the user's files: their
    lists (secret_keys, placeholders, providers, ...) are added to ours and
    their `thresholds` override ours."""
    data = _read(rules_dir() / DATA_FILE)
    for path in extra:
        user = _read(path)
        unknown = sorted(set(user) - set(_LISTS) - {"thresholds"})
        if unknown:
            raise UsageError(f"{path}: unknown secret classifier field '{unknown[0]}' (known: {', '.join(_LISTS)}, thresholds)")
        for name in _LISTS:
            data[name] = list(data.get(name, [])) + list(user.get(name) or [])
        data["thresholds"] = {**data.get("thresholds", {}), **(user.get("thresholds") or {})}
    try:
        return _compile(data)
    except (KeyError, TypeError, ValueError, re.error) as exc:
        where = ", ".join(str(p) for p in extra) or str(rules_dir() / DATA_FILE)
        raise UsageError(f"{where}: invalid secret classifier data: {exc}") from None


def _compile(data: dict[str, Any]) -> SecretPolicy:
    thresholds = data.get("thresholds", {})
    edge_l, edge_r = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
    return SecretPolicy(
        secret_keys=re.compile(rf"(?:^|_)(?:{_words(data['secret_keys'])})(?:_|$)"),
        not_secret_suffixes=re.compile(rf"(?:^|_)(?:{_words(data['not_secret_suffixes'])})$"),
        signing_keys=re.compile(rf"(?:^|_)(?:{_words(data['signing_keys'])})(?:_|$)"),
        references=re.compile(_words(data["references"]), re.IGNORECASE | re.DOTALL),
        placeholders=re.compile(rf"{edge_l}(?:{_words(data['placeholders'])}){edge_r}", re.IGNORECASE),
        placeholder_markers=re.compile(_MARKERS, re.IGNORECASE),
        providers=tuple(_provider(p) for p in data["providers"]),
        # The last word, a version suffix aside (_APP_OPENSSL_KEY_V1).
        secret_nouns=re.compile(rf"(?:^|_)(?:{_words(data.get('secret_nouns') or ['(?!)'])})(?:_v?[0-9]+)?$"),
        setting_values=re.compile(_words(data.get("setting_values") or ["(?!)"]), re.IGNORECASE),
        known_public_sha256=frozenset(str(h).lower() for h in data.get("known_public_sha256") or ()),
        public_jwt_issuers=frozenset(str(i) for i in data.get("public_jwt_issuers") or ()),
        prose_words=frozenset(str(w).lower() for w in data.get("prose_words") or ()),
        prose_min_words=int(thresholds.get("prose_min_words", 4)),
        min_bits=int(thresholds.get("min_bits", 128)),
        min_bits_signing=int(thresholds.get("min_bits_signing", 256)),
        shannon_ratio=float(thresholds.get("shannon_ratio", 0.6)),
    )


VALIDATORS = (None, "jwt-payload", "mixed-case")


def _provider(data: dict[str, Any]) -> Provider:
    if data.get("validate") not in VALIDATORS:
        raise ValueError(f"provider {data.get('id')!r}: unknown validate {data.get('validate')!r} (known: jwt-payload, mixed-case)")
    pattern = re.compile(data["pattern"])
    return Provider(data["id"], data["name"], pattern, data.get("validate"), anchors(pattern))


@dataclass(slots=True)
class _RunSecrets:
    """The policy of one run, and its verdicts: several rules classify the same
    (key, value) (K8S701 and K8S702, ENV101/102/106), and a corpus repeats its
    values; a verdict depends on nothing else, so each is worked out once a run."""

    policy: SecretPolicy
    verdicts: dict[tuple[str, str, int, int], Verdict] = field(default_factory=dict)


# The run in progress: set by `policy_in_effect` for the run's duration (a
# context variable, so it never outlives the run, nor leaks into another run
# in this process), read by every classifier function below.
_RUN: ContextVar[_RunSecrets | None] = ContextVar("deploylint_secret_policy", default=None)


@functools.cache
def bundled_policy() -> SecretPolicy:
    """The bundled classifier data, compiled once (it never changes)."""
    return load_policy()


def active_policy() -> SecretPolicy:
    """The run's policy (its config's `secret_patterns` added), else the bundled one."""
    run = _RUN.get()
    return run.policy if run is not None else bundled_policy()


@contextmanager
def policy_in_effect(policy: SecretPolicy | None) -> Iterator[None]:
    """Use `policy` (None: the bundled one) until the block ends."""
    token = _RUN.set(_RunSecrets(policy or bundled_policy()))
    try:
        yield
    finally:
        _RUN.reset(token)


# --- keys -------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_key(key: str) -> str:
    """`secretKeyRef` -> `secret_key_ref`, `DB-Password` -> `db_password`."""
    return _NON_ALNUM.sub("_", _CAMEL.sub("_", key).lower()).strip("_")


def is_secret_key(key: str) -> bool:
    """True for names of fields that hold a secret (DB_PASSWORD, apiKey, ...),
    false for fields about a secret (JWT_ALGORITHM, secretName, TOKEN_TTL)."""
    policy = active_policy()
    name = normalise_key(key)
    return bool(policy.secret_keys.search(name)) and not policy.not_secret_suffixes.search(name)


def names_the_secret(key: str) -> bool:
    """True when the key's last word is the secret's noun (DB_PASSWORD,
    MASTER_KEY, _APP_OPENSSL_KEY_V1), false when a secret word only qualifies
    another (TOKEN_REFRESH, PASSWORD_RESET)."""
    return bool(active_policy().secret_nouns.search(normalise_key(key)))


_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def is_setting_value(key: str, value: str) -> bool:
    """A value shaped like a setting, not a credential: a duration or a file
    path for any key; a number or a switch when the key's secret word is not
    its last (a password may be digits: DB_PASSWORD=123456 stays a secret)."""
    text = value.strip()
    if active_policy().setting_values.fullmatch(text):
        return True
    if text.lower() in _SWITCH_VALUES:
        return True
    return not names_the_secret(key) and bool(_NUMBER.fullmatch(text))


def is_signing_key(key: str) -> bool:
    return bool(active_policy().signing_keys.search(normalise_key(key)))


def required_bits(key: str, min_bits: int | None = None, min_bits_signing: int | None = None) -> int:
    policy = active_policy()
    if is_signing_key(key):
        return min_bits_signing if min_bits_signing is not None else policy.min_bits_signing
    return min_bits if min_bits is not None else policy.min_bits


# --- values -----------------------------------------------------------------

_ALPHABETS: tuple[tuple[Pattern[str], int], ...] = (
    (re.compile(r"[0-9]+"), 10),
    (re.compile(r"[0-9a-f]+|[0-9A-F]+"), 16),
    (re.compile(r"[a-z]+|[A-Z]+"), 26),
    (re.compile(r"[a-z0-9]+|[A-Z0-9]+"), 36),
    (re.compile(r"[A-Za-z0-9]+"), 62),
    (re.compile(r"[A-Za-z0-9+/]+=*|[A-Za-z0-9_-]+=*"), 64),
)


def alphabet_size(value: str) -> int:
    """The smallest usual alphabet the value is drawn from: digits, hex, letters,
    alphanumerics, base64, else printable ASCII (95)."""
    for pattern, size in _ALPHABETS:
        if pattern.fullmatch(value):
            return size
    return 95


def shannon_bits_per_char(value: str) -> float:
    n = len(value)
    if n == 0:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def strength_bits(value: str) -> float:
    """Estimated strength: length × log2(alphabet), unless the value is far more
    repetitive than a random one would be (then its Shannon entropy counts)."""
    body = value.rstrip("=") if alphabet_size(value) == 64 else value
    n = len(body)
    if n == 0:
        return 0.0
    alphabet = alphabet_size(value)
    if is_repetitive(body, alphabet):
        # Per-character entropy misses repeated blocks ("abab..."); what zlib
        # cannot squeeze out (less its ~8 bytes of framing) bounds it as well.
        squeezed = 8 * max(len(zlib.compress(body.encode("utf-8", "replace"), 9)) - 8, 0)
        return min(abs(n * shannon_bits_per_char(body)), float(squeezed))
    return n * math.log2(alphabet)


def is_repetitive(value: str, alphabet: int | None = None) -> bool:
    """Far fewer distinct symbols, or far less evenly used, than a random value
    of this length and alphabet would show (`aaaa...`, `a-a-a-...`)."""
    n = len(value)
    if n < 2:
        return n == 1
    alphabet = alphabet or alphabet_size(value)
    expected = math.log2(max(min(alphabet, n), 2))
    return shannon_bits_per_char(value) < active_policy().shannon_ratio * expected


def is_reference(value: str) -> bool:
    """`${VAR}`, `$VAR`, `{{ template }}`, `vault:...`, ARNs...: held elsewhere."""
    return bool(active_policy().references.fullmatch(value.strip()))


_SEPARATORS = re.compile(r"[\s\-_.:/+]+")
_CAMEL_WORD = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z]+|[0-9]+")
_LETTERS = re.compile(r"[A-Za-z]+")


def is_placeholder(value: str) -> bool:
    """`<strong-secret>`, changeme, your-key-here, changeThisToken, xxx, ***,
    prose (`this_password_is_insecure`): a stand-in. Short placeholder words
    decide on what is left once they are removed, so a strong value that
    merely contains the word `test` is not mistaken for one."""
    policy = active_policy()
    if policy.placeholder_markers.search(value):
        return True  # words no random value spells by chance
    if is_prose(value):
        return True
    # camelCase words (changeThisToken) meet the word edges too; only in values
    # of letters alone, so a random value's case changes are never split.
    spaced = _CAMEL_WORD.sub(" ", value) if _LETTERS.fullmatch(value) else value
    stripped = policy.placeholders.sub(" ", spaced)
    if stripped == spaced:
        return False
    rest = _SEPARATORS.sub("", stripped)
    return strength_bits(rest) < policy.min_bits


def is_prose(value: str) -> bool:
    """At least `prose_min_words` words (split at separators and camelCase),
    most of them instruction words: `pleaseChangeThisEncryptionKeyNow`,
    `data encryption key with 32 char`. Numbers are neither."""
    policy = active_policy()
    words = [w.lower() for w in _WORD.findall(_CAMEL_WORD.sub(" ", value)) if not w.isdigit()]
    if len(words) < policy.prose_min_words or len("".join(words)) < 3 * len(words):
        return False  # few words, or a random value's short letter runs
    return 2 * sum(w in policy.prose_words for w in words) > len(words)


def is_known_public(value: str) -> bool:
    """A value its vendor publishes for local development (Azurite's account
    key, Supabase's demo JWTs): it grants nothing anyone lacks."""
    policy = active_policy()
    text = value.strip()
    if hashlib.sha256(text.encode("utf-8", "replace")).hexdigest() in policy.known_public_sha256:
        return True
    if policy.public_jwt_issuers and text.count(".") == 2:
        payload = jwt_payload(text)
        return payload is not None and payload.get("iss") in policy.public_jwt_issuers
    return False


_SWITCH_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled"})


def classify(key: str, value: str, *, min_bits: int | None = None, min_bits_signing: int | None = None) -> Verdict:
    """What `value` is, as the value of a field named `key`."""
    run = _RUN.get()
    if run is None:
        return _classify(key, value, min_bits, min_bits_signing)
    # The policy's thresholds spelled out or left to it are one question (ENV101 and ENV102 ask both ways).
    min_bits = run.policy.min_bits if min_bits is None else min_bits
    min_bits_signing = run.policy.min_bits_signing if min_bits_signing is None else min_bits_signing
    asked = (key, value, min_bits, min_bits_signing)
    verdict = run.verdicts.get(asked)
    if verdict is None:
        verdict = run.verdicts[asked] = _classify(key, value, min_bits, min_bits_signing)
    return verdict


def _classify(key: str, value: str, min_bits: int | None, min_bits_signing: int | None) -> Verdict:
    required = required_bits(key, min_bits, min_bits_signing)
    text = value.strip()
    # A secret-like key holding a boolean is a switch (ENABLE_TOKEN_AUTH=true).
    secret_key = is_secret_key(key) and text.lower() not in _SWITCH_VALUES
    if not text:
        return Verdict(secret_key, ValueKind.EMPTY, 0.0, required)
    if is_reference(text):
        return Verdict(secret_key, ValueKind.REFERENCE, 0.0, required)
    secret_key = secret_key and not is_setting_value(key, text)
    if is_known_public(text):
        return Verdict(secret_key, ValueKind.PLACEHOLDER, 0.0, required, known_public=True)
    if is_placeholder(text):
        return Verdict(secret_key, ValueKind.PLACEHOLDER, 0.0, required)
    bits = strength_bits(text)
    return Verdict(secret_key, ValueKind.STRONG if bits >= required else ValueKind.WEAK, bits, required)


# --- provider credentials ----------------------------------------------------


def find_credentials(text: str) -> list[CredentialMatch]:
    """Provider-shaped credentials in `text`, in order; placeholders
    (`AKIAIOSFODNN7EXAMPLE`, `sk-xxxx...`) and repetitive fakes are skipped."""
    policy = active_policy()
    found: list[CredentialMatch] = []
    if policy.credential_gate is not None and policy.credential_gate.search(text) is None:
        return found
    for provider in policy.providers:
        if provider.anchors is not None and not any(anchor in text for anchor in provider.anchors):
            continue
        for m in provider.pattern.finditer(text):
            token = m.group(0)
            if is_placeholder(token) or is_repetitive(token) or strength_bits(token) < policy.fake_below_bits:
                continue
            if is_known_public(token):
                continue
            if not _valid(provider.validate, token, m.groupdict().get("body") or token):
                continue
            found.append(CredentialMatch(provider.id, provider.name, m.start(), m.end()))
    found.sort(key=lambda c: (c.start, -c.end))
    return found


def _valid(validator: str | None, token: str, body: str) -> bool:
    if validator == "jwt-payload":
        return _jwt_has_claims(token)
    if validator == "mixed-case":
        return any(c.isupper() for c in body) and any(c.islower() for c in body)
    return True


def _b64decode(text: str, urlsafe: bool) -> bytes | None:
    try:
        padded = text + "=" * (-len(text) % 4)
        return base64.urlsafe_b64decode(padded) if urlsafe else base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def jwt_payload(token: str) -> dict[str, Any] | None:
    """The claims of a `header.payload.signature` token whose header and
    payload are JSON objects (whitespace before their `{` allowed), else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    header, payload = (_json_object(part) for part in parts[:2])
    return payload if header is not None else None


def _json_object(part: str) -> dict[str, Any] | None:
    raw = _b64decode(part, urlsafe=True)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _jwt_has_claims(token: str) -> bool:
    """A JWT whose payload is a JSON object with at least one claim."""
    return bool(jwt_payload(token))


_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_base64_text(value: str) -> str | None:
    """The text a base64 value encodes (Kubernetes Secret `data`), or None when
    it is not base64 of printable UTF-8."""
    text = "".join(value.split())
    if len(text) % 4 or not _BASE64.fullmatch(text):
        return None
    raw = _b64decode(text, urlsafe=False)
    if raw is None:
        return None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(decoded) else decoded


# --- connection URLs ---------------------------------------------------------

_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://(\S*)", re.DOTALL)
_NOT_A_PORT = re.compile(r"[^:,\[\]@]+:(?![0-9]*$)[^,\[\]@]+")  # one `name:rest`, rest no port number
_HOST = re.compile(r"\[([0-9A-Fa-f:.]+)\](?::(\d*))?|([^:\[\]]*)(?::(\d*))?")


@dataclass(frozen=True, slots=True)
class ConnectionUrl:
    """A URL as written, with offsets of its parts within the text."""

    text: str
    scheme: str  # lower-cased, e.g. postgresql+asyncpg
    username: str
    password: str | None
    password_start: int  # offset of the password in `text` (-1 without one)
    hosts: tuple[tuple[str, int | None], ...]
    query: dict[str, str] = field(default_factory=dict)  # lower-cased names, last value wins

    @property
    def base_scheme(self) -> str:
        """`postgresql+asyncpg` -> `postgresql`."""
        return self.scheme.split("+", 1)[0]

    @property
    def driver(self) -> str:
        return self.scheme.split("+", 1)[1] if "+" in self.scheme else ""

    def masked(self) -> str:
        """The URL with its password (and secret-like query values) as `***`."""
        text = self.text
        if self.password:
            text = text[: self.password_start] + "***" + text[self.password_start + len(self.password):]
        elif self.username and (find_credentials(self.username) or strength_bits(self.username) >= active_policy().min_bits):
            at = text.index(self.username)
            text = text[:at] + "***" + text[at + len(self.username):]
        for name, value in self.query.items():
            if value and is_secret_key(name):
                text = re.sub(rf"([?&;]{re.escape(name)}=)[^&;#]*", r"\1***", text, flags=re.IGNORECASE)
        return text


def parse_url(value: str) -> ConnectionUrl | None:
    """Split `scheme://user:password@host1:port,host2/path?query`. Tolerates
    unencoded `@` in passwords (the last `@` before the host list wins)."""
    m = _URL.fullmatch(value.strip())
    if m is None:
        return None
    offset = value.index(m.group(0)) + m.start(2)
    rest = m.group(2)
    userinfo, host_start = "", 0
    for at in reversed([i for i, ch in enumerate(rest) if ch == "@"]):
        candidate = rest[:at]
        if not re.search(r"[/?#]", candidate.split(":", 1)[0]):
            userinfo, host_start = candidate, at + 1
            break
    username, sep, password = userinfo.partition(":")
    host_end = len(rest)
    for ch in "/?#":
        pos = rest.find(ch, host_start)
        if pos != -1:
            host_end = min(host_end, pos)
    authority = rest[host_start:host_end]
    if not userinfo and _NOT_A_PORT.fullmatch(authority):
        # `redis://default:PW`: no host, so what follows ':' is a password, not a port
        username, sep, password = authority.partition(":")
        authority = ""
    hosts = tuple(_host_port(h) for h in authority.split(",") if h)
    query: dict[str, str] = {}
    qpos = rest.find("?", host_end)
    if qpos != -1:
        query_text = rest[qpos + 1:].split("#", 1)[0].replace(";", "&")  # `;` separates too (JDBC, ODBC-style URLs)
        query = {k.lower(): v for k, v in parse_qsl(query_text, keep_blank_values=True)}
    return ConnectionUrl(
        text=value,
        scheme=m.group(1).lower(),
        username=username,
        password=password if sep else None,
        password_start=offset + len(username) + 1 if sep else -1,
        hosts=hosts,
        query=query,
    )


# A keyword connection string (ADO.NET, ODBC, JDBC and Npgsql style:
# `Host=db;Username=app;Password=...`): the password's keyword, then a value
# that is quoted, braced (ODBC) or runs to the next `;`.
_CONNECTION_PASSWORD = re.compile(r"(?:^|;)\s*(?:password|pwd)\s*=[ \t]*", re.IGNORECASE)
_CLOSERS = {"'": "'", '"': '"', "{": "}"}


@dataclass(frozen=True, slots=True)
class ConnectionString:
    """A `key=value;...` connection string and where its password is."""

    text: str
    password_start: int  # offsets of the password in `text`
    password_end: int

    @property
    def password(self) -> str:
        return self.text[self.password_start : self.password_end]

    def masked(self) -> str:
        return self.text[: self.password_start] + "***" + self.text[self.password_end :]


def parse_connection_string(value: str) -> ConnectionString | None:
    """The password of a keyword connection string (the last one wins, as
    drivers read them), or None: not one, or no password in it. A single
    `key=value` pair is no connection string (`password=x` alone is a
    setting, judged by its key)."""
    if ";" not in value or "=" not in value or parse_url(value) is not None:
        return None
    found: ConnectionString | None = None
    for m in _CONNECTION_PASSWORD.finditer(value):
        start = m.end()
        closer = _CLOSERS.get(value[start : start + 1])
        if closer is not None:
            end = value.find(closer, start + 1)
            start, end = start + 1, (end if end != -1 else len(value))
        else:
            end = value.find(";", start)
            end = len(value) if end == -1 else end
            while end > start and value[end - 1].isspace():
                end -= 1
        if end > start:
            found = ConnectionString(value, start, end)
    return found


def _host_port(text: str) -> tuple[str, int | None]:
    m = _HOST.fullmatch(text)
    if m is None:
        return text, None
    host = m.group(1) or m.group(3) or ""
    port = m.group(2) or m.group(4)
    if port and len(port) > 5:  # no port (and a 5,000-digit one is more than Python converts)
        return text, None
    return host.lower(), int(port) if port else None


# --- redaction ---------------------------------------------------------------

_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"`<>]+")
# Letters and digits mixed, with any punctuation: a password keeps its symbols.
_KEYLIKE_TOKEN = re.compile(r"\S*(?:[A-Za-z]\S*[0-9]|[0-9]\S*[A-Za-z])\S*")
_KEYLIKE_MIN = 16
# Up to the quote that ends the word: a quote inside the URL is part of it.
_QUOTED_URL = re.compile(r"'([A-Za-z][A-Za-z0-9+.-]*://\S*?)'(?=[\s),.;:]|$)")


# `Password=...` of a connection string quoted in any text (not `DB_PASSWORD=`).
_PASSWORD_IN_TEXT = re.compile(r"((?:^|(?<=[;\s'\"(]))(?:password|pwd)\s*=\s*)(?!\*\*\*)[^;\s'\")]+", re.IGNORECASE)


def redact_text(text: str) -> str:
    """Text to be printed (a message, a suppression reason) with every
    credential it could carry masked: a URL's password and secret-named query
    values, and any provider-shaped key. The one pass all output goes through."""
    # A URL a message quotes ('...') is masked whole first: its password may
    # hold a quote or a bracket that ends a URL found in running text.
    # Each pass only where its pattern's words occur: most messages quote no
    # URL and no password (casefold, as the case-blind pattern reads `ſ` as `s`).
    if "://" in text:
        text = _QUOTED_URL.sub(lambda m: f"'{redact_value(m.group(1))}'", text)
        text = _URL_IN_TEXT.sub(lambda m: _masked_url(m.group(0)), text)
    folded = text.casefold()
    if "password" in folded or "pwd" in folded:
        text = _PASSWORD_IN_TEXT.sub(r"\1***", text)
    end = len(text)
    for match in reversed(find_credentials(text)):
        if match.end <= end:  # of overlapping matches, the rightmost is redacted whole
            text = text[: match.start] + redact(text[match.start : match.end]) + text[match.end :]
            end = match.start
    return text


def redact_value(value: str) -> str:
    """A value seen whole before a message quotes it: a URL masked by its own
    parse, since its password may hold a quote, a bracket or an `@` that
    would end a URL found in running text and leave the rest of the password
    shown. (The message then goes through `redact_text` as a whole.)"""
    url = parse_url(value) if "://" in value else None
    return url.masked() if url is not None else value


def _masked_url(text: str) -> str:
    # Punctuation after a URL in prose (`(redis://h/0)`, `…/app.`) is not part of it.
    kept = text.rstrip(".,;:!?")
    if kept.endswith(")") and kept.count(")") > kept.count("("):
        kept = kept[:-1].rstrip(".,;:!?")
    url = parse_url(kept)
    return (url.masked() if url is not None else kept) + text[len(kept):]


def shown_token(value: str) -> str:
    """A token of a linted file as a parse error may quote it: as written,
    unless it could be a secret (a provider-shaped key, or a long, strong,
    key-like word such as a map key or a value), then redacted."""
    if find_credentials(value):
        return redact(value)
    if _URL_IN_TEXT.search(value):
        return redact_text(value)
    if len(value) >= _KEYLIKE_MIN and _KEYLIKE_TOKEN.fullmatch(value) and strength_bits(value) >= active_policy().min_bits / 2:
        return redact(value)
    return value


def redact(value: str) -> str:
    """`sk-proj-…(56 chars)`, `…(16 chars)` or `postgresql+asyncpg://app:***@db/app`:
    a provider's public prefix and the length, never a character of the secret
    itself (four characters of a 16-character secret are 24 of its bits)."""
    url = parse_url(value)
    if url is not None:
        masked = url.masked()
        if masked != value:
            return masked
    connection = parse_connection_string(value)
    if connection is not None:
        return connection.masked()
    return f"{public_prefix(value)}…({len(value)} chars)"


def public_prefix(value: str) -> str:
    """The documented prefix of a provider credential the value starts with
    (what its pattern matches before group `body`), else ''."""
    for provider in active_policy().providers:
        if "body" not in provider.pattern.groupindex:
            continue
        m = provider.pattern.match(value)
        if m is not None and m.start("body") > 0:
            return value[: m.start("body")]
    return ""
