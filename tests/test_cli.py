"""The command line: exit codes, messages, JSON report, stdin, and light imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli

from .conftest import RESOURCES

GOOD = RESOURCES / "valid" / "data_vs_mc.json"
BAD = RESOURCES / "invalid" / "stat_too_short.json"


def test_validate_exit_zero_when_all_valid() -> None:
    result = CliRunner().invoke(
        cli, ["validate", str(GOOD), str(RESOURCES / "valid" / "minimal.json")]
    )
    assert result.exit_code == 0
    assert f"{GOOD}: ok" in result.output


def test_validate_exit_one_and_names_file_and_path() -> None:
    result = CliRunner().invoke(cli, ["validate", str(GOOD), str(BAD)])
    assert result.exit_code == 1
    assert f"{BAD}: yields.mc.stat: expected 5 values, got 4" in result.output
    assert "Traceback" not in result.output


def test_validate_json_report_lists_every_error() -> None:
    several = RESOURCES / "invalid" / "several_errors.json"
    result = CliRunner().invoke(cli, ["validate", "--json", str(GOOD), str(several)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert [entry["valid"] for entry in report["files"]] == [True, False]
    assert [e["path"] for e in report["files"][1]["errors"]] == [
        "stacks[1].error",
        "x.unit",
        "yields.mc.stat",
    ]


def test_validate_reads_stdin() -> None:
    result = CliRunner().invoke(cli, ["validate", "-"], input=BAD.read_bytes())
    assert result.exit_code == 1, result.output
    assert "yields.mc.stat: expected 5 values, got 4" in result.output


def test_validate_missing_file_is_exit_one() -> None:
    result = CliRunner().invoke(cli, ["validate", "no/such/file.json"])
    assert result.exit_code == 1
    assert "no/such/file.json: cannot read file" in result.output


def test_validate_unexpected_failure_is_exit_two(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("histfmt.io.load", explode)
    result = CliRunner().invoke(cli, ["validate", str(GOOD)])
    assert result.exit_code == 2
    assert "internal error: RuntimeError('boom')" in result.output


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["$id"].endswith("histfmt-1.schema.json")


def test_version_and_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "histfmt", "--version"], capture_output=True, text=True, check=True
    )
    assert histfmt.__version__ in result.stdout


LIGHT_COMMANDS = {
    "validate": [str(GOOD), str(BAD)],
    "info": [str(RESOURCES.parent.parent / "examples" / "mll_data_vs_mc.json")],
}


@pytest.mark.parametrize("command", list(LIGHT_COMMANDS))
def test_import_and_light_commands_do_not_import_plotting(command: str) -> None:
    """`import histfmt`, `histfmt validate` and `info` import no matplotlib, flask or hist."""
    code = (
        "import sys, histfmt\n"
        "from histfmt.cli import cli\n"
        f"try: cli.main([{command!r}, *{LIGHT_COMMANDS[command]!r}], standalone_mode=False)\n"
        "except SystemExit: pass\n"
        "heavy = ('matplotlib', 'mplhep', 'histoprint', 'scipy', 'flask', 'hist',\n"
        "         'boost_histogram')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
