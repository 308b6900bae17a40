"""The document commands on books (files of many plots) and on other tools' files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import histfmt
from histfmt.cli import cli

from .conftest import RESOURCES

BOOK = RESOURCES / "valid" / "book.json"
BAD_BOOK = RESOURCES / "invalid" / "book_with_bad_plot_values.json"
UHI_MEAN = RESOURCES / "real" / "uhi" / "mean.json"


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_validate_says_a_book_is_a_book_and_names_the_plot_at_fault() -> None:
    result = run("validate", BOOK, BAD_BOOK)
    assert result.exit_code == 1
    assert f"{BOOK}: ok (a book of 3 plots)" in result.stdout
    assert f'{BAD_BOOK}: plots["dir/bad"].yields.a.values: expected 1 value, got 2' in (
        result.stderr
    )


def test_info_lists_the_plots_of_a_book() -> None:
    result = run("info", BOOK)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{BOOK}  (histfmt 1.1): a book of 3 plots"
    assert lines[1] == "  title  Two control regions"
    assert lines[2].split() == ["CR1/njets", "3", "bins", "0..3;", "yields:", "data"]
    assert lines[4].startswith("  Table 3    2 categories; yields: eff")


def test_info_of_one_plot_and_of_a_selection() -> None:
    one = run("info", BOOK, "--plot", "CR2/met", "--json")
    assert one.exit_code == 0, one.output
    summary = json.loads(one.stdout)
    assert summary["yields"][0]["total"] == 48
    assert summary["x"]["unit"] == "GeV"
    chosen = json.loads(run("info", BOOK, "--select", "CR*", "--json").stdout)
    assert [plot["path"] for plot in chosen["plots"]] == ["CR1/njets", "CR2/met"]
    single = run("info", BOOK, "--select", "Table*")
    assert single.exit_code == 0
    assert "eff" in single.stdout
    assert "a book of" not in single.stdout  # one plot left: its full summary
    missing = run("info", BOOK, "--select", "nothing*")
    assert missing.exit_code == 1
    assert "no plot matches 'nothing*'; the paths are 'CR1/njets', 'CR2/met', 'Table 3'" in (
        missing.stderr
    )
    wrong = run("info", BOOK, "--plot", "CR3")
    assert wrong.exit_code == 1
    assert "no plot 'CR3'" in wrong.stderr


def test_info_and_show_read_other_tools_files() -> None:
    """What convert reads, info and show read too (a UHI file of two histograms here)."""
    info = run("info", UHI_MEAN)
    assert info.exit_code == 0, info.output
    show = run("show", UHI_MEAN, "--width", "80", "--no-color")
    assert show.exit_code == 0, show.output


def test_show_draws_every_plot_of_a_book_under_its_path() -> None:
    result = run("show", BOOK, "--width", "80", "--no-color")
    assert result.exit_code == 0, result.output
    headers = [line for line in result.stdout.splitlines() if line.startswith("== ")]
    assert headers == ["== CR1/njets", "== CR2/met", "== Table 3"]
    one = run("show", BOOK, "--plot", "CR2/met", "--width", "80", "--no-color")
    assert one.exit_code == 0
    assert "== " not in one.stdout


def test_render_draws_one_image_per_plot_in_a_folder(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    result = run("render", BOOK, "-o", tmp_path / "images")
    assert result.exit_code == 0, result.output
    images = sorted(p.relative_to(tmp_path / "images").as_posix() for p in tmp_path.rglob("*.png"))
    assert images == ["CR1/njets.png", "CR2/met.png", "Table_3.png"]
    assert "3 of 3 drawn" in result.stdout
    beside = tmp_path / "beside"
    beside.mkdir()
    copy = beside / "regions.json"
    copy.write_bytes(BOOK.read_bytes())
    result = run("render", copy, "--select", "CR2/*", "-f", "svg")
    assert result.exit_code == 0, result.output
    assert (beside / "regions.svg").exists()  # one plot selected: one image, as for a document


def test_convert_a_book_to_one_file_per_plot_and_back(tmp_path: Path) -> None:
    result = run("convert", BOOK, f"{tmp_path / 'plots'}/")
    assert result.exit_code == 0, result.output
    book = histfmt.load_book(BOOK)
    written = sorted(p.relative_to(tmp_path / "plots").as_posix() for p in tmp_path.rglob("*.json"))
    assert written == ["CR1/njets.json", "CR2/met.json", "Table_3.json"]
    assert histfmt.load(tmp_path / "plots" / "CR2" / "met.json") == book.plots["CR2/met"]
    result = run("convert", BOOK, tmp_path / "copy.yaml", "--select", "CR*")
    assert result.exit_code == 0, result.output
    again = histfmt.load_book(tmp_path / "copy.yaml")
    assert list(again.plots) == ["CR1/njets", "CR2/met"]
    assert again.plots["CR1/njets"] == book.plots["CR1/njets"]


def test_a_hepdata_submission_folder_is_read_by_info_and_render(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    folder = RESOURCES / "real" / "hepdata" / "ins1397637"
    info = run("info", folder, "--select", "Table 7")
    assert info.exit_code == 0, info.output
    assert "Correlation matrix element" in info.stdout
    result = run("render", folder, "-o", f"{tmp_path}/", "--select", "Table [17]")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Table_1.png", "Table_7.png"]
