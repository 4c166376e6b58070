"""deploylint: an offline policy-as-code linter for deployment manifests."""

__version__ = "0.1.0"
