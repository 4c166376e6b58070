"""Values a template engine or a person fills in before a manifest is applied.

Image references, port names and object names are drawn from small alphabets
(letters, digits, `.-_/:@`); a value holding `$`, braces, parentheses, angle
brackets or spaces is a template expression (`${IMAGE}`, `$(PORT)`,
`{{ .Values.image }}`) or a stand-in (`<your-image>`), not the value itself.
"""

from __future__ import annotations

import re

_TEMPLATE_CHARACTER = re.compile(r"[$<>{}()\s]")


def is_templated(value: str) -> bool:
    """Whether an identifier-like value is a template or a placeholder."""
    return _TEMPLATE_CHARACTER.search(value.strip()) is not None
