"""YODA files as books: numbers against the YODA layer (itself checked against babyyoda)
and against babyyoda, writing back, detection, refusals, the command line."""

from __future__ import annotations

import gzip
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from msgspec import UnsetType

import histfmt
from histfmt.cli import cli
from histfmt.convert import registry, yoda
from histfmt.convert.yoda import documents
from histfmt.errors import HistfmtError
from histfmt.model import Asymmetric, Axis, Book, Document, Profile, Yield

from .conftest import RESOURCES

REAL = RESOURCES / "real" / "yoda"
VALID = RESOURCES / "valid"
INVALID = RESOURCES / "yoda_invalid"
REAL_FILES = sorted(p for p in REAL.iterdir() if p.name != "SOURCES.md")


def _key(obj: yoda.YodaObject, path: Path) -> str:
    return obj.path.lstrip("/") or path.name.split(".")[0]


def _histfmt_order(array: Any, axes: tuple[yoda.Axis, ...]) -> Any:
    """The layer's array in histfmt's order: a discrete axis's "other" bin last."""
    array = np.asarray(array)
    for index, axis in enumerate(axes):
        if isinstance(axis, yoda.DiscreteAxis):
            array = np.roll(array, -1, axis=index)
    return array


def _objects() -> list[tuple[Path, yoda.YodaObject]]:
    return [(path, obj) for path in REAL_FILES for obj in yoda.read_contents(path).objects]


def _of_type(kind: type) -> list[tuple[Path, Any]]:
    return [(path, obj) for path, obj in _objects() if isinstance(obj, kind)]


BOOKS: dict[Path, Book] = {}


def _book(path: Path) -> Book:
    if path not in BOOKS:
        BOOKS[path] = registry.read_book(path)
    return BOOKS[path]


def _plot(path: Path, obj: yoda.YodaObject) -> Document:
    return _book(path).plots[_key(obj, path)]


def _only(doc: Document) -> Yield:
    (item,) = doc.yields.values()
    return item


def _array(value: Any) -> Any:
    return np.asarray(value, dtype=np.float64)


def _check_axis(axis: Axis | UnsetType, theirs: yoda.Axis) -> None:
    assert isinstance(axis, Axis)
    if isinstance(theirs, yoda.ContinuousAxis):
        np.testing.assert_array_equal(_array(axis.edges), theirs.edges)
        assert (axis.underflow, axis.overflow) == (True, True)
    else:
        assert axis.categories == list(theirs.values)
        assert (axis.kind, axis.underflow, axis.overflow) == ("category", False, True)


# ------------------------------------------------------------------ every real file


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_every_real_file_reads_into_a_valid_book(path: Path) -> None:
    book = _book(path)
    assert histfmt.validate(book) is book
    assert histfmt.loads_book(histfmt.dumps(book)) == book
    contents = yoda.read_contents(path)
    extra = book.metadata.extra
    held = {**extra.get("counters", {}), **extra.get("estimates", {})}
    skipped = extra.get("skipped", {})
    for obj in contents.objects:  # every object is a plot, held, or skipped with a reason
        key = _key(obj, path)
        if obj.path in held:
            assert isinstance(obj, yoda.Counter) or (
                isinstance(obj, yoda.Estimate) and not obj.axes
            )
        elif obj.path in skipped:
            assert skipped[obj.path]
        else:
            assert book.plots[key].writer_info["yoda"] == {"path": obj.path, "type": obj.type}
    assert len(book.plots) + len(held) + len(skipped) == len(contents.objects)


def test_most_objects_become_plots() -> None:
    objects = _objects()
    plots = sum(len(_book(path).plots) for path in REAL_FILES)
    held = sum(
        len(_book(p).metadata.extra.get(k, {}))
        for p in REAL_FILES
        for k in ("counters", "estimates")
    )
    skipped = sum(len(_book(p).metadata.extra.get("skipped", {})) for p in REAL_FILES)
    assert plots + held + skipped == len(objects)
    assert plots + held >= 0.95 * len(objects)


# ------------------------------------------------------- numbers against the YODA layer


