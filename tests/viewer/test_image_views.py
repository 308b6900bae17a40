"""The image route remembers parsed views by their query string: a remembered view
gives the same image as a fresh parse, and a wrong view is refused every time."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from histfmt_viewer import pages
from histfmt_viewer.view import View


def test_a_remembered_view_gives_the_image_of_a_fresh_parse(
    client: FlaskClient, upload: Callable[..., str]
) -> None:
    plot_id = upload()
    url = f"/plots/{plot_id}/image.png?dpi=20&logy=1&version=1"
    first = client.get(url)
    assert first.status_code == 200
    query = url.partition("?")[2].encode()
    assert pages._IMAGE_VIEWS[query] == View(dpi=20.0, logy=True)
    pages._IMAGE_VIEWS.clear()
    fresh = client.get(url)
    assert (fresh.status_code, fresh.data) == (200, first.data)
    linear = client.get(f"/plots/{plot_id}/image.png?dpi=20&logy=0&version=1")
    assert linear.status_code == 200
    assert linear.data != first.data


def test_a_wrong_view_is_refused_every_time(
    client: FlaskClient, upload: Callable[..., str]
) -> None:
    plot_id = upload()
    for _ in range(2):
        answer = client.get(f"/plots/{plot_id}/image.png?dpi=9999&version=1")
        assert answer.status_code == 400
        assert b"dpi" in answer.data
    assert b"dpi=9999&version=1" not in pages._IMAGE_VIEWS
    for _ in range(2):  # parses without the document; the names are checked on a miss
        answer = client.get(f"/plots/{plot_id}/image.png?dpi=20&hide=nosuchyield&version=1")
        assert answer.status_code == 400
        assert b"nosuchyield" in answer.data


def test_the_remembered_views_are_bounded(
    client: FlaskClient, upload: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "MAX_IMAGE_VIEWS", 4)
    plot_id = upload()
    for dpi in range(20, 30):  # no such version: refused after the view is parsed
        assert client.get(f"/plots/{plot_id}/image.png?dpi={dpi}&version=99").status_code == 404
        assert 0 < len(pages._IMAGE_VIEWS) <= 4
