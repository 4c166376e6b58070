"""Planted secrets stay out of every output when the file holding them is
mangled: files of each format hold provider-shaped keys and generic
high-entropy passwords, a seeded mutator truncates them, cuts pieces out and
puts quotes, line breaks and brackets in (mostly inside a secret), and no
8-character piece of any secret may reach the text, JSON or SARIF report
(parse errors' messages included). Bounded here; `bench/fuzz.py --target
redaction --count N --seed S` runs the same cases deeper.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import all_rules
from fuzz_support import SECRET_FILES, leaked_fragments, mutate_secrets, redaction_case, redaction_outputs, secret_fragments

from linter.config.rules import select_rules

RUNS = 12  # per format, on top of the file as written
SEED = 20261204


@pytest.mark.parametrize("fmt", sorted(SECRET_FILES))
def test_no_piece_of_a_planted_secret_reaches_any_output(fmt: str, tmp_path: Path) -> None:
    rules = select_rules(all_rules())
    name, text = SECRET_FILES[fmt]
    rng = random.Random(f"{SEED}-{fmt}")
    cases = [text, *(mutate_secrets(text, rng) for _ in range(RUNS))]
    leaks = {case: found for case in cases if (found := redaction_case(tmp_path / "root", fmt, rules, name, case))}
    assert leaks == {}


def test_the_fragments_are_what_a_leak_would_show() -> None:
    """The detector sees a secret cut anywhere, and not the provider prefix a redaction shows."""
    fragments = secret_fragments()
    assert leaked_fragments("token 'ghp_Rt5Yu7Io' cut", fragments) == sorted("ghp_Rt5Yu7Io"[i : i + 8] for i in range(5))
    assert leaked_fragments("sk-proj-…(56 chars) ghp_…(40 chars) AKIA…(20 chars)", fragments) == []


# Mutations that printed a piece of a secret, minimized: (format, file name, text, the rule whose message showed it).
FOUND = [
    # A quote put in a URL's password: the text pass found the URL ending at the quote, masked that
    # part and printed the rest of the password.
    ("nginx", "nginx.conf", 'http {\n  server {\n    location / {\n      proxy_pass https://u:hN3$kq!"Lm2#Wx7@Pz5%@backend.example.com;\n'
     "    }\n  }\n}\n", "NGX302"),
    # Quotes right after the scheme: the quoted URL in the message was taken to end at the first one.
    ("nginx", "nginx.conf", "http {\n  server {\n    location / {\n      proxy_pass https://''u:hN3$kq9!Lm2#Wx7@Pz5%@backend.example.com;\n"
     "    }\n  }\n}\n", "NGX302"),
    # A password left as an argument of `bind` when the line between was cut: the whole line was quoted.
    ("redis", "redis.conf", "bind 0.0.0.0as</</s Vb7nM2qX9kL4pR8\n", "RDS201"),
    # A flow mapping cut so that a password became a field name: the unknown field was quoted as written.
    ("kubernetes", "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x\n"
     "      env:\n        - {name: DB_PASSWORD, vaq9!Lm2#Wx7@Pz5%'}\n", "K8S903"),
]


@pytest.mark.parametrize(("fmt", "name", "text", "rule_id"), FOUND, ids=[c[3] for c in FOUND])
def test_found_leaks_stay_fixed(fmt: str, name: str, text: str, rule_id: str, tmp_path: Path) -> None:
    from fuzz_support import engine_case

    result = engine_case(tmp_path / "root", fmt, select_rules(all_rules()), name, text.encode())
    if rule_id == "K8S903" and not any(f.rule_id == rule_id for f in result.findings):
        pytest.skip("the Kubernetes schemas (deploylint[schemas]) are not installed")
    assert rule_id in {f.rule_id for f in result.findings}  # the message that leaked is still written
    assert {kind: leaked_fragments(out, secret_fragments()) for kind, out in redaction_outputs(result).items()} == {
        "text": [], "json": [], "sarif": []
    }