@pytest.mark.parametrize("kind", [yoda.Histo1D, yoda.Histo2D])
def test_histograms_are_sumw_and_sumw2_per_bin(kind: type) -> None:
    found = _of_type(kind)
    assert found
    for path, obj in found:
        doc = _plot(path, obj)
        item = _only(doc)
        np.testing.assert_array_equal(_array(item.values), _histfmt_order(obj.sumw, obj.axes))
        np.testing.assert_array_equal(_array(item.variances), _histfmt_order(obj.sumw2, obj.axes))
        assert (item.kind, item.storage) == ("count", "weight")
        _check_axis(doc.x, obj.axes[0])
        if kind is yoda.Histo2D:
            _check_axis(doc.y, obj.axes[1])
            assert [stack.type for stack in doc.stacks] == ["map"]
        else:
            assert isinstance(doc.y, UnsetType)


def _babyyoda(path: Path) -> dict[str, Any]:
    from babyyoda import grogu

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dict(grogu.read(str(path)))


@pytest.mark.parametrize(
    "name",
    [
        "babyyoda_test.yoda",
        "babyyoda_test_histo1d_v2.yoda",
        "babyyoda_test_histo1d_v3.yoda",
        "babyyoda_test_histo2d_v2.yoda",
        "babyyoda_test_histo2d_v3.yoda",
    ],
)
def test_histograms_equal_babyyoda(name: str) -> None:
    """The inner bins as babyyoda's own hist conversion shows them (x rows, y columns)."""
    path = REAL / name
    for object_path, theirs in _babyyoda(path).items():
        hist = theirs.to_hist()
        obj = next(o for o in yoda.read(path) if o.path == object_path)
        item = _only(_plot(path, obj))
        inner = (slice(1, -1),) * hist.ndim
        np.testing.assert_array_equal(_array(item.values)[inner], hist.values())
        np.testing.assert_array_equal(_array(item.variances)[inner], hist.variances())


def test_profiles_are_means_with_yodas_standard_error() -> None:
    found = _of_type(yoda.Profile1D)
    assert len(found) >= 11
    for path, obj in found:
        item = _only(_plot(path, obj))
        assert item.kind == "mean"
        block = item.profile
        assert isinstance(block, Profile)
        np.testing.assert_array_equal(_array(block.entries), obj.numentries)
        np.testing.assert_array_equal(_array(block.sum_of_weights), obj.sumw)
        np.testing.assert_array_equal(_array(block.sum_of_weights_squared), obj.sumw2)
        for i in range(obj.axis.size):  # YODA's Dbn definitions, bin by bin
            sumw, sumw2, sumwy, sumwy2 = (
                float(getattr(obj, name)[i]) for name in ("sumw", "sumw2", "sumwy", "sumwy2")
            )
            mean = _array(item.values)[i]
            error = _array(item.stat)[i]
            if sumw == 0:
                assert math.isnan(mean)
                continue
            assert mean == sumwy / sumw
            neff = sumw**2 / sumw2
            if neff <= 1 or sumw**2 == sumw2:
                assert math.isnan(error)
                continue
            variance = abs((sumwy2 * sumw - sumwy**2) / (sumw**2 - sumw2))
            assert error == pytest.approx(math.sqrt(variance / neff), rel=1e-12)
            assert _array(block.variance)[i] == pytest.approx(variance, rel=1e-12)


PROFILE = b"""BEGIN YODA_PROFILE1D_V3 /MC/p
Path: /MC/p
Type: Profile1D
---
Edges(A1): [0.0, 1.0]
# sumW\tsumW2\tsumW(A1)\tsumW2(A1)\tsumW(A2)\tsumW2(A2)\tsumW(A1,A2)\tnumEntries
0 0 0 0 0 0 0 0
4 4 2 1 10 30 5 4
0 0 0 0 0 0 0 0
END YODA_PROFILE1D_V3
"""


