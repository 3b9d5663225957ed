"""`bidkit build` without typer: its options read plainly, and the build itself (``run_build``).

The command line's process lives through the whole build beside the layout process (bidkit.render.staged),
so what it holds counts at the build's peak of memory (issue 12: all processes ≤ WeasyPrint alone).
typer, click and the part of pydantic typer's options load cost it ~4 MB. A `build` whose arguments
are all spelled plainly (the folder, ``-o FILE``, ``--jobs 2``, ``--jobs=2``, ``--no-cache``, …) is
parsed here (``plain_build``) into the parameters typer would pass, and run by ``run_build``, the
function `bidkit.cli.build` runs too; everything else — ``--help``, ``--watch``, an unknown option,
a value that is no choice or no plain number, an option given twice, a value that starts with '-'
— goes to the typer app (bidkit.launch), so help, errors and exit codes are typer's own
(tests/test_mem8_launch.py holds the parameters read here to those typer passes, and the output of
both paths to each other).
"""

from __future__ import annotations

import enum
import os
from pathlib import Path

from bidkit.errors import EXIT_FINDINGS


class PdfVariant(str, enum.Enum):
    """The variants of bidkit.render.build.PDF_VARIANTS (kept equal by a test)."""

    pdf_a_3a_ua_1 = "pdf/a-3a+ua-1"
    pdf_a_3u = "pdf/a-3u"
    pdf_ua_1 = "pdf/ua-1"
    pdf = "pdf"


def run_build(bid_dir: Path, output: Path | None, draft: bool, variant: str, html: Path | None, bid_variant: str | None,
              no_cache: bool, jobs: int) -> int:
    """`bidkit build` (not ``--watch``): the steps on standard error, the result on standard output; the exit code."""
    import gc

    from bidkit.console import Steps, err, out
    from bidkit.launch import cache_outside
    from bidkit.limits import check_settings
    from bidkit.markup import escape

    check_settings()
    cache_outside(bid_dir)  # before the build's processes start: they cache too
    from bidkit.render.staged import run

    # One build, then the process ends: no cycle collection scans WeasyPrint's boxes while it runs,
    # and none at exit (they are frozen once built; the system frees the memory).
    gc.disable()

    cache = None  # an unchanged rebuild is looked up before the bid is read, and taken without reading it
    if not no_cache and html is None:
        from bidkit.render.cache import lookup

        cache = lookup(bid_dir, output, draft=draft, variant=variant, bid_variant=bid_variant, jobs=jobs or None)

    def prepare(step):  # in the build's worker process (bidkit.render.staged)
        from bidkit.render.build import check_and_prepare

        return check_and_prepare(bid_dir, output, draft=draft, variant=variant, bid_variant=bid_variant,
                                 html_output=html, cache=cache, jobs=jobs or None, step=step, console=err)

    facts, built = run(prepare, lambda: Steps(err), cache=cache, say=err.print)
    gc.freeze()
    if built is None:
        return facts
    target, page_limit, limit_rule = facts
    for message in built.warnings:
        err.print(f"[yellow]warning:[/] {escape(message)}")
    for url in built.refused:
        err.print(f"[yellow]warning:[/] refused to load {escape(url)}")
    kind = "Draft" if draft else "PDF"
    extras = [f"variant {bid_variant}"] if bid_variant else []
    extras += [f"{built.annexes_appended} PDF annex(es) appended"] if built.annexes_appended else []
    extras += [f"{built.files_embedded} file(s) embedded"] if built.files_embedded else []
    extras += ["from the cache"] if built.cached else []
    claims = built.claims or variant  # a draft with characters no font has claims no standard
    out.print(f"{kind} written: {escape(str(target))} ({built.pages} pages, {claims}{''.join(', ' + e for e in extras)})")
    from bidkit.pdfcheck import page_limit_findings

    too_long = page_limit_findings(target, page_limit, built.sections, limit_rule)
    for finding in too_long:
        err.print(f"[bold red]{finding.rule}:[/] {escape(finding.message)}. {escape(finding.hint)}")
    return EXIT_FINDINGS if too_long and not draft else 0


#: `build`'s options as bidkit.cli declares them: flags, and options that take one value (by parameter).
_FLAGS = {"--draft": "draft", "--no-cache": "no_cache"}
_VALUED = {"--output": "output", "-o": "output", "--pdf-variant": "variant", "--html": "html", "--variant": "bid_variant",
           "--jobs": "jobs", "-j": "jobs"}
_PATHS = ("output", "html")
_JOBS_VARIABLE = "BIDKIT_JOBS"  # --jobs's envvar


def _count(value: str) -> int | None:
    """``value`` as --jobs takes it, when spelled plainly (ASCII digits); else None (typer reads it)."""
    return int(value) if value.isascii() and value.isdigit() else None


def _take_build(key: str, value: str, given: dict) -> bool:
    if key in given or (key == "variant" and value not in PdfVariant._value2member_map_):
        return False
    if key == "jobs" and (value := _count(value)) is None:
        return False
    given[key] = Path(value) if key in _PATHS else value
    return True


def plain_build(args: list[str]) -> dict | None:
    """The parameters of `bidkit build` as typer would pass them to ``run_build``, when ``args`` spell them plainly; else None
    (--watch, --help, anything unusual: typer reads those)."""
    from bidkit.launch import plain_options

    given = plain_options(args, "build", _FLAGS, _VALUED, _take_build, {})
    if given is None:
        return None
    if "jobs" not in given and (variable := os.environ.get(_JOBS_VARIABLE)):
        if (jobs := _count(variable)) is None:
            return None
        given["jobs"] = jobs
    return {"bid_dir": Path("bid_data"), "output": None, "draft": False, "variant": PdfVariant.pdf_a_3a_ua_1.value,
            "html": None, "bid_variant": None, "no_cache": False, "jobs": 0, **given}
