"""Inputs made to hurt: compressed bombs, alias bombs, endless files. Each is refused
quickly with a message that names the limit or the reason, never a hang or a traceback."""

from __future__ import annotations

import gzip
import os
import threading
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli
from histfmt.errors import LimitError
from histfmt.io import gunzip
from histfmt.limits import Limits, set_default_limits

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
