"""`histfmt info` and `histfmt show`: numbers, JSON, widths, rebinning, errors, imports."""

from __future__ import annotations

import itertools
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli
from histfmt.summary import format_summary, summarize

from .conftest import RESOURCES, ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
# 1-D documents (books and 2-D maps have tests of their own)
VALID = sorted(
    path
    for path in (RESOURCES / "valid").glob("*.json")
    if not {"plots", "y"} & set(json.loads(path.read_text()))
)
MLL = ROOT / "examples" / "mll_data_vs_mc.json"
CUTFLOW = ROOT / "examples" / "cutflow_categorical.json"
INVALID = RESOURCES / "invalid" / "stat_too_short.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(*args: str | Path, **kwargs: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


def columns(line: str) -> int:
    """Terminal columns of a line: no colour codes, no combining marks."""
    return sum(not unicodedata.combining(c) and c != "\u034f" for c in ANSI.sub("", line))


def drawn_total(doc: dict[str, Any], values: list[float | None]) -> float:
    """Sum over the drawn bins, straight from the JSON (a drawn bin with a null is skipped)."""
    x, view = doc["x"], doc.get("view", {})
    full = np.array([np.nan if v is None else v for v in values], dtype=float)
    under = full[0] if x.get("underflow") else 0.0
    over = full[-1] if x.get("overflow") else 0.0
    core = full[int(bool(x.get("underflow"))) : len(full) - int(bool(x.get("overflow")))]
    if "categories" in x:
        bins = list(core) + ([over] if x.get("overflow") and view.get("include_overflow") else [])
        return float(np.nansum(bins))
    edges = np.array(x["edges"], dtype=float)
    cut = [int(np.argmin(abs(edges - e))) for e in view.get("rebin", x["edges"])]
    bins = [core[a:b].sum() for a, b in itertools.pairwise(cut)]
    if view.get("include_underflow"):
        bins[0] += under + core[: cut[0]].sum()
    if view.get("include_overflow"):
        bins[-1] += over + core[cut[-1] :].sum()
    return float(np.nansum(bins))


# -- info -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES + VALID, ids=lambda p: p.name)
def test_info_totals_match_the_json(path: Path) -> None:
    raw = json.loads(path.read_text())
    result = run("info", "--json", path)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    by_name = {item["name"]: item for item in summary["yields"]}
    assert list(by_name) == list(raw["yields"])
    for name, item in raw["yields"].items():
        got = by_name[name]
        if item.get("kind", "count") != "count":  # means and efficiencies are not summed
            assert got["total"] is None
            continue
        assert got["total"] == pytest.approx(drawn_total(raw, item["values"]), rel=1e-12)
        values = item["values"]
        expected_under = values[0] if raw["x"].get("underflow") else None
        expected_over = values[-1] if raw["x"].get("overflow") else None
        assert got["underflow"] == expected_under
        assert got["overflow"] == expected_over
        assert got["variations"] == list(item.get("variations", {}))
        assert got["storage"] == item.get("storage")
    for stack, raw_stack in zip(summary["stacks"], raw.get("stacks", []), strict=True):
        plain = [r for layer in raw_stack["content"] for r in layer["yields"] if "/" not in r]
        if any(raw["yields"][r].get("kind", "count") != "count" for r in plain):
            assert stack["total"] is None
        elif len(plain) == sum(len(layer["yields"]) for layer in raw_stack["content"]):
            expected = sum(drawn_total(raw, raw["yields"][r]["values"]) for r in plain)
            assert stack["total"] == pytest.approx(expected, rel=1e-9)