def test_a_profile_by_hand() -> None:
    """Four unweighted fills at y = 1, 2, 3, 4: mean 2.5, sample variance 5/3, standard
    error sqrt(5/3 / 4); the empty flow bins have no mean."""
    item = _only(registry.read(PROFILE, name="p.yoda"))
    assert _array(item.values)[1] == 2.5
    assert _array(item.stat)[1] == pytest.approx(math.sqrt(5 / 3 / 4), rel=1e-15)
    assert isinstance(item.profile, Profile)
    assert _array(item.profile.variance)[1] == pytest.approx(5 / 3, rel=1e-15)
    assert np.isnan(_array(item.values)[[0, 2]]).all()
    # yoda_test_legacy.yoda: sumw 1, sumw2 2 (half an effective entry), sumwy 5
    legacy = _book(REAL / "yoda_test_legacy.yoda")
    profile = _only(legacy.plots["path/to/histo"])
    assert _array(profile.values)[1] == 5.0
    assert np.isnan(_array(profile.stat)).all()


def test_estimates_keep_every_error_source() -> None:
    found = [(p, o) for p, o in _of_type(yoda.Estimate) if o.axes]
    assert len(found) >= 60
    sources = 0
    for path, obj in found:
        doc = _plot(path, obj)
        item = _only(doc)
        values = _array(item.values)
        np.testing.assert_array_equal(values, _histfmt_order(obj.values, obj.axes))
        for axis, theirs in zip((doc.x, doc.y), obj.axes, strict=False):
            _check_axis(axis, theirs)
        places = dict(map(tuple, item.writer_info["yoda"]["sources"])) if obj.error_labels else {}
        assert list(places) == list(dict.fromkeys(obj.error_labels))
        for index, label in enumerate(obj.error_labels):
            down = _histfmt_order(obj.err_down[..., index], obj.axes)
            up = _histfmt_order(obj.err_up[..., index], obj.axes)
            place = places[label]
            if place == "stat":
                if isinstance(item.stat, Asymmetric):
                    np.testing.assert_array_equal(_array(item.stat.up), up)
                    np.testing.assert_array_equal(_array(item.stat.down), -down)
                else:
                    np.testing.assert_array_equal(_array(item.stat), up)
                continue
            variation = item.variations[place.removeprefix("variations.")]
            np.testing.assert_array_equal(_array(variation.up), values + up)
            np.testing.assert_array_equal(_array(variation.down), values + down)
            sources += 1
        assert doc.stacks[0].type == ("map" if len(obj.axes) == 2 else "points")
    assert sources > 800


def test_estimate_sources_by_hand() -> None:
    """hepdata-converter's ``full.yoda``, table 1, the bin 7000 (its text: 25.4, stat -3.0
    +3.3, sys -1.2 +1.0, "sys,lumi" -1.0 +1.0): stat stays ``stat``, the others become
    variations; the "other" bin (nan, first in YODA) is the overflow bin, last."""
    doc = _book(REAL / "hepdata_converter_full.yoda").plots["REF/ATLAS_2012_I1203852/d01-x01-y01"]
    assert doc.x.categories == [7000, 8000, 9000]
    item = _only(doc)
    assert _array(item.values).tolist()[:3] == [25.4, 29.8, 12.7]
    assert np.isnan(_array(item.values)[3])
    assert isinstance(item.stat, Asymmetric)
    assert (_array(item.stat.up)[0], _array(item.stat.down)[0]) == (3.3, 3.0)
    assert sorted(item.variations) == ["sys", "sys,lumi"]
    assert _array(item.variations["sys"].up)[0] == 25.4 + 1.0
    assert _array(item.variations["sys"].down)[0] == 25.4 - 1.2
    assert _array(item.variations["sys,lumi"].down)[2] == 12.7 - 0.5
    assert doc.metadata.title == "doi:10.17182/hepdata.62535.v1/t1"
    assert doc.metadata.extra == {
        "IsRef": "1",
        "RE": "P P --> Z0 < LEPTON+ LEPTON- > Z0 < LEPTON+ LEPTON- > X",
    }
    assert (doc.stacks[0].type, doc.stacks[0].error) == ("points", "stat+env")
    assert list(doc.yields) == ["data"]


def test_discrete_estimates_become_categories() -> None:
    book = _book(REAL / "hepdata_converter_full.yoda")
    found = [o for o in yoda.read(REAL / "hepdata_converter_full.yoda") if o.type.startswith("Bin")]
    assert {o.type for o in found} == {"BinnedEstimate<i>", "BinnedEstimate<i,i>"}
    for obj in found:
        doc = book.plots[_key(obj, REAL)]
        assert isinstance(doc.x.categories, list)
        assert all(isinstance(c, int) for c in doc.x.categories)
        values = _array(_only(doc).values)
        # the "other" bin is first in YODA, the overflow bin last in histfmt
        assert np.array_equal(np.take(values, -1, axis=0), obj.values[0], equal_nan=True)


