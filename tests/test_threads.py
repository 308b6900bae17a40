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


LABEL_CHECKS_AND_DRAWING_AT_ONCE = """
import sys, threading
import histfmt
from histfmt.render.labels import drawing_issues
from histfmt.render.mpl import render

doc = histfmt.load(sys.argv[1])
labels = [r"$t\\bar{t}$", r"$Z\\to\\ell\\ell$", r"$m_{\\ell\\ell}$", r"$p_{T}^{j_1}$",
          r"$\\sqrt{s}=13$ TeV", r"$W\\to\\mu\\nu$", r"$\\gamma^*$", r"$\\frac{1}{N}$"]
verdicts = []
barrier = threading.Barrier(12)

def check(index):
    barrier.wait()
    if index == 0:
        render(doc)  # drawing parses mathtext too, in another thread
        return
    for k in range(12):
        name = next(iter(doc.yields))
        copy = histfmt.loads(histfmt.dumps(doc))
        copy.yields[name].label = labels[(index + k) % len(labels)] + " " * (k % 4)
        verdicts.append([issue.message for issue in drawing_issues(copy)])

threads = [threading.Thread(target=check, args=(i,)) for i in range(12)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
refused = [v for v in verdicts if v]
print(len(verdicts), len(refused), refused[:1])
"""


@pytest.mark.parametrize("run", range(3))
def test_label_checks_in_threads_at_once_accept_valid_mathtext(run: int) -> None:
    """matplotlib's mathtext parser is one grammar per process: checked from many
    threads at once (a threaded server's uploads), valid labels such as
    ``$t\\bar{t}$`` used to be refused, and the cached verdict kept refusing them."""
    pytest.importorskip("matplotlib")
    result = subprocess.run(
        [sys.executable, "-c", LABEL_CHECKS_AND_DRAWING_AT_ONCE, str(EXAMPLE)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[:2] == ["132", "0"], result.stdout
