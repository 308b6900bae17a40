"""UHI files in and out, and the `histfmt convert` command's detection and dispatch."""

from __future__ import annotations

import json
from pathlib import Path

import hist
import numpy as np
import pytest
import uhi.io.json
import uhi.schema
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli
from histfmt.convert import registry, uhi_file
from histfmt.shown import Shown

from .conftest import ROOT


def _write(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj, default=uhi.io.json.default))
    return path


@pytest.fixture
def histograms() -> dict[str, hist.Hist]:
    rng = np.random.default_rng(5)
    axis = hist.axis.Variable([0, 1, 2, 5, 10], name="pt", label="$p_T$ [GeV]")
    return {
        name: hist.Hist(axis, storage=hist.storage.Weight(), name=name).fill(
            rng.exponential(3, 200), weight=rng.uniform(0.5, 1.5, 200)
        )
        for name in ("signal", "background")
    }


def test_dict_of_histograms_round_trips(histograms: dict[str, hist.Hist], tmp_path: Path) -> None:
    source = _write(tmp_path / "in.json", histograms)
    assert registry.detect(source) == "uhi"
    doc = registry.read(source)
    assert list(doc.yields) == ["signal", "background"]
    target = tmp_path / "out.json"
    uhi_file.write(doc, target)
    data = json.loads(target.read_text())
    uhi.schema.validate(data)
    for name, original in histograms.items():
        assert (
            hist.Hist(json.loads(json.dumps(data[name]), object_hook=uhi.io.json.object_hook))
            == original
        )


def test_single_histogram_file(histograms: dict[str, hist.Hist], tmp_path: Path) -> None:
    source = _write(tmp_path / "one.json", histograms["signal"])
    doc = registry.read(source)
    assert list(doc.yields) == ["histogram"]
    assert doc.to_hist() == histograms["signal"]


def test_mean_storage_with_bare_nan_is_read_and_written_as_strict_json(tmp_path: Path) -> None:
    profile = hist.Hist.new.Reg(4, 0, 1, name="x").Mean()
    profile.fill([0.1, 0.2, 0.6], sample=[1.0, 2.0, 3.0])  # one entry in bin 2: variance NaN
    source = _write(tmp_path / "profile.json", profile)
    assert "NaN" in source.read_text()
    doc = registry.read(source)
    stat = doc.yields["histogram"].stat
    assert np.isnan(stat[3])  # flow-shifted index of the single-entry bin
    np.testing.assert_allclose(doc.yields["histogram"].values[1:5], profile.values())
    saved = histfmt.dumps(doc)
    json.loads(saved, parse_constant=lambda token: pytest.fail(f"wrote {token}"))
    back = histfmt.loads(saved).to_hist()
    np.testing.assert_array_equal(back.counts(), profile.counts())
    np.testing.assert_array_equal(back.values(), profile.values())
    target = tmp_path / "back.json"
    uhi_file.write(histfmt.loads(saved), target)
    uhi.schema.validate(json.loads(target.read_text(), parse_constant=pytest.fail))


def test_missing_values_cannot_go_to_uhi(tmp_path: Path) -> None:
    doc = histfmt.Document.new([0, 1, 2]).add_yield("a", [1.0, np.nan])
    with pytest.raises(histfmt.HistfmtError, match=r"yields\.a\.values\[1\] is missing"):
        uhi_file.write(doc, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"uhi_schema": 1, "axes": [], "storage": {"type": "double"}}', "0 axes"),
        ('{"a": {"uhi_schema": 1}}', "not a UHI histogram: 'a'"),
        ("{", "not valid JSON" if False else "cannot tell what this is"),
    ],
)
def test_bad_uhi_files_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(histfmt.HistfmtError, match=message) as caught:
        registry.read(path)
    assert str(path) in str(caught.value)


def test_detect_kinds_from_content_not_suffix(tmp_path: Path) -> None:
    example = ROOT / "examples" / "mll_data_vs_mc.json"
    disguised = tmp_path / "plot.txt"
    disguised.write_bytes(example.read_bytes())
    assert registry.detect(disguised) == "histfmt"
    gz = tmp_path / "plot.json.gz"
    histfmt.dump(histfmt.load(example), gz)
    assert registry.detect(gz) == "histfmt"
    yaml_file = tmp_path / "plot.yaml"
    histfmt.dump(histfmt.load(example), yaml_file)
    assert registry.detect(yaml_file) == "histfmt"


def test_convert_command_one_and_many(histograms: dict[str, hist.Hist], tmp_path: Path) -> None:
    source = _write(tmp_path / "h.json", histograms)
    runner = CliRunner()
    result = runner.invoke(cli, ["convert", str(source), str(tmp_path / "doc.yaml")])
    assert result.exit_code == 0, result.output
    assert histfmt.load(tmp_path / "doc.yaml").yields["signal"].storage == "weight"
    other = _write(tmp_path / "h2.json", histograms["signal"])
    result = runner.invoke(
        cli, ["convert", str(source), str(other), str(tmp_path / "out"), "--to", "uhi"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["h.json", "h2.json"]


def test_convert_command_names_unknown_inputs(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("just text")
    result = CliRunner().invoke(cli, ["convert", str(junk), str(tmp_path / "x.json")])
    assert result.exit_code == 1
    assert f"{junk}: cannot tell what this is; expected a histfmt document" in result.output
    result = CliRunner().invoke(cli, ["convert", str(junk), str(tmp_path / "x.png")])
    assert result.exit_code == 1
    assert "cannot tell the output kind from 'x.png'; use --to" in result.output


def test_a_uhepp_file_mentioning_histfmt_is_still_uhepp(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    path.write_text(
        json.dumps(
            {
                "bins": {"edges": [0, 1]},
                "metadata": {"producer": "histfmt", "tags": {"histfmt": ""}},
                "stacks": [],
                "type": "histogram",
                "variable": {"symbol": "x"},
                "version": "0.4",
                "yields": {},
            }
        )
    )
    assert registry.detect(path) == "uhepp"


@pytest.mark.parametrize(
    ("target", "to", "kind"),
    [
        ("sub.tar.gz", None, "hepdata"),
        ("submission", "hepdata", "hepdata"),
        ("yields.root", None, "root"),
        ("plot_uhepp.json", "uhepp", "uhepp"),
        ("plot_uhi.json", "uhi", "uhi"),
        ("plot.yaml", None, "histfmt"),
    ],
)
def test_convert_command_reaches_every_kind_and_back(
    tmp_path: Path, target: str, to: str | None, kind: str
) -> None:
    source = ROOT / "examples" / "from_hist.json"
    out = tmp_path / target
    result = CliRunner().invoke(
        cli, ["convert", str(source), str(out), *(["--to", to] if to else [])]
    )
    assert result.exit_code == 0, result.output
    assert registry.detect(out) == kind
    back = tmp_path / "back.json"
    result = CliRunner().invoke(cli, ["convert", str(out), str(back)])
    assert result.exit_code == 0, result.output
    original, returned = histfmt.load(source), histfmt.load(back)
    before, after = Shown(original), Shown(returned)  # the regular bins (HEPData drops flow)
    compared = [name for name in original.yields if name in returned.yields]
    assert compared
    for name in compared:
        np.testing.assert_array_equal(
            after.fold(returned.yields[name].values), before.fold(original.yields[name].values)
        )
