"""A click group whose commands are imported only when they run or when help lists them.

click's documented lazy-loading pattern ("Lazily Loading Subcommands"): the group maps
command names to ``"module:attribute"`` strings. A command that lives in an optional
package (the web viewer) stands in as a command that explains which extra to install.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

__all__ = ["LazyGroup"]


class LazyGroup(click.Group):
    """A group of ``lazy`` commands, ``{"name": "module:attribute"}``.

    ``listing`` gives each command's line in the group's help, so that listing
    imports none of them. ``missing`` maps a top-level package to the message shown
    when it cannot be imported (an extra that is not installed); the command then
    exits 1 with it.
    """

    def __init__(
        self,
        *args: Any,
        lazy: Mapping[str, str] | None = None,
        listing: Mapping[str, str] | None = None,
        missing: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})
        self.listing = dict(listing or {})
        self.missing = dict(missing or {})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from ``listing``: no command is imported to list it."""
        rows = [(name, self.listing.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = self.lazy[cmd_name].partition(":")
        package = module_name.partition(".")[0]
        try:
            # the package first: that import is what fails when an extra is missing,
            # even when the command's module was imported before
            importlib.import_module(package)
            module = importlib.import_module(module_name)
        except ImportError as error:
            if package not in self.missing:
                raise
            return _unavailable(cmd_name, self.missing[package], error)
        command = getattr(module, attribute)
        if not isinstance(command, click.Command) or command.name != cmd_name:
            raise TypeError(f"{self.lazy[cmd_name]} is not the click command {cmd_name!r}")
        return command


def _unavailable(name: str, message: str, error: ImportError) -> click.Command:
    """A stand-in for a command whose package is not installed: it exits 1 with ``message``."""

    def fail() -> None:
        raise click.ClickException(f"{message} ({error})")

    return click.Command(
        name,
        callback=fail,
        help=message,
        short_help=message,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
