"""One secret classifier shared by every format (K8S7xx, CH202, ENV1xx, SEC101).

Interface contract (kept stable for every pack):
- `classify(key, value) -> Verdict`: is this key secret-like, and what is the value
  (EMPTY, REFERENCE, PLACEHOLDER, WEAK, STRONG) with its estimated strength in bits;
- `redact(value) -> str`: the only form in which a secret value may ever be shown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum

SECRET_KEY = re.compile(
    r"pass(word|wd)?|pwd|secret|token|api_?key|private_?key|credential|jwt|signing|encryption_?key",
    re.I,
)


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
    bits: float  # estimated strength of the value
    required_bits: int  # the threshold for this key


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY.search(key))


def strength_bits(value: str) -> float:
    if not value:
        return 0.0
    alphabet = 0
    if re.search(r"[a-z]", value):
        alphabet += 26
    if re.search(r"[A-Z]", value):
        alphabet += 26
    if re.search(r"[0-9]", value):
        alphabet += 10
    if re.search(r"[^a-zA-Z0-9]", value):
        alphabet += 33
    return len(value) * math.log2(max(alphabet, 2))


def classify(key: str, value: str) -> Verdict:
    required = 256 if re.search(r"jwt|hmac|signing|secret_key", key, re.I) else 128
    value = value.strip()
    if not value:
        kind = ValueKind.EMPTY
    elif re.fullmatch(r"\$\{?[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}?|\{\{.*\}\}", value):
        kind = ValueKind.REFERENCE
    elif re.search(r"changeme|change_me|replace|your[-_].*[-_]here|<[^>]+>|^x+$|example|dummy|todo", value, re.I):
        kind = ValueKind.PLACEHOLDER
    else:
        bits = strength_bits(value)
        kind = ValueKind.STRONG if bits >= required else ValueKind.WEAK
        return Verdict(is_secret_key(key), kind, bits, required)
    return Verdict(is_secret_key(key), kind, 0.0, required)


def redact(value: str) -> str:
    """`sk-p…(51 chars)`: enough to recognise a value, never enough to use it."""
    if len(value) <= 8:
        return f"…({len(value)} chars)"
    return f"{value[:4]}…({len(value)} chars)"
