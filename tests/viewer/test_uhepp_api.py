"""uhepp 0.5.2's own client against the viewer's ``/api/uhepp/``, on a real HTTP server.

The app runs on a loopback port (SQLite and PostgreSQL); ``UHEPP_API``/``UHEPP_TOKEN``
point uhepp's ``push``, ``pull`` and ``pull_collection`` at it, unchanged.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Iterator
from typing import Any

import matplotlib
import pytest
import requests
from flask import Flask

from histfmt_viewer.storage import Storage

from .conftest import served

TIMEOUT = 10.0
EDGES = [0.0, 10.0, 20.0, 30.0]


@pytest.fixture
def uhepp() -> Iterator[Any]:
    """uhepp, imported where its global matplotlib settings are undone afterwards."""
    with matplotlib.rc_context():
        import uhepp as module

        yield module


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    """The app served on loopback; client sockets time out (uhepp's requests have none)."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(TIMEOUT)
    try:
        with served(app) as url:
            yield url
    finally:
        socket.setdefaulttimeout(previous)


@pytest.fixture
def hub(base_url: str, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """The uhepp API root, set for uhepp as alice."""
    api = f"{base_url}/api/uhepp/"
    monkeypatch.setenv("UHEPP_API", api)
    monkeypatch.setenv("UHEPP_TOKEN", tokens["alice"])
    return api


def _new_collection(hub: str, token: str, visibility: str = "public") -> int:
    response = requests.post(
        f"{hub}collections/",
        json={"title": "Dilepton", "visibility": visibility, "description": "mll plots"},
        headers={"Authorization": f"Token {token}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text
    collection_id: int = response.json()["id"]
    assert response.headers["Location"] == f"{hub}collections/{collection_id}/"
    return collection_id


def _hist(uhepp: Any, title: str = "mll", scale: float = 1.0) -> Any:
    """A data-vs-MC plot with a variation, a stat uncertainty and a ratio."""
    hist = uhepp.UHeppHist(r"$m_{\ell\ell}$", EDGES)
    hist.filename, hist.author, hist.unit = title, "A. Physicist", "GeV"
    hist.date = "2025-01-31T14:05:00+01:00"
    hist.tags = {"region": "SR"}
    mc = [scale * v for v in (1.0, 5.0, 4.0, 2.0, 0.5)]
    hist.yields["mc"] = uhepp.Yield(
        mc, [0.5, 1.0, 1.0, 0.7, 0.3], var_up={"JES": [v * 1.1 for v in mc]}
    )
    hist.yields["data"] = uhepp.Yield([0.0, 6.0, 3.0, 2.0, 1.0], [0.0, 2.4, 1.7, 1.4, 1.0])
    hist.stacks.append(uhepp.Stack([uhepp.StackItem(["mc"], "Simulation")], error="stat"))
    data = uhepp.StackItem(["data"], "Data")
    hist.stacks.append(uhepp.Stack([data], bartype="points", error="stat"))
    hist.ratio.append(uhepp.RatioItem(["data"], ["mc"], bartype="points"))
    return hist


def _numbers(value: Any) -> Any:
    """Floats rounded (JSON round trips), everything else as is."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, float) and not math.isnan(value):
        return round(value, 12)
    return value


def _same_plot(pulled: Any, pushed: Any) -> None:
    """The pulled plot is the pushed one: this plot uses nothing that the histfmt
    conversion changes (see ``histfmt.convert.uhepp``: flow bins, asymmetric errors,
    ``poisson``, dropped styles ...), so the whole of ``to_data()`` survives."""
    assert _numbers(pulled.to_data()) == _numbers(pushed.to_data())


def test_push_pull_and_pull_collection(hub: str, tokens: dict[str, str], uhepp: Any) -> None:
    collection_id = _new_collection(hub, tokens["alice"])
    hists = [_hist(uhepp, "mll"), _hist(uhepp, "mll_scaled", scale=2.0)]
    receipts = [hist.push(collection_id) for hist in hists]

    first = receipts[0]
    assert first.api_url == f"{hub}plots/{first.uuid}/"
    assert first.ui_url == f"{hub.removesuffix('api/uhepp/')}plots/{first.uuid}"
    assert requests.get(first.ui_url, timeout=TIMEOUT).status_code == 200

    for receipt, hist in zip(receipts, hists, strict=True):
        _same_plot(uhepp.pull(receipt.uuid), hist)
    _same_plot(uhepp.pull(None, full_link=first.api_url), hists[0])

    pulled = uhepp.pull_collection(collection_id)
    assert [p.filename for p in pulled] == ["mll", "mll_scaled"]
    for plot, hist in zip(pulled, hists, strict=True):
        _same_plot(plot, hist)

    body = requests.get(f"{hub}collections/{collection_id}", timeout=TIMEOUT).json()
    assert body["plots"] == [r.api_url for r in receipts]
    listed = requests.get(f"{hub}plots", timeout=TIMEOUT).json()
    assert {p["uuid"] for p in listed} == {r.uuid for r in receipts}
    assert all("uhepp" not in p for p in listed)


def test_pushed_plot_is_a_viewer_plot(
    hub: str, tokens: dict[str, str], uhepp: Any, base_url: str
) -> None:
    collection_id = _new_collection(hub, tokens["alice"])
    receipt = _hist(uhepp).push(collection_id)
    got = requests.get(f"{base_url}/api/plots/{receipt.uuid}", timeout=TIMEOUT).json()
    assert (got["owner"], got["collection"], got["visibility"]) == (
        "alice",
        collection_id,
        "public",
    )
    assert got["document"]["yields"]["mc"]["values"] == [1.0, 5.0, 4.0, 2.0, 0.5]
    assert got["document"]["metadata"]["tags"] == ["region=SR"]


def test_anonymous_pushes_are_refused(
    hub: str, tokens: dict[str, str], uhepp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection_id = _new_collection(hub, tokens["alice"])
    monkeypatch.delenv("UHEPP_TOKEN")
    with pytest.raises(RuntimeError, match="Publishing failed: 401"):
        _hist(uhepp).push(collection_id)
    anonymous = requests.post(
        f"{hub}plots/", json={"uhepp": _hist(uhepp).to_data()}, timeout=TIMEOUT
    )
    assert anonymous.status_code == 401
    assert "UHEPP_TOKEN" in anonymous.json()["error"]
    created = requests.post(f"{hub}collections/", json={"title": "x"}, timeout=TIMEOUT)
    assert created.status_code == 401
    wrong = {"Authorization": "Token wrong"}
    assert requests.post(f"{hub}plots/", json={}, headers=wrong, timeout=TIMEOUT).status_code == 401


def test_private_plots_are_hidden_from_others(
    hub: str, tokens: dict[str, str], uhepp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection_id = _new_collection(hub, tokens["alice"], visibility="private")
    receipt = _hist(uhepp).push(collection_id)
    _same_plot(uhepp.pull(receipt.uuid), _hist(uhepp))  # the owner sees it

    monkeypatch.setenv("UHEPP_TOKEN", tokens["bob"])
    with pytest.raises(RuntimeError, match="Receiving failed: 404"):
        uhepp.pull(receipt.uuid)
    with pytest.raises(RuntimeError, match="Receiving failed: 404"):
        uhepp.pull_collection(collection_id)
    assert requests.get(f"{hub}plots/", timeout=TIMEOUT).json() == []
    bob = {"Authorization": f"Token {tokens['bob']}"}
    gone = requests.delete(f"{hub}plots/{receipt.uuid}", headers=bob, timeout=TIMEOUT)
    assert gone.status_code == 404

    monkeypatch.delenv("UHEPP_TOKEN")  # pull_collection then sends 'Token None'
    with pytest.raises(RuntimeError, match="Receiving failed: 404"):
        uhepp.pull_collection(collection_id)


def test_public_collection_pulls_without_a_token(
    hub: str, tokens: dict[str, str], uhepp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection_id = _new_collection(hub, tokens["alice"])
    _hist(uhepp).push(collection_id)
    monkeypatch.delenv("UHEPP_TOKEN")
    assert [p.filename for p in uhepp.pull_collection(collection_id)] == ["mll"]


def test_only_the_owner_adds_to_a_collection_and_deletes(
    hub: str, tokens: dict[str, str], uhepp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection_id = _new_collection(hub, tokens["alice"])
    receipt = _hist(uhepp).push(collection_id)
    monkeypatch.setenv("UHEPP_TOKEN", tokens["bob"])
    with pytest.raises(RuntimeError, match="Publishing failed: 403"):
        _hist(uhepp).push(collection_id)
    bob = {"Authorization": f"Token {tokens['bob']}"}
    assert requests.delete(receipt.api_url, headers=bob, timeout=TIMEOUT).status_code == 403
    alice = {"Authorization": f"Token {tokens['alice']}"}
    assert requests.delete(receipt.api_url, headers=alice, timeout=TIMEOUT).status_code == 204
    assert requests.get(receipt.api_url, headers=alice, timeout=TIMEOUT).status_code == 404


def test_invalid_plots_and_collections_are_refused(
    hub: str, tokens: dict[str, str], uhepp: Any, storage: Storage
) -> None:
    alice = {"Authorization": f"Token {tokens['alice']}"}
    collection_id = _new_collection(hub, tokens["alice"])
    data = _hist(uhepp).to_data()
    data["yields"]["mc"]["base"] = "oops"
    data["stacks"][0]["content"][0]["yield"] = ["nope"]
    collection = f"{hub}collections/{collection_id}/"
    response = requests.post(
        f"{hub}plots/", json={"uhepp": data, "collection": collection},
        headers=alice, timeout=TIMEOUT,
    )  # fmt: skip
    assert response.status_code == 400
    paths = {e["path"] for e in response.json()["errors"]}
    assert "yields.mc.base" in paths, paths
    assert storage.search(None)[1] == 0

    good = _hist(uhepp).to_data()
    for reference, status in [
        (f"{hub}collections/999/", 404),
        (f"{hub}plots/", 400),
        ("elsewhere", 400),
        (None, 400),
        (collection_id, 201),
    ]:
        response = requests.post(
            f"{hub}plots/", json={"uhepp": good, "collection": reference},
            headers=alice, timeout=TIMEOUT,
        )  # fmt: skip
        assert response.status_code == status, (reference, response.text)
    bad = requests.post(
        f"{hub}collections/", json={"title": "x", "visibility": "internal"},
        headers=alice, timeout=TIMEOUT,
    )  # fmt: skip
    assert bad.status_code == 400


def test_a_plot_without_a_uhepp_form_is_a_conflict(
    hub: str, tokens: dict[str, str], base_url: str
) -> None:
    categorical = {
        "histfmt": "1.0",
        "x": {"kind": "category", "categories": ["a", "b"]},
        "yields": {"n": {"values": [1.0, 2.0]}},
    }
    alice = {"Authorization": f"Token {tokens['alice']}"}
    created = requests.post(
        f"{base_url}/api/plots", json=categorical, headers=alice, timeout=TIMEOUT
    )
    assert created.status_code == 201, created.text
    response = requests.get(f"{hub}plots/{created.json()['id']}", timeout=TIMEOUT)
    assert response.status_code == 409
    assert "no uhepp form" in response.json()["error"]
