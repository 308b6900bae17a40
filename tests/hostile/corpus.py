"""Hundreds of bad inputs, each a file name and its bytes, made from valid files of every
kind the readers know: cut short, garbled, nested too deep, with duplicate keys, huge
numbers and axes, lone surrogates, NUL characters, aliases and broken gzip streams.

Deterministic (a seeded random generator): a failure names a case that stays the same.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
from collections.abc import Iterator
from pathlib import Path

import histfmt

RESOURCES = Path(__file__).parents[1] / "resources"
SEED = 20261130


def _valid_histfmt() -> dict[str, bytes]:
    doc = (
        histfmt.Document.new([0, 1, 2, 3], symbol="$m$", unit="GeV")
        .add_yield("ttbar", [3.0, 4.0, 5.0], stat=[1.0, 2.0, 2.0], label="$t\\bar{t}$")
        .add_yield("data", [4.0, 3.0, 6.0])
    )
    doc.add_stack(["ttbar"])
    doc.add_stack(["data"], type="points", error="poisson")
    return {
        "plot.json": histfmt.dumps(doc),
        "plot.yaml": histfmt.dumps(doc, format="yaml"),
        "plot.json.gz": histfmt.dumps(doc, format="json.gz"),
        "book.json": (RESOURCES / "valid" / "book.json").read_bytes(),
        "map.json": (RESOURCES / "valid" / "two_d_map.json").read_bytes(),
    }


def _valid_others() -> dict[str, bytes]:
    from histfmt.convert import uhepp

    doc = histfmt.Document.new([0, 1, 2]).add_yield("a", [1.0, 2.0], label="A")
    doc.add_stack(["a"])
    buffer = Path(__import__("tempfile").mkdtemp()) / "u.json"
    uhepp.write(doc, buffer)
    hepdata = RESOURCES / "real" / "hepdata" / "ins699647"
    return {
        "uhepp.json": buffer.read_bytes(),
        "uhi.json": (RESOURCES / "real" / "uhi" / "reg.json").read_bytes(),
        "uhi2d.json": (RESOURCES / "real" / "uhi" / "2d.json").read_bytes(),
        "Table1.yaml": (hepdata / "Table1.yaml").read_bytes(),
        "submission.tar.gz": _tar_gz(
            {"submission.yaml": (hepdata / "submission.yaml").read_bytes()}
            | {p.name: p.read_bytes() for p in sorted(hepdata.glob("Table*.yaml"))}
        ),
        "histo.yoda": (RESOURCES / "real" / "yoda" / "babyyoda_test_histo1d_v3.yoda").read_bytes(),
        "hist.root": (RESOURCES / "real" / "root" / "uproot-histograms.root").read_bytes(),
    }


def _tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _cuts(name: str, data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    for fraction in (0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99):
        yield f"cut{int(fraction * 100):02d}-{name}", data[: int(len(data) * fraction)]
    for i in range(6):
        garbled = bytearray(data)
        for _ in range(1 + i * 3):
            garbled[rng.randrange(len(garbled))] = rng.randrange(256)
        yield f"garbled{i}-{name}", bytes(garbled)
    for byte in (b"\x00", b"\xff", b"\\ud800", b'"', b"{", b"]", b"&a", b"*a"):
        position = rng.randrange(len(data))
        yield f"insert{byte.hex()}-{name}", data[:position] + byte + data[position:]


def _json_edits(name: str, text: str) -> Iterator[tuple[str, bytes]]:
    """Textual edits of a JSON file that keep it JSON but make it wrong."""
    edits = {
        "nan": ("3.0", "NaN"),
        "inf": ("3.0", "Infinity"),
        "hugeint": ("3.0", "1" * 5000),
        "hugefloat": ("3.0", "1" + "0" * 400 + ".5"),
        "exp": ("3.0", "1e999"),
        "surrogate": ('"ttbar"', '"\\ud800"'),
        "nul": ('"ttbar"', '"t\\u0000t"'),
        "rawnul": ('"ttbar"', '"t\x00t"'),
        "type": ('"values":[', '"values":"x","v":['),
        "unknown": ('"histfmt":', '"bogus":1,"histfmt":'),
        "version": ('"1.1"', '"1.1\\n"'),
        "futureversion": ('"1.1"', '"9.0"'),
        "dupkey": ('"values":[', '"values":"bad","values":['),
        "dupyield": ('"yields":{', '"yields":{"ttbar":{"values":"bad"},'),
        "emptykey": ('"ttbar"', '""'),
        "null": ('"values":[', '"values":null,"x2":['),
        "bom": ("{", "\ufeff{"),
        "trailing": ("}", "} THIS IS NOT JSON", 1),
    }
    for label, (old, new, *count) in edits.items():
        if old in text:
            yield f"{label}-{name}", text.replace(old, new, *count).encode("utf-8", "surrogatepass")
    doc = json.loads(text)
    for depth in (150, 5000):
        for opening, closing in (("[", "]"), ('{"a":', "}")):
            nested = opening * depth + "1" + closing * depth
            deep = json.dumps({**doc, "metadata": {"extra": {"d": "NESTED"}}})
            deep = deep.replace('"NESTED"', nested)
            yield f"deep{depth}{opening[0]}-{name}", deep.encode()
    if "x" in doc:
        for bins in (10**7 + 1, 10**12):
            yield f"edges{bins}-{name}", text.replace('"edges":[', f'"edges":[{bins},', 1).encode()
    yield f"longstring-{name}", text.replace('"GeV"', '"' + "G" * 1_100_000 + '"').encode()


def _yaml_edits(name: str, text: str) -> Iterator[tuple[str, bytes]]:
    yield f"aliases-{name}", (text + "extra: &a [1, 2]\nmore: *a\n").encode()
    yield f"selfanchor-{name}", (text + "loop: &a [*a]\n").encode()
    yield (
        f"laughs-{name}",
        (
            text
            + "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
        ).encode(),
    )
    yield f"hugeint-{name}", (text + "n: " + "1" * 5000 + "\n").encode()
    yield f"dupkey-{name}", (text + "histfmt: '1.1'\n").encode()
    yield f"deep-{name}", (text + "d: " + "[" * 300 + "]" * 300 + "\n").encode()
    yield f"tabs-{name}", text.replace("  ", "\t").encode()
    yield f"complexkey-{name}", (text + "? [a, b]\n: 1\n").encode()
    yield f"tag-{name}", (text + "t: !!python/object:os.system ls\n").encode()


def _gzip_edits(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    yield f"gzipgarbage-{name}", b"\x1f\x8b\x08\x00garbage after the magic bytes"
    yield f"gzipcut-{name}", data[:-12]
    yield f"gzipjunk-{name}", data + b"junk after the stream"
    yield f"gzipnotjson-{name}", gzip.compress(b"\x00\x01\x02 not json")
    yield f"gzipempty-{name}", gzip.compress(b"")
    yield f"gzipnested-{name}", gzip.compress(data)


def _uhi_edits() -> Iterator[tuple[str, bytes]]:
    axis = {"type": "regular", "lower": 0, "upper": 1, "bins": 3, "underflow": True,
            "overflow": True, "circular": False}  # fmt: skip
    base = {"uhi_schema": 1, "axes": [axis], "storage": {"type": "double", "values": [0] * 5}}
    variants = {
        "bins1e12": {"axes": [{**axis, "bins": 10**12}]},
        "bins1e7": {"axes": [{**axis, "bins": 10**7 + 1}]},
        "binsneg": {"axes": [{**axis, "bins": -3}]},
        "binsfloat": {"axes": [{**axis, "bins": 2.5}]},
        "binsstr": {"axes": [{**axis, "bins": "3"}]},
        "lowerstr": {"axes": [{**axis, "lower": "0"}]},
        "nanlower": {"axes": [{**axis, "lower": float("nan")}]},
        "novalues": {"storage": {"type": "double"}},
        "shortvalues": {"storage": {"type": "double", "values": [1, 2]}},
        "strvalues": {"storage": {"type": "double", "values": "abc"}},
        "badstorage": {"storage": {"type": "quantum"}},
        "2d1e6": {"axes": [{**axis, "bins": 10**6}, {**axis, "bins": 10**6}]},
        "noaxes": {"axes": []},
        "axesnotlist": {"axes": {"a": 1}},
        "sparsebad": {"storage": {"type": "int", "index": [[99]], "values": [1]}},
        "catempty": {"axes": [{"type": "category_str", "categories": [], "flow": False}]},
        "catnul": {"axes": [{"type": "category_str", "categories": ["a\x00"], "flow": False}],
                   "storage": {"type": "double", "values": [1, 0]}},
        "labelsurrogate": {"metadata": {"label": "\ud800"}},
        "schema2": {"uhi_schema": 2},
    }  # fmt: skip
    for label, change in variants.items():
        text = json.dumps({**base, **change}, allow_nan=True, ensure_ascii=True)
        yield f"uhi-{label}.json", text.encode()


def _hepdata_edits() -> Iterator[tuple[str, bytes]]:
    submission = b'---\ndata_file: "a\\0b.yaml"\nname: Table 1\ndescription: x\n'
    yield "hepdata-nulname.tar.gz", _tar_gz({"submission.yaml": submission})
    yield "hepdata-missing.tar.gz", _tar_gz({"submission.yaml": submission.replace(b"\\0", b"")})
    yield (
        "hepdata-traversal.tar.gz",
        _tar_gz(
            {"submission.yaml": b"---\ndata_file: ../../../etc/passwd\nname: T\ndescription: x\n"}
        ),
    )
    yield "hepdata-nosubmission.tar.gz", _tar_gz({"Table1.yaml": b"independent_variables: []\n"})
    yield "hepdata-notar.tar.gz", gzip.compress(b"not a tar archive at all")
    table = (RESOURCES / "real" / "hepdata" / "ins699647" / "Table1.yaml").read_text()
    yield "hepdata-hugeint.yaml", table.replace("value:", "value: " + "9" * 5000 + " #", 1).encode()
    yield "hepdata-strvalue.yaml", table.replace("value:", "value: abc #", 1).encode()


def corpus() -> list[tuple[str, bytes]]:
    """Every hostile input: (file name, bytes). Names are unique and end in the suffix
    the input pretends to have."""
    rng = random.Random(SEED)
    cases: list[tuple[str, bytes]] = []
    histfmt_files = _valid_histfmt()
    for name, data in {**histfmt_files, **_valid_others()}.items():
        cases += _cuts(name, data, rng)
    for name in ("plot.json", "book.json", "map.json"):
        cases += _json_edits(name, histfmt_files[name].decode())
    cases += _json_edits("uhepp.json", _valid_others()["uhepp.json"].decode())
    cases += _yaml_edits("plot.yaml", histfmt_files["plot.yaml"].decode())
    cases += _yaml_edits("Table1.yaml", _valid_others()["Table1.yaml"].decode())
    cases += _gzip_edits("plot.json.gz", histfmt_files["plot.json.gz"])
    cases += _uhi_edits()
    cases += _hepdata_edits()
    cases += [
        ("empty.json", b""),
        ("spaces.json", b"   \n\t  "),
        ("null.json", b"null"),
        ("array.json", b"[1, 2, 3]"),
        ("string.json", b'"histfmt"'),
        ("number.json", b"1" * 5000),
        ("utf16.json", '{"histfmt": "1.1"}'.encode("utf-16")),
        ("latin1.json", b'{"histfmt": "1.1", "x": "\xe9"}'),
        ("binary.root", bytes(range(256)) * 4),
        ("root-magic.root", b"root\x00\x00\xf4\x4c" + b"\x00" * 100),
        ("yoda-cut.yoda", b"BEGIN YODA_HISTO1D_V2 /h\nPath: /h\n"),
        ("yoda-huge.yoda", b"BEGIN YODA_HISTO1D_V2 /h\n# xlow xhigh\n0 " + b"9" * 5000
         + b" 1 1 1 1 1\nEND YODA_HISTO1D_V2\n"),
    ]  # fmt: skip
    names = [name for name, _ in cases]
    assert len(names) == len(set(names)), "corpus names must be unique"
    return cases
