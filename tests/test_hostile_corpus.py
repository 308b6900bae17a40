"""Every hostile input of the corpus (tests/hostile/corpus.py) ends in a clear answer:
the library raises HistfmtError and nothing else; every command exits 0 or 1, never 2,
naming the file, with no traceback."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.hostile.corpus import corpus

import histfmt
from histfmt.cli import cli
from histfmt.convert import registry
from histfmt.io import detect_format

CASES = corpus()
COMMANDS = {
    "validate": ["validate"],
    "info": ["info"],
    "show": ["show", "--width", "60"],
    "render": ["render", "--dpi", "10", "-f", "svg", "-o", "{out}.svg"],
    "convert": ["convert", "{file}", "{out}.json"],
}


def test_the_corpus_is_hundreds_of_inputs() -> None:
    assert len(CASES) >= 300


@pytest.mark.parametrize(("name", "data"), CASES, ids=[name for name, _ in CASES])
def test_the_library_raises_histfmt_errors_only(name: str, data: bytes) -> None:
    for read in (
        lambda: histfmt.loads_book(data, filename=name, format=detect_format(name)),
        lambda: registry.read_book(data, name=name),
    ):
        message = ""
        try:
            read()
        except histfmt.HistfmtError as error:
            message = str(error)
        else:
            continue
        assert message.startswith(name), message


@pytest.fixture(scope="module")
def corpus_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, data in CASES:
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_answers_every_input_with_exit_0_or_1(
    command: str, corpus_folder: Path, tmp_path: Path
) -> None:
    failures = []
    for i, (name, _) in enumerate(CASES):
        path = str(corpus_folder / name)
        words = [w.format(file=path, out=tmp_path / str(i)) for w in COMMANDS[command]]
        arguments = words if "{file}" in " ".join(COMMANDS[command]) else [*words, path]
        result = CliRunner().invoke(cli, arguments)
        output = result.output + result.stderr
        problem = None
        if result.exit_code not in (0, 1) or not isinstance(
            result.exception, (SystemExit, type(None))
        ):
            problem = f"exit {result.exit_code}, {result.exception!r}"
        elif "Traceback" in output:
            problem = "a traceback"
        elif result.exit_code == 1 and path not in result.stderr:
            problem = "the error does not name the file"
        if problem:
            failures.append(f"{name}: {problem}: {output.strip()[-300:]}")
    assert not failures, f"{len(failures)} of {len(CASES)}:\n" + "\n".join(failures)


VALID = histfmt.dumps(
    histfmt.Document.new([0, 1, 2]).add_yield("a", [1.0, 2.0], stat=[1.0, 1.0], label="A")
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(VALID)), st.integers(0, 8), st.binary(max_size=8)),
        min_size=1,
        max_size=4,
    )
)
def test_edited_documents_raise_histfmt_errors_only(edits: list[tuple[int, int, bytes]]) -> None:
    data = VALID
    for at, cut, insert in edits:
        data = data[:at] + insert + data[at + cut :]
    with contextlib.suppress(histfmt.HistfmtError):
        histfmt.loads(data, filename="edited.json")
    with contextlib.suppress(histfmt.HistfmtError):
        histfmt.loads(data, filename="edited.yaml", format="yaml")
