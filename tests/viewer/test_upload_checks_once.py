"""An upload is validated once: what is stored is still exactly what ``histfmt.dumps``
writes, every refusal still happens, and the cached label verdicts equal fresh ones."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import histfmt
from histfmt.render import labels
from histfmt_viewer.documents import (
    Refused,
    checked_plots,
    checked_text,
    parse_book_upload,
    parse_upload,
    stored_text,
)

ROOT = Path(__file__).resolve().parents[2]
UPLOADS = [
    *sorted((ROOT / "examples").glob("*.json")),
    *sorted((ROOT / "tests" / "resources" / "valid").glob("*.json")),
    *sorted((ROOT / "tests" / "resources" / "real" / "uhi").glob("*.json")),
    *sorted((ROOT / "tests" / "resources" / "real" / "yoda").glob("*.yoda")),
]
UPLOADS.remove(ROOT / "tests" / "resources" / "real" / "yoda" / "babyyoda_test_counter_v3.yoda")
# ^ a counter only: no plot to show


@pytest.mark.parametrize("path", UPLOADS, ids=lambda path: path.name)
def test_the_stored_text_is_what_dumps_writes(path: Path) -> None:
    data = path.read_bytes()
    book = parse_book_upload(data, path.name)
    for _path, doc in checked_plots(book):
        assert checked_text(doc) == histfmt.dumps(doc).decode() == stored_text(doc)
    if len(book.plots) == 1:
        doc = parse_upload(data, path.name)
        assert checked_text(doc) == histfmt.dumps(doc).decode()


def test_an_invalid_upload_is_still_refused_by_the_one_validation() -> None:
    data = (ROOT / "examples" / "mll_data_vs_mc.json").read_bytes()
    bad = data.replace(b'"edges"', b'"edges": [3, 2, 1], "old_edges"', 1)
    with pytest.raises(Refused) as caught:
        parse_book_upload(bad, "bad.json")
    assert caught.value.as_dicts()[0]["path"].startswith("x")
    surrogate = data.replace(b'"title": "', b'"title": "\\ud800', 1)
    assert surrogate != data
    with pytest.raises(Refused, match="surrogate"):
        parse_upload(surrogate, "surrogate.json")


LABELS = [
    "plain",
    "$m_{\\ell\\ell}$ [GeV]",
    "$\\frac{a}{b}$",
    "$\\frac{$",
    "unbalanced $x",
    "$\\sqrt{s}$ = 13 TeV, $\\mathcal{L}$",
    "$\\nonsensecommand$",
    "\\$ literal",
    "$x^{2$",
]


def _fresh(text: str) -> str | None:
    return labels.mathtext_problem.__wrapped__(text)  # type: ignore[attr-defined]


def test_a_cached_label_verdict_equals_a_fresh_one_also_under_threads() -> None:
    pytest.importorskip("matplotlib")
    fresh = {text: _fresh(text) for text in LABELS}
    assert [text for text in LABELS if fresh[text] is None] == [
        "plain", "$m_{\\ell\\ell}$ [GeV]", "$\\frac{a}{b}$", "$\\sqrt{s}$ = 13 TeV, $\\mathcal{L}$",
        "\\$ literal",
    ]  # fmt: skip
    labels.mathtext_problem.cache_clear()
    seen: list[tuple[str, str | None]] = []
    barrier = threading.Barrier(8)

    def check() -> None:
        barrier.wait()
        for _ in range(3):
            for text in LABELS:
                seen.append((text, labels.mathtext_problem(text)))

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 * 3 * len(LABELS)
    assert all(verdict == fresh[text] for text, verdict in seen)
    assert {text: labels.mathtext_problem(text) for text in LABELS} == fresh