def test_scatters_are_graphs_with_asymmetric_errors() -> None:
    found = [(p, o) for p, o in _of_type(yoda.Scatter) if o.dimension == 2]
    assert len(found) >= 70
    for path, obj in found:
        skipped = _book(path).metadata.extra.get("skipped", {})
        if obj.path in skipped:
            assert "negative" in skipped[obj.path]
            assert (obj.err_minus < 0).any() or (obj.err_plus < 0).any()
            continue
        doc = _plot(path, obj)
        assert doc.yields == {}
        assert not doc.x.binned
        (graph,) = doc.graphs
        np.testing.assert_array_equal(_array(graph.x), obj.values[:, 0])
        np.testing.assert_array_equal(_array(graph.y), obj.values[:, 1])
        assert isinstance(graph.x_errors, Asymmetric)
        assert isinstance(graph.y_errors, Asymmetric)
        np.testing.assert_array_equal(_array(graph.x_errors.down), obj.err_minus[:, 0])
        np.testing.assert_array_equal(_array(graph.x_errors.up), obj.err_plus[:, 0])
        np.testing.assert_array_equal(_array(graph.y_errors.down), obj.err_minus[:, 1])
        np.testing.assert_array_equal(_array(graph.y_errors.up), obj.err_plus[:, 1])


def test_1d_scatters_are_values_on_one_category_per_point() -> None:
    found = [(p, o) for p, o in _of_type(yoda.Scatter) if o.dimension == 1]
    assert len(found) >= 35
    for path, obj in found:
        doc = _plot(path, obj)
        assert doc.graphs == []
        assert doc.x.categories == list(range(1, len(obj.x) + 1))
        (item,) = doc.yields.values()
        total = item.variations["total"]
        np.testing.assert_array_equal(_array(item.values), obj.x)
        np.testing.assert_allclose(_array(total.down), obj.x - obj.err_minus[:, 0], rtol=1e-15)
        np.testing.assert_allclose(_array(total.up), obj.x + obj.err_plus[:, 0], rtol=1e-15)


def test_rivet_1d_scatter_by_hand(tmp_path: Path) -> None:
    """``rivet_ATLAS_2016_I1492320.yoda``, d01-x01-y01: one point, 0.31 -0.4810405 +0.4742362;
    a Scatter1D again when written, an estimate once the plot no longer has its shape."""
    book = _book(REAL / "rivet_ATLAS_2016_I1492320.yoda")
    cached = book.plots["REF/ATLAS_2016_I1492320/d01-x01-y01"]
    doc = histfmt.loads(histfmt.dumps(cached))  # changed below
    assert (doc.x.label, doc.x.categories) == ("point", [1])
    total = doc.yields["data"].variations["total"]
    assert (_array(total.down)[0], _array(total.up)[0]) == (0.31 - 0.4810405, 0.31 + 0.4742362)
    assert doc.stacks[0].type == "points"
    assert doc.stacks[0].error == "stat+env"
    registry.write(doc, tmp_path / "one.yoda", "yoda")
    (back,) = yoda.read(tmp_path / "one.yoda")
    assert isinstance(back, yoda.Scatter)
    assert back.dimension == 1
    np.testing.assert_allclose(back.err_minus[:, 0], [0.4810405], rtol=1e-12)
    doc.yields["data"].stat = np.array([0.1])
    registry.write(doc, tmp_path / "two.yoda", "yoda")
    (changed,) = yoda.read(tmp_path / "two.yoda")
    assert isinstance(changed, yoda.Estimate)
    assert changed.error_labels == ("stat", "total")


