"""The ``histfmt`` command line."""

from histfmt.cli.documents import cli, main

__all__ = ["cli", "main"]
