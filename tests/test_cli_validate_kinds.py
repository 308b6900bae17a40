"""``histfmt validate --kind``: every input ``convert`` reads, validated as histfmt plots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli

from .conftest import RESOURCES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mll_data_vs_mc.json"
REAL = RESOURCES / "real"
WRITTEN = {"uhepp": "plot_uhepp.json", "uhi": "plot_uhi.json", "hepdata": "submission.tar.gz",
           "root": "plot.root", "yoda": "plot.yoda"}  # fmt: skip


def _validate(*args: str, stdin: bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args], input=stdin)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example, converted to every kind histfmt writes."""
    folder = tmp_path_factory.mktemp("kinds")
    paths = {}
    for kind, name in WRITTEN.items():
        target = folder / name
        result = CliRunner().invoke(cli, ["convert", str(EXAMPLE), str(target), "--to", kind])
        assert result.exit_code == 0, result.output
        paths[kind] = target
    return paths


@pytest.mark.parametrize("kind", list(WRITTEN))
def test_every_written_kind_validates_detected_and_named(
    kind: str, written: dict[str, Path]
) -> None:
    path = str(written[kind])
    for option in ("auto", kind):
        code, output = _validate("--kind", option, path)
        assert code == 0, output
        assert output.startswith(f"{path}: ok"), option  # YODA: a book of its objects
    # the default stays histfmt documents, and says how to read this one
    code, output = _validate(path)
    assert code == 1
    assert "use --kind auto to read it" in output


@pytest.mark.parametrize(
    "path",
    [REAL / "root" / "uproot-histograms.root", REAL / "uhi" / "reg.json",
     REAL / "hepdata" / "ins1397637", REAL / "yoda" / "rivet_TEST.yoda",
     REAL / "pyhf" / "example_bkgonly.json"],
    ids=lambda path: path.parent.name,
)  # fmt: skip
def test_real_files_of_every_kind(path: Path) -> None:
    plots = len(histfmt.convert.registry.read_book(path).plots)
    code, output = _validate("--kind", "auto", str(path))
    assert code == 0, output
    assert output == f"{path}: ok{'' if plots == 1 else f' (a book of {plots} plots)'}\n"


def test_a_wrong_kind_is_exit_one_naming_the_file(written: dict[str, Path]) -> None:
    path = str(written["root"])
    code, output = _validate("--kind", "uhi", path)
    assert code == 1
    assert output.startswith(f"{path}: ")
    assert "Traceback" not in output


def test_what_a_converter_reads_is_validated(
    written: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from histfmt.convert import registry

    read_book = registry.read_book

    def broken(*args: object, **kwargs: object) -> histfmt.Book:
        book = read_book(*args, **kwargs)  # type: ignore[arg-type]
        doc = next(iter(book.plots.values()))
        name = next(iter(doc.yields))
        doc.yields[name].values = np.asarray(doc.yields[name].values)[:3]  # a converter's slip
        return book

    monkeypatch.setattr(registry, "read_book", broken)
    path = str(written["uhi"])
    code, output = _validate("--kind", "auto", path)
    assert code == 1
    assert output.startswith(f"{path}: plots.plot_uhi.yields.")  # the plot and its path
    assert "values: expected" in output
    assert "Traceback" not in output


def test_stdin_with_a_kind(written: dict[str, Path]) -> None:
    data = written["uhi"].read_bytes()
    assert _validate("--kind", "uhi", "-", stdin=data) == (0, "-: ok\n")
    assert _validate("--kind", "auto", "-", stdin=data) == (0, "-: ok\n")
    code, output = _validate("-", stdin=data)
    assert code == 1
    assert "not a histfmt document" in output


def test_an_unexpected_failure_is_exit_two(
    written: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("histfmt.validate", explode)
    code, output = _validate("--kind", "uhi", str(written["uhi"]))
    assert code == 2
    assert "internal error: RuntimeError('boom')" in output
