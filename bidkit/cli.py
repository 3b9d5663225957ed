"""The command line: options and output only; the work happens in check, render and scaffold.

Exit codes: 0 no errors, 1 errors in the bid (or build refused), 2 the tool could not run
(no such folder, bad option), 3 the PDF could not be rendered or written.
"""

from __future__ import annotations

import copy
import enum
import gc
import os
import sys
from pathlib import Path

from bidkit.launch import no_pydantic_plugins

no_pydantic_plugins()
# No cycle collection while typer and the command line's modules are imported: their objects live as
# long as the process, and the collections found nothing to free (~2 % of `check`). It is on again
# at the end of this module (importing it changes nothing for a program or test that imports it);
# `check` and `build` turn it off for their whole run.
_COLLECTING = gc.isenabled()
gc.disable()

import typer  # noqa: E402

from bidkit import __version__  # noqa: E402
from bidkit.errors import EXIT_FINDINGS, BidkitError  # noqa: E402
from bidkit.launch import Color, OutputFormat, cache_outside, guarded, run_check, utf8_output  # noqa: E402
from bidkit.limits import check_settings  # noqa: E402
from bidkit.paths import shown  # noqa: E402
from bidkit.buildlaunch import PdfVariant, run_build  # noqa: E402
from bidkit.console import err, out  # noqa: E402
from bidkit.markup import escape  # noqa: E402

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Assemble, check and render a city's bid for a funding competition.",
)



BID_DIR = typer.Argument(Path("bid_data"), help="Folder holding the bid's YAML files.", show_default=True)