def test_info_text_of_the_dilepton_example() -> None:
    raw = json.loads(MLL.read_text())
    result = run("info", MLL)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "\x1b[" not in text
    assert f"{MLL}  (histfmt {raw['histfmt']})" in text
    assert "regular, 40 bins from 50 to 250 GeV" in text
    assert "underflow, overflow" in text
    assert "overflow added to the last bin" in text
    assert "140 fb-1" in text
    assert "13 TeV" in text
    data = drawn_total(raw, raw["yields"]["data"]["values"])
    assert data == int(data)
    data_row = next(line for line in text.splitlines() if line.strip().startswith("data "))
    assert f"{data:,.0f}" in data_row
    assert f"{raw['yields']['data']['values'][-1]:,.0f}" in data_row  # the overflow content
    for layer in raw["stacks"][0]["content"]:
        assert layer["label"] in text
    assert "data / fakes + diboson + ttbar + zll" in text


def test_info_lists_uncertainty_kinds() -> None:
    result = run("info", "--json", ROOT / "examples" / "met_systematics.json")
    yields = {item["name"]: item for item in json.loads(result.stdout)["yields"]}
    assert yields["ttbar"]["stat"] == "symmetric"
    assert yields["ttbar"]["syst"] == "symmetric"
    assert yields["ttbar"]["variations"] == ["JES", "JER", "lumi"]
    assert yields["data"]["syst"] is None
    weighted = json.loads(run("info", "--json", ROOT / "examples" / "from_hist.json").stdout)
    zjets = weighted["yields"][0]
    assert (zjets["variances"], zjets["stat"], zjets["storage"]) == (True, None, "weight")
    asym = json.loads(
        run("info", "--json", RESOURCES / "valid" / "categorical_missing_values.json").stdout
    )
    assert asym["yields"][0]["stat"] == "asymmetric"
    assert asym["yields"][0]["missing"] == 1


@pytest.mark.parametrize("path", [MLL, CUTFLOW, RESOURCES / "valid" / "minimal.json"])
def test_info_json_round_trips(path: Path) -> None:
    as_json = run("info", "--json", path)
    as_text = run("info", path)
    assert as_json.exit_code == as_text.exit_code == 0
    summary = json.loads(as_json.stdout)
    expected = {"file": str(path), **summarize(histfmt.load(path))}
    assert summary == json.loads(json.dumps(expected))
    assert format_summary(summary) == as_text.stdout


def test_info_categorical_axis() -> None:
    result = run("info", CUTFLOW)
    assert result.exit_code == 0, result.output
    assert "5 categories: SR-low, SR-high, CR-top, CR-WZ, VR" in result.stdout
    summary = json.loads(run("info", "--json", CUTFLOW).stdout)
    assert summary["x"]["categories"] == ["SR-low", "SR-high", "CR-top", "CR-WZ", "VR"]
    assert summary["x"]["range"] is None


def test_info_reads_stdin() -> None:
    result = run("info", "-", input=MLL.read_bytes())
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"-  (histfmt {histfmt.FORMAT_VERSION})")


@pytest.mark.parametrize("command", ["info", "show"])
def test_invalid_document_is_one_line_per_problem_and_exit_one(command: str) -> None:
    result = run(command, INVALID)
    assert result.exit_code == 1
    assert result.stderr == f"{INVALID}: yields.mc.stat: expected 5 values, got 4\n"
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["info", "show"])
def test_missing_file_is_exit_one(command: str) -> None:
    result = run(command, "no/such/file.json")
    assert result.exit_code == 1
    assert result.stderr.startswith("no/such/file.json: no such file or folder")


# -- show -------------------------------------------------------------------------------


def tick_rows(text: str) -> list[str]:
    """The rows that carry a bin edge: ``  55 _███``."""
    return [line for line in text.splitlines() if re.match(r"^\s*-?[\d.e+-]+ _", line)]


@pytest.mark.parametrize("path", EXAMPLES + VALID, ids=lambda p: p.name)
@pytest.mark.parametrize("width", [40, 80, 131])
def test_show_fits_the_width_and_names_every_layer(path: Path, width: int) -> None:
    raw = json.loads(path.read_text())
    for color in ("--no-color", "--color"):
        result = run("show", path, "--width", str(width), color)
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert max(columns(line) for line in lines) <= width
        assert ("\x1b[" in result.stdout) == (color == "--color" and bool(raw.get("stacks")))
    if width >= 80:
        for stack in raw.get("stacks", []):
            for layer in stack["content"]:
                label = layer.get("label")
                if label and "$" not in label:
                    assert label in result.stdout


