"""The viewer's commands: token create, init-db, serve; and concurrent writes to storage."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from histfmt.cli import cli
from histfmt_viewer.documents import plot_info
from histfmt_viewer.storage import Storage


@pytest.fixture(autouse=True)
def _instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HISTFMT_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("HISTFMT_DATABASE_URL", raising=False)


def test_token_create_prints_a_working_token(database_url: str) -> None:
    result = CliRunner().invoke(cli, ["token", "create", "erin", "--database", database_url])
    assert result.exit_code == 0, result.output
    token = result.output.split()[-1]
    storage = Storage(database_url)
    try:
        user = storage.user_for_token(token)
    finally:
        storage.close()
    assert user is not None
    assert user.name == "erin"


def test_token_create_reads_the_environment(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HISTFMT_DATABASE_URL", database_url)
    first = CliRunner().invoke(cli, ["token", "create", "erin"])
    second = CliRunner().invoke(cli, ["token", "create", "erin"])
    assert first.exit_code == second.exit_code == 0
    storage = Storage(database_url)
    try:
        users = [storage.user_for_token(r.output.split()[-1]) for r in (first, second)]
    finally:
        storage.close()
    assert users[0] == users[1]
    assert users[0] is not None


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "instance" / "histfmt.sqlite").is_file()
    assert CliRunner().invoke(cli, ["token", "create", "frank"]).exit_code == 0


def test_bad_database_and_user_are_clear_errors() -> None:
    result = CliRunner().invoke(cli, ["init-db", "--database", "nosuchdb://x"])
    assert result.exit_code == 1
    assert "cannot open the database" in result.output
    assert CliRunner().invoke(cli, ["token", "create", " "]).exit_code == 1


def test_missing_flask_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "histfmt_viewer", None)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 1
    assert "pip install 'histfmt[viewer]'" in result.output


def test_serve_prints_the_url(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    from flask import Flask

    ran: list[Any] = []
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: ran.append(kwargs))
    result = CliRunner().invoke(cli, ["serve", "--port", "5123", "--database", database_url])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5123/" in result.output
    assert ran == [{"host": "127.0.0.1", "port": 5123}]
    assert ":histfmt@" not in result.output  # no password shown


def test_concurrent_versions_get_unique_numbers(database_url: str, document: Any) -> None:
    import histfmt

    storage = Storage(database_url)
    storage.init_schema()
    try:
        user = storage.user_for_token(storage.create_token("gina"))
        assert user is not None
        info = plot_info(document, owner="gina")
        text = histfmt.dumps(document).decode()
        plot_id = storage.create_plot(user, info, text)
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for _ in range(5):
                    storage.add_version(plot_id, info, text)
                storage.create_plot(user, info, text)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        numbers = [v["number"] for v in storage.list_versions(plot_id)]
        assert numbers == list(range(1, 22))
        assert storage.search(None, per_page=100)[1] == 5
    finally:
        storage.close()
