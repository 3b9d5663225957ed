"""``bidkit init``: a new bid folder with the schema beside it.

Two kinds: a skeleton for a city and a shipped call (``init_skeleton``: the call's required
sections, its thematic field ids, and a TODO wherever something is to fill, so that `bidkit
check` reports every line still to write), or the complete Wolfsburg example (``init_example``).
The skeleton's files are Jinja templates in ``bidkit/skeleton/``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jinja2
import yaml

from bidkit.applicant import Applicant, head_title, leading_kind
from bidkit.call_profiles import names_a_file, own_call, shipped_call
from bidkit.errors import BidkitError
from bidkit.fileio import atomic_write
from bidkit.models import Call
from bidkit.paths import example_dir
from bidkit.schema import SCHEMA_FILE, schema_text

SKELETON_DIR = Path(__file__).parent / "skeleton"
#: The skeleton's files and the section each holds (written only when the call requires it).
SKELETON_FILES = {"bid.yaml": None, "goals.yaml": None, "measures.yaml": None, "partners.yaml": None,
                  "mou.yaml": "mou", "budget.yaml": None}


def _prepare(target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise BidkitError(f"'{target}' exists and is not a folder", "Choose a new folder name.")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise BidkitError(f"'{target}' is not empty", "Choose an empty or new folder, or add --force to overwrite bid files in it.")


def kept_yaml(target: Path, written: list[Path]) -> list[str]:
    """YAML files ``init --force`` found in the folder and left there: the next `check` reads them with the new files."""
    new = {path.name for path in written}
    return sorted(p.name for p in target.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.name not in new)


def _write(target: Path, relative: str | Path, data: bytes) -> Path:
    """Write one file of the new bid; never through a link that leads out of ``target``.

    ``atomic_write`` replaces a link standing at the file's place instead of writing through
    it; a folder on the way that links elsewhere is refused.
    """
    destination = target / relative
    try:
        inside = destination.parent.resolve().is_relative_to(target.resolve())
    except (OSError, RuntimeError) as exc:
        raise BidkitError(f"cannot write {destination}: {exc}", "Choose a folder you can write to.") from None
    if not inside:
        raise BidkitError(f"'{destination.parent}' leads outside '{target}'", "Remove the link, or init into a new folder.")
    try:
        atomic_write(destination, data)
    except BidkitError as exc:
        raise BidkitError(exc.message, "Choose a folder you can write to.") from None
    return destination


def init_example(target: Path, *, force: bool = False) -> list[Path]:
    """Write the complete example bid (Wolfsburg) into ``target``; return the files written."""
    _prepare(target, force)
    source = example_dir()
    written = []
    for path in sorted(source.rglob("*")):
        if path.is_dir() or path.name == SCHEMA_FILE or "__pycache__" in path.parts:
            continue
        written.append(_write(target, path.relative_to(source), path.read_bytes()))
    return [*written, _write(target, SCHEMA_FILE, schema_text().encode())]


#: What a YAML reader takes for a line break (YAML 1.1 also U+0085, U+2028, U+2029), and Python's str.splitlines.
_BREAKS = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when YAML reads it back unchanged, else double-quoted (on one
    line: every line break escaped)."""
    try:
        plain = yaml.safe_load(f"key: {text}") == {"key": text}
    except yaml.YAMLError:
        plain = False
    if plain and "#" not in text and not _BREAKS.search(text):
        return text
    return _BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def _one_line(value: object) -> str:
    """Every value the skeleton's templates print, on one line: a call's name with a line break
    written into a comment („# Bewerbung …: Name\nvision: X“) would start a key of its own."""
    return _BREAKS.sub(" ", str(value))


def skeleton_files(city: str, call: Call, official_name: str | None = None, reference: str | None = None) -> dict[str, str]:
    """The skeleton's files for ``city`` (and its ``official_name``, e.g. „Wissenschaftsstadt
    Darmstadt“, which the files then use where they name the city) and ``call``, which bid.yaml names
    as ``reference`` (its id, or the path of a call file of one's own): name → YAML text."""
    period = call.funding_period
    start = period.start if period else call.deadline
    end = period.end if period else dt.date(start.year, 12, 31)
    limits = {limit.field: limit.max_chars for limit in call.text_limits}

    def limit(field: str) -> str:
        return f" (at most {limits[field]} characters)" if field in limits else ""

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(SKELETON_DIR)), autoescape=False, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, finalize=_one_line,
    )
    env.filters["scalar"] = scalar
    if not official_name and leading_kind(city) is not None:  # --city "Landkreis Oder-Spree" is its official name too
        official_name = city
    applicant = Applicant.of(city, official_name)
    council_article = "Die" if applicant.council.endswith("versammlung") else "Der"
    values = {"city": city, "official_name": official_name, "display": applicant.name, "applicant": applicant,
              "head": head_title(applicant.council),
              "council_article": council_article, "call": call, "call_reference": reference or call.id, "sections": set(call.required_sections), "start": start, "end": end,
              "limit": limit}
    return {
        name: env.get_template(f"{name}.j2").render(values)
        for name, section in SKELETON_FILES.items()
        if section is None or section in call.required_sections
    }


def init_skeleton(target: Path, *, city: str, call_id: str, force: bool = False, official_name: str | None = None) -> list[Path]:
    """Write a skeleton bid of ``city`` for the call ``call_id``: a shipped call's id, or the path of a
    call file of one's own, which is copied into the new folder's ``calls/``; return the files written."""
    city = city.strip()
    if not city or "\n" in city:
        raise BidkitError("--city needs the city's name on one line", "e.g. --city Paderborn")
    official_name = (official_name or "").strip() or None
    if official_name and "\n" in official_name:
        raise BidkitError("--official-name needs the name on one line", "e.g. --official-name 'Wissenschaftsstadt Darmstadt'")
    own = None
    if names_a_file(call_id):
        source = Path(call_id)
        call, problems = own_call(call_id)
        if problems:
            raise BidkitError(f"the call file {problems[0].place()}: {problems[0].rule} {problems[0].message}",
                              f"Correct the call file first (`bidkit calls show {call_id}` lists what it says and every problem).")
        own = (f"calls/{source.name}", source.read_bytes())
    else:
        call = shipped_call(call_id)
    _prepare(target, force)
    written = []
    if own:
        written.append(_write(target, own[0], own[1]))
    for name, text in skeleton_files(city, call, official_name, f"./{own[0]}" if own else call.id).items():
        written.append(_write(target, name, text.encode("utf-8")))
    return [*written, _write(target, SCHEMA_FILE, schema_text().encode())]
