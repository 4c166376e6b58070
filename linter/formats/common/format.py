"""What every format's rules share: the parse-problem rules (DL) and the
provider-credential rule (SEC101). Not a format of files: rules name it as
`target: {format: any}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from linter.core.format import COMMON, Format

if TYPE_CHECKING:
    from linter.core.check import PythonCheck
    from linter.core.subject import Selector


class Common(Format):
    name = COMMON
    title = "Every format"
    example_file = "manifest.yaml"  # the DL and SEC101 examples are YAML unless their help names a file

    def selectors(self) -> Mapping[str, Selector]:
        from linter.formats.common.selectors import SELECTORS

        return SELECTORS

    def checks(self) -> Mapping[str, PythonCheck]:
        from linter.formats.common.checks import CHECKS

        return CHECKS
