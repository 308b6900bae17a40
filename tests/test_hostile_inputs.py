"""Inputs made to hurt: compressed bombs, alias bombs, endless files. Each is refused
quickly with a message that names the limit or the reason, never a hang or a traceback."""

from __future__ import annotations

import gzip
import json
import os
import re
import threading
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli
from histfmt.convert import registry
from histfmt.errors import LimitError
from histfmt.io import gunzip
from histfmt.limits import Limits, set_default_limits

RESOURCES = Path(__file__).parent / "resources"
BILLION_LAUGHS = b"""histfmt: "1.1"
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
x: {edges: [0, 1]}
yields: {a: {values: *i}}
"""


def _bomb(size: int) -> bytes:
    """A gzip stream of ``size`` zero bytes, made without holding them."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(16 * 1024**2)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join([*parts, compressor.flush()])


def test_yaml_aliases_are_refused_before_they_expand(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_bytes(BILLION_LAUGHS)
    with pytest.raises(histfmt.HistfmtError, match=r"YAML aliases \(\*name\) are not allowed"):
        histfmt.load(path)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "laughs.yaml: YAML aliases (*name) are not allowed, at line 3, column 8" in (
        result.stderr
    )


def test_a_gzip_bomb_is_refused_while_decompressing(tmp_path: Path) -> None:
    bomb = _bomb(64 * 1024**2)  # 64 MiB of zeros in about 64 KiB
    assert len(bomb) < 200_000
    with pytest.raises(histfmt.HistfmtError, match="exceeds the limit of 1048576 bytes"):
        gunzip(bomb, filename="bomb.json.gz", limit=1024**2)
    assert Limits().decompressed_bytes == 1024**3
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(bomb)
    small = Limits(decompressed_bytes=32 * 1024**2)
    with pytest.raises(LimitError, match=f"limit of {32 * 1024**2} bytes once decompressed"):
        histfmt.load(path, limits=small)
    previous = set_default_limits(small)  # as the viewer configures it
    try:
        with pytest.raises(LimitError, match="limit decompressed_bytes") as caught:
            histfmt.load(path)
    finally:
        set_default_limits(previous)
    assert caught.value.limit == "decompressed_bytes"
    assert caught.value.filename == str(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x1f\x8b\x08\x00garbage after the magic bytes", "not a valid gzip file"),
        (gzip.compress(b'{"histfmt": "1.1"}')[:-12], "not a valid gzip file"),
    ],
)
def test_broken_gzip_is_a_clear_refusal(data: bytes, message: str) -> None:
    with pytest.raises(histfmt.HistfmtError, match=message):
        histfmt.loads(data, filename="broken.json.gz", format="json.gz")


def test_endless_files_are_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(histfmt.HistfmtError, match="not a regular file"):
        histfmt.load("/dev/zero")
    with pytest.raises(histfmt.HistfmtError, match="is a folder"):
        histfmt.load(tmp_path)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            histfmt.load(fifo)
        except BaseException as error:  # the assertion below says which
            outcome.append(error)
        else:
            outcome.append(None)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "reading a named pipe waited for a writer"
    assert isinstance(outcome[0], histfmt.HistfmtError)
    assert "not a regular file" in str(outcome[0])
    for command in ("validate", "info", "render"):
        result = CliRunner().invoke(cli, [command, "/dev/zero"])
        assert result.exit_code == 1, (command, result.output)
        assert "/dev/zero: not a regular file" in result.stderr, command


# -- limits, duplicate keys, nesting ---------------------------------------------------


def _plot() -> histfmt.Document:
    return histfmt.Document.new([0, 1, 2]).add_yield("ttbar", [1.0, 2.0], stat=[1.0, 1.0])


PLOT_JSON = histfmt.dumps(_plot()).decode()


def _edit(old: str, new: str) -> str:
    return PLOT_JSON.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "path", "key"),
    [
        # an invalid first definition of a yield must not silently disappear
        (_edit('"yields":{', '"yields":{"ttbar":{"values":"bad"},'), "yields.ttbar", "ttbar"),
        (_edit('"values":[', '"values":"x","values":['), "yields.ttbar.values", "values"),
        (_edit('"histfmt":', '"histfmt":"1.1","histfmt":'), "histfmt", "histfmt"),
        (_edit('"ttbar":{', '"ttbar":{"label":"a\\"b","label" :"c",'),
         "yields.ttbar.label", "label"),
        (_edit('"yields":{', '"yields":{"\\u0074tbar":{"values":[1,2]},'), "yields.ttbar", "ttbar"),
    ],
)  # fmt: skip
def test_duplicate_json_keys_are_refused_with_their_path(text: str, path: str, key: str) -> None:
    with pytest.raises(histfmt.ValidationError) as caught:
        histfmt.loads(text, filename="dup.json")
    assert str(caught.value) == (
        f"dup.json: {path}: the key {key!r} appears more than once in this object; "
        "keys must be unique"
    )


def test_equal_keys_in_different_objects_are_fine() -> None:
    doc = _plot().add_yield("data", [1.0, 2.0], label="x")
    doc.metadata.extra = {"a": {"label": 1}, "b": [{"label": 2}, {"label": 3}]}
    assert histfmt.loads(histfmt.dumps(doc, indent=2)) == doc


def test_duplicate_yaml_keys_are_refused_with_their_path() -> None:
    text = histfmt.dumps(_plot(), format="yaml").decode()
    bad = text.replace("yields:\n", "yields:\n  ttbar: {values: bad}\n", 1)
    with pytest.raises(histfmt.ValidationError, match=r"^dup.yaml: yields\.ttbar: the key 'ttbar'"):
        histfmt.loads(bad, filename="dup.yaml", format="yaml")
    deep = text.replace("metadata: {}", "metadata:\n  extra: {a: [1, {b: 1, b: 2}]}")
    with pytest.raises(histfmt.ValidationError, match=r"metadata\.extra\.a\[1\]\.b: the key 'b'"):
        histfmt.loads(deep, filename="dup.yaml", format="yaml")


@pytest.mark.parametrize("depth", [101, 900, 5000])
@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ('{"a":', "}")])
def test_deep_nesting_is_refused_naming_the_limit(depth: int, opening: str, closing: str) -> None:
    nested = opening * depth + "1" + closing * depth
    text = PLOT_JSON.replace('"metadata":{}', f'"metadata":{{"extra":{{"d":{nested}}}}}')
    with pytest.raises(LimitError, match=r"nested deeper than 100 levels \(limit depth = 100\)"):
        histfmt.loads(text, filename="deep.json")
    yaml_text = "histfmt: '1.1'\nx: {edges: [0, 1]}\nd: " + "[" * depth + "]" * depth + "\n"
    # libyaml stops at 1,000 levels on its own, before it says where
    with pytest.raises(LimitError, match=r"deep.yaml: (d(\[0\])+|\$): nested deeper than 100"):
        histfmt.loads(yaml_text, filename="deep.yaml", format="yaml")


def test_a_deep_writer_info_is_refused_on_export_not_a_recursion_error(tmp_path: Path) -> None:
    doc = _plot()
    inner: dict[str, object] = {}
    doc.writer_info = {"mine": inner}
    for _ in range(500):
        inner["a"] = inner = {}
    for format in ("yaml", "json"):
        with pytest.raises(LimitError, match=r"^writer_info\.mine\.a\.a.*: nested deeper than 100"):
            histfmt.dumps(doc, format=format)  # type: ignore[arg-type]
    with pytest.raises(LimitError, match=r"deep\.yaml: writer_info"):
        histfmt.dump(doc, tmp_path / "deep.yaml")
    deeper = Limits(depth=600)
    assert histfmt.loads(histfmt.dumps(doc, limits=deeper), limits=deeper) == doc
    with pytest.raises(histfmt.HistfmtError, match="nested too deep for the YAML writer"):
        histfmt.dumps(doc, format="yaml", limits=deeper)


def test_limits_are_set_per_call_or_for_the_process() -> None:
    text = histfmt.dumps(_plot().add_yield("data", [1.0, 1.0]))
    cases = {
        "yields": (Limits(yields=1), "yields: 2 yields (limit yields = 1)"),
        "bins_per_axis": (Limits(bins_per_axis=1), "x: an axis of 2 bins (limit bins_per_axis"),
        "bins": (Limits(bins=1), "x: 2 bins in all, flow bins included (limit bins = 1)"),
        "string_length": (Limits(string_length=4), "x.kind: a string of 7 characters"),
    }  # fmt: skip
    for name, (limits, message) in cases.items():
        with pytest.raises(LimitError, match=re.escape(f"plot.json: {message}")) as caught:
            histfmt.loads(text, filename="plot.json", limits=limits)
        assert caught.value.limit == name
    previous = set_default_limits(Limits(yields=1))
    try:
        with pytest.raises(LimitError, match="limit yields = 1"):
            histfmt.loads(text)
    finally:
        set_default_limits(previous)
    assert histfmt.loads(text).yields.keys() == {"ttbar", "data"}
    with pytest.raises(ValueError, match=r"Limits\.depth must be a positive integer"):
        Limits(depth=0)


def test_huge_integers_in_yaml_are_refused_naming_the_limit(tmp_path: Path) -> None:
    text = "histfmt: '1.1'\nx: {edges: [0, 1]}\nmetadata: {extra: {n: " + "1" * 5000 + "}}\n"
    with pytest.raises(LimitError, match=r"metadata\.extra\.n: a number of 5,000 characters"):
        histfmt.loads(text, filename="big.yaml", format="yaml")
    table = (RESOURCES / "hepdata" / "table_asymmetric.yaml").read_text()
    path = tmp_path / "table.yaml"
    path.write_text(table.replace("value:", "value: " + "9" * 5000 + " #", 1))
    with pytest.raises(LimitError, match="limit number_digits = 1,000"):
        registry.read_book(path)


def test_a_uhi_axis_of_a_trillion_bins_is_refused_before_allocating() -> None:
    axis = {"type": "regular", "lower": 0, "upper": 1, "bins": 10**12, "underflow": True,
            "overflow": True, "circular": False}  # fmt: skip
    text = json.dumps({"uhi_schema": 1, "axes": [axis], "storage": {"type": "double"}})
    with pytest.raises(
        LimitError, match=r"^huge.json: histogram\.axes\[0\]\.bins: an axis of 1,000,000,000,000 "
    ):
        registry.read_book(text.encode(), name="huge.json")
    axis["bins"] = -1
    with pytest.raises(histfmt.HistfmtError, match="expected a positive number of bins"):
        registry.read_book(json.dumps({**json.loads(text), "axes": [axis]}).encode(), name="h.json")


def test_uhi_reading_validates_what_it_makes() -> None:
    axis = {"type": "regular", "lower": 0, "upper": 1, "bins": 2, "underflow": False,
            "overflow": False, "circular": False}  # fmt: skip
    histogram = {"uhi_schema": 1, "axes": [axis], "metadata": {"label": "\ud800"},
                 "storage": {"type": "double", "values": [1, 2]}}  # fmt: skip
    data = json.dumps(histogram).encode()
    with pytest.raises(histfmt.ValidationError, match=r"^h\.json: yields\.histogram\.label: text"):
        registry.read_book(data, name="h.json")


def test_a_hepdata_file_name_with_nul_is_refused(tmp_path: Path) -> None:
    from histfmt.convert.hepdata.files import tar_gz

    submission = b'---\ndata_file: "a\\0b.yaml"\nname: T\ndescription: x\n'
    archive = tar_gz({"submission.yaml": submission})
    with pytest.raises(histfmt.HistfmtError, match=r"a file name with a NUL character"):
        registry.read_book(archive, name="s.tar.gz")
    (tmp_path / "submission.yaml").write_bytes(submission)
    with pytest.raises(histfmt.HistfmtError, match=r"a file name with a NUL character"):
        registry.read_book(tmp_path)


def test_what_a_converter_raises_becomes_a_histfmt_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from histfmt.convert import uhi_file

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("fKeys")

    monkeypatch.setattr(uhi_file, "read_book", broken)
    data = (RESOURCES / "real" / "uhi" / "reg.json").read_bytes()
    with pytest.raises(
        histfmt.HistfmtError, match=r"^r\.json: cannot read this uhi input \(KeyError"
    ) as caught:
        registry.read_book(data, name="r.json")
    assert isinstance(caught.value.__cause__, KeyError)


# -- the command line: exit 1 for the input, 2 for a bug ---------------------------------


def test_unreadable_inputs_exit_1_with_the_reason(tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    cases = {
        str(tmp_path): "is a folder, not a file",
        str(loop): "Too many levels of symbolic links",
        str(tmp_path / "missing.json"): "missing.json: ",
    }
    for path, reason in cases.items():
        for command in (["validate"], ["info"], ["show"], ["render"], ["convert"]):
            arguments = [*command, path] + (
                [str(tmp_path / "out.json")] if command == ["convert"] else []
            )
            result = CliRunner().invoke(cli, arguments)
            if command != ["validate"] and path == str(tmp_path):
                continue  # a folder is a HEPData submission to the other commands
            assert result.exit_code == 1, (command, path, result.output)
            assert reason in result.stderr, (command, path, result.stderr)
            assert "Traceback" not in result.output + result.stderr


def test_a_bug_exits_2_with_one_line_and_a_traceback_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import histfmt.summary

    def bug(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug\nwith two lines")

    monkeypatch.setattr(histfmt.summary, "summarize", bug)
    path = tmp_path / "plot.json"
    histfmt.dump(_plot(), path)
    result = CliRunner().invoke(cli, ["info", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}: internal error: RuntimeError('a bug\\nwith two lines') "
        "(HISTFMT_DEBUG=1 shows where)\n"
    )
    monkeypatch.setenv("HISTFMT_DEBUG", "1")
    result = CliRunner().invoke(cli, ["info", str(path)])
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
