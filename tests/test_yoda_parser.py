"""The YODA text layer: real files against babyyoda and their own text, round trips, refusals."""

from __future__ import annotations

import dataclasses
import gzip
import math
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from histfmt.convert import yoda
from histfmt.errors import HistfmtError

from .conftest import RESOURCES

REAL = RESOURCES / "real" / "yoda"
INVALID = RESOURCES / "yoda_invalid"
BABYYODA_READS = ("COUNTER", "HISTO1D", "HISTO2D", "ESTIMATE0D", "ESTIMATE1D")


def _text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode()


REAL_FILES = sorted(p for p in REAL.iterdir() if p.name != "SOURCES.md")
YODA1_FILES = [p for p in REAL_FILES if "_V3" not in _text(p)]
BABYYODA_FILES = [  # files holding a versioned block of a type babyyoda's grogu reads
    p
    for p in REAL_FILES
    if re.search(rf"^BEGIN YODA_(?:{'|'.join(BABYYODA_READS)})_V[23] ", _text(p), re.MULTILINE)
]
INVALID_FILES = sorted(INVALID.glob("*.yoda*"))


def _without_yoda1_extras(obj: yoda.YodaObject) -> yoda.YodaObject:
    """What YODA 2 output keeps of an object: no ``Total`` row, gaps as ordinary bins."""
    if isinstance(obj, yoda.Histo1D | yoda.Profile1D):
        return dataclasses.replace(obj, total=None, gaps=())
    if isinstance(obj, yoda.Histo2D):
        return dataclasses.replace(obj, total=None)
    return obj


# --------------------------------------------------------------------- round trips


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_file_round_trips_through_yoda2(path: Path) -> None:
    objects = yoda.read(path)
    assert objects
    again = yoda.read(yoda.write(objects).encode())
    assert again == [_without_yoda1_extras(obj) for obj in objects]
    assert yoda.read(yoda.write(again).encode()) == again


@pytest.mark.parametrize("path", YODA1_FILES, ids=lambda p: p.name)
def test_real_yoda1_file_round_trips_through_yoda1(path: Path) -> None:
    objects = yoda.read(path)
    assert yoda.read(yoda.write(objects, version=1).encode()) == objects


def test_bytes_path_and_gzip_read_the_same(tmp_path: Path) -> None:
    plain = yoda.read(REAL / "yoda_test_legacy.yoda")
    assert yoda.read((REAL / "yoda_test_legacy.yoda").read_bytes()) == plain
    assert yoda.read(REAL / "yoda_test.yoda.gz") == plain
    target = tmp_path / "out.yoda.gz"
    yoda.write_path(plain, target)
    assert target.read_bytes()[:2] == b"\x1f\x8b"
    assert yoda.read(target) == [_without_yoda1_extras(obj) for obj in plain]
    yoda.write_path(plain, tmp_path / "out.yoda", version=1)
    assert yoda.read(tmp_path / "out.yoda") == plain
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.yoda", "out.yoda.gz"]


# ------------------------------------------------------------- against babyyoda


def _babyyoda(path: Path, tmp_path: Path) -> dict[str, Any]:
    """babyyoda's pure-Python reader; END tags normalised to their BEGIN (YODA 1 wrote
    ``END YODA_HISTO1D`` after ``BEGIN YODA_HISTO1D_V2``, which babyyoda does not match)."""
    from babyyoda import grogu

    text = _text(path)
    tags = iter(re.findall(r"^BEGIN (\S+)", text, flags=re.MULTILINE))
    text = re.sub(r"^END \S+", lambda _: f"END {next(tags)}", text, flags=re.MULTILINE)
    copy = tmp_path / "copy.yoda"
    copy.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dict(grogu.read(str(copy)))


def _dbn(bin_: Any, names: tuple[str, ...]) -> list[float]:
    return [getattr(bin_, f"d_{name}") for name in names]


