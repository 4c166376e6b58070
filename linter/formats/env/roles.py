"""Which env files are deployed, which are developers' own and which are
templates, from their names.

A name is split into words at `.`, `-` and `_` (`.env.production.local` ->
env, production, local). It is an env file when it is `.env`, starts with
`.env.` or ends with `.env` (`.env.test`, `prod.env`, `example.env`), or when
only role words follow its word `env` (`env.example`, `app.env.dist`); never
`.envrc`. Its role is the first row of
`ROLE_WORDS` one of whose words it contains, else `deployable`.
"""

from __future__ import annotations

import re

DEPLOYABLE = "deployable"  # deployed as-is: the production rules apply
DEVELOPMENT = "development"  # a developer's or CI's own settings, never production
TEMPLATE = "template"  # copied by everyone, filled in by each
ROLES = (DEPLOYABLE, DEVELOPMENT, TEMPLATE)

# The role table: the first row with a word the name holds decides. Production
# words come before development ones so `.env.production.local` (Next.js loads
# it in production) stays deployable.
ROLE_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    (TEMPLATE, frozenset({"example", "examples", "sample", "samples", "template", "tmpl", "tpl", "dist"})),
    (DEPLOYABLE, frozenset({"prod", "production", "prd", "live", "staging", "stage"})),
    (DEVELOPMENT, frozenset({"local", "dev", "develop", "development", "test", "tests", "testing"})),
)
NOT_ENV_NAMES = frozenset({".envrc"})

_WORD_BREAK = re.compile(r"[._-]+")


def _words(name: str) -> list[str]:
    return [w for w in _WORD_BREAK.split(name.lower()) if w]


def _is_env_name(lower: str, words: list[str]) -> bool:
    if lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        return True
    # `env.example`, `app.env.dist`: `env` followed by role words only.
    role_words = frozenset().union(*(row for _, row in ROLE_WORDS))
    return "env" in words[:-1] and all(w in role_words for w in words[words.index("env") + 1:])


def names_environment(name: str) -> bool:
    """A deployable file named for the environment it is deployed to
    (`.env.production`, `staging.env`), not a bare `.env` (often a developer's
    own): what a template in its directory documents."""
    words = _words(name.lower())
    return env_role(name) == DEPLOYABLE and ROLE_WORDS[1][1].intersection(words) != set()


def env_role(name: str) -> str | None:
    """The role of an env file by its name, None for other files."""
    lower = name.lower()
    words = _words(lower)
    if lower in NOT_ENV_NAMES or not _is_env_name(lower, words):
        return None
    for role, row in ROLE_WORDS:
        if row.intersection(words):
            return role
    return DEPLOYABLE
