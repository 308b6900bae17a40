"""pyhf workspaces uploaded to the viewer, on both backends: one plot per channel in a
collection, pre-fit, or post-fit on request (bounded); a plot description gives the bins
and labels; bad workspaces and a missing pyhf are 4xx naming the problem."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

import histfmt
from histfmt_viewer.storage import Storage

from .conftest import csrf_token, sign_in

pytest.importorskip("pyhf")
pytest.importorskip("iminuit")

REAL = Path(__file__).resolve().parents[1] / "resources" / "real" / "pyhf"
WORKSPACE = (REAL / "multichannel_histfactory.json").read_bytes()
DESCRIPTION = {
    "histfmt_description": "1.0",
    "samples": {"bkg": {"label": "Background", "color": "#1f77b4"}},
    "channels": {
        "channel1": {"edges": [100, 200, 400], "symbol": "$m$", "unit": "GeV"},
        "channel2": {"edges": [0, 1, 2], "label": "Jets"},
    },
}
pytestmark = pytest.mark.filterwarnings("ignore:jsonschema.RefResolver:DeprecationWarning")


def _documents(client: FlaskClient, answer: Any, headers: dict[str, str]) -> dict[str, Any]:
    """The stored documents of a book upload's answer, by path."""
    found = {}
    for entry in answer["plots"]:
        got = client.get(f"/api/plots/{entry['id']}", headers=headers).json
        found[entry["path"]] = histfmt.loads(json.dumps(got["document"]).encode())
    return found


def test_a_workspace_is_a_collection_of_prefit_plots(
    client: FlaskClient, alice: dict[str, str]
) -> None:
    response = client.post("/api/plots?filename=analysis.json", data=WORKSPACE, headers=alice)
    assert response.status_code == 201, response.json
    answer = response.json
    assert answer["collection"]["title"] == "analysis"
    docs = _documents(client, answer, alice)
    assert list(docs) == ["channel1", "channel2"]
    doc = docs["channel1"]
    assert doc.metadata.extra["pyhf"]["stage"] == "pre-fit"
    assert doc.stacks[0].correlated
    assert doc.stacks[0].error == "env"
    assert doc.x.label == "Bin index"
    observed = {o["name"]: o["data"] for o in json.loads(WORKSPACE)["observations"]}
    np.testing.assert_array_equal(doc.yields["data"].values, observed["channel1"])


def test_post_fit_and_a_description_through_the_api(
    client: FlaskClient, alice: dict[str, str]
) -> None:
    response = client.post(
        "/api/plots?fit=1&filename=analysis.json",
        data={
            "file": (io.BytesIO(WORKSPACE), "ws.json"),
            "description": (io.BytesIO(json.dumps(DESCRIPTION).encode()), "d.json"),
        },
        headers=alice,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    docs = _documents(client, response.json, alice)
    doc = docs["channel1"]
    assert doc.metadata.extra["pyhf"]["stage"] == "post-fit"
    np.testing.assert_array_equal(doc.x.edges, [100, 200, 400])
    assert doc.x.unit == "GeV"
    assert doc.yields["bkg"].label == "Background"
    assert any(name.startswith("eigen_") for name in doc.yields["bkg"].variations)


def test_the_upload_form_takes_a_workspace_with_its_description(
    client: FlaskClient, storage: Storage
) -> None:
    sign_in(client, storage.create_token("carol"))
    fields = {
        "file": (io.BytesIO(WORKSPACE), "analysis.json"),
        "description": (io.BytesIO(json.dumps(DESCRIPTION).encode()), "plots.json"),
        "fit": "1",
        "visibility": "public",
        "csrf_token": csrf_token(client, "/upload"),
    }
    response = client.post("/upload", data=fields, content_type="multipart/form-data")
    assert response.status_code == 303
    found = re.fullmatch(r"/collections/(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "channel1" in page
    assert "channel2" in page
    form = client.get("/upload").get_data(as_text=True)
    assert 'name="description"' in form
    assert 'name="fit"' in form


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (lambda ws: ws["channels"][0]["samples"][1]["modifiers"][0].update(type="nonsense"),
         "channels[0].samples[1].modifiers[0]", "not a valid pyhf workspace"),
        (lambda ws: ws["observations"].pop(), "$", "cannot build the pyhf model"),
    ],
)  # fmt: skip
def test_a_bad_workspace_is_a_400_naming_the_path(
    client: FlaskClient, alice: dict[str, str], mutate: Any, path: str, message: str
) -> None:
    workspace = json.loads(WORKSPACE)
    mutate(workspace)
    response = client.post("/api/plots", data=json.dumps(workspace), headers=alice)
    assert response.status_code == 400
    (error,) = response.json["errors"]
    assert error["path"] == path
    assert message in error["message"]


def test_bad_choices_are_400s_naming_the_field(client: FlaskClient, alice: dict[str, str]) -> None:
    bad = dict(DESCRIPTION, channels={"channel1": DESCRIPTION["channels"]["channel1"]})
    response = client.post(
        "/api/plots",
        data={"file": (io.BytesIO(WORKSPACE), "ws.json"),
              "description": (io.BytesIO(json.dumps(bad).encode()), "d.json")},
        headers=alice, content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json["errors"][0]["path"] == "channels"
    assert "no description of channel 'channel2'" in response.json["errors"][0]["message"]
    plot = histfmt.Document.new([0.0, 1.0])
    plot.add_yield("a", [1.0])
    response = client.post("/api/plots?fit=1", data=histfmt.dumps(plot), headers=alice)
    assert response.status_code == 400
    assert response.json["errors"][0]["path"] == "fit"
    assert "only a pyhf workspace" in response.json["errors"][0]["message"]
    response = client.post("/api/plots?fit=maybe", data=WORKSPACE, headers=alice)
    assert response.status_code == 400
    assert response.json["errors"][0]["path"] == "fit"


def test_post_fit_is_bounded(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    app.config["PYHF_FIT_MAX_PARAMETERS"] = 2
    response = client.post("/api/plots?fit=1", data=WORKSPACE, headers=alice)
    assert response.status_code == 400
    assert "at most 2 parameters (PYHF_FIT_MAX_PARAMETERS)" in response.json["errors"][0]["message"]
    app.config["PYHF_FIT_MAX_PARAMETERS"] = 200
    app.config["PYHF_FIT_MAXITER"] = 2
    response = client.post("/api/plots?fit=1", data=WORKSPACE, headers=alice)
    assert response.status_code == 400
    assert "the fit did not converge" in response.json["errors"][0]["message"]
    assert client.get("/api/plots", headers=alice).json["total"] == 0


def test_without_pyhf_the_answer_names_the_extra(
    client: FlaskClient, alice: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyhf", None)  # import pyhf raises ImportError
    response = client.post("/api/plots", data=WORKSPACE, headers=alice)
    assert response.status_code == 400
    assert "pip install 'histfmt[fit]'" in response.json["errors"][0]["message"]