def test_show_dilepton_example() -> None:
    result = run("show", MLL, "--width", "80")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "\x1b[" not in text  # not a terminal: no colour
    assert text.splitlines()[0] == "Dilepton invariant mass"
    zll = "Z/\N{GREEK SMALL LETTER GAMMA}*\N{RIGHTWARDS ARROW}" + 2 * "\N{SCRIPT SMALL L}"
    for label in ("Fake leptons", "Diboson", "tt\u0304", zll, "\N{BLACK CIRCLE} Data"):
        assert label in text
    assert len(tick_rows(text)) == 40 + 1  # every drawn bin, and the first edge
    assert tick_rows(text)[-1].startswith("250 _")
    assert "Data / Pred.: 1.001 overall" in text
    assert "χ²/bins" in text


def test_show_rebin_changes_the_bins() -> None:
    result = run("show", MLL, "--width", "80", "--rebin", "50,100,150,250")
    assert result.exit_code == 0, result.output
    ticks = [row.split("_")[0].strip() for row in tick_rows(result.stdout)]
    assert ticks == ["50", "100", "150", "250"]
    assert "Data / Pred.: 1.001 overall" in result.stdout


@pytest.mark.parametrize("junk", ["abc", "0,,100", "100", "100,50", "0,nan", "0;50", "50,inf", ""])
def test_show_junk_rebin_is_exit_one_with_the_file(junk: str) -> None:
    result = run("show", MLL, "--rebin", junk)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{MLL}: --rebin: expected two or more increasing numbers")
    assert "Traceback" not in result.output


def test_show_rebin_not_on_the_edges_is_exit_one() -> None:
    result = run("show", MLL, "--rebin", "50,52.5")
    assert result.exit_code == 1
    assert result.stderr == f"{MLL}: rebin edges [50.0, 52.5] are not a subset of the x edges\n"


def test_show_categorical_example() -> None:
    result = run("show", CUTFLOW, "--width", "80")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if " ┤" in line]
    assert [row.split("┤")[0].strip() for row in rows] == [
        "SR-low",
        "SR-high",
        "CR-top",
        "CR-WZ",
        "VR",
    ]
    assert all("●" in row for row in rows)  # data in every region
    assert "Fake/non-prompt" in result.stdout
    rebinned = run("show", CUTFLOW, "--rebin", "0,1")
    assert rebinned.exit_code == 1
    assert "needs a numeric x axis" in rebinned.stderr


def test_show_log_and_linear() -> None:
    linear = run("show", MLL, "--width", "80", "--liny").stdout
    log = run("show", MLL, "--width", "80", "--logy").stdout
    assert linear == run("show", MLL, "--width", "80").stdout  # the document says linear
    assert "(log)" in log
    assert "(log)" not in linear
    assert linear != log


def test_show_width_too_small_is_exit_one() -> None:
    result = run("show", MLL, "--width", "12")
    assert result.exit_code == 1
    assert "at least 40 columns" in result.stderr


def test_show_without_histoprint_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "histoprint", None)
    result = run("show", MLL)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{MLL}: the terminal plot needs histoprint: pip install 'histfmt[plot]'\n"
    )


def test_show_reads_stdin() -> None:
    result = run("show", "-", "--width", "60", input=CUTFLOW.read_bytes())
    assert result.exit_code == 0, result.output
    assert "SR-low" in result.stdout


def test_show_too_many_bins_asks_for_rebin(tmp_path: Path) -> None:
    doc = histfmt.Document.new(np.linspace(0.0, 1.0, 1201)).add_yield("a", np.ones(1200))
    path = tmp_path / "fine.json"
    histfmt.dump(doc.add_stack(["a"]), path)
    result = run("show", path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}: 1200 bins are too many to draw in a terminal (at most 1000); "
        "merge them with --rebin\n"
    )
    assert run("show", path, "--rebin", "0,0.5,1").exit_code == 0
