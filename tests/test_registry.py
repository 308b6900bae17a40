"""The converter interface: every kind is detected and read from bytes as from its file."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import histfmt
from histfmt.convert import hepdata, registry, root, uhepp, uhi_file
from histfmt.convert.registry import Kind
from histfmt.errors import HistfmtError

from .conftest import RESOURCES, ROOT

MLL = ROOT / "examples" / "mll_data_vs_mc.json"


def _files(tmp_path: Path) -> dict[str, tuple[Kind, Path]]:
    """One file of every kind, written from the same document."""
    doc = histfmt.load(MLL)
    histfmt.dump(doc, tmp_path / "doc.json.gz")
    uhepp.write(doc, tmp_path / "plot_uhepp.yaml")
    uhi_file.write(doc, tmp_path / "hists.json")
    hepdata.write(doc, tmp_path / "submission.tgz")
    root.write(doc, tmp_path / "yields.root")
    return {
        "histfmt json": ("histfmt", MLL),
        "histfmt gzip": ("histfmt", tmp_path / "doc.json.gz"),
        "uhepp yaml": ("uhepp", tmp_path / "plot_uhepp.yaml"),
        "uhi": ("uhi", tmp_path / "hists.json"),
        "hepdata table": ("hepdata", RESOURCES / "hepdata" / "table_asymmetric.yaml"),
        "hepdata archive": ("hepdata", tmp_path / "submission.tgz"),
        "root": ("root", tmp_path / "yields.root"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "histfmt json",
        "histfmt gzip",
        "uhepp yaml",
        "uhi",
        "hepdata table",
        "hepdata archive",
        "root",
    ],
)
def test_bytes_read_as_the_file(tmp_path: Path, case: str) -> None:
    kind, path = _files(tmp_path)[case]
    data = path.read_bytes()
    assert registry.detect(path) == kind
    assert registry.detect(data, name=path.name) == kind
    assert registry.read(data, name=path.name) == registry.read(path)


def test_errors_from_bytes_name_the_given_name() -> None:
    with pytest.raises(HistfmtError) as caught:
        registry.read(b'{"version": "0.4", "type": "histogram", "bins": 3}', name="up.json")
    assert caught.value.filename == "up.json"
    with pytest.raises(HistfmtError, match=r"^up\.bin: cannot tell what this is"):
        registry.detect(b"\x00\x01 nothing known", name="up.bin")
    with pytest.raises(HistfmtError, match=r"^up\.gz: cannot tell what this is"):
        registry.detect(b"\x1f\x8b not gzip after all", name="up.gz")


def test_a_lone_submission_file_cannot_reach_its_tables() -> None:
    data = (RESOURCES / "hepdata" / "submission" / "submission.yaml").read_bytes()
    assert registry.detect(data, name="submission.yaml") == "hepdata"
    with pytest.raises(HistfmtError, match="not given: a submission that names other files"):
        registry.read(data, name="submission.yaml")


def test_a_gzipped_histfmt_document_is_read_by_content(tmp_path: Path) -> None:
    data = gzip.compress(MLL.read_bytes())
    assert registry.read(data, name="upload") == histfmt.load(MLL)


def test_the_viewer_reads_uploads_without_a_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    pytest.importorskip("flask")

    from histfmt_viewer.documents import parse_upload

    files = _files(tmp_path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an upload was written to a temporary file")

    for name in ("TemporaryDirectory", "mkdtemp", "mkstemp", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, refuse)
    for case in ("histfmt gzip", "uhepp yaml", "uhi", "hepdata archive"):
        _, path = files[case]
        uploaded, read = parse_upload(path.read_bytes(), path.name), registry.read(path)
        if case != "histfmt gzip" and not isinstance(read.metadata.title, str):
            read.metadata.title = registry.stem(path.name)  # the viewer titles conversions
        assert uploaded == read
