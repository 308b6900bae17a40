"""``histfmt compare``: the table, --json, the overlay file and the exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "mll_data_vs_mc.json"


@pytest.fixture
def versions(tmp_path: Path) -> tuple[str, str, str]:
    """The example, an identical copy and a version whose ttbar yield is 10 % higher."""
    same, changed = tmp_path / "same.json", tmp_path / "changed.json"
    histfmt.dump(histfmt.load(EXAMPLE), same)
    doc = histfmt.load(EXAMPLE)
    doc.yields["ttbar"].values = doc.yields["ttbar"].values * 1.1
    histfmt.dump(doc, changed)
    return str(EXAMPLE), str(same), str(changed)


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, ["compare", *args])


def test_identical_plots_exit_zero(versions: tuple[str, str, str]) -> None:
    original, same, _ = versions
    result = _run(original, same, "--quantity", "prediction")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"reference: {original} (prediction, band stat)"
    assert lines[1].split() == ["file", "quantity", "chi2/ndf", "p-value", "KS", "compatible"]
    assert lines[2].split() == [same, "prediction", "0/40", "=", "0", "1", "0", "yes"]
    assert lines[3] == "1 of 1 compatible with the reference (p-value >= 0.05)"


def test_a_changed_yield_exits_one(versions: tuple[str, str, str]) -> None:
    original, same, changed = versions
    result = _run(original, same, changed, "--quantity", "prediction")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[3].split()[-1] == "NO"
    assert "1 of 2 compatible" in result.stdout
    # the data did not change: the default quantity
    assert _run(original, changed).exit_code == 0
    # nor did the zll yield; a generous threshold passes anything but p = 0
    assert _run(original, changed, "--quantity", "zll").exit_code == 0
    assert _run(original, changed, "--quantity", "ttbar", "--threshold", "0").exit_code == 0


def test_json_report(versions: tuple[str, str, str]) -> None:
    original, same, changed = versions
    result = _run(original, same, changed, "--json", "--quantity", "prediction",
                  "--reference", same)  # fmt: skip
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"reference", "threshold", "compatible", "inputs", "pairs", "overlay"}
    assert (report["reference"], report["threshold"], report["compatible"]) == (same, 0.05, False)
    assert report["overlay"] is None
    assert [entry["name"] for entry in report["inputs"]] == [original, same, changed]
    assert set(report["inputs"][0]) == {"name", "quantity", "yields", "error", "kind", "rebinned"}
    assert report["inputs"][0]["yields"] == ["fakes", "diboson", "ttbar", "zll"]
    first, second = report["pairs"]
    assert set(first) == {
        "reference", "other", "chi2", "ndf", "chi2_ndf", "p_value", "ks", "compatible"
    }  # fmt: skip
    assert (first["other"], first["chi2"], first["ndf"], first["compatible"]) == (
        original, 0.0, 40, True
    )  # fmt: skip
    assert second["other"] == changed
    assert second["chi2"] == pytest.approx(549.4328204626)  # as the library computes it
    assert second["p_value"] == pytest.approx(9.4818408319e-91)
    assert second["ks"] == pytest.approx(0.0097251291)


def test_overlay_as_an_image_and_as_a_document(
    versions: tuple[str, str, str], tmp_path: Path
) -> None:
    original, _, changed = versions
    image = tmp_path / "overlay.png"
    result = _run(original, changed, "--quantity", "prediction", "-o", str(image))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == f"overlay: {image}"
    assert image.read_bytes().startswith(b"\x89PNG")
    document = tmp_path / "overlay.json"
    assert _run(original, changed, "-o", str(document)).exit_code == 0
    overlay = histfmt.load(document)  # validated
    assert overlay.metadata.extra["comparison"]["pairs"][0]["chi2"] == 0.0
    drawn = CliRunner().invoke(cli, ["render", str(document), "-o", str(tmp_path / "o.svg")])
    assert drawn.exit_code == 0, drawn.output
    assert (tmp_path / "o.svg").read_text().startswith("<?xml")


def test_input_problems_exit_one_with_the_file_named(
    versions: tuple[str, str, str], tmp_path: Path
) -> None:
    original, same, _ = versions
    other = tmp_path / "other.json"
    histfmt.dump(histfmt.Document.new([0, 1, 3]).add_yield("n", [1.0, 2.0]), other)
    result = _run(original, str(other))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{other}: x: the bins differ and neither binning refines the other: 2 bins from 0 "
        f"to 3 here, 40 bins from 50 to 250 in '{original}'"
    )
    missing = _run(original, "no/such.json")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("no/such.json: ")
    assert "Traceback" not in missing.output
    unknown = _run(original, str(other), "--reference", "x.json")
    assert unknown.exit_code == 1
    assert "the reference 'x.json' is not one of the documents compared" in unknown.stderr
    assert _run(original).exit_code == 2  # usage: one file
    bad_output = _run(original, same, "-o", str(tmp_path / "overlay.txt"))
    assert bad_output.exit_code == 1
    assert bad_output.stderr == (
        f"{tmp_path / 'overlay.txt'}: cannot tell the overlay's format from its suffix: "
        "use .png, .svg, .pdf (an image) or .json, .json.gz, .yaml (the document)\n"
    )
    assert _run(original, original).stderr == "compare: each file may be given once\n"


def test_plot_of_a_book(versions: tuple[str, str, str], tmp_path: Path) -> None:
    original, _, changed = versions
    book = tmp_path / "book.json"
    histfmt.dump(
        histfmt.Book.new({"mll": histfmt.load(changed), "other": histfmt.load(original)}), book
    )
    picked = _run(original, str(book), "--plot", "mll", "--quantity", "prediction")
    assert picked.exit_code == 1  # the changed version
    assert _run(original, str(book), "--plot", "other", "--quantity", "prediction").exit_code == 0
    unpicked = _run(original, str(book))
    assert unpicked.exit_code == 1
    assert "a book of 2 plots: pick one with --plot PATH" in unpicked.stderr


def test_error_option_replaces_every_band(tmp_path: Path) -> None:
    nominal = ROOT / "examples" / "met_systematics.json"
    doc = histfmt.load(nominal)
    doc.yields["ttbar"].values = doc.yields["ttbar"].values * 1.15
    changed = tmp_path / "met.json"
    histfmt.dump(doc, changed)
    args = [str(nominal), str(changed), "--quantity", "prediction"]
    assert _run(*args).exit_code == 0
    strict = _run(*args, "--error", "stat")
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[0] == f"reference: {nominal} (prediction, band stat)"
    assert _run(*args, "--error", "bogus").exit_code == 2  # a usage error, as click makes it
