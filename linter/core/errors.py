"""User-facing errors: printed as one clean line, exit code 2, no traceback."""


class UsageError(Exception):
    """A mistake in what the user gave us: arguments, config, or a rule file."""
