"""The `bidkit` command's entry: a plain `bidkit check` runs without typer; everything else goes to bidkit.cli.

typer and its click cost a `check` about a tenth of its instructions (issue 12). A `check` whose
arguments are all spelled plainly (the folder, `--format json`, `--format=json`, `--strict`, …)
is parsed here and run by ``run_check``, the function `bidkit.cli.check` runs too. Whatever else
the arguments hold — `--help`, an unknown option, a value that is no choice, an option given twice,
a value that starts with '-', a shell completion — goes to the typer app, so help, errors and exit
codes are typer's own (tests/test_checkspeed_launch.py holds the options parsed here to those typer
passes to `check`, and the output of both paths to each other).
"""

from __future__ import annotations

import enum
import errno
import gc
import os
import sys
import types
from pathlib import Path

from bidkit.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, BidkitError


def no_pydantic_plugins() -> None:
    """Run without pydantic plugins, and without the ~12 ms of importing importlib.metadata to look for them.

    pydantic looks for plugins (entry points) before it builds its first validator; bidkit's
    command line uses none. ``PYDANTIC_DISABLE_PLUGINS`` alone would skip the search but not the
    import, so pydantic's loader is given as one that finds nothing (tests/test_startup.py checks
    that pydantic still takes it and that importlib.metadata stays unimported).
    """
    if "pydantic.plugin._loader" not in sys.modules:
        loader = types.ModuleType("pydantic.plugin._loader", "bidkit: no pydantic plugins")
        loader.get_plugins = lambda: ()
        sys.modules["pydantic.plugin._loader"] = loader