def test_rivet_scatter_by_hand() -> None:
    """``rivet_TEST.yoda`` (Rivet 2 text), its first point: -0.9 +- 0.1, 4.0 +- 0.07615773."""
    doc = _book(REAL / "rivet_TEST.yoda").plots["REF/TEST/d04-x01-y01"]
    (graph,) = doc.graphs
    assert (_array(graph.x)[0], _array(graph.y)[0]) == (-0.9, 4.0)
    assert isinstance(graph.x_errors, Asymmetric)
    assert isinstance(graph.y_errors, Asymmetric)
    assert (_array(graph.x_errors.down)[0], _array(graph.x_errors.up)[0]) == (0.1, 0.1)
    assert (_array(graph.y_errors.down)[0], _array(graph.y_errors.up)[0]) == (
        7.615773e-02,
        7.615773e-02,
    )
    assert len(graph.x) == 10
    assert (graph.label, graph.type) == ("Data", "points")


LABELLED = (
    rb"""BEGIN YODA_HISTO2D_V3 /MC_TEST/pt_eta
Path: /MC_TEST/pt_eta
Title: Leading lepton
Type: Histo2D
XLabel: $p_T^{\ell}$ [GeV]
YLabel: $\eta^{\ell}$
ZLabel: $\mathrm{d}^2\sigma$
Weight: nominal
---
Edges(A1): [0.0, 1.0]
Edges(A2): [0.0, 1.0]
# sumW	sumW2	sumW(A1)	sumW2(A1)	sumW(A2)	sumW2(A2)	sumW(A1,A2)	numEntries
"""
    + b"0 0 0 0 0 0 0 0\n" * 4
    + b"2 2 1 1 1 1 1 2\n"
    + b"0 0 0 0 0 0 0 0\n" * 4
    + (b"END YODA_HISTO2D_V3\n")
)


def test_annotations_labels_and_drawing() -> None:
    doc = registry.read(LABELLED, name="labelled.yoda")
    assert doc.x.label == r"$p_T^{\ell}$ [GeV]"  # LaTeX as given
    assert isinstance(doc.y, Axis)
    assert doc.y.label == r"$\eta^{\ell}$"
    assert doc.z_axis.label == r"$\mathrm{d}^2\sigma$"
    assert doc.metadata.title == "Leading lepton"
    assert doc.metadata.extra == {"Weight": "nominal"}
    assert _array(_only(doc).values)[1, 1] == 2
    assert [(s.type, s.content[0].yields) for s in doc.stacks] == [("map", ["pt_eta"])]
    legacy = _book(REAL / "yoda_test_legacy.yoda")
    assert legacy.plots["Myhisto1"].metadata.extra == {"LineColor": "red is a good color"}
    assert legacy.plots["Myhisto1"].stacks[0].type == "step"  # simulation: a step line
    example = _book(REAL / "yoda_rivetexample.yoda.gz")
    ref = example.plots["ALEPH_1991_S2435284/d01-x01-y01"]  # IsRef: 1 without /REF/
    assert ref.stacks[0].type == "points"
    assert ref.metadata.extra["IsRef"] == "1"


def test_counters_and_0d_estimates_are_held_and_3d_scatters_skipped() -> None:
    counters = _book(REAL / "yoda_rivetexample.yoda.gz").metadata.extra["counters"]
    theirs = {o.path: o for p, o in _of_type(yoda.Counter) if p.name.startswith("yoda_rivet")}
    assert set(counters) == set(theirs)
    for path, entry in counters.items():
        assert (entry["sumw"], entry["sumw2"], entry["numentries"]) == (
            theirs[path].sumw,
            theirs[path].sumw2,
            theirs[path].numentries,
        )
    estimates = _book(REAL / "hepdata_converter_no_independent.yoda.gz").metadata.extra["estimates"]
    zero_d = [o for p, o in _of_type(yoda.Estimate) if not o.axes]
    assert len(estimates) == len(zero_d) == 6
    for obj in zero_d:
        entry = estimates[obj.path]
        assert entry["value"] == float(obj.values)
        assert [row[0] for row in entry["errors"]] == list(obj.error_labels)
    skipped = _book(REAL / "rivet_ATLAS_2015_I1376945.yoda").metadata.extra["skipped"]
    assert (
        sorted(skipped.values())
        == ["a Scatter3D is not read: graphs are (x, y) points, with no z"] * 2
    )


