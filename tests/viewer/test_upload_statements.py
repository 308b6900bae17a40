"""An upload's SQL: the caller's token looked up in one statement outside any
transaction, then the plot, its version and all its tags written in one transaction,
a statement each (no executemany pipeline on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from histfmt_viewer.storage import Storage


def test_an_upload_runs_four_statements(
    client: FlaskClient,
    storage: Storage,
    alice: dict[str, str],
    make_doc: Callable[..., bytes],
) -> None:
    body = make_doc(tags=("a", "b", "c", "a"))
    seen: list[tuple[str, bool, bool]] = []  # (table or SELECT, executemany, autocommit)

    def note(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        many = bool(rest[-1])  # (parameters, context, executemany)
        words = statement.split()
        what = words[2] if words[0] == "INSERT" else words[0]
        what = what.split("(")[0]
        seen.append((what, many, getattr(cursor.connection, "autocommit", None) is True))

    sa.event.listen(storage.engine, "before_cursor_execute", note)
    try:
        answer = client.post("/api/plots", data=body, headers=alice)
    finally:
        sa.event.remove(storage.engine, "before_cursor_execute", note)
    assert answer.status_code == 201
    tables = [table for table, _, _ in seen]
    assert tables == ["SELECT", "plots", "versions", "plot_tags"]
    postgresql = storage.engine.dialect.name == "postgresql"
    if postgresql:  # the lookup in autocommit, the writes in one transaction
        assert [autocommit for _, _, autocommit in seen] == [True, False, False, False]
    assert [many for _, many, _ in seen] == [False, False, False, not postgresql]
    with storage.engine.connect() as conn:
        tags = conn.execute(sa.text("SELECT tag FROM plot_tags ORDER BY tag")).scalars().all()
    assert tags == ["a", "b", "c"]
