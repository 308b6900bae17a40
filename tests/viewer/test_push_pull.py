"""``histfmt push`` and ``histfmt pull`` against the viewer served on a loopback port.

The app runs in a thread on a real HTTP server (SQLite and PostgreSQL, from the
conftest fixtures); the commands run in click's CliRunner and talk to it with
``urllib`` like they would to a remote viewer.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import histfmt
from histfmt import remote
from histfmt.cli import cli
from histfmt.convert import registry
from histfmt.convert import uhepp as uhepp_conv
from histfmt_viewer.storage import Storage

TIMEOUT = 10.0


@pytest.fixture
def env(
    base_url: str, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    """HISTFMT_SERVER/HISTFMT_TOKEN set for alice; the working folder is tmp_path."""
    monkeypatch.setenv("HISTFMT_SERVER", base_url)
    monkeypatch.setenv("HISTFMT_TOKEN", tokens["alice"])
    monkeypatch.chdir(tmp_path)
    return base_url


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _write(path: Path, doc: histfmt.Document, title: str = "Dilepton mass") -> Path:
    doc.metadata.title = title
    histfmt.dump(doc, path)
    return path


def _pushed_id(result: Result, base_url: str) -> str:
    """The plot id of the one line a push of one file prints."""
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    url = line.split(": ", 1)[1]
    assert url.startswith(f"{base_url}/plots/")
    return url.rsplit("/", 1)[1]


def _count(storage: Storage, token: str) -> int:
    _, total = storage.search(storage.user_for_token(token))
    return total


def test_push_histfmt_and_pull_back(
    env: str, document: histfmt.Document, tmp_path: Path, storage: Storage
) -> None:
    path = _write(tmp_path / "plot.json", document)
    result = run("push", str(path))
    plot_id = _pushed_id(result, env)
    assert result.stdout.startswith(f"{path}: {env}/plots/{plot_id}")
    plot = storage.get_plot(plot_id)
    assert plot is not None
    assert plot["visibility"] == "public"
    assert plot["owner"] == "alice"

    pulled = run("pull", plot_id)
    assert pulled.exit_code == 0, pulled.output
    assert pulled.stdout.strip() == "Dilepton_mass.json"
    assert histfmt.load(tmp_path / "Dilepton_mass.json") == histfmt.load(path)
    printed = result.stdout.split(": ", 1)[1].split()[0]  # the page address push prints
    by_address = run("pull", printed, "-o", "by_address.json", "--server", "http://elsewhere")
    assert by_address.exit_code == 0, by_address.output
    assert histfmt.load(tmp_path / "by_address.json") == histfmt.load(path)

    # -o, YAML, and stdout
    assert run("pull", plot_id, "-o", "copy.yaml").exit_code == 0
    assert (tmp_path / "copy.yaml").read_text().startswith("histfmt:")
    assert histfmt.load(tmp_path / "copy.yaml") == histfmt.load(path)
    out = run("pull", plot_id, "-o", "-")
    assert out.exit_code == 0, out.output
    assert histfmt.loads(out.stdout_bytes) == histfmt.load(path)


def test_push_uhepp_and_uhi(env: str, document: histfmt.Document, tmp_path: Path) -> None:
    document.metadata.title = "from uhepp"
    uhepp_path = tmp_path / "plot_uhepp.json"
    uhepp_conv.write(document, uhepp_path)
    uhi_path = tmp_path / "h_uhi.json"
    uhi_path.write_text(
        json.dumps(
            {
                "uhi_schema": 1,
                "axes": [{"type": "regular", "lower": 0.0, "upper": 2.0, "bins": 2,
                          "underflow": False, "overflow": False, "circular": False}],
                "storage": {"type": "double", "values": [1.0, 2.0]},
            }
        )
    )  # fmt: skip
    result = run("push", str(uhepp_path), str(uhi_path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(": ")[0] for line in lines] == [str(uhepp_path), str(uhi_path)]
    for line, path in zip(lines, (uhepp_path, uhi_path), strict=True):
        plot_id = line.rsplit("/", 1)[1]
        pulled = run("pull", plot_id, "-o", f"{plot_id}.json")
        assert pulled.exit_code == 0, pulled.output
        assert histfmt.load(tmp_path / f"{plot_id}.json") == registry.read(path)


def test_push_into_a_collection_and_private(
    env: str,
    document: histfmt.Document,
    tmp_path: Path,
    storage: Storage,
    tokens: dict[str, str],
) -> None:
    alice = storage.user_for_token(tokens["alice"])
    assert alice is not None
    collection = storage.create_collection(alice, "Dilepton", "", "public")
    path = _write(tmp_path / "secret.json", document, "Secret plot")
    result = run("push", str(path), "--collection", str(collection), "--private")
    plot_id = _pushed_id(result, env)
    plot = storage.get_plot(plot_id)
    assert plot is not None
    assert (plot["visibility"], plot["collection_id"]) == ("private", collection)

    # without a token, and with bob's: not found; with alice's: the document
    for token in ("", tokens["bob"]):
        denied = run("pull", plot_id, "--token", token)
        assert denied.exit_code == 1
        assert "no such plot (or it is private)" in denied.stderr
        assert "Traceback" not in denied.output
    assert not (tmp_path / "Secret_plot.json").exists()
    allowed = run("pull", plot_id)
    assert allowed.exit_code == 0, allowed.output
    assert histfmt.load(tmp_path / "Secret_plot.json") == histfmt.load(path)

    # someone else's collection, and one that does not exist
    bob_collection = storage.create_collection(
        storage.user_for_token(tokens["bob"]),  # type: ignore[arg-type]
        "Bob's",
        "",
        "public",
    )
    refused = run("push", str(path), "--collection", str(bob_collection))
    assert refused.exit_code == 1
    assert "Only the owner of a collection" in refused.stderr
    missing = run("push", str(path), "--collection", "999999")
    assert missing.exit_code == 1
    assert "no such collection: 999999" in missing.stderr


def test_invalid_files_are_not_stored(
    env: str,
    document: histfmt.Document,
    tmp_path: Path,
    storage: Storage,
    tokens: dict[str, str],
) -> None:
    # invalid here: never sent
    broken = tmp_path / "broken.json"
    data = json.loads(histfmt.dumps(document))
    data["x"]["edges"] = "y"
    data["yields"]["mc"]["values"] = "x"
    broken.write_text(json.dumps(data))
    # valid, but the server refuses what matplotlib cannot draw
    undrawable = tmp_path / "undrawable.json"
    document.yields["mc"].label = r"$\frac{$"
    histfmt.dump(document, undrawable)
    result = run("push", str(broken), str(undrawable))
    assert result.exit_code == 1
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    assert f"{broken}: x.edges: " in result.stderr
    assert any(line.startswith(f"{broken}: yields.mc.values") for line in errors), errors
    assert f"{undrawable}: refused by the server; nothing was stored:" in errors
    assert any(line.startswith(f"{undrawable}: yields.mc.label: ") for line in errors), errors
    assert "Traceback" not in result.output
    assert _count(storage, tokens["alice"]) == 0


def test_missing_server_or_token(
    base_url: str, document: histfmt.Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HISTFMT_SERVER", raising=False)
    monkeypatch.delenv("HISTFMT_TOKEN", raising=False)
    path = _write(tmp_path / "plot.json", document)
    no_server = run("push", str(path), "--token", "t")
    assert no_server.exit_code == 1
    assert "no server: pass --server URL or set HISTFMT_SERVER" in no_server.stderr
    assert run("pull", "abc").exit_code == 1
    no_token = run("push", str(path), "--server", base_url)
    assert no_token.exit_code == 1
    assert "no token: pass --token TOKEN or set HISTFMT_TOKEN" in no_token.stderr
    bad_scheme = run("push", str(path), "--server", "ftp://x", "--token", "t")
    assert bad_scheme.exit_code == 1
    assert "http:// or https://" in bad_scheme.stderr


def test_bad_token(env: str, document: histfmt.Document, tmp_path: Path, storage: Storage) -> None:
    path = _write(tmp_path / "plot.json", document)
    result = run("push", str(path), "--token", "wrong")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}: the server refused the token (HTTP 401): ")
    assert "Invalid token" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert _count(storage, storage.create_token("alice")) == 0
    pulled = run("pull", "whatever", "--token", "wrong")
    assert pulled.exit_code == 1
    assert "the server refused the token (HTTP 401)" in pulled.stderr


def test_pull_unknown_id_and_version(env: str, document: histfmt.Document, tmp_path: Path) -> None:
    for plot_id in ("00000000-0000-0000-0000-000000000000", "../../etc", "x" * 100):
        result = run("pull", plot_id)
        assert result.exit_code == 1
        assert result.stderr == f"{plot_id}: no such plot (or it is private)\n"
    plot_id = _pushed_id(run("push", str(_write(tmp_path / "p.json", document))), env)
    assert run("pull", plot_id, "--version", "1", "-o", "v1.json").exit_code == 0
    missing = run("pull", plot_id, "--version", "7")
    assert missing.exit_code == 1
    assert f"plot {plot_id} has no version 7" in missing.stderr
    assert list(tmp_path.glob("Dilepton*")) == []


def test_connection_refused(
    document: histfmt.Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a port that was just free: nothing listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("HISTFMT_SERVER", server)
    monkeypatch.setenv("HISTFMT_TOKEN", "t")
    path = _write(tmp_path / "plot.json", document)
    for result, name in ((run("push", str(path)), str(path)), (run("pull", "abc"), "abc")):
        assert result.exit_code == 1
        assert result.stderr.startswith(f"{name}: cannot reach {server}: ")
        assert "refused" in result.stderr.lower()
        assert len(result.stderr.splitlines()) == 1
        assert "Traceback" not in result.output


def test_timeout(document: histfmt.Document, tmp_path: Path) -> None:
    """A server that accepts but never answers: one line after the timeout."""
    from histfmt import remote

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        server = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with pytest.raises(remote.RemoteError, match=r"no answer from .* within 0.5 s"):
            remote.push(server, "t", histfmt.dumps(document), timeout=0.5)


def test_not_a_viewer(tmp_path: Path) -> None:
    """An HTTP server that answers with HTML: a clear message, not a JSON traceback."""
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from histfmt import remote

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html>hello</html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(remote.RemoteError, match="did not answer like a histfmt viewer"):
            remote.pull(f"http://127.0.0.1:{httpd.server_port}", "abc")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(TIMEOUT)


def test_push_a_book_prints_its_collection_and_plots(
    env: str, document: histfmt.Document, tmp_path: Path, storage: Storage, tokens: dict[str, str]
) -> None:
    paths = ["CR/njets", "CR/met", "SR"]
    book = histfmt.Book.new({path: histfmt.loads(histfmt.dumps(document)) for path in paths})
    book.metadata.extra["skipped"] = {"h3": "a 3-D histogram"}
    path = tmp_path / "regions.json"
    histfmt.dump(book, path)
    result = run("push", str(path), "--private")
    assert result.exit_code == 0, result.output
    head, *lines = result.stdout.splitlines()
    found = re.fullmatch(rf"{re.escape(str(path))}: {env}/collections/(\d+) \(3 plots\)", head)
    assert found, head
    assert [line.split(": ")[0] for line in lines] == [f"  {p}" for p in paths]
    assert f"{path}: skipped h3: a 3-D histogram" in result.stderr
    collection = storage.get_collection(int(found[1]))
    assert collection is not None
    assert (collection.title, collection.visibility) == ("regions", "private")
    for line, name in zip(lines, paths, strict=True):
        plot = storage.get_plot(line.rsplit("/", 1)[1])
        assert plot is not None
        assert (plot.title, plot.collection_id, plot.visibility) == (name, collection.id, "private")
    assert _count(storage, tokens["alice"]) == 3

    # one plot the server cannot draw: nothing stored, the error under its plot's path
    book.plots["CR/met"].yields["mc"].label = r"$\frac{$"
    histfmt.dump(book, path)
    refused = run("push", str(path))
    assert refused.exit_code == 1
    assert f'{path}: plots["CR/met"].yields.mc.label: ' in refused.stderr
    assert _count(storage, tokens["alice"]) == 3


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("https://plots.example.org/plots/3f2a", ("https://plots.example.org", "3f2a", None)),
        ("http://h:8000/plots/3f2a?version=2", ("http://h:8000", "3f2a", 2)),
        ("https://h/sub/plots/3f2a/image.png", ("https://h/sub", "3f2a", None)),
        ("https://h/api/plots/a%20b", ("https://h", "a b", None)),
        ("3f2a9c1e", None),
    ],
)
def test_plot_addresses_give_server_id_and_version(
    address: str, expected: tuple[str, str, int | None] | None
) -> None:
    assert remote.plot_address(address) == expected


@pytest.mark.parametrize(
    "address", ["https://h/collections/3", "https://h/plots/x?version=²", "https://h/"]
)
def test_other_addresses_are_refused_clearly(address: str) -> None:
    with pytest.raises(remote.RemoteError, match=r"not the address of a plot|not a number"):
        remote.plot_address(address)
