"""Which env files are deployed and which are templates, from their names."""

from __future__ import annotations

_TEMPLATE_ENV = (".env.example", ".env.sample", ".env.template", ".env.dist")


def env_role(name: str) -> str | None:
    """'deployable' / 'template' for env-file names, None for other files."""
    lower = name.lower()
    if lower == ".envrc":
        return None
    if lower.endswith(".dist") and ".env" in lower:
        return "template"
    if lower in _TEMPLATE_ENV or any(lower.startswith(t + ".") for t in _TEMPLATE_ENV):
        return "template"
    if lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        stem = lower.removesuffix(".env")
        if any(w in stem for w in ("example", "sample", "template")):
            return "template"
        return "deployable"
    return None
