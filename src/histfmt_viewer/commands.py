"""The viewer's admin commands: ``histfmt serve``, ``histfmt init-db``, ``histfmt token``.

The ``histfmt`` command line lists them and imports this module only when one of them
runs or help lists them; without the ``viewer`` extra it says which extra to install.
"""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy.engine import make_url

from histfmt.errors import HistfmtError
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


@token.command("list")
@click.argument("user", required=False)
@_DATABASE
def token_list(user: str | None, database: str | None) -> None:
    """List the API tokens of USER (of every user without USER), oldest first: each
    token's id, its user and when it was made. The tokens themselves are not stored
    and cannot be shown; the id names one for 'histfmt token delete'.
    """
    app = _app(database)
    storage = storage_of(app)
    try:
        rows = storage.list_tokens(user.strip() if user is not None else None)
    finally:
        storage.close()
    if not rows:
        click.echo(f"no tokens{f' for {user.strip()}' if user is not None else ''}")
        return
    width = max(len("user"), *(len(row.user) for row in rows))
    click.echo(f"{'id':<12}  {'user':<{width}}  created (UTC)")
    for row in rows:
        click.echo(f"{row.id:<12}  {row.user:<{width}}  {row.created:%Y-%m-%d %H:%M}")


@token.command("delete")
@click.argument("token_id", metavar="ID")
@_DATABASE
def token_delete(token_id: str, database: str | None) -> None:
    """Delete the API token ID (as 'histfmt token list' shows it; its first six or more
    digits will do). Scripts using it are refused from then on, and the browser
    sessions signed in with it end.
    """
    app = _app(database)
    storage = storage_of(app)
    try:
        row = storage.delete_token(token_id)
    except HistfmtError as error:
        raise click.ClickException(error.message) from None
    finally:
        storage.close()
    click.echo(f"deleted token {row.id} of {row.user} (made {row.created:%Y-%m-%d %H:%M} UTC)")
