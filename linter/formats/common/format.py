"""What every format's rules share: the parse-problem rules (DL) and the
provider-credential rule (SEC101). Not a format of files: rules name it as
`target: {format: any}`."""

from __future__ import annotations

from linter.core.format import COMMON, Format


class Common(Format):
    name = COMMON
    package = __package__ or ""
    title = "Every format"
    example_file = "manifest.yaml"  # the DL and SEC101 examples are YAML unless their help names a file