# ------------------------------------------------------------------- writing back


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_books_written_read_back_equal(path: Path, tmp_path: Path) -> None:
    book = _book(path)
    target = tmp_path / (path.name.split(".", maxsplit=1)[0] + ".yoda.gz")  # an object at "/"
    registry.write_book(book, target, "yoda")  # takes the file's stem as its key
    assert target.read_bytes()[:2] == b"\x1f\x8b"
    again = registry.read_book(target)
    assert again.plots == book.plots
    for key in ("counters", "estimates"):
        assert again.metadata.extra.get(key) == book.metadata.extra.get(key)
    # and the YODA objects are those of the file (estimate errors to the rounding of value+err)
    written = {o.path: o for o in yoda.read(target)}
    for obj in yoda.read_contents(path).objects:
        if obj.path in book.metadata.extra.get("skipped", {}):
            continue
        theirs = written[obj.path]
        assert type(theirs) is type(obj)
        if isinstance(obj, yoda.Estimate):
            assert isinstance(theirs, yoda.Estimate)
            assert theirs.error_labels == obj.error_labels
            np.testing.assert_array_equal(theirs.values, obj.values)
            ulp = np.spacing(np.abs(obj.values))[..., None] * 4
            for ours, back in ((obj.err_down, theirs.err_down), (obj.err_up, theirs.err_up)):
                np.testing.assert_allclose(
                    back, ours, rtol=1e-12, atol=float(np.nanmax(ulp, initial=0))
                )
        elif isinstance(obj, yoda.Histo1D | yoda.Profile1D):
            assert theirs == type(obj)(**{**vars(obj), "total": None, "gaps": ()})
        elif isinstance(obj, yoda.Histo2D):
            assert theirs == yoda.Histo2D(**{**vars(obj), "total": None})
        else:
            assert theirs == obj


def _declared(array: Any, doc: Document) -> Any:
    """The bins of a YODA read-back that ``doc`` declares (YODA keeps every flow bin)."""
    array = np.asarray(array, dtype=np.float64)
    for index, axis in enumerate([doc.x] if isinstance(doc.y, UnsetType) else [doc.x, doc.y]):
        if axis.categories is not None and isinstance(axis.categories, list):
            stop = None if axis.overflow else -1
            array = np.take(array, range(array.shape[index])[slice(None, stop)], axis=index)
            continue
        start = 0 if axis.underflow else 1
        stop = None if axis.overflow else -1
        array = np.take(array, range(array.shape[index])[slice(start, stop)], axis=index)
    return array


def test_write_counts_2d_and_variations(tmp_path: Path) -> None:
    doc = histfmt.load(VALID / "two_d_map.json")
    target = tmp_path / "map.yoda"
    registry.write(doc, target, "yoda")
    objects = {o.path: o for o in yoda.read(target)}
    assert {o.type for o in objects.values()} == {"Histo2D", "Estimate2D"}  # int data; mc: stat
    assert set(objects) == {"/map/data", "/map/mc"}
    book = registry.read_book(target)
    back = {k.rsplit("/", 1)[-1]: _only(d) for k, d in book.plots.items()}
    for name, item in doc.yields.items():
        np.testing.assert_array_equal(_declared(back[name].values, doc), _array(item.values))
    mc, theirs = doc.yields["mc"], back["mc"]
    assert isinstance(mc.stat, Asymmetric)
    assert isinstance(theirs.stat, np.ndarray)  # equal sides read back as symmetric
    np.testing.assert_array_equal(_declared(theirs.stat, doc), _array(mc.stat.up))
    np.testing.assert_array_equal(
        _declared(theirs.variations["JES"].up, doc), _array(mc.variations["JES"].up)
    )
    np.testing.assert_array_equal(  # the mirrored side, written out
        _declared(theirs.variations["JES"].down, doc),
        2 * _array(mc.values) - _array(mc.variations["JES"].up),
    )
    data = objects["/map/data"]
    assert isinstance(data, yoda.Histo2D)
    np.testing.assert_array_equal(data.sumw2, data.sumw)  # int storage: Poisson variances
    np.testing.assert_array_equal(data.numentries, data.sumw)


