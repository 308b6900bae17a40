"""Every real file of other tools in tests/resources/real: read into a valid book, or
refused with a message saying what histfmt cannot hold. Each converter's own tests check
the numbers against the file's own library; this one checks the whole collection."""

from __future__ import annotations

from pathlib import Path

import pytest

import histfmt
from histfmt.convert import registry

from .conftest import RESOURCES

REAL = RESOURCES / "real"
INPUTS = sorted(
    [*REAL.glob("root/*.root"), *REAL.glob("uhi/*.json"), *REAL.glob("yoda/*.yoda*")]
    + [path for path in (REAL / "hepdata").iterdir() if path.is_dir()]
)
REFUSED = {
    "uproot-issue-227b.root": "TProfile3D: a 3-D histogram; histfmt holds 1-D and 2-D",
    "uproot-issue209.root": "TEfficiency",  # uproot itself cannot read its classes
}
NO_PLOT = {  # read, but nothing in them is a plot: what they hold is listed in the book
    "babyyoda_test_counter_v3.yoda": "counters",  # a Counter, kept in the book's metadata
}


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_real_file_reads_into_a_valid_book_or_says_why_not(path: Path, tmp_path: Path) -> None:
    if path.name in REFUSED:
        with pytest.raises(histfmt.HistfmtError) as caught:
            registry.read_book(path)
        assert REFUSED[path.name] in str(caught.value)
        assert str(path) in str(caught.value)
        return
    book = registry.read_book(path)
    if path.name in NO_PLOT:
        assert not book.plots
        assert book.metadata.extra[NO_PLOT[path.name]]
    else:
        assert book.plots, path
    histfmt.dump(book, tmp_path / "book.json")  # validated: never a book histfmt rejects
    assert histfmt.load_book(tmp_path / "book.json") == book


def test_nineteen_in_twenty_files_give_plots() -> None:
    """Of the files their own library reads (all but uproot-issue209.root), those giving
    at least one plot: issue 10 asks for 95%. The rest: a 3-D profile (refused) and a
    file of one YODA Counter (held in the book's metadata, not a plot)."""
    readable_by_their_library = len(INPUTS) - 1
    with_plots = len(INPUTS) - len(REFUSED) - len(NO_PLOT)
    assert with_plots / readable_by_their_library >= 0.95, (with_plots, readable_by_their_library)
    assert len(INPUTS) >= 40
