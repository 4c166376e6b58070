"""Resource quantities and image references: the parsing K8S105 and K8S501 rest on."""

from __future__ import annotations

from fractions import Fraction

import pytest

from linter.formats.kubernetes.imageref import parse_image
from linter.formats.kubernetes.quantity import parse_quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500m", Fraction(1, 2)),
        ("0.5", Fraction(1, 2)),
        (0.5, Fraction(1, 2)),
        (2, Fraction(2)),
        ("2", Fraction(2)),
        (".5", Fraction(1, 2)),
        ("1.", Fraction(1)),
        ("+1", Fraction(1)),
        ("-1", Fraction(-1)),
        ("2Gi", Fraction(2 * 2**30)),
        ("1.5Gi", Fraction(3 * 2**29)),
        ("1Ki", Fraction(1024)),
        ("1Mi", Fraction(2**20)),
        ("1Ti", Fraction(2**40)),
        ("1Pi", Fraction(2**50)),
        ("1Ei", Fraction(2**60)),
        ("1k", Fraction(1000)),
        ("1M", Fraction(10**6)),
        ("1G", Fraction(10**9)),
        ("1T", Fraction(10**12)),
        ("1P", Fraction(10**15)),
        ("1E", Fraction(10**18)),
        ("1e3", Fraction(1000)),
        ("1E3", Fraction(1000)),
        ("1.5e-3", Fraction(3, 2000)),
        ("12e+2", Fraction(1200)),
        ("100n", Fraction(1, 10**7)),
        ("250u", Fraction(1, 4000)),
        (" 1Gi ", Fraction(2**30)),
    ],
)
def test_quantity_values_are_exact(text: object, expected: Fraction) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", ["", "Gi", "1gi", "1KiB", "1 Gi", "1e", "1e3Gi", "one", "1.2.3", "0x10", True, None, "1e999"])
def test_invalid_quantities_are_none(text: object) -> None:
    assert parse_quantity(text) is None


def test_units_compare_across_notations() -> None:
    assert parse_quantity("0.1") == parse_quantity("100m")
    assert parse_quantity("1Gi") == parse_quantity("1024Mi")
    assert parse_quantity("1.5Gi") > parse_quantity("1500Mi")  # type: ignore[operator]
    assert parse_quantity("1G") < parse_quantity("1Gi")  # type: ignore[operator]
    assert parse_quantity("1e3") == parse_quantity("1k")


@pytest.mark.parametrize(
    ("reference", "name", "tag", "digest"),
    [
        ("nginx", "nginx", None, None),
        ("nginx:1.27", "nginx", "1.27", None),
        ("nginx:latest", "nginx", "latest", None),
        ("registry:5000/app", "registry:5000/app", None, None),
        ("registry:5000/app:1.2", "registry:5000/app", "1.2", None),
        ("localhost/team/app", "localhost/team/app", None, None),
        ("app@sha256:abc123", "app", None, "sha256:abc123"),
        ("app:1.2@sha256:abc123", "app", "1.2", "sha256:abc123"),
        ("registry:5000/app@sha256:abc", "registry:5000/app", None, "sha256:abc"),
        ("ghcr.io/org/app:v2.0.0-rc.1", "ghcr.io/org/app", "v2.0.0-rc.1", None),
    ],
)
def test_image_references(reference: str, name: str, tag: str | None, digest: str | None) -> None:
    ref = parse_image(reference)
    assert (ref.name, ref.tag, ref.digest) == (name, tag, digest)