def _compare_binned(ours: yoda.YodaObject, theirs: Any, yoda2: bool) -> None:
    if isinstance(ours, yoda.Counter):
        assert _dbn(theirs.d_bins[0], ("sumw", "sumw2", "numentries")) == [
            ours.sumw,
            ours.sumw2,
            ours.numentries,
        ]
        return
    if isinstance(ours, yoda.Estimate):
        bins = [theirs] if not ours.axes else theirs.d_bins
        if all(label and "," not in label for label in ours.error_labels):
            # babyyoda splits labels at commas and drops an empty one
            assert list(ours.error_labels) == list(theirs.d_error_labels)
        values = ours.values.reshape(-1, order="F")
        down = ours.err_down.reshape(values.size, -1, order="F")
        up = ours.err_up.reshape(values.size, -1, order="F")
        assert len(bins) == values.size
        for i, bin_ in enumerate(bins):
            np.testing.assert_array_equal(values[i], bin_.d_value)
            np.testing.assert_array_equal(down[i], bin_.d_errors_dn)
            np.testing.assert_array_equal(up[i], bin_.d_errors_up)
        if ours.axes:
            axis = ours.axes[0]
            assert isinstance(axis, yoda.ContinuousAxis)
            assert list(axis.edges) == list(theirs.d_edges)
        return
    assert isinstance(ours, yoda.Histo1D | yoda.Histo2D)
    columns = np.stack([ours_column.reshape(-1, order="F") for ours_column in _columns(ours)], 1)
    if yoda2:
        edges = theirs.d_edges if isinstance(ours, yoda.Histo2D) else [theirs.d_edges]
        assert [list(axis.edges) for axis in ours.axes] == [list(e) for e in edges]  # type: ignore[union-attr]
        assert [_dbn(b, ours.COLUMNS) for b in theirs.d_bins] == columns.tolist()
        return
    assert _dbn(theirs.d_total, ours.COLUMNS) == list(ours.total)  # type: ignore[arg-type]
    if isinstance(ours, yoda.Histo1D):
        edges = ours.axis.edges  # type: ignore[union-attr]
        inner = [i for i in range(1, ours.axis.size - 1) if i not in ours.gaps]
        theirs_bins = sorted(theirs.d_bins, key=lambda b: b.d_xmin)
        assert [[b.d_xmin, b.d_xmax] for b in theirs_bins] == [
            [edges[i - 1], edges[i]] for i in inner
        ]
        assert [_dbn(b, ours.COLUMNS) for b in theirs_bins] == columns[inner].tolist()
        assert _dbn(theirs.d_underflow, ours.COLUMNS) == columns[0].tolist()
        assert _dbn(theirs.d_overflow, ours.COLUMNS) == columns[-1].tolist()
        return
    xedges = list(ours.xaxis.edges)  # type: ignore[union-attr]
    yedges = list(ours.yaxis.edges)  # type: ignore[union-attr]
    assert len(theirs.d_bins) == (len(xedges) - 1) * (len(yedges) - 1)
    for b in theirs.d_bins:
        ix, iy = xedges.index(b.d_xmin) + 1, yedges.index(b.d_ymin) + 1
        assert _dbn(b, ours.COLUMNS) == [getattr(ours, name)[ix, iy] for name in ours.COLUMNS]


def _columns(obj: yoda.Histo1D | yoda.Histo2D) -> list[np.ndarray]:
    return [getattr(obj, name) for name in obj.COLUMNS]


@pytest.mark.parametrize("path", BABYYODA_FILES, ids=lambda p: p.name)
def test_numbers_equal_babyyoda(path: Path, tmp_path: Path) -> None:
    objects = yoda.read(path)
    theirs = _babyyoda(path, tmp_path)
    found = re.findall(r"^BEGIN YODA_(\S+) (\S+)", _text(path), flags=re.MULTILINE)
    tags = {object_path: tag for tag, object_path in found}
    compared = 0
    for obj in objects:
        tag = tags.get(obj.path, "")
        if not tag.startswith(BABYYODA_READS) or not re.search(r"_V[23]$", tag):
            continue
        assert obj.path in theirs, obj.path
        _compare_binned(obj, theirs[obj.path], yoda2=tag.endswith("_V3"))
        compared += 1
    assert compared


# ------------------------------------------------------ against the file text itself


