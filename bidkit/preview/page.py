"""The preview page: the state as plain values, rendered by ``page.html.j2`` (autoescaped)
with the parts of ``parts.html.j2``.

The whole page is rendered on the server, so its first view needs no JavaScript; the event
stream sends the same parts (``FRAGMENTS``) rendered again after each change. Labels are German,
like the document; messages and hints are the check's own.
"""

from __future__ import annotations

import functools
import hashlib
import os
import urllib.parse
from pathlib import Path

import jinja2

from bidkit.findings import Finding, Severity
from bidkit.paths import BidFileError, printable, read_regular, resolve_inside
from bidkit.preview.state import Preview
from bidkit.rules.loading import LOADER_CODES
from bidkit.rules.german import german_title

HERE = Path(__file__).resolve().parent
FRAGMENTS = ("meldung", "seiten", "befunde")
SEVERITY = {Severity.ERROR: "Fehler", Severity.WARNING: "Warnung", Severity.INFO: "Hinweis"}
CONTEXT_LINES = 3  # source lines shown before and after a finding's line
MAX_SOURCE_BYTES = 16_000_000
MAX_LINE_CHARS = 300


@functools.cache
def _template(name: str) -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    return environment.get_template(name)


@functools.cache
def asset(name: str) -> str:
    """preview.css or preview.js, inlined into the page (no requests for assets, no CDN)."""
    return (HERE / name).read_text(encoding="utf-8")


def german(number: float, digits: int = 1) -> str:
    return f"{number:.{digits}f}".replace(".", ",")


def page_html(preview: Preview, bid_dir: Path, *, nonce: str, token: str, editor: bool) -> str:
    values = view(preview, bid_dir, editor=editor)
    return _template("page.html.j2").render(asset=asset, nonce=nonce, token=token, self_values=values, **values)


def fragments(preview: Preview, bid_dir: Path, *, token: str, editor: bool) -> dict[str, str]:
    """The parts of the page that change, rendered again for the event stream."""
    values = view(preview, bid_dir, editor=editor)
    module = _template("parts.html.j2").make_module({"token": token})
    return {"stand": values["stand"], "titel": values["titel"],
            **{name: str(getattr(module, name)(values)) for name in FRAGMENTS}}


def view(preview: Preview, bid_dir: Path, *, editor: bool) -> dict:
    """Everything the page shows, as plain values."""
    check, rendering, status = preview.check, preview.rendering, preview.status
    result = check.result if check else None
    title = (result.bid_title if result else None) or bid_dir.name
    sources: dict[Path, list[str] | None] = {}
    findings = [_finding(f, bid_dir, sources, editor) for f in result.sorted_findings()] if result else []
    limit = result.call.page_limit if result and result.call else None
    messages, errors = [], []
    if check is None:
        messages.append("Die Bewerbung wird geprüft …")
    elif check.problem:
        messages.append(f"Die Bewerbung kann nicht geprüft werden: {check.problem}")
    elif not check.renderable:
        messages.append("Kein Entwurf möglich: der Aufruf und das Manifest (Titel, Stadt, Kontakte) müssen sich lesen lassen.")
    elif check.broken and rendering is not None:
        messages.append(f"Nicht gelesen: {', '.join(sorted(check.broken))}. Neu gerendert wird, sobald sich alles lesen lässt.")
    if status.error:
        messages.append(f"Das Rendern ist fehlgeschlagen: {status.error}")
    if messages and result:
        errors = [f for f in findings if f["schwere"] == "fehler" and (f["regel"] in LOADER_CODES or not check.renderable)]
    if messages and rendering is not None:
        messages.append(f"Die Seiten zeigen den letzten gelungenen Stand von {rendering.at:%H:%M:%S} Uhr.")
    counts = {label: result.count(severity) if result else 0 for severity, label in SEVERITY.items()}
    return {
        "stand": preview.revision,
        "titel": title,
        "ordner": str(bid_dir),
        "aufruf": result.call.name if result and result.call else None,
        "meldungen": messages,
        "fehlerliste": errors[:10],
        "befunde": findings,
        "anzahl": counts,
        "vollstaendig": result.complete if result else False,
        "prozent": german(result.percent) if result else None,
        "gruppen": [(s.group, s.passed, s.total) for s in result.scores()] if result else [],
        "pruefung": {"sekunden": german(check.seconds, 2), "zeit": f"{check.at:%H:%M:%S}"} if check else None,
        "seiten": _pages(rendering, limit),
        "rendert": status.running,
        "unveraendert": status.skipped and not status.running,
        "editor": editor,
    }


def _pages(rendering, limit: int | None) -> dict | None:
    if rendering is None:
        return None
    owner = [title for title, count in rendering.sections.items() for _ in range(count)]
    total = len(rendering.pages)
    return {
        "bilder": [{
            "url": f"/seite/{rendering.number}/{index + 1}.png", "breite": page.width, "hoehe": page.height,
            "alt": f"Seite {index + 1} von {total}" + (f": {owner[index]}" if index < len(owner) else ""),
        } for index, page in enumerate(rendering.pages)],
        "gesamt": total,
        "gezaehlt": rendering.counted_pages,
        "limit": limit,
        "zu_lang": limit is not None and rendering.counted_pages > limit,
        "sekunden": german(rendering.seconds),
        "zeit": f"{rendering.at:%H:%M:%S}",
    }


def _finding(finding: Finding, bid_dir: Path, sources: dict, editor: bool) -> dict:
    location = finding.location
    file = None
    if location.file is not None:
        relative = os.path.relpath(location.file, bid_dir)
        file = None if relative.startswith("..") or os.path.isabs(relative) else relative
    named = printable(file or (location.file.name if location.file else ""))  # a name that is not UTF-8 too
    if location.cell_ref:  # a spreadsheet's cell: kosten.xlsx:Kosten!C7
        where = f"{named}:{location.cell_ref}"
    else:
        where = named + (f":{location.line}" if location.line and named else "")
    key = "|".join(map(str, (finding.rule, named, location.line, location.column, finding.message)))
    return {
        "id": "b-" + hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()[:12],
        "schwere": SEVERITY[finding.severity].lower(),
        "schwere_text": SEVERITY[finding.severity],
        "regel": finding.rule,
        "titel": german_title(finding.rule),  # the page speaks German; the details below are the CLI's English
        "ort": where,
        # the name's bytes, percent-encoded (server.py decodes them): any name, one that is not UTF-8 too, opens
        "datei": urllib.parse.quote(os.fsencode(file)) if file else None,
        "zeile": location.line,
        "feld": finding.dotted_path,
        "nachricht": finding.message,
        "hinweis": finding.hint,
        # a workbook's rows are no text lines to show, nor a place a text editor opens
        "quelle": _source(bid_dir, file, location.line, sources) if file and location.line and not location.binary else None,
        "editor": editor and file is not None and not location.binary,
    }


def _source(bid_dir: Path, file: str, line: int, cache: dict) -> list[tuple[int, str, bool]] | None:
    """The lines around ``line`` of a file inside the bid folder (read through the bid-folder resolver)."""
    try:
        path = resolve_inside(bid_dir, file)
    except BidFileError:
        return None
    if path not in cache:
        try:
            cache[path] = read_regular(path, max_bytes=MAX_SOURCE_BYTES).decode("utf-8", "replace").splitlines()
        except BidFileError:
            cache[path] = None
    lines = cache[path]
    if not lines or not 0 < line <= len(lines):
        return None
    first, last = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
    return [(n, lines[n - 1][:MAX_LINE_CHARS], n == line) for n in range(first, last + 1)]
