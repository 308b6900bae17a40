"""``histfmt token list`` and ``histfmt token delete``: ids, never secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from histfmt.cli import cli
from histfmt.errors import HistfmtError
from histfmt_viewer.storage import Storage, hash_token, tables
from histfmt_viewer.storage.accounts import TOKEN_ID_LENGTH

from .conftest import sign_in


@pytest.fixture(autouse=True)
def _instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HISTFMT_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("HISTFMT_DATABASE_URL", raising=False)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["token", *args])
    return result.exit_code, result.output


def _created(database_url: str, user: str) -> str:
    code, output = _run("create", user, "--database", database_url)
    assert code == 0, output
    return output.split()[-1]


def test_token_list_shows_ids_users_and_dates_never_the_token(database_url: str) -> None:
    first, second = _created(database_url, "erin"), _created(database_url, "erin")
    other = _created(database_url, "frank")
    code, output = _run("list", "erin", "--database", database_url)
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["id", "user", "created", "(UTC)"]
    ids = [line.split()[0] for line in lines[1:]]
    assert sorted(ids) == sorted(hash_token(t)[:TOKEN_ID_LENGTH] for t in (first, second))
    assert all(line.split()[1] == "erin" for line in lines[1:])
    for secret in (first, second, other):
        assert secret not in output
        assert hash_token(secret) not in output  # nor the whole hash a session keeps
    code, everyone = _run("list", "--database", database_url)
    assert code == 0
    assert hash_token(other)[:TOKEN_ID_LENGTH] in everyone
    assert len(everyone.splitlines()) == 4
    assert _run("list", "nobody", "--database", database_url) == (0, "no tokens for nobody\n")


def test_token_delete_refuses_the_token_from_then_on(database_url: str) -> None:
    kept, deleted = _created(database_url, "erin"), _created(database_url, "erin")
    token_id = hash_token(deleted)[:8]  # the start of an id will do
    code, output = _run("delete", token_id, "--database", database_url)
    assert code == 0, output
    assert output.startswith(f"deleted token {hash_token(deleted)[:TOKEN_ID_LENGTH]} of erin")
    storage = Storage(database_url)
    try:
        assert storage.user_for_token(deleted) is None
        assert storage.user_for_token(kept) is not None
        assert [row.id for row in storage.list_tokens("erin")] == [
            hash_token(kept)[:TOKEN_ID_LENGTH]
        ]
    finally:
        storage.close()
    code, output = _run("delete", token_id, "--database", database_url)
    assert code == 1
    assert "no such token" in output


@pytest.mark.parametrize("bad", ["abc", "not-hex-at-all", "g" * 12, "a" * 65])
def test_token_delete_refuses_what_is_no_id(database_url: str, bad: str) -> None:
    _created(database_url, "erin")
    code, output = _run("delete", bad, "--database", database_url)
    assert code == 1
    assert "hex digits" in output
    assert "Traceback" not in output


def test_an_ambiguous_id_deletes_nothing(storage: Storage) -> None:
    storage.create_token("erin")
    user_id = storage.user_for_token(storage.create_token("erin")).id  # type: ignore[union-attr]
    with storage.engine.begin() as conn:  # two hashes that share their first 20 digits
        for last in "01":
            conn.execute(
                tables.tokens.insert().values(
                    hash="ab" * 10 + last * 44, user_id=user_id, created=tables.now()
                )
            )
    with pytest.raises(HistfmtError, match="several tokens have an id starting 'ababab'"):
        storage.delete_token("ababab")
    assert len(storage.list_tokens("erin")) == 4
    assert storage.delete_token("ab" * 10 + "1").id == ("ab" * 10 + "11")[:TOKEN_ID_LENGTH]
    assert len(storage.list_tokens("erin")) == 3


def test_deleting_a_token_ends_its_browser_session(
    client: FlaskClient, storage: Storage, tokens: dict[str, str]
) -> None:
    sign_in(client, tokens["alice"])
    assert client.get("/upload").status_code == 200
    storage.delete_token(hash_token(tokens["alice"])[:TOKEN_ID_LENGTH])
    response = client.get("/upload")
    assert response.status_code == 303
    assert "/login" in response.headers["Location"]
