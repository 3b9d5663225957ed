"""The command line builds only the invoked command's parser, and says exactly what the whole app says (issue 12).

typer builds every command's click parameters before it parses anything; `bidkit.cli.main` gives it
the app with only the command the arguments name (``bidkit.cli._invoked``). These tests compare
what that app prints and returns with the whole app's, for help, errors and the root's flags.
"""

import pytest
import typer.main
from conftest import run_bidkit
from typer.testing import CliRunner

from bidkit import cli

ARGS = [
    ["check", "--help"],
    ["check", "--format", "xml"],
    ["check", "--bogus"],
    ["check", "--format"],
    ["explain"],
    ["explain", "--help"],
    ["build", "--help"],
    ["build", "--jobs", "-1"],
    ["build", "--pdf-variant", "pdf/x"],
    ["export", "--help"],
    ["init", "--help"],
    ["schema", "--help"],
    ["schema", "html"],
    ["preview", "--port", "0"],
    ["calls", "--help"],
    ["calls", "show", "--help"],
    ["calls", "show"],
    ["calls", "shw"],
    ["calls", "--format", "yaml"],
    ["rules", "--help"],
    ["rules", "extra"],
    ["check", "--", "--help"],
]


def _run(app, args):
    result = CliRunner().invoke(app, args, prog_name="bidkit", env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.mark.parametrize("args", ARGS, ids=" ".join)
def test_a_command_alone_says_what_the_whole_app_says(args):
    only = cli._invoked(args)
    assert only is not cli.app
    assert _run(only, args) == _run(cli.app, args)


def test_only_the_named_command_is_built():
    assert set(typer.main.get_command(cli._invoked(["check", "bid_data"])).commands) == {"check"}
    assert set(typer.main.get_command(cli._invoked(["calls", "show", "x"])).commands) == {"calls"}
    assert cli.app.registered_commands and len(typer.main.get_command(cli.app).commands) > 2  # the app is untouched


def test_every_command_is_found_by_the_name_typer_gives_it():
    for name in typer.main.get_command(cli.app).commands:
        assert set(typer.main.get_command(cli._invoked([name])).commands) == {name}


@pytest.mark.parametrize("args", [[], ["--help"], ["--version"], ["chek"], ["Check", "bid_data"],
                                  ["--version", "check"], ["--help", "check"], ["--", "check"]],
                         ids=repr)
def test_without_a_known_command_the_whole_app(args):
    assert cli._invoked(args) is cli.app


def test_an_unknown_command_is_still_suggested():
    run = run_bidkit("chek")
    assert run.code == 2
    assert "No such command 'chek'. Did you mean 'check'" in run.stderr
