"""Reading documents from several threads at once, in a fresh interpreter (a web server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mll_data_vs_mc.json"
FIRST_READS_AT_ONCE = """
import json, sys, threading
import histfmt

data = open(sys.argv[1], "rb").read()
obj = json.loads(data)
barrier = threading.Barrier(8)

def read(index):
    barrier.wait()
    doc = histfmt.loads(data) if index % 2 else histfmt.io.from_builtins(obj)
    assert doc.metadata.title

threads = [threading.Thread(target=read, args=(i,)) for i in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("ok")
"""


@pytest.mark.parametrize("run", range(5))
def test_first_reads_in_threads_at_once(run: int) -> None:
    """The first decode of a process builds msgspec's type information; threads doing
    it at the same moment used to crash the interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", FIRST_READS_AT_ONCE, str(EXAMPLE)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr[-2000:]