def test_write_profile_and_efficiency(tmp_path: Path) -> None:
    doc = histfmt.load(VALID / "profile_and_efficiency.json")
    target = tmp_path / "pe.yoda"
    documents.write(doc, target)
    objects = {o.path.rsplit("/", 1)[-1]: o for o in yoda.read(target)}
    assert objects["response"].type == "Profile1D"
    assert objects["trigger"].type == "Estimate1D"
    book = registry.read_book(target)
    back = {k.rsplit("/", 1)[-1]: _only(d) for k, d in book.plots.items()}
    response, theirs = doc.yields["response"], back["response"]
    np.testing.assert_allclose(
        _declared(theirs.values, doc)[1:], _array(response.values)[1:], rtol=1e-12
    )
    assert isinstance(response.profile, Profile)
    assert isinstance(theirs.profile, Profile)
    for name in ("entries", "sum_of_weights", "sum_of_weights_squared"):
        np.testing.assert_array_equal(
            _declared(getattr(theirs.profile, name), doc), _array(getattr(response.profile, name))
        )
    np.testing.assert_allclose(
        _declared(theirs.profile.variance, doc)[1:],
        _array(response.profile.variance)[1:],
        rtol=1e-9,
    )
    trigger = doc.yields["trigger"]
    assert isinstance(trigger.stat, Asymmetric)
    assert isinstance(back["trigger"].stat, Asymmetric)
    np.testing.assert_array_equal(_declared(back["trigger"].values, doc), _array(trigger.values))
    np.testing.assert_array_equal(
        _declared(back["trigger"].stat.down, doc), _array(trigger.stat.down)
    )


def test_write_graphs_and_a_book(tmp_path: Path) -> None:
    graphs = histfmt.load(VALID / "graphs_only.json")
    target = tmp_path / "graphs.yoda"
    documents.write(graphs, target)
    (obj,) = yoda.read(target)
    assert isinstance(obj, yoda.Scatter)
    assert obj.type == "Scatter2D"
    (graph,) = registry.read(target).graphs
    np.testing.assert_array_equal(_array(graph.y), _array(graphs.graphs[0].y))
    assert isinstance(graph.y_errors, Asymmetric)
    np.testing.assert_array_equal(_array(graph.y_errors.up), [1.40, 1.71, 2.86])
    book = histfmt.load_book(VALID / "book.json")
    documents.write_book(book, tmp_path / "book.yoda")
    again = registry.read_book(tmp_path / "book.yoda")
    assert list(again.plots) == ["CR1/njets", "CR2/met", "Table_3"]  # no spaces in YODA paths
    np.testing.assert_array_equal(
        _declared(_only(again.plots["CR2/met"]).values, book.plots["CR2/met"]), [41, 7]
    )


def test_example_documents_write_and_read_back(tmp_path: Path) -> None:
    for path in sorted((RESOURCES.parent.parent / "examples").glob("*.json")):
        doc = histfmt.load(path)
        target = tmp_path / (path.stem + ".yoda")
        documents.write(doc, target)
        book = registry.read_book(target)
        count = len(doc.yields) + len(doc.graphs)
        assert len(book.plots) == count, path.name
        for name, item in doc.yields.items():
            key = f"{path.stem}/{name}" if count > 1 else path.stem
            back = _only(book.plots[key])
            np.testing.assert_array_equal(
                _declared(back.values, doc), _array(item.values), err_msg=f"{path.name} {name}"
            )


# ----------------------------------------------------------------- the registry


def test_detection_from_content_name_and_bytes(tmp_path: Path) -> None:
    plain = REAL / "yoda_test_legacy.yoda"
    zipped = REAL / "yoda_test.yoda.gz"
    assert registry.detect(plain) == "yoda"
    assert registry.detect(zipped) == "yoda"
    assert registry.detect(plain.read_bytes()) == "yoda"  # no name: the text alone
    assert registry.detect(zipped.read_bytes()) == "yoda"
    copy = tmp_path / "histograms.txt"
    copy.write_bytes(gzip.compress((REAL / "rivet_TEST.yoda").read_bytes()))
    assert registry.detect(copy) == "yoda"
    assert registry.read_book(plain.read_bytes(), name="x.yoda") == registry.read_book(plain)
    assert registry.output_kind("out.yoda") == "yoda"
    assert registry.output_kind("out.yoda.gz") == "yoda"
    assert registry.stem("run.yoda.gz") == "run"
    assert registry.output_name("run.root", "yoda") == "run.yoda"
    assert not documents.sniff(b'{"histfmt": "1.1"}', "plot.json")