def test_legacy_yoda1_text_by_hand() -> None:
    first, other, profile = yoda.read(REAL / "yoda_test_legacy.yoda")
    assert isinstance(first, yoda.Histo1D)
    assert first.annotations == {"LineColor": "red is a good color", "Title": "Ein Titel"}
    assert first.total is not None
    assert first.total.tolist() == [5, 3, 4, 5, 5]
    assert first.sumw.tolist() == [6, 1, 5, 8]
    assert first.numentries.tolist() == [44, 11, 22, 33]
    assert isinstance(other, yoda.Histo1D)
    assert other.axis.edges.tolist() == [3.4, 4.2, 4.5, 5.3]  # type: ignore[union-attr]
    assert other.gaps == (2,)
    assert isinstance(profile, yoda.Profile1D)
    assert profile.path == "/path/to/histo"
    assert profile.annotations == {"Title": "A profile histogram"}
    assert profile.sumwy.tolist() == [5, 5, 5, 5]
    assert profile.sumwy2.tolist() == [6] * 4
    assert profile.numentries.tolist() == [11, 7, 7, 12]
    assert profile.total is not None
    assert profile.total.tolist() == [1, 2, 3, 4, 5, 6, 0, 13]


def test_rivet_example_by_hand() -> None:
    objects = yoda.read(REAL / "yoda_rivetexample.yoda.gz")
    kinds = [obj.type for obj in objects]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "Histo1D": 457,
        "Counter": 89,
        "Scatter2D": 75,
        "Profile1D": 10,
        "Scatter1D": 1,
    }
    profile = next(obj for obj in objects if obj.path == "/ALEPH_2001_S4656318/d07-x01-y01")
    assert isinstance(profile, yoda.Profile1D)
    assert profile.axis.edges.tolist() == [90.5, 91.5]  # type: ignore[union-attr]
    assert profile.sumwx[1] == 182.0
    assert profile.sumwy[1] == 1.485832
    assert profile.sumwy2[1] == 1.130367
    assert profile.numentries.tolist() == [0, 2, 0]
    assert profile.annotations == {"IsRef": "1", "Title": "", "XLabel": "", "YLabel": ""}


def test_scatters_by_hand() -> None:
    (test,) = yoda.read(REAL / "rivet_TEST.yoda")
    assert isinstance(test, yoda.Scatter)
    assert test.type == "Scatter2D"
    assert test.path == "/REF/TEST/d04-x01-y01"
    assert test.annotations["IsRef"] == "1"
    assert test.x.tolist() == pytest.approx([-0.9, -0.7, -0.5, -0.3, -0.1, 0.1, 0.3, 0.5, 0.7, 0.9])
    assert test.y[0] == 4.0
    assert test.err_minus[0].tolist() == [0.1, 7.615773e-02]
    scatters = yoda.read(REAL / "rivet_ATLAS_2016_I1492320.yoda")
    assert len(scatters) == 35
    assert {s.type for s in scatters} == {"Scatter1D"}
    first = scatters[0]
    assert isinstance(first, yoda.Scatter)
    assert first.values.tolist() == [[0.31]]
    assert (first.err_minus.tolist(), first.err_plus.tolist()) == (
        [[4.810405e-01]],
        [[4.742362e-01]],
    )
    assert first.annotations["Title"] == "doi:10.17182/hepdata.76728.v2/t1"
    assert first.annotations["ErrorBreakdown"].startswith("{0: {stat: {dn: -0.33, up: 0.35}")
    mixed = yoda.read(REAL / "rivet_ATLAS_2015_I1376945.yoda")
    assert [s.type for s in mixed].count("Scatter3D") == 2
    three = next(s for s in mixed if s.path == "/REF/ATLAS_2015_I1376945/d03-x01-y01")
    assert isinstance(three, yoda.Scatter)
    assert three.values[1].tolist() == [2.0, 2.0, -2.517683e-01]
    assert three.err_plus[1].tolist() == [0.5, 0.5, 0.0]


