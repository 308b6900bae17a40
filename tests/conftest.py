"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import histfmt

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "tests" / "resources"


@pytest.fixture
def document() -> histfmt.Document:
    """A small data-vs-MC document with flow bins, a variation and a ratio."""
    doc = histfmt.Document.new(
        [0.0, 10.0, 20.0, 30.0], symbol="$m$", unit="GeV", underflow=True, overflow=True
    )
    doc.add_yield(
        "mc",
        [1.0, 5.0, 4.0, 2.0, 0.5],
        stat=np.array([0.5, 1.0, 1.0, 0.7, 0.3]),
        variations={"JES": ([1.0, 6.0, 4.0, 2.0, 0.5], None)},
        label="Simulation",
    )
    doc.add_yield("data", [0.0, 6.0, 3.0, 2.0, 1.0])
    doc.add_stack(["mc"]).add_stack([("data", "Data")], type="points", error="poisson")
    return doc.add_ratio("data", "mc")
