"""The chart's numbers on the wire (histfmt.render.interactive.pack): a JSON header and
little-endian float64 arrays, read back exactly, NaN kept, equal arrays written once."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

import histfmt
from histfmt.errors import HistfmtError
from histfmt.render.interactive import MAGIC, chart_data, pack, unpack

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "tests" / "resources" / "valid" / "two_d_map.json"


def _same(a: object, b: object) -> None:
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray)
        assert a.shape == b.shape
        assert np.array_equal(a, b, equal_nan=True)  # every bit of every number
    elif isinstance(a, dict):
        assert isinstance(b, dict)
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, list):
        assert isinstance(b, list)
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    else:
        assert a == b


def test_a_chart_comes_back_exactly(document: histfmt.Document) -> None:
    data = chart_data(document)
    payload = pack(data)
    assert payload[:4] == MAGIC
    (length,) = struct.unpack_from("<I", payload, 4)
    assert (8 + length) % 8 == 0  # the arrays start aligned: Float64Array views need it
    _same(data, unpack(payload))


def test_missing_numbers_stay_nan_and_equal_arrays_are_written_once() -> None:
    values = np.array([1.5, np.nan, -0.0, 1e-300, 3.0])
    other = np.arange(4.0)
    data = {"a": values, "b": [values.copy(), {"c": other, "d": np.arange(4)}], "label": "x"}
    payload = pack(data)
    back = unpack(payload)
    assert np.isnan(back["a"][1])
    assert np.signbit(back["a"][2])
    assert back["b"][1]["c"].tolist() == [0.0, 1.0, 2.0, 3.0]
    (length,) = struct.unpack_from("<I", payload, 4)
    assert back["b"][1]["d"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert len(payload) == 8 + length + 8 * (values.size + other.size)  # each content once
    zero = {"a": np.array([0.0]), "b": np.array([-0.0])}  # equal numbers, other bits
    assert np.signbit(unpack(pack(zero))["b"][0])


def test_maps_keep_their_shape() -> None:
    data = chart_data(histfmt.load(MAP))
    back = unpack(pack(data))
    cells = data["maps"][0]["cells"]
    assert back["maps"][0]["cells"].shape == cells.shape
    assert np.array_equal(back["maps"][0]["cells"], cells, equal_nan=True)


def test_the_ratio_axis_is_labelled_as_the_image(document: histfmt.Document) -> None:
    assert chart_data(document)["ratio_label"] == "Ratio"
    document.ratio_axis.label = "Data / Pred."
    assert chart_data(document)["ratio_label"] == "Data / Pred."
    document.ratio_axis.kind = "pull"
    document.ratio_axis.label = histfmt.model.UNSET
    assert chart_data(document)["ratio_label"] == "Pull"


def test_something_else_is_refused() -> None:
    with pytest.raises(HistfmtError, match="not a packed chart"):
        unpack(b'{"edges": [1, 2]}')
