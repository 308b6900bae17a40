"""pyhf workspaces read as books of pre-fit plots: sniffing, the plot description, the
band's variations, refusals, and the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import numpy as np
import pytest
from click.testing import CliRunner, Result

from histfmt.cli import cli
from histfmt.convert import registry
from histfmt.errors import HistfmtError, ValidationError

from .conftest import RESOURCES

pytest.importorskip("pyhf")

from histfmt.convert import pyhf as workspaces
from histfmt.convert.pyhf import description as plot_description

REAL = RESOURCES / "real" / "pyhf"
ROOT = Path(__file__).resolve().parents[1]
MULTI = REAL / "multichannel_histfactory.json"  # shapesys, lumi, normfactor; 2 channels
STATERROR = REAL / "xmlimport_input.json"  # normsys, staterror, lumi (fixed); 4 measurements
HISTOSYS = REAL / "multichan_coupledhistosys_histfactory.json"


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _spec(path: Path = MULTI) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _description(**channels: Any) -> dict[str, Any]:
    return {"histfmt_description": "1.0", "channels": channels}


def _write(tmp_path: Path, content: Any, name: str = "plots.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(content))
    return path


# -- recognising and reading -------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(REAL.glob("*.json")), ids=lambda p: p.name)
def test_every_real_workspace_is_detected_and_gives_one_plot_per_channel(path: Path) -> None:
    assert registry.detect(path) == "pyhf"
    book = registry.read_book(path)
    channels = [channel["name"] for channel in _spec(path)["channels"]]
    assert sorted(book.plots) == sorted(channels)


def test_other_json_is_not_a_workspace() -> None:
    assert not workspaces.sniff(b'{"histfmt": "1.1", "x": {"edges": [0, 1]}}', "a.json")
    assert not workspaces.sniff(b'{"channels": [1, 2]}', "a.json")  # no other key of pyhf
    assert workspaces.sniff(b'{"channels": [{"name": "SR", "samples": [{"modifiers": [', "w")


def test_a_channel_is_a_stack_of_samples_with_data_points_and_their_ratio() -> None:
    doc = registry.read_book(MULTI).plots["channel1"]
    spec = _spec()
    samples = {s["name"]: s["data"] for s in spec["channels"][0]["samples"]}
    observed = spec["observations"][0]["data"]
    assert set(doc.yields) == {*samples, "data"}
    for name, data in samples.items():  # pre-fit with mu = 1: the workspace's numbers
        np.testing.assert_allclose(doc.yields[name].values, data, rtol=1e-12)
    np.testing.assert_array_equal(doc.yields["data"].values, observed)
    filled, points = doc.stacks
    assert (filled.type, filled.error) == ("filled", "env")
    assert [item.yields for item in filled.content] == [[name] for name in samples]
    assert (points.type, points.error, points.content[0].yields) == ("points", "poisson", ["data"])
    (ratio,) = doc.ratio
    assert (ratio.numerator, ratio.denominator) == (["data"], list(samples))
    assert (ratio.error, ratio.den_error) == ("poisson", "env")
    # no description: the x axis is the bin index
    assert doc.x.kind == "integer"
    np.testing.assert_array_equal(doc.x.edges, np.arange(len(observed) + 1))
    assert doc.metadata.extra["pyhf"]["stage"] == "pre-fit"


def test_each_parameter_is_one_variation_shared_by_the_samples_it_moves() -> None:
    doc = registry.read_book(STATERROR).plots["channel1"]
    variations = {name: set(item.variations) for name, item in doc.yields.items()}
    everything = set().union(*variations.values())
    # lumi is fixed in this measurement and SigXsecOverSM a normfactor: no variation
    assert not {"lumi", "SigXsecOverSM"} & everything
    # syst2 is a normsys of background1 only, syst3 of background2 only
    assert "syst2" in variations["background1"]
    assert "syst2" not in variations["background2"]
    assert "syst3" in variations["background2"]
    # staterror: one variation per bin, in every sample under it that has events there
    spec = _spec(STATERROR)["channels"][0]["samples"]
    for sample in spec:
        if any(m["type"] == "staterror" for m in sample["modifiers"]):
            for index, value in enumerate(sample["data"]):
                named = f"staterror_channel1[{index}]"
                assert (named in variations[sample["name"]]) == (value > 0)
    moved = doc.yields["background1"].variations["staterror_channel1[0]"]
    assert isinstance(moved.up, np.ndarray)
    assert moved.down is msgspec.UNSET  # symmetrised: the down side is the mirror image
    values = doc.yields["background1"].values
    assert moved.up[0] > values[0]
    assert moved.up[1] == values[1]  # bin 0's parameter moves bin 0 only


def test_a_histosys_shared_by_two_samples_moves_both_as_one_variation() -> None:
    doc = registry.read_book(HISTOSYS).plots["channel1"]
    assert "coupled_histosys" in doc.yields["bkg1"].variations
    assert "coupled_histosys" in doc.yields["bkg2"].variations


# -- the plot description ------------------------------------------------------------------


def test_the_description_gives_axes_labels_colours_and_order(tmp_path: Path) -> None:
    described = {
        "histfmt_description": "1.0",
        "samples": {"bkg": {"label": "Background", "color": "#6baed6"}},
        "order": ["signal", "bkg"],
        "data": {"label": "Data 2012"},
        "channels": {
            "channel1": {
                "edges": [100, 150, 250], "name": "m_jj", "symbol": "$m_{jj}$", "unit": "GeV",
                "title": "Signal region", "log": True,
                "samples": {"signal": {"label": "Signal", "color": "red"}},
            },
            "channel2": {"order": ["bkg"], "label": "Control"},
        },
    }  # fmt: skip
    book = workspaces.read_book(MULTI, description=_write(tmp_path, described))
    one, two = book.plots["channel1"], book.plots["channel2"]
    np.testing.assert_array_equal(one.x.edges, [100, 150, 250])
    assert (one.x.name, one.x.symbol, one.x.unit) == ("m_jj", "$m_{jj}$", "GeV")
    assert one.metadata.title == "Signal region"
    assert one.y_axis.log
    items = one.stacks[0].content
    assert [(i.yields, i.label, i.style.color) for i in items] == [
        (["signal"], "Signal", "red"),
        (["bkg"], "Background", "#6baed6"),
    ]
    assert one.stacks[1].content[0].label == "Data 2012"
    assert two.x.label == "Control"
    assert two.x.kind == "integer"  # no edges: the bin index
    assert two.metadata.title == "channel2"


def test_a_channel_missing_from_the_description_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _description(channel1={"edges": [0, 1, 2]}))
    with pytest.raises(ValidationError) as caught:
        workspaces.read_book(MULTI, description=path)
    assert str(caught.value) == (
        f"{path}: channels: no description of channel 'channel2' of the workspace "
        "(described: 'channel1')"
    )


@pytest.mark.parametrize(
    ("channel1", "message"),
    [
        ({"edges": [0, 1]}, "channels.channel1.edges: 2 edges for 2 bins: give 3"),
        ({"edges": [0, 2, 1]}, "channels.channel1.edges: edges must be finite and strictly"),
        ({"order": ["nope"]}, "channels.channel1.order: no sample 'nope' in channel 'channel1'"),
        ({"colour": "red"}, "channels.channel1: unknown key 'colour'"),
        ({"edges": "0,1,2"}, "channels.channel1.edges: '0,1,2' is not of type 'array'"),
    ],
)
def test_a_description_that_does_not_fit_is_refused_with_its_path(
    tmp_path: Path, channel1: dict[str, Any], message: str
) -> None:
    path = _write(tmp_path, _description(channel1=channel1, channel2={}))
    with pytest.raises(HistfmtError) as caught:
        workspaces.read_book(MULTI, description=path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_a_description_of_a_channel_the_workspace_lacks_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _description(channel1={}, channel2={}, chanel3={}))
    with pytest.raises(ValidationError, match=r"channels\.chanel3: the workspace has no channel"):
        workspaces.read_book(MULTI, description=path)


def test_a_yaml_description_reads_like_json(tmp_path: Path) -> None:
    path = tmp_path / "plots.yaml"
    path.write_text(
        "histfmt_description: '1.0'\nchannels:\n  channel1: {edges: [0, 5, 10]}\n  channel2: {}\n"
    )
    book = workspaces.read_book(MULTI, description=path)
    np.testing.assert_array_equal(book.plots["channel1"].x.edges, [0, 5, 10])


def test_both_description_schema_copies_are_what_the_structs_generate() -> None:
    name = plot_description.DESCRIPTION_SCHEMA_FILENAME
    expected = plot_description.generate()
    for path in (ROOT / "schema" / name, ROOT / "src" / "histfmt" / "resources" / name):
        assert json.loads(path.read_text()) == expected, f"{path}: run python -m {__name__}"


def test_the_spec_documents_every_property_and_its_example_works(tmp_path: Path) -> None:
    text = (ROOT / "spec" / "plot-description.md").read_text()
    schema = plot_description.generate()
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in text.splitlines():
        if line.startswith("#"):
            name = line.split("`")[1] if line.startswith("### `") else None
            current = sections.setdefault(name, set()) if name else None
        elif current is not None and line.startswith("| `"):
            current.add(line.split("`")[1])
    assert sections.pop("Description") == set(schema["properties"])
    assert {k: set(v["properties"]) for k, v in schema["$defs"].items()} == sections
    example = json.loads(text.split("```json\n")[1].split("```")[0])
    jsonschema.Draft202012Validator(schema).validate(example)


# -- refusals ----------------------------------------------------------------------------


def test_a_workspace_invalid_against_pyhfs_schema_names_the_json_path() -> None:
    spec = _spec()
    spec["channels"][0]["samples"][0]["modifiers"][0]["type"] = "bogus"
    with pytest.raises(ValidationError) as caught:
        registry.read_book(json.dumps(spec).encode(), name="ws.json")
    (issue,) = caught.value.issues
    assert issue.path == "channels[0].samples[0].modifiers[0]"
    assert issue.message.startswith("not a valid pyhf workspace: ")
    assert caught.value.filename == "ws.json"


def test_a_model_pyhf_cannot_build_is_refused() -> None:
    spec = _spec()
    spec["channels"][0]["samples"][0]["data"] = [1.0]  # one bin among two-bin samples
    with pytest.raises(HistfmtError, match=r"^ws\.json: cannot build the pyhf model: "):
        registry.read_book(json.dumps(spec).encode(), name="ws.json")


def test_histfmt_does_not_write_workspaces(tmp_path: Path) -> None:
    doc = registry.read_book(MULTI).plots["channel1"]
    with pytest.raises(HistfmtError, match="does not write them"):
        registry.write(doc, tmp_path / "ws.json", "pyhf")
    assert not (tmp_path / "ws.json").exists()


# -- the command line -------------------------------------------------------------------


def test_convert_without_a_description_warns_that_x_is_the_bin_index(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run("convert", MULTI, out)
    assert result.exit_code == 0, result.output
    assert f"{MULTI}: warning: no --description, the x axis is the bin index" in result.stderr
    assert sorted(json.loads(out.read_text())["plots"]) == ["channel1", "channel2"]


def test_convert_refuses_a_bad_description_and_writes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, _description(channel1={}))
    out = tmp_path / "out.json"
    result = run("convert", MULTI, out, "--description", path)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{MULTI}: {path}: channels: no description of channel 'channel2' of the workspace "
        "(described: 'channel1')"
    )
    assert not out.exists()


def test_convert_refuses_an_invalid_workspace_and_writes_nothing(tmp_path: Path) -> None:
    spec = _spec()
    del spec["observations"]
    bad = _write(tmp_path, spec, "ws.json")
    out = tmp_path / "out.json"
    result = run("convert", bad, out, "--to", "histfmt")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{bad}: $: not a valid pyhf workspace: 'observations' is a required property\n"
    )
    assert not out.exists()


def test_description_and_fit_are_only_for_workspaces(tmp_path: Path) -> None:
    result = run("convert", RESOURCES / "valid" / "book.json", tmp_path / "o.json", "--fit")
    assert result.exit_code == 1
    assert "--description and --fit are for pyhf workspaces only" in result.stderr


def test_a_workspace_read_once_makes_the_same_book() -> None:
    from histfmt.convert.pyhf.workspace import load_workspace

    data = MULTI.read_bytes()
    workspace = load_workspace(data, name=MULTI.name)
    assert workspaces.read_book(workspace) == workspaces.read_book(data, name=MULTI.name)
