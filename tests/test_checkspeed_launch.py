"""A plain `bidkit check` runs without typer (bidkit.launch, issue 12): it must take the arguments
exactly as typer does, leave everything else to typer, and print and exit exactly as the typer app."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from bidkit import cli, launch
from conftest import EXAMPLE, REPO

PLAIN = [
    ["check"],
    ["check", "bid_data"],
    ["check", "some/where/"],
    ["check", "--strict", "bid_data"],
    ["check", "bid_data", "--format", "json"],
    ["check", "-f", "sarif", "bid_data"],
    ["check", "--format=github", "--color", "never"],
    ["check", "--color=always", "--matrix", "--format", "csv"],
    ["check", "--select", "BUD", "--select", "RES,TXT", "--ignore=BUD007", "x"],
    ["check", "--pdf", "build/out.pdf", "--strict", "--matrix"],
    ["check", "--pdf=a b.pdf", "dir with space"],
]

TO_TYPER = [
    [],
    ["--help"],
    ["--version"],
    ["chek"],
    ["build", "bid_data"],
    ["check", "--help"],
    ["check", "-h"],
    ["check", "--format", "xml"],
    ["check", "--format", "JSON"],
    ["check", "--format"],
    ["check", "-fjson"],
    ["check", "-f=json"],
    ["check", "--form", "json"],
    ["check", "--strict=yes"],
    ["check", "--bogus"],
    ["check", "a", "b"],
    ["check", ""],
    ["check", "--"],
    ["check", "--", "bid_data"],
    ["check", "-"],
    ["check", "--select", "-x"],
    ["check", "--pdf", "--strict"],
    ["check", "--pdf", ""],
    ["check", "--select", "", "x"],
    ["check", "--format", "json", "--format", "text"],
    ["check", "--pdf", "a.pdf", "--pdf", "b.pdf"],
    ["check", "--version"],
]


def _typer_parameters(args: list[str], monkeypatch) -> dict:
    """The parameters typer's `check` hands to run_check for ``args``."""
    seen = {}

    def record(bid_dir, output_format, color, strict, select, ignore, matrix, pdf):
        seen.update(bid_dir=bid_dir, output_format=output_format, color=color, strict=strict, select=select,
                    ignore=ignore, matrix=matrix, pdf=pdf)
        return 0

    monkeypatch.setattr(cli, "run_check", record)
    result = CliRunner().invoke(cli.app, args, prog_name="bidkit")
    assert result.exit_code == 0, result.output
    return seen


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_plain_arguments_are_read_as_typer_reads_them(args, monkeypatch):
    parsed = launch.plain_check(args)
    expected = _typer_parameters(args, monkeypatch)
    assert parsed is not None
    assert {key: (list(value) if key in ("select", "ignore") else value) for key, value in expected.items()} == parsed
    assert {key: type(value) for key, value in parsed.items() if key not in ("select", "ignore")} == \
        {key: type(value) for key, value in expected.items() if key not in ("select", "ignore")}


@pytest.mark.parametrize("args", TO_TYPER, ids=repr)
def test_everything_else_goes_to_typer(args):
    assert launch.plain_check(args) is None


def test_a_completion_request_goes_to_typer(monkeypatch):
    monkeypatch.setenv("_BIDKIT_COMPLETE", "bash_source")
    assert launch.plain_check(["check", "bid_data"]) is None


def _run(entry: str, args: list[str], cwd, cache) -> tuple[int, str, str]:
    """The command line in a fresh process, entered through ``entry`` (bidkit.launch or bidkit.cli)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "BIDKIT_CACHE_DIR": str(cache)}
    probe = ("import atexit, sys\n"  # an exit handler: `check` then ends the usual way and runs it
             "atexit.register(lambda: print('TYPER', 'typer' in sys.modules, file=sys.stderr))\n"
             f"from {entry} import main\n"
             "main()\n")
    proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def broken(tmp_path):
    bid = tmp_path / "broken"
    shutil.copytree(EXAMPLE, bid)
    text = (bid / "budget.yaml").read_text(encoding="utf-8")
    (bid / "budget.yaml").write_text(text.replace("amount:", "amount: 1.500.000 #", 1), encoding="utf-8")
    bid.joinpath("measures.yaml").write_text(bid.joinpath("measures.yaml").read_text(encoding="utf-8") + "\nextra: 1\n",
                                             encoding="utf-8")
    return bid


@pytest.mark.parametrize("args", [
    ["check", "BID", "--format", "json"],
    ["check", "BID", "--matrix", "--strict"],
    ["check", "BID", "--select", "nonsense"],
    ["check", "BID", "--format", "csv"],
    ["check", "BID/../does-not-exist"],
], ids=" ".join)
def test_the_plain_check_says_what_the_typer_app_says(args, broken, tmp_path):
    args = [str(broken) if arg == "BID" else arg.replace("BID", str(broken)) for arg in args]
    assert launch.plain_check(args) is not None
    fast = _run("bidkit.launch", args, REPO, tmp_path / "cache")
    full = _run("bidkit.cli", args, REPO, tmp_path / "cache")
    assert full[2].endswith("TYPER True\n")
    if fast[0] == 1:  # findings; an error message (exit 2) is printed by bidkit.cli's console, which imports typer
        assert fast[2].endswith("TYPER False\n")
    assert fast[0] == full[0] and fast[1] == full[1]
    assert fast[2].rpartition("TYPER")[0] == full[2].rpartition("TYPER")[0]
    assert fast[0] in (1, 2) and (fast[1] or fast[2].strip())


def test_the_plain_check_of_the_example_passes_without_typer(tmp_path):
    code, stdout, stderr = _run("bidkit.launch", ["check", str(EXAMPLE)], REPO, tmp_path / "cache")
    assert code == 0 and "no errors" in stdout and stderr == "TYPER False\n"


def test_a_plain_check_ends_at_once_with_its_output_and_exit_code(broken, tmp_path):
    """Without exit handlers `check` ends by os._exit after flushing: the whole report and the exit code arrive."""
    env = {**os.environ, "NO_COLOR": "1", "BIDKIT_CACHE_DIR": str(tmp_path / "cache")}
    for args, code in ((["check", str(EXAMPLE), "--format", "json"], 0), (["check", str(broken), "--format", "sarif"], 1)):
        proc = subprocess.run([sys.executable, "-m", "bidkit", *args], capture_output=True, text=True, cwd=REPO, env=env)
        assert proc.returncode == code and proc.stderr == ""
        assert json.loads(proc.stdout)  # the whole report, flushed
        probe = "import sys, runpy; sys.argv = ['bidkit'] + sys.argv[1:]; runpy.run_module('bidkit', run_name='__main__'); print('AFTER')"
        ended = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=REPO, env=env)
        assert ended.returncode == code and ended.stdout == proc.stdout  # ended in main: nothing after it ran