def _version(value: bool) -> None:
    if value:
        out.print(f"bidkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Assemble, check and render a city's bid for a funding competition."""


@app.command()
def check(
    bid_dir: Path = BID_DIR,
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="Output format (csv with --matrix)."),
    color: Color = typer.Option(Color.auto, "--color", help="Colour the text output (auto honours NO_COLOR)."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    select: list[str] = typer.Option([], "--select", help="Only these rule codes or prefixes (repeatable, or a comma list: BUD,RES)."),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip these rule codes or prefixes (repeatable, or a comma list)."),
    matrix: bool = typer.Option(False, "--matrix", help="Print the compliance matrix (text, json or csv)."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Also check the rendered PDF against the call's page limit."),
) -> None:
    """Check a bid for completeness; report every problem with file and line."""
    raise typer.Exit(run_check(bid_dir, output_format, color, strict, select, ignore, matrix, pdf))


@app.command()
def rules() -> None:
    """List every rule: code, default severity, group and title (`bidkit explain CODE` for more)."""
    from bidkit.rules import RULES

    for code, rule in RULES.items():
        out.print(f"{code}  {rule.severity.value:<7}  {escape(rule.group):<29}  {escape(rule.title)}")


@app.command()
def explain(code: str = typer.Argument(..., help="A rule code, e.g. BUD001.")) -> None:
    """Explain one rule: what it checks, why, how to fix it, with an example."""
    import difflib

    from bidkit.rules import RULES

    rule = RULES.get(code.upper())
    if rule is None:
        close = difflib.get_close_matches(code.upper(), RULES, n=1)
        raise BidkitError(f"no rule {code}", f"Did you mean {close[0]}?" if close else "`bidkit rules` lists the codes.")
    out.print(f"[bold]{rule.code}[/] {escape(rule.title)}")
    out.print(f"severity: {rule.severity.value}   group: {escape(rule.group)}")
    out.print()
    out.print(escape(rule.explanation))
    out.print()
    out.print(f"[green]fix:[/] {escape(rule.hint)}")


@app.command()
def build(
    bid_dir: Path = BID_DIR,
    output: Path | None = typer.Option(None, "--output", "-o", help="PDF to write [default: build/<city>-<call>.pdf]."),
    draft: bool = typer.Option(False, "--draft", help="Render even with errors: watermark, stamp and an annex of open points."),
    variant: PdfVariant = typer.Option(PdfVariant.pdf_a_3a_ua_1, "--pdf-variant",
                                      help="pdf/a-3a+ua-1 (archival and accessible), pdf/a-3u (archival), pdf/ua-1 (accessible) or pdf."),
    html: Path | None = typer.Option(None, "--html", help="Also write the intermediate HTML to this file."),
    watch: bool = typer.Option(False, "--watch", help="Rebuild on every change in the bid folder, one status line per build; Ctrl-C ends."),
    bid_variant: str | None = typer.Option(None, "--variant", metavar="NAME",
                                           help="A variant of the bid: public (without personal data) or one of bid.yaml's "
                                                "`variants:` [default: the full bid]."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither take the PDF from the rebuild cache nor store it there."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, envvar="BIDKIT_JOBS",
                             help="Processes laying out the pages. 0 (default): two when the split pays, decided during "
                                  "the build by the idle cores measured and the size of the parts (one on one core or "
                                  "a busy machine); 1: one (the same bytes on every machine); 2: two parts, merged "
                                  "(the same pages, other bytes)."),
) -> None:
    """Check the bid, then render the submission PDF with its annexes."""
    if watch:
        check_settings()
        cache_outside(bid_dir)  # before the builds' processes start: they cache too
        if bid_variant:
            raise BidkitError("--variant cannot be combined with --watch yet", "Watch the full bid, and build the variant once.")
        from bidkit.preview.watch import watch_builds

        raise typer.Exit(watch_builds(bid_dir, output=output, draft=draft, variant=variant.value, html=html,
                                      say=lambda text: out.print(escape(text))))
    code = run_build(bid_dir, output, draft, variant.value, html, bid_variant, no_cache, jobs)  # also without typer: bidkit.launch
    if code:
        raise typer.Exit(code)


@app.command()
def preview(
    bid_dir: Path = BID_DIR,
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="Port on 127.0.0.1 [default: a free one]."),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in the browser."),
    editor: str | None = typer.Option(None, "--editor", help='Open a finding\'s place in your editor, e.g. "code -g {file}:{line}".'),
) -> None:
    """Show the draft's pages beside the check's findings in the browser, updated on every save."""
    check_settings()
    cache_outside(bid_dir)  # before the preview's modules load the rules (their data files are cached)
    from bidkit.preview.server import serve

    raise typer.Exit(serve(bid_dir, port=port, open_browser=open_browser, editor=editor,
                           say=lambda text: out.print(escape(text)), log=lambda text: err.print(escape(text))))


@app.command()
def init(
    directory: Path = typer.Argument(Path("bid"), help="Folder to create."),
    city: str | None = typer.Option(None, "--city", help="The city's name, e.g. Paderborn (for a skeleton)."),
    official_name: str | None = typer.Option(None, "--official-name",
                                             help="The city's official name, e.g. 'Wissenschaftsstadt Darmstadt' (used where the skeleton names the city)."),
    call: str | None = typer.Option(None, "--call", help="Id of a shipped call (`bidkit calls` lists them), or the path of "
                                    "a call file of your own (copied into the new folder)."),
    example: bool = typer.Option(False, "--example", help="Write the complete Wolfsburg example instead of a skeleton."),
    force: bool = typer.Option(False, "--force", help="Write into a non-empty folder, replacing bid files."),
) -> None:
    """Write a new bid folder: a skeleton for --city and --call whose every value to fill says TODO, or --example."""
    from bidkit.call_profiles import shipped_calls
    from bidkit.scaffold import init_example, init_skeleton, kept_yaml

    if example:
        if city or call:
            raise BidkitError("--example writes Wolfsburg's complete bid; --city and --call are for a skeleton",
                              "Leave out --example for a skeleton, or --city and --call for the example.")
        written = init_example(directory, force=force)
    else:
        if not city or not call:
            missing = " and ".join(option for option, value in (("--city", city), ("--call", call)) if not value)
            raise BidkitError(
                f"init needs {missing} (or --example for the complete Wolfsburg example)",
                f"e.g. bidkit init {directory} --city Paderborn --call {next(iter(shipped_calls()))}; "
                "`bidkit calls` lists the calls.",
            )
        written = init_skeleton(directory, city=city, call_id=call, force=force, official_name=official_name)
    out.print(f"Created {escape(str(directory))} with {len(written)} files. Next: edit them, then run")
    if kept := kept_yaml(directory, written):
        err.print(f"[yellow]Kept from before:[/] {escape(', '.join(kept))}: bidkit reads every YAML file of the folder, "
                  "so these are read with the new files. Delete them for a fresh start.")
    out.print(f"  bidkit check {escape(str(directory))}")
    if not example:
        out.print("Every TODO is a finding of `bidkit check` until it is filled.")


class ListFormat(str, enum.Enum):
    text = "text"
    json = "json"


calls_app = typer.Typer(no_args_is_help=False, help="The calls shipped with bidkit: `bidkit calls`, `bidkit calls show ID`.")
app.add_typer(calls_app, name="calls")


@calls_app.callback(invoke_without_command=True)
def calls(
    ctx: typer.Context,
    output_format: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="text or json."),
) -> None:
    """List the shipped calls: id, deadline, name, organizer."""
    if ctx.invoked_subcommand is not None:
        return
    from bidkit.call_profiles import calls_json, calls_text

    sys.stdout.write(calls_json() if output_format is ListFormat.json else calls_text())


