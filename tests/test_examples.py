"""The example documents: valid, reproducible from examples/generate.py, round-trippable."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import jsonschema
import numpy as np
import pytest

import histfmt

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))
NAMES = [path.name for path in EXAMPLE_FILES]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "schema" / "histfmt-1.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "histfmt_examples_generate", EXAMPLES / "generate.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_examples_exist() -> None:
    assert len(EXAMPLE_FILES) >= 5


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=NAMES)
def test_example_is_valid(path: Path, validator: jsonschema.Draft202012Validator) -> None:
    histfmt.load(path)
    errors = [
        f"{error.json_path}: {error.message}"
        for error in validator.iter_errors(json.loads(path.read_text("utf-8")))
    ]
    assert errors == []


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=NAMES)
def test_example_round_trips(path: Path, tmp_path: Path) -> None:
    doc = histfmt.load(path)
    histfmt.dump(doc, tmp_path / path.name, indent=2)
    assert histfmt.load(tmp_path / path.name) == doc
    assert (tmp_path / path.name).read_bytes() == path.read_bytes()


def test_generator_reproduces_examples(generator: ModuleType, tmp_path: Path) -> None:
    generator.main(tmp_path)
    generated = sorted(tmp_path.glob("*.json"))
    assert [path.name for path in generated] == NAMES
    stale = [
        path.name for path in generated if path.read_bytes() != (EXAMPLES / path.name).read_bytes()
    ]
    assert stale == [], "examples/ is stale: run `python examples/generate.py`"


def test_garwood_matches_hist(generator: ModuleType) -> None:
    from hist.intervals import poisson_interval

    counts = np.array([0.0, 1.0, 2.0, 5.0, 10.0, 100.0, 1000.0, 123456.0])
    lower, upper = generator.garwood(counts)
    expected = poisson_interval(counts)
    np.testing.assert_allclose(lower, expected[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(upper, expected[1], rtol=1e-9)