class Color(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


def use_color(choice: str, stream) -> bool:
    """--color wins; with auto, NO_COLOR turns colour off, a terminal turns it on."""
    if choice == Color.auto:
        return not os.environ.get("NO_COLOR") and stream.isatty()
    return choice == Color.always


class OutputFormat(str, enum.Enum):
    """The reporters of bidkit.report (kept equal by a test), and csv for --matrix."""

    text = "text"
    json = "json"
    github = "github"
    junit = "junit"
    sarif = "sarif"
    gitlab = "gitlab"
    csv = "csv"


def cache_outside(bid_dir: Path) -> None:
    """Before anything reads or caches (the rules' own data files are cached at import): a cache
    folder inside the bid folder is replaced by a temporary one, with a warning (paths.keep_cache_outside)."""
    from bidkit.paths import keep_cache_outside

    if warning := keep_cache_outside(bid_dir):
        from bidkit.console import err
        from bidkit.markup import escape

        err.print(f"[yellow]warning:[/] {escape(warning)}")


def run_check(bid_dir: Path, output_format: str, color: str, strict: bool, select: list[str], ignore: list[str],
              matrix: bool, pdf: Path | None) -> int:
    """`bidkit check`: the report on standard output; the exit code."""
    # One check, then the process ends (as with `build`): no cycle collection scans the objects of
    # the libraries and of the bid while it runs, nor at exit (frozen below). ~8 % of a check.
    gc.disable()
    cache_outside(bid_dir)
    from bidkit import regexcache

    regexcache.preload()  # before anything compiles a pattern: the check's from the cache folder (~90 M instructions less)
    from bidkit.check import CheckOptions, check_bid
    from bidkit.models import Bid, Call
    from bidkit.report import REPORTERS
    from bidkit.schemacache import complete

    format = OutputFormat(output_format).value
    if matrix and format not in ("text", "json", "csv"):
        raise BidkitError(f"--matrix prints text, json or csv, not {format}", "Use --format text|json|csv with --matrix.")
    if format == "csv" and not matrix:
        raise BidkitError("csv is the format of the compliance matrix", "Add --matrix, or use another --format.")
    for model in (Bid, Call):  # their validators from the kept core schema (~40 M instructions less)
        complete(model)
    options = CheckOptions(select=select, ignore=ignore, strict=strict, pdf=pdf)
    result, _ = check_bid(bid_dir, options)
    colored = use_color(color, sys.stdout)
    if matrix:
        from bidkit.matrix import compliance_matrix, render_matrix

        sys.stdout.write(render_matrix(compliance_matrix(result), format, color=colored))
    else:
        sys.stdout.write(REPORTERS[format](color=colored).render(result))
    regexcache.keep()
    gc.freeze()
    return EXIT_OK if result.complete else EXIT_FINDINGS


#: `check`'s options as bidkit.cli declares them: flags, and options that take one value (by parameter).
_FLAGS = {"--strict": "strict", "--matrix": "matrix"}
_VALUED = {"--format": "output_format", "-f": "output_format", "--color": "color", "--select": "select",
           "--ignore": "ignore", "--pdf": "pdf"}
_CHOICES = {"output_format": OutputFormat, "color": Color}
_REPEATABLE = ("select", "ignore")


def plain_options(args: list[str], command: str, flags: dict, valued: dict, take, given: dict) -> dict | None:
    """The options of `bidkit <command>` in ``args`` when they are spelled plainly — ``flags``, options
    of ``valued`` with one value each (`--x VALUE`, `--x=VALUE`), one folder — into ``given``;
    ``take(key, value, given)`` stores a value or refuses it (False). None for anything else (--help,
    an unknown option, `-oFILE`, Windows, whose click expands wildcards, a shell's completion request):
    typer reads those."""
    if not args or args[0] != command or os.name == "nt" or any(
            name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return None
    rest = iter(args[1:])
    for arg in rest:
        if arg in flags:
            given[flags[arg]] = True
            continue
        if not arg.startswith("-"):
            if not arg or "bid_dir" in given:
                return None
            given["bid_dir"] = Path(arg)
            continue
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        key = valued.get(name)
        if key is None:
            return None
        if not equals:
            value = next(rest, None)
        if not value or value.startswith("-") or not take(key, value, given):
            return None
    return given


def _take_check(key: str, value: str, given: dict) -> bool:
    if key in _REPEATABLE:
        given[key].append(value)
    elif key in given or (key in _CHOICES and value not in _CHOICES[key].__members__):
        return False
    else:
        given[key] = _CHOICES[key](value) if key in _CHOICES else Path(value)
    return True


def plain_check(args: list[str]) -> dict | None:
    """The parameters of `bidkit check` as typer would pass them, when ``args`` spell them plainly; else None."""
    given = plain_options(args, "check", _FLAGS, _VALUED, _take_check, {"select": [], "ignore": []})
    if given is None:
        return None
    return {"bid_dir": Path("bid_data"), "output_format": OutputFormat.text, "color": Color.auto, "strict": False,
            "matrix": False, "pdf": None, **given}


def fail(message: str, hint: str | None, code: int) -> None:
    from bidkit.console import err
    from bidkit.markup import escape

    err.print(f"[bold red]error:[/] {escape(message)}")
    if hint:
        err.print(f"[green]hint:[/] {escape(hint)}")
    sys.exit(code)


def guarded(run) -> None:
    """``run()``, with bidkit's errors and the paths the system refuses as a message and an exit code."""
    try:
        run()
    except BidkitError as exc:
        fail(exc.message, exc.hint, exc.exit_code)
    except OSError as exc:  # a path given on the command line the system refuses (too long, no access)
        from bidkit.paths import shown

        where = f": {shown(exc.filename)}" if exc.filename else ""
        fail(f"{exc.strerror or exc}{where}", "Check the path and its permissions.", EXIT_USAGE)


def utf8_output() -> None:
    """Reports are UTF-8 (JSON and SARIF by definition): written to a file or pipe they are encoded
    so whatever the locale says (``bidkit check > bericht.txt`` on Windows, cp1252); a terminal
    that cannot show a character gets it escaped — never a UnicodeEncodeError. A standard stream
    the caller closed (``bidkit check bid >&-``: Python gives None) writes nowhere; the exit code stays."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the life of the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        if encoding in ("utf-8", "utf8") or not hasattr(stream, "reconfigure"):
            continue
        try:
            if stream.isatty():
                stream.reconfigure(errors="backslashreplace")
            else:
                stream.reconfigure(encoding="utf-8")
        except (ValueError, OSError):
            continue


def _as_click(parameters: dict, run=run_check) -> None:
    """``run`` (``run_check``), ended as click ends a command: its exit code; Ctrl-C 130; end of input "Aborted!"
    and 1; a closed pipe 1, quietly."""
    try:
        code = run(**parameters)
    except KeyboardInterrupt:
        sys.exit(130)
    except EOFError:
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout, sys.stderr = PacifyFlushWrapper(sys.stdout), PacifyFlushWrapper(sys.stderr)
        sys.exit(1)
    _finish(code)


def _finish(code: int) -> None:
    """End the process with ``code``: at once, once the output is flushed, when nothing waits for the
    end (no exit handler, such as the removal of a temporary cache folder, and no other thread) —
    tearing down the interpreter's modules and objects costs a check ~11–17 M instructions and
    changes nothing on disk or on screen. Otherwise, or when the output cannot be flushed, as always."""
    import atexit

    threading = sys.modules.get("threading")
    if getattr(atexit, "_ncallbacks", lambda: 1)() or (threading is not None and threading.active_count() > 1):
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - a closed pipe: the interpreter's own end reports it, as before
        sys.exit(code)
    os._exit(code)


def main() -> None:
    utf8_output()
    parameters = plain_check(sys.argv[1:])
    if parameters is None:
        from bidkit.buildlaunch import plain_build, run_build  # a plain `build`, also without typer

        if (build := plain_build(sys.argv[1:])) is not None:
            no_pydantic_plugins()
            guarded(lambda: _as_click(build, run_build))
            return
        from bidkit.cli import main as typer_main

        typer_main()
        return
    no_pydantic_plugins()
    guarded(lambda: _as_click(parameters))