@calls_app.command("show")
def calls_show(
    call_id: str = typer.Argument(..., metavar="ID", help="A shipped call's id, e.g. bitkom-digitale-stadt-2017, "
                                  "or the path of a call file of your own, e.g. ./calls/my-call.yaml."),
    output_format: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="text or json."),
) -> None:
    """Print what a call asks for: deadline, population, thematic fields with ids, sections, limits, money."""
    from bidkit.call_profiles import call_json, call_text, own_call, shipped_call, names_a_file

    if names_a_file(call_id):
        call, findings = own_call(call_id)
    else:
        call, findings = shipped_call(call_id), []
    sys.stdout.write(call_json(call) if output_format is ListFormat.json else call_text(call))
    for finding in findings:  # a call that loads but limits nothing or contradicts itself: shown, and exit 1
        err.print(f"[bold red]error:[/] {escape(finding.place() or '')}: {finding.rule} {escape(finding.message)}"
                  + (f"\nhint: {escape(finding.hint)}" if finding.hint else ""))
    if findings:
        raise typer.Exit(EXIT_FINDINGS)


class SchemaKind(str, enum.Enum):
    bid = "bid"
    call = "call"


@app.command()
def schema(
    kind: SchemaKind = typer.Argument(SchemaKind.bid, help="bid: the bid files; call: a call profile."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of standard output."),
) -> None:
    """Print the JSON Schema of the bid files (generated from the models)."""
    from bidkit.fileio import atomic_write
    from bidkit.schema import schema_text

    text = schema_text(kind.value)
    if output:
        if output.suffix.lower() != ".json":  # `-o bid/bid.yaml` or `-o bid/kosten.csv` would replace a bid file
            raise BidkitError(f"--output {output}: a schema is JSON; give a .json file", "Write it to bid.schema.json.")
        from bidkit.render.build import check_schema_output

        check_schema_output(output)
        atomic_write(output, text.encode())
        out.print(f"Schema written: {escape(str(output))}")
    else:
        sys.stdout.write(text)


class ExportFormat(str, enum.Enum):
    """The formats of bidkit.export.EXPORT_FORMATS (kept equal by a test)."""

    xlsx = "xlsx"
    csv = "csv"


@app.command()
def export(
    bid_dir: Path = BID_DIR,
    output_format: ExportFormat = typer.Option(ExportFormat.xlsx, "--format", "-f", help="xlsx (one workbook) or csv (a folder of tables)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Workbook to write; for csv the folder [default: build/<city>-<call>-kfp.xlsx, or …-kfp/]."),
    draft: bool = typer.Option(False, "--draft", help="Export even when the bid has errors (titles say ENTWURF)."),
) -> None:
    """Export the Kosten- und Finanzierungsplan, goals with KPIs and measures as a workbook (live sums) or CSV tables."""
    cache_outside(bid_dir)
    from bidkit.check import check_bid
    from bidkit.export import export_bid
    from bidkit.report.text import TextReporter

    result, loaded = check_bid(bid_dir)
    if not result.complete:
        TextReporter().print(result, err)
        if not draft:
            err.print("[bold red]Export refused:[/] fix the errors above, or use --draft for a marked draft.")
            raise typer.Exit(EXIT_FINDINGS)
    written = export_bid(loaded, output_format.value, output, draft=draft)
    kind = "Draft" if draft else "Export"
    where = str(written[0]) if len(written) == 1 else f"{written[0].parent} ({', '.join(path.name for path in written)})"
    out.print(f"{kind} written: {escape(where)}")


def _invoked(args: list[str]) -> typer.Typer:
    """``app`` with only the command that ``args`` name, when they name one.

    typer builds the click parameters of every command before parsing (~17 M instructions of
    `check`'s start); a run invokes one, named by the first argument. Usage, help, errors and
    exit codes of that command are those of the whole app (tests/test_cli_invoked.py compares them).
    Otherwise the whole app: without arguments, with an unknown command (whose suggestions list
    every command), or with an option of the root first (``--help`` lists every command).
    """
    name = args[0] if args else None
    commands = [info for info in app.registered_commands if _command_name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return app
    only = copy.copy(app)
    only.registered_commands, only.registered_groups = commands, groups
    return only


def _command_name(info) -> str:
    """The name typer gives a command: its own, else the function's with '-' for '_'."""
    return info.name or info.callback.__name__.lower().replace("_", "-")


def main() -> None:
    """The whole typer app (bidkit.launch.main runs a plain `check` without it)."""
    utf8_output()
    guarded(lambda: _invoked(sys.argv[1:])())


if _COLLECTING:
    gc.enable()