def test_binned_estimates_by_hand() -> None:
    objects = {obj.path: obj for obj in yoda.read(REAL / "hepdata_converter_full.yoda")}
    one = objects["/REF/ATLAS_2012_I1203852/d01-x01-y01"]
    assert isinstance(one, yoda.Estimate)
    assert one.type == "BinnedEstimate<i>"
    assert one.axes == (yoda.DiscreteAxis((7000, 8000, 9000)),)
    assert one.error_labels == ("stat", "sys", "sys,lumi")
    assert math.isnan(one.values[0])
    assert np.isnan(one.err_up[0]).all()
    assert one.values[1:].tolist() == [25.4, 29.8, 12.7]
    assert one.err_down[1].tolist() == [-3.0, -1.2, -1.0]
    assert one.err_up[3].tolist() == [3.1, 1.7, 0.5]
    assert one.annotations["RE"] == "P P --> Z0 < LEPTON+ LEPTON- > Z0 < LEPTON+ LEPTON- > X"
    two = objects["/REF/ATLAS_2012_I1203852/d02-x01-y01"]
    assert isinstance(two, yoda.Estimate)
    assert two.type == "BinnedEstimate<i,i>"
    assert two.values.shape == (13, 6)
    assert two.error_labels == ()
    assert int(np.count_nonzero(~np.isnan(two.values))) == 30
    # 15th row of the file: x runs fastest, so x = 120 (index 1), y = 400 (index 1)
    assert two.values[1, 1] == 2.229e-03
    assert two.values[2, 1] == 4.794e-03
    flows = yoda.read(REAL / "hepdata_converter_with_overflows.yoda")[0]
    assert isinstance(flows, yoda.Estimate)
    assert flows.values.shape == (12,)
    assert (flows.values[0], flows.values[-1]) == (6.790900e-01, 3.351900e-02)
    assert flows.annotations["Title"] == "Figure-aux_001"  # a quoted YAML value, unquoted
    zero_d = {o.path: o for o in yoda.read(REAL / "hepdata_converter_no_independent.yoda.gz")}
    xs = zero_d["/REF/ATLAS_2021_I1887997/yy_xs_SHERPA"]
    assert isinstance(xs, yoda.Estimate)
    assert xs.type == "Estimate0D"
    assert xs.values.shape == ()
    assert float(xs.values) == 33.16
    assert xs.err_up.tolist() == [
        5.3357e-01,
        5.6921e-01,
        7.7079,
        8.1812e-03,
    ]


# ------------------------------------------------------------------------ refusals


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.name)
def test_invalid_files_give_their_exact_error(path: Path) -> None:
    expected = (INVALID / (path.name.split(".")[0] + ".error.txt")).read_text().rstrip("\n")
    with pytest.raises(HistfmtError) as caught:
        yoda.read(path, name=path.name)
    assert str(caught.value) == expected


def test_errors_carry_the_object_path_apart_from_the_message() -> None:
    with pytest.raises(yoda.YodaError) as caught:
        yoda.read(INVALID / "wrong_column_count.yoda")
    assert caught.value.object_path == "/REF/T/d01-x01-y01"
    assert caught.value.line == 8
    assert caught.value.filename == str(INVALID / "wrong_column_count.yoda")
    assert caught.value.as_dicts() == [
        {"path": "/REF/T/d01-x01-y01", "message": "line 8: expected 7 columns, got 6"}
    ]


def test_unsupported_blocks_are_skipped_and_listed_by_read_contents() -> None:
    text = (INVALID / "unsupported_type.yoda").read_bytes() + yoda.write(
        [yoda.Counter("/c", 1.0, 1.0, 1.0)]
    ).encode()
    contents = yoda.read_contents(text)
    assert contents.objects == [yoda.Counter("/c", 1.0, 1.0, 1.0)]
    assert contents.skipped == [yoda.Skipped("/T/p2", "YODA_PROFILE2D_V2", 1)]


def test_size_cap_names_the_limit(tmp_path: Path) -> None:
    data = (REAL / "babyyoda_test_histo1d_v2.yoda").read_bytes()
    message = "x.yoda: larger than the limit of 1000 bytes (max_bytes)"
    with pytest.raises(HistfmtError, match=re.escape(message)):
        yoda.read(data, name="x.yoda", max_bytes=1000)
    bomb = gzip.compress(b"#" * 5_000_000)
    with pytest.raises(HistfmtError, match="limit of 1000000 bytes"):
        yoda.read(bomb, max_bytes=1_000_000)
    assert yoda.read(data, max_bytes=len(data)) == yoda.read(data)


