"""The viewer's admin commands: ``histfmt serve``, ``histfmt init-db``, ``histfmt token``.

The ``histfmt`` command line lists them and imports this module only when one of them
runs or help lists them; without the ``viewer`` extra it says which extra to install.
"""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy.engine import make_url

from histfmt_viewer import create_app, storage_of

__all__ = ["init_db", "serve", "token"]


def _app(database: str | None) -> Flask:
    """The viewer's Flask app on ``database`` (default: the configured one)."""
    try:
        return create_app(database_url=database)
    except Exception as error:
        raise click.ClickException(f"cannot open the database: {error}") from None


_DATABASE = click.option(
    "--database", metavar="URL", default=None,
    help="Database URL: sqlite:///path or postgresql://user:pass@host/db. "
    "Default: $HISTFMT_DATABASE_URL, else a SQLite file in the instance folder.",
)  # fmt: skip


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=5000, show_default=True,
              help="Port to listen on.")  # fmt: skip
@_DATABASE
def serve(host: str, port: int, database: str | None) -> None:
    """Run the web viewer (Flask's development server; use a WSGI server in production).

    \b
    Examples:
      histfmt serve
      histfmt serve --port 8080 --database postgresql://histfmt@localhost/histfmt
    """
    app = _app(database)
    click.echo(f"histfmt viewer on http://{host}:{port}/ (database: {_shown(app)})")
    try:
        app.run(host=host, port=port)
    finally:
        storage_of(app).close()


def _shown(app: Flask) -> str:
    """The database URL without its password."""
    url: str = make_url(app.config["DATABASE_URL"]).render_as_string(hide_password=True)
    return url


@click.command("init-db")
@_DATABASE
def init_db(database: str | None) -> None:
    """Create the viewer's database tables (done on every start too)."""
    app = _app(database)
    storage_of(app).close()
    click.echo(f"database ready: {_shown(app)}")


@click.group()
def token() -> None:
    """API tokens of the web viewer."""


@token.command("create")
@click.argument("user")
@_DATABASE
def token_create(user: str, database: str | None) -> None:
    """Print a new API token for USER (the user is created if new).

    Only a hash is stored: keep the token, it cannot be shown again. The token
    is the last word printed, for scripts: TOKEN=$(histfmt token create me | awk '{print $NF}').
    """
    if not user.strip() or len(user) > 200:
        raise click.ClickException("USER must be 1 to 200 characters")
    app = _app(database)
    storage = storage_of(app)
    try:
        secret = storage.create_token(user.strip())
    finally:
        storage.close()
    click.echo(f"API token for {user.strip()} (send as 'Authorization: Token ...'): {secret}")
