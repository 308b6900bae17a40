"""Storage on SQLite and PostgreSQL: search, indexes, schema upgrades, concurrent users."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import histfmt
from histfmt.errors import HistfmtError
from histfmt_viewer.documents import plot_info, stored_text
from histfmt_viewer.storage import (
    Collection,
    NotFound,
    Plot,
    Storage,
    User,
    Version,
    VersionDocument,
)
from histfmt_viewer.storage.accounts import Accounts
from histfmt_viewer.storage.search import Search
from histfmt_viewer.storage.tables import metadata

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AUTHORS = {
    "cutflow_categorical": "Ada Lovelace",
    "from_hist": "Émile Borel",
    "met_systematics": "Shaquille O'Neal",
    "mll_data_vs_mc": "Marie Curie",
    "pt_logy": "Lise Meitner",
}
PLOT_INDEXES = {
    "ix_plots_updated",
    "ix_plots_created",
    "ix_plots_title",
    "ix_plots_owner_id",
    "ix_plots_collection_created",
}

# The same words must find the same plots on both backends (SQLite: substring; PostgreSQL:
# full-text prefix): title words, tags, authors, yield names, label words, prefixes, case.
SAME_ON_BOTH = {
    "ttbar": {"from_hist", "met_systematics", "mll_data_vs_mc"},
    "ttb": {"from_hist", "met_systematics", "mll_data_vs_mc"},
    "dilep": {"mll_data_vs_mc"},
    "dilepton MASS": {"mll_data_vs_mc"},
    "Invariant mass": {"mll_data_vs_mc"},
    "transverse": {"from_hist", "met_systematics", "pt_logy"},
    "ZJETS": {"from_hist"},
    "zjets": {"from_hist"},
    "systematics": {"met_systematics"},
    "monoj": {"pt_logy"},
    "lovelace": {"cutflow_categorical"},
    "Émile": {"from_hist"},
    "ÉMILE borel": {"from_hist"},
    "o'neal": {"met_systematics"},
    "znunu": {"pt_logy"},
    "diboson": {"mll_data_vs_mc", "pt_logy"},
    "multijet": {"from_hist"},
    "leptons": {"cutflow_categorical", "mll_data_vs_mc"},
    "garwood": {"pt_logy"},
    "ttbar transverse": {"from_hist", "met_systematics"},
    "higgs": set(),
    "ttbar higgs": set(),
}
HOSTILE = [
    "",
    "   ",
    "a & | ! ( ) : * ' \\ <->",
    "&",
    "|",
    "!",
    "(",
    ")",
    ":*",
    "'",
    "''",
    "\\",
    "\\'",
    "<->",
    "<2>",
    "a:*",
    "a:A",
    "ttbar:*B & !x",
    "'ttbar'",
    "ttbar' | 'x",
    "%",
    "_",
    "%_\\%",
    "\x00",
    "ttbar\x00higgs",
    "\u2113\u2113 Z\u2192\u2113\u2113",  # script l, arrow
    "😀 ttbar",
    "\u00c9MILE \u202eab",  # right-to-left override
    "a\u0301",
    "x" * 3000,
    "日本語 テキスト",
    " ".join(["ttbar"] * 1000),
    " ".join(f"w{i}" for i in range(1000)),
    " ".join(f"({i}) !{i} '{i}' {i}:*" for i in range(250)),
    " ".join(["%", "!", "&"] * 400),
]


@pytest.fixture
def store(database_url: str) -> Iterator[Storage]:
    storage = Storage(database_url)
    storage.init_schema()
    yield storage
    storage.close()


@pytest.fixture
def examples(store: Storage) -> dict[str, str]:
    """The example documents as public plots of alice: plot id by example name."""
    owner = User(_user_id(store, "alice"), "alice")
    result = {}
    for name, author in AUTHORS.items():
        doc = histfmt.load(EXAMPLES / f"{name}.json")
        doc.metadata.author = author
        result[name] = store.create_plot(owner, plot_info(doc, owner="alice"), stored_text(doc))
    return result


def _user_id(store: Storage, name: str) -> int:
    user = store.user_for_token(store.create_token(name))
    assert user is not None
    return user.id


def _found(store: Storage, examples: dict[str, str], q: str, **kwargs: object) -> set[str]:
    rows, total = store.search(None, q=q, per_page=100, **kwargs)  # type: ignore[arg-type]
    assert total == len(rows)
    names = {plot_id: name for name, plot_id in examples.items()}
    return {names[row["id"]] for row in rows}


def test_search_finds_the_same_plots_on_both_backends(
    store: Storage, examples: dict[str, str]
) -> None:
    found = {q: _found(store, examples, q) for q in SAME_ON_BOTH}
    assert found == SAME_ON_BOTH
    assert _found(store, examples, "") == set(AUTHORS)
    assert _found(store, examples, "ttbar", author="curie") == {"mll_data_vs_mc"}
    assert _found(store, examples, "ttbar", tag="met") == {"met_systematics"}


def test_search_keeps_the_sort_order(store: Storage, examples: dict[str, str]) -> None:
    def titles(sort: str) -> list[str]:
        rows, _ = store.search(None, q="ttbar", sort=sort)
        return [row["title"].split()[0] for row in rows]

    assert titles("title") == ["Dilepton", "Missing", "Transverse"]
    assert titles("oldest") == ["Transverse", "Missing", "Dilepton"]
    assert titles("created") == ["Dilepton", "Missing", "Transverse"]
    assert titles("updated") == ["Dilepton", "Missing", "Transverse"]
    page = [store.search(None, q="ttbar", sort="title", per_page=1, page=n) for n in (1, 2, 3)]
    assert [rows[0]["title"].split()[0] for rows, _ in page] == [
        "Dilepton",
        "Missing",
        "Transverse",
    ]
    assert {total for _, total in page} == {3}
    rows, _ = store.search(None, q="ttbar")
    assert set(rows[0]) == {
        "id", "owner_id", "collection_id", "visibility", "title", "author", "tags",
        "created", "updated", "latest", "owner",
    }  # fmt: skip


def test_hostile_queries_never_fail(store: Storage, examples: dict[str, str]) -> None:
    for q in HOSTILE:
        rows, total = store.search(None, q=q, per_page=100)
        assert total == len(rows), q
    assert _found(store, examples, " ".join(["ttbar"] * 1000)) == SAME_ON_BOTH["ttbar"]
    assert _found(store, examples, " ".join(f"w{i}" for i in range(1000))) == set()
    assert _found(store, examples, "ttbar\x00dilepton") == {"mll_data_vs_mc"}
    assert _found(store, examples, "\x00") == set(AUTHORS)
    assert _found(store, examples, "", tag="ttbar\x00") == {"met_systematics", "mll_data_vs_mc"}
    assert _found(store, examples, "", author="curie\x00") == {"mll_data_vs_mc"}


def test_many_words_all_required(store: Storage) -> None:
    """More words than fit in one SQL expression on SQLite still all have to match."""
    owner = User(_user_id(store, "alice"), "alice")
    doc = histfmt.load(EXAMPLES / "pt_logy.json")
    doc.metadata.description = " ".join(f"kw{i}x" for i in range(60))
    wanted = store.create_plot(owner, plot_info(doc, owner="alice"), stored_text(doc))
    doc.metadata.description = " ".join(f"kw{i}x" for i in range(59))
    store.create_plot(owner, plot_info(doc, owner="alice"), stored_text(doc))
    words = [f"kw{i}x" for i in range(60)]
    rows, total = store.search(None, q=" ".join(words))
    assert (total, [row["id"] for row in rows]) == (1, [wanted])
    rows, total = store.search(None, q=" ".join([*words[:59], "%"]))
    assert total == 0
    rows, total = store.search(None, q=" ".join(words[:50]))
    assert total == 2
    punctuation = " ".join("%" * n + "!" for n in range(1, 41))  # words without lexemes
    assert store.search(None, q=punctuation)[1] == 0
    assert store.search(None, q=punctuation[:70])[1] == 0


def test_tables_have_the_indexes(store: Storage) -> None:
    inspector = sa.inspect(store.engine)
    names = {index["name"] for index in inspector.get_indexes("plots")}
    assert names >= PLOT_INDEXES
    columns = {column["name"] for column in inspector.get_columns("plots")}
    if store.engine.dialect.name == "postgresql":
        assert "ix_plots_search_vector" in names
        assert "search_vector" in columns
    else:
        assert "search_vector" not in columns


def test_init_schema_upgrades_an_old_database(database_url: str) -> None:
    """A database made before the indexes and the search column gets them at start."""
    old = Storage(database_url)
    metadata.create_all(old.engine)
    with old.engine.begin() as conn:
        for name in PLOT_INDEXES:
            conn.execute(sa.text(f"DROP INDEX {name}"))
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE plots DROP COLUMN search_vector"))
    owner = User(_user_id(old, "alice"), "alice")
    doc = histfmt.load(EXAMPLES / "mll_data_vs_mc.json")
    plot_id = old.create_plot(owner, plot_info(doc, owner="alice"), stored_text(doc))
    old.close()

    store = Storage(database_url)
    try:
        store.init_schema()
        store.init_schema()  # again: nothing to do
        inspector = sa.inspect(store.engine)
        assert {index["name"] for index in inspector.get_indexes("plots")} >= PLOT_INDEXES
        rows, total = store.search(None, q="dilep invariant")
        assert (total, rows[0]["id"]) == (1, plot_id)
    finally:
        store.close()


def _first_tokens(store: Storage, name: str, threads: int) -> list[str]:
    """``create_token(name)`` in ``threads`` threads released at once."""
    barrier = threading.Barrier(threads)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(10)
            tokens.append(store.create_token(name))
        except BaseException as error:  # reported below
            errors.append(error)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not errors
    return tokens


def test_concurrent_first_tokens_of_a_new_user(store: Storage) -> None:
    for round_number in range(3):
        name = f"newuser{round_number}"
        tokens = _first_tokens(store, name, 8)
        assert len(set(tokens)) == 8
        users = {store.user_for_token(token) for token in tokens}
        assert len(users) == 1
        (user,) = users
        assert user is not None
        assert user.name == name
        with store.engine.connect() as conn:
            count = conn.scalar(sa.text("SELECT count(*) FROM users WHERE name = :n"), {"n": name})
        assert count == 1


def test_concurrent_starts_on_a_fresh_database(database_url: str) -> None:
    """Workers starting at once (gunicorn) each create the schema without failing."""
    stores = [Storage(database_url) for _ in range(6)]
    barrier = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def start(store: Storage) -> None:
        barrier.wait()
        try:
            store.init_schema()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert set(sa.inspect(stores[0].engine).get_table_names()) >= set(metadata.tables)
    finally:
        for store in stores:
            store.close()


def test_rows_are_typed_and_read_as_mappings(store: Storage, examples: dict[str, str]) -> None:
    plot = store.get_plot(examples["mll_data_vs_mc"])
    assert isinstance(plot, Plot)
    assert (plot.title, plot["title"], plot.owner, plot.latest) == (
        plot["title"], plot.title, "alice", 1,
    )  # fmt: skip
    assert isinstance(plot.tags, tuple)
    assert plot.created.tzinfo is not None
    assert dict(plot)["id"] == plot.id
    with pytest.raises(KeyError):
        plot["search"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plot.title = "changed"  # type: ignore[misc]
    version = store.get_version(plot.id)
    assert isinstance(version, VersionDocument)
    assert (version.plot_id, version.number) == (plot.id, 1)
    assert [type(v) for v in store.list_versions(plot.id)] == [Version]
    alice = store.user_for_token(store.create_token("alice"))
    assert isinstance(alice, User)
    collection_id = store.create_collection(alice, "Dilepton", "", "public")
    collection = store.get_collection(collection_id)
    assert isinstance(collection, Collection)
    assert (collection.owner, collection.plot_count) == ("alice", 0)


def test_a_missing_plot_is_not_found(store: Storage) -> None:
    doc = histfmt.load(EXAMPLES / "mll_data_vs_mc.json")
    with pytest.raises(NotFound) as caught:
        store.add_version("no-such-plot", plot_info(doc, owner="alice"), stored_text(doc))
    assert isinstance(caught.value, HistfmtError)
    assert isinstance(caught.value, LookupError)
    assert (caught.value.kind, caught.value.key) == ("plot", "no-such-plot")


def test_the_parts_work_alone(database_url: str) -> None:
    """Each part of the storage is usable on its own, on the same database."""
    store = Storage(database_url)
    store.init_schema()
    accounts, search = Accounts(database_url), Search(database_url)
    try:
        token = accounts.create_token("erin")
        assert store.user_for_token(token) == accounts.user_for_token(token)
        assert search.search(None)[1] == store.search(None)[1] == 0
    finally:
        for part in (store, accounts, search):
            part.close()