def test_yoda1_output_refuses_what_yoda1_cannot_hold() -> None:
    estimate = yoda.read(REAL / "hepdata_converter_with_overflows.yoda")[0]
    with pytest.raises(yoda.YodaError, match="YODA 1 has no Estimate objects"):
        yoda.write([estimate], version=1)
    (histo2d,) = yoda.read(REAL / "babyyoda_test_histo1d_v3.yoda")
    with pytest.raises(yoda.YodaError, match="/: YODA 1 cannot hold 2-D flow bins"):
        yoda.write([histo2d], version=1)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_input_reads_or_is_refused(data: bytes) -> None:
    try:
        yoda.read(b"BEGIN YODA_HISTO1D_V2 /x\n" + data)
        yoda.read(data)
    except HistfmtError:
        pass


# ---------------------------------------------------------------- property: identity

_finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
_number = st.floats(allow_nan=True, allow_infinity=True, width=64)
_label = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_key = st.from_regex(r"[A-Za-z][A-Za-z0-9_()\[\] ]{0,10}[A-Za-z0-9)]", fullmatch=True)
_annotations = st.dictionaries(_key.filter(lambda k: k not in ("Path", "Type")), _label, max_size=3)
_path = st.from_regex(r"(/[A-Za-z0-9_.-]{1,8}){1,3}", fullmatch=True)


@st.composite
def _axis(draw: st.DrawFn, discrete: bool = True) -> yoda.Axis:
    kind = draw(st.sampled_from("dis" if discrete else "d"))
    if kind == "d":
        edges = draw(st.lists(_finite, min_size=2, max_size=5, unique=True))
        return yoda.ContinuousAxis(np.array(sorted(edges)))
    if kind == "i":
        return yoda.DiscreteAxis(
            tuple(draw(st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=4, unique=True)))
        )
    return yoda.DiscreteAxis(tuple(draw(st.lists(_label, min_size=1, max_size=4, unique=True))))


def _array(draw: st.DrawFn, shape: tuple[int, ...], elements: Any = _number) -> np.ndarray:
    size = int(np.prod(shape, dtype=np.int64))
    return np.array(draw(st.lists(elements, min_size=size, max_size=size))).reshape(shape)


@st.composite
def _objects(draw: st.DrawFn) -> yoda.YodaObject:
    path, annotations = draw(_path), draw(_annotations)
    kind = draw(st.sampled_from(["counter", "h1", "p1", "h2", "scatter", "estimate"]))
    if kind == "counter":
        return yoda.Counter(path, draw(_number), draw(_number), draw(_number), annotations)
    if kind in ("h1", "p1"):
        cls = yoda.Histo1D if kind == "h1" else yoda.Profile1D
        axis = draw(_axis())
        arrays = {name: _array(draw, (axis.size,)) for name in cls.COLUMNS}
        return cls(path=path, axis=axis, annotations=annotations, **arrays)
    if kind == "h2":
        x, y = draw(_axis()), draw(_axis())
        arrays = {name: _array(draw, (x.size, y.size)) for name in yoda.Histo2D.COLUMNS}
        return yoda.Histo2D(path=path, xaxis=x, yaxis=y, annotations=annotations, **arrays)
    if kind == "scatter":
        shape = (draw(st.integers(0, 4)), draw(st.integers(1, 3)))
        return yoda.Scatter(path, *(_array(draw, shape) for _ in range(3)), annotations=annotations)
    axes = tuple(draw(st.lists(_axis(), max_size=2)))
    labels = tuple(draw(st.lists(_label, max_size=3)))
    shape = tuple(axis.size for axis in axes)
    return yoda.Estimate(
        path,
        axes,
        _array(draw, shape),
        labels,
        _array(draw, (*shape, len(labels))),
        _array(draw, (*shape, len(labels))),
        annotations,
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(_objects(), max_size=4))
def test_write_then_read_is_the_identity(objects: list[yoda.YodaObject]) -> None:
    assert yoda.read(yoda.write(objects).encode()) == objects
