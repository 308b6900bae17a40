"""The command line: exit codes, messages, JSON report, stdin, and light imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli
from histfmt.errors import HistfmtError

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

    monkeypatch.setattr("histfmt.io.load_book", explode)
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


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code, *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_help_lists_every_command_and_imports_commands_lazily() -> None:
    """The top group names its commands; a command's module is imported when it runs."""
    from histfmt.cli import COMMANDS

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1].split()
    assert sorted(COMMANDS) == [name for name in listed if name in COMMANDS]
    code = (
        "import sys, histfmt\n"
        "assert 'click' not in sys.modules, 'import histfmt imports click'\n"
        "from histfmt.cli import cli\n"
        "try: cli.main(sys.argv[1:], standalone_mode=False)\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('histfmt.cli.', 'histfmt_viewer'))))"
    )
    ran = _run(code, "validate", str(GOOD))
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split("\n")[-2] == (
        "['histfmt.cli.documents', 'histfmt.cli.inputs', 'histfmt.cli.lazy', 'histfmt.cli.report']"
    )


def test_every_command_is_where_the_table_says() -> None:
    from histfmt.cli import COMMANDS, SHORT_HELP

    assert sorted(SHORT_HELP) == sorted(COMMANDS)
    with click.Context(cli) as ctx:
        for name in COMMANDS:
            command = cli.get_command(ctx, name)
            assert command is not None
            assert command.name == name
            assert command.help, f"{name} has no help"
            # the line ``histfmt --help`` shows, as click would make it from the command
            assert SHORT_HELP[name] == command.get_short_help_str(limit=64), name


def test_listing_the_commands_imports_none() -> None:
    code = (
        "import sys\n"
        "from histfmt.cli import cli\n"
        "try: cli.main(['--help'], standalone_mode=False)\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('histfmt.cli.', 'histfmt_viewer',"
        " 'flask', 'matplotlib'))))"
    )
    ran = _run(code)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split("\n")[-2] == "['histfmt.cli.lazy', 'histfmt.cli.report']"


def test_viewer_commands_without_the_viewer_extra() -> None:
    """Without the ``viewer`` extra, help still lists the viewer's commands and running
    one exits 1 naming the extra to install."""
    code = (
        "import sys\n"
        "sys.modules['histfmt_viewer'] = None  # as if the extra were not installed\n"
        "from histfmt.cli import main\n"
        "sys.argv = ['histfmt', *sys.argv[1:]]\n"
        "main()\n"
    )
    for args in (["serve"], ["init-db", "--database", "sqlite://"], ["token", "create", "x"]):
        ran = _run(code, *args)
        assert ran.returncode == 1, ran.stderr
        assert "the web viewer needs Flask and SQLAlchemy: pip install 'histfmt[viewer]'" in (
            ran.stderr
        )
        assert "Traceback" not in ran.stderr
    listing = _run(code, "--help")
    assert listing.returncode == 0, listing.stderr
    for name in ("serve", "init-db", "token", "validate", "push"):
        assert f"\n  {name} " in listing.stdout


def test_one_issue_printer(capsys: pytest.CaptureFixture[str]) -> None:
    from histfmt.cli.report import echo_issues, error_text

    lone = [{"path": "$", "message": "cannot read file"}]
    several = [{"path": "$", "message": "a"}, {"path": "x.unit", "message": "b"}]
    echo_issues("f.json", lone)
    echo_issues("f.json", lone, lone="inner.yaml: cannot read file")
    echo_issues("f.json", lone, root_path=True)
    echo_issues("f.json", several)
    assert capsys.readouterr().err.splitlines() == [
        "f.json: cannot read file",
        "f.json: inner.yaml: cannot read file",
        "f.json: $: cannot read file",
        "f.json: $: a",
        "f.json: x.unit: b",
    ]
    assert error_text("f.json", HistfmtError("bad", filename="f.json")) == "bad"
    inner = HistfmtError("bad", filename="f.tar.gz/t.yaml")
    assert error_text("f.tar.gz", inner) == "f.tar.gz/t.yaml: bad"


def test_unexpected_failure_in_convert_is_exit_two(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("histfmt.convert.registry.read_book", explode)
    result = CliRunner().invoke(cli, ["convert", str(GOOD), str(tmp_path / "out.json")])
    assert result.exit_code == 2
    assert f"{GOOD}: internal error: RuntimeError('boom')" in result.output