def test_read_of_several_plots_says_to_read_a_book() -> None:
    with pytest.raises(HistfmtError) as caught:
        registry.read(REAL / "yoda_test_legacy.yoda")
    assert "holds 3 plots" in str(caught.value)
    assert str(caught.value).startswith(str(REAL / "yoda_test_legacy.yoda"))
    doc = registry.read(REAL / "yoda_test1.yoda")
    assert doc.metadata.title == "foobar"


# ------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "name", ["wrong_column_count.yoda", "truncated.yoda", "truncated_gzip.yoda.gz", "not_yoda.yoda"]
)
def test_bad_files_are_refused_naming_file_and_object(name: str) -> None:
    stem = name.split(".", maxsplit=1)[0]
    expected = (INVALID / f"{stem}.error.txt").read_text().strip()
    data = (INVALID / name).read_bytes()
    with pytest.raises(HistfmtError) as caught:
        registry.read_book(data, "yoda", name=name)
    assert str(caught.value) == expected


def test_unsupported_blocks_are_skipped_in_a_book() -> None:
    book = registry.read_book(INVALID / "unsupported_type.yoda")
    assert book.metadata.extra["skipped"] == {
        "/T/p2": "YODA type YODA_PROFILE2D_V2 (line 1) is not read"
    }


def test_what_yoda_cannot_hold_is_refused(tmp_path: Path) -> None:
    empty = Document.new([0, 1])
    empty.yields.clear()
    with pytest.raises(HistfmtError, match="a plot without yields or graphs has no YODA object"):
        documents.write(empty, tmp_path / "empty.yoda")
    book = Book.new({"a b": Document.new([0, 1]).add_yield("x", [1]), "a_b": Document.new([0, 1])})
    book.plots["a_b"].add_yield("x", [2])
    with pytest.raises(HistfmtError) as caught:
        documents.write_book(book, tmp_path / "clash.yoda")
    assert (
        str(caught.value)
        == f"{tmp_path / 'clash.yoda'}: two objects would have the YODA path '/a_b'"
    )
    held = Book.new({})
    held.metadata.extra["counters"] = {"/n": {"sumw": "many"}}
    with pytest.raises(HistfmtError) as caught:
        documents.write_book(held, tmp_path / "held.yoda")
    assert 'metadata.extra.counters["/n"]: cannot be written as a YODA object' in str(caught.value)
    assert not list(tmp_path.iterdir())  # nothing half-written


# --------------------------------------------------------------- the command line


def test_cli_converts_a_yoda_file(tmp_path: Path) -> None:
    out = tmp_path / "plot.json"
    result = CliRunner().invoke(cli, ["convert", str(REAL / "yoda_test1.yoda"), str(out)])
    assert result.exit_code == 0, result.output
    assert histfmt.load(out) == registry.read(REAL / "yoda_test1.yoda")
    back = tmp_path / "back.yoda"
    result = CliRunner().invoke(cli, ["convert", str(out), str(back)])
    assert result.exit_code == 0, result.output
    assert registry.read(back) == histfmt.load(out)
    result = CliRunner().invoke(
        cli, ["convert", str(REAL / "yoda_test_legacy.yoda"), str(tmp_path / "x.json")]
    )
    assert result.exit_code == 0, result.output  # three objects: a book of three plots
    book = histfmt.load_book(tmp_path / "x.json")
    assert len(book.plots) == 3
    assert book == registry.read_book(REAL / "yoda_test_legacy.yoda")


def test_a_whole_file_as_a_book_through_the_library(tmp_path: Path) -> None:
    book = registry.read_book(REAL / "yoda_rivetexample.yoda.gz")
    histfmt.dump(book, tmp_path / "book.json")
    assert histfmt.load_book(tmp_path / "book.json") == book
    assert len(book.plots) > 500


def test_the_viewer_accepts_a_yoda_upload() -> None:
    from histfmt_viewer.documents import parse_upload

    data = (REAL / "yoda_test1.yoda").read_bytes()
    assert parse_upload(data, "run.yoda") == registry.read(REAL / "yoda_test1.yoda")
