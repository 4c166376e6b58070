"""Kubernetes resource quantities (`500m`, `2Gi`, `1e3`, `0.5`), parsed exactly.

The grammar is the API server's (k8s.io/apimachinery resource.Quantity):
a signed decimal number followed by a binary-SI suffix (Ki..Ei), a decimal-SI
suffix (n, u, m, k, M, G, T, P, E) or a decimal exponent (e3, E-2). Values are
`Fraction`s so `0.1` and `100m` compare equal and nothing is lost to floats.
"""

from __future__ import annotations

import re
from fractions import Fraction

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
# A suffix is tried before an exponent, so "1E" is one exa and "1E3" one thousand.
_QUANTITY = re.compile(
    r"(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?:(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE](?P<exponent>[+-]?\d+))?"
)
_MAX_EXPONENT = 100  # far beyond any real resource; bounds the work on hostile input
# Likewise for the text: a 5,000-digit number is no quantity (and Python refuses
# to convert one to an int, so it would be an internal error, not a finding).
_MAX_CHARS = 64


def parse_quantity(value: object) -> Fraction | None:
    """The exact value of a quantity, or None when it is not one.

    YAML may hand us an int or a float (`cpu: 2`, `cpu: 0.5`); those are read
    from their text, as the API server would read the JSON number.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and abs(value) >= 10**_MAX_CHARS:
        return None
    text = (repr(value) if isinstance(value, float) else str(value)).strip()
    if len(text) > _MAX_CHARS:
        return None
    match = _QUANTITY.fullmatch(text)
    if match is None:
        return None
    number = Fraction(match.group("number"))
    suffix, exponent = match.group("suffix"), match.group("exponent")
    if exponent is not None:
        power = int(exponent)
        if abs(power) > _MAX_EXPONENT:
            return None
        return number * Fraction(10) ** power
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    return number * _DECIMAL[suffix or ""]
