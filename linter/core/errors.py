"""User-facing errors: printed as one clean line, exit code 2, no traceback."""


class UsageError(Exception):
    """A mistake in what the user gave us: arguments, config, or a rule file."""


class RunAborted(Exception):
    """The run could not finish for a reason outside the linted files and
    outside our code (a worker process killed, say): one clear line, exit 3,
    and no report, never a report of fewer files."""
