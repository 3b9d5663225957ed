"""Variants of the document from one bid: what a variant removes, and proof that it is gone.

A city publishes its bid after the competition, without the personal data of its staff and of
private supporters (GDPR). ``bidkit build --variant public`` renders the same bid without them;
``variants:`` in bid.yaml defines further variants (``press``, …) from a fixed vocabulary
(``bidkit.models.Removal``) plus fields by path. ``public`` is predefined; a ``public`` of the bid's
own adds to it, never takes away.

Three walls, in order:

1. ``redact`` removes the values from the validated bid before the template context is made
   (``bidkit.render.context``), so no template — bidkit's or a theme's — can print them; the list of
   annexes leaves out the private ones (``kept_annexes``), so their files are neither appended
   nor embedded.
2. ``quoted`` finds a removed value that the bid's own texts still quote (the contact's e-mail in
   the vision): VAR002 at the text's line, before anything is rendered.
3. ``leaks`` reads the final PDF — page text, bookmarks, metadata, annotations, embedded files and
   every decompressed stream — and the build refuses to write a file in which a removed value is
   still found.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import io
import marshal
import os
import re
import sys
import types
import typing
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from bidkit.annexes import Annex, annexes
from bidkit.errors import BidkitError, BuildRefused
from bidkit.findings import FieldPath
from bidkit.letters import plain_letters
from bidkit.models import PUBLIC_REMOVALS, PUBLIC_VARIANT, Bid, Removal
from bidkit.records import record
from bidkit.supporters import Register, Supporter
from bidkit.yamlio import iter_strings

#: The label of the predefined variant (cover and metadata).
PUBLIC_LABEL = "Öffentliche Fassung"
#: Removed values shorter than this are not searched for (a phone extension "12" is everywhere).
MIN_SEARCHED = 4


@record(frozen=True)
class DocumentVariant:
    """A variant as the build uses it: the name given to ``--variant``, its label and what it removes."""

    name: str
    label: str
    removes: frozenset[Removal]
    fields: tuple[str, ...] = ()

    def __contains__(self, removal: Removal) -> bool:
        return removal in self.removes


def defined(bid: Bid) -> dict[str, DocumentVariant]:
    """Every variant the bid can be built in: ``public`` and those of ``variants:``."""
    own = bid.variants or {}
    # A public variant of the bid's own adds to the predefined one (no Variant is made for the
    # predefined one: that would build Variant's validator, which a check needs nowhere else).
    public = own.get(PUBLIC_VARIANT)
    found = {PUBLIC_VARIANT: DocumentVariant(PUBLIC_VARIANT, public.label if public else PUBLIC_LABEL,
                                             frozenset(PUBLIC_REMOVALS) | set(public.remove if public else ()),
                                             tuple(public.fields if public else ()))}
    for name, variant in own.items():
        if name != PUBLIC_VARIANT:
            found[name] = DocumentVariant(name, variant.label, frozenset(variant.remove), tuple(variant.fields))
    return found


def resolve(bid: Bid, name: str) -> DocumentVariant:
    """The variant ``name`` of ``bid``; an unknown name is a usage error (exit 2)."""
    found = defined(bid)
    if name not in found:
        raise BidkitError(f"--variant: the bid defines no variant '{name}'",
                          f"Choose one of {', '.join(sorted(found))}, or define '{name}' under `variants:` in bid.yaml.")
    return found[name]


def is_private_supporter(supporter: Supporter) -> bool:
    """Citizens are private persons; any other supporter is private when its row says so."""
    return supporter.kind == "citizen" or supporter.private


# --- 1. removal ------------------------------------------------------------------------------

def kept_annexes(bid: Bid, variant: DocumentVariant | None) -> list[Annex]:
    """The annexes of ``variant`` in document order, numbered without gaps, as the redacted bid
    lists them: a file the variant removes (`mou.file`) is no annex of it, and a title or
    description is the variant's (a removed `council_resolution.reference` leaves the title)."""
    every = annexes(bid)
    if variant is None:
        return every
    shown = {os.path.normpath(annex.file): annex for annex in annexes(redact(bid, variant))}
    kept = [annex for annex in every if os.path.normpath(annex.file) in shown
            and not (Removal.PRIVATE_ANNEXES in variant and is_private_annex(bid, annex))]
    return [dataclasses.replace(annex, number=number, title=shown[os.path.normpath(annex.file)].title,
                                description=shown[os.path.normpath(annex.file)].description)
            for number, annex in enumerate(kept, start=1)]


def is_private_annex(bid: Bid, annex: Annex) -> bool:
    """An entry of ``annexes:`` or a partner's letter marked ``public: false`` (in any of the places
    that name the file: one of them marks the file private)."""
    return any(getattr(_at(bid, field[:-1]), "public", True) is False for field in (annex.field, *annex.also))


def _at(value: Any, path: FieldPath) -> Any:
    for part in path:
        value = value[part] if isinstance(part, int) else getattr(value, part, None)
    return value


def redact(bid: Bid, variant: DocumentVariant | None) -> Bid:
    """A copy of ``bid`` without what ``variant`` removes (the bid itself is left as it is).

    Contacts become None (templates show ``city.public_contact`` instead); a removed name becomes
    ""; private annexes leave ``annexes`` and a private letter keeps its kind and date but not its
    file; fields by path become None, "" (a required text) or [] (a list).
    """
    if variant is None:
        return bid
    update: dict[str, Any] = {}
    if Removal.CONTACT in variant:
        update["contact"] = None
    if Removal.DEPUTY_CONTACT in variant:
        update["deputy_contact"] = None
    if Removal.LEGAL_REPRESENTATIVE in variant:
        update["legal_representative"] = bid.legal_representative.model_copy(update={"name": ""})
    if Removal.SIGNATORIES in variant and bid.mou:
        parties = [party.model_copy(update={"signatories": [s.model_copy(update={"name": ""}) for s in party.signatories]})
                   for party in bid.mou.parties]
        update["mou"] = bid.mou.model_copy(update={"parties": parties})
    if Removal.PRIVATE_ANNEXES in variant:
        if bid.annexes:
            update["annexes"] = [annex for annex in bid.annexes if annex.public]
        if bid.partners:
            update["partners"] = [partner.model_copy(update={"letter": partner.letter.model_copy(update={"file": None})})
                                  if partner.letter and not partner.letter.public else partner for partner in bid.partners]
    redacted = bid.model_copy(update=update)
    for path in variant.fields:
        redacted = _without(redacted, path.split("."))
    return redacted


def _without(model: BaseModel, parts: list[str]) -> BaseModel:
    """``model`` with the field at ``parts`` (``measures[]``, ``lead``) emptied."""
    name, every = parts[0].removesuffix("[]"), parts[0].endswith("[]")
    info = type(model).model_fields.get(name)
    value = getattr(model, name, None)
    if info is None or value is None:
        return model  # a wrong path is VAR001's finding; nothing to remove here
    if len(parts) == 1:
        return model.model_copy(update={name: _empty(info, value)})
    if every and isinstance(value, list):
        inner = [_without(item, parts[1:]) if isinstance(item, BaseModel) else item for item in value]
    elif isinstance(value, BaseModel):
        inner = _without(value, parts[1:])
    else:
        return model
    return model.model_copy(update={name: inner})


def _empty(info, value: Any) -> Any:
    if isinstance(value, list):
        return []
    if not info.is_required():
        return None
    return ""


def field_problem(path: str, *, text: bool = False) -> str | None:
    """Why ``path`` (``measures[].lead``) cannot be removed, or None when it can: it must name a
    field, and a required one only when it is a text (it becomes "") or a list (it becomes []).
    With ``text``: why it names no text of the bid (a call's ``text_limits``), None when it does."""
    model: type[BaseModel] | None = Bid
    parts = path.split(".")
    for index, part in enumerate(parts):
        name, every = part.removesuffix("[]"), part.endswith("[]")
        info = model.model_fields.get(name) if model else None
        if info is None:
            owner = "the bid" if index == 0 else parts[index - 1]
            close = difflib.get_close_matches(name, list(model.model_fields), n=1) if model else []
            if close:
                meant = close[0] + ("[]" if _is_list(model.model_fields[close[0]].annotation) else "")
                return f"'{name}' is no field of {owner}; did you mean '{'.'.join([*parts[:index], meant, *parts[index + 1:]])}'?"
            known = ", ".join(model.model_fields) if model else "nothing (it is no section)"
            return f"'{name}' is no field of {owner}; known: {known}"
        if not text and len(parts) == 1 and name in ("call", "title", "city"):
            return f"'{name}' is what the document is about and cannot be removed"
        if not text and path == "mou.parties[].name":
            return ("'mou.parties[].name' is who concludes the MoU: a party without it is printed by its partner's name "
                    "or its id; remove `signatories` for the persons who sign")
        if not text and len(parts) == 1 and name == "submission_date":
            return (f"'{name}' is the document's own date (the cover, the PDF's dates) and cannot be removed; "
                    f"build the variant with SOURCE_DATE_EPOCH set to another day instead")
        inner = _inner_model(info.annotation, every)
        if isinstance(inner, str):
            return f"'{part}': {inner}"
        last = index == len(parts) - 1
        if not last and not every and _is_list(info.annotation):
            return f"'{name}' is a list: write '{name}[]' for every item ('{'.'.join([*parts[:index], name + '[]', *parts[index + 1:]])}')"
        if text and last:
            target = _optional(info.annotation)
            leaf = typing.get_args(target)[0] if every and typing.get_origin(target) is list else target
            if leaf is not str:
                return f"'{path}' is no text" + (f": write '{path}[]' for every item" if _is_list(info.annotation) and not every else "")
            return None
        if not text and last and info.is_required() and info.annotation is not str and typing.get_origin(info.annotation) is not list:
            return f"'{path}' is required by the document and no text; the vocabulary (`remove:`) names what can go"
        model = inner
    return None


def _optional(annotation: Any) -> Any:
    """``X | None`` → ``X``; anything else (``list[str]``, whose arguments are no options) as it is."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(_optional(annotation)) is list


def _inner_model(annotation: Any, every: bool) -> type[BaseModel] | None | str:
    """The model a path continues in after this field (None: a leaf), or why ``[]`` does not fit."""
    target = _optional(annotation)
    origin = typing.get_origin(target)
    if origin is list:
        item = typing.get_args(target)[0]
        return item if isinstance(item, type) and issubclass(item, BaseModel) else None
    if every:
        return "'[]' marks a list, and this field is none"
    return target if isinstance(target, type) and issubclass(target, BaseModel) else None


# --- what is removed, as strings to search for ---------------------------------------------

@record(frozen=True)
class Secret:
    """A removed value: the text, and what it was (``contact.email``, ``supporter in unterstuetzer.csv line 7``).
    ``digits``: a phone number, found by its digits in any writing (``0221 221-31415`` for
    ``+49 221 221-31415``); ``text`` is then those digits in national form."""

    text: str
    what: str
    digits: bool = False


def secrets(bid: Bid, variant: DocumentVariant, register: Register | None = None,
            mentioned: Callable[[str], bool] | None = None) -> list[Secret]:
    """Every value ``variant`` removes, as text; values the city's public address shows are public.
    ``mentioned``: whether a word (as the search compares it) is in the texts to be searched at all;
    a person none of whose names is gets no other forms than the name (a register of hundreds)."""
    # Each value once (the first of its kind), and not one the public address shows: decided as the
    # value is found, before a Secret is made (a register's scans often share one file).
    public = _public_values(bid)
    seen: set[tuple[str, bool]] = set()
    unique: list[Secret] = []

    def keep(text: str, what: str, digits: bool = False) -> None:
        if (text, digits) not in seen:
            seen.add((text, digits))
            if (text if digits else _squeezed_value(text)) not in public:
                unique.append(Secret(text, what, digits))

    def add(text: str | None, what: str) -> None:
        if text and len(text.strip()) >= MIN_SEARCHED:
            keep(text.strip(), what)

    def person(name: str | None, role: str | None, what: str) -> None:
        """A person's name, and the forms a text names the person by (without „Dr.“, „Frau Dubois“, …)."""
        add(name, what)
        if mentioned is not None and not any(map(mentioned, name_words(name or ""))):
            return  # every form holds one of the name's words
        for form in name_forms(name or "", role):
            add(form, what)

    # An official the variant still shows in office (the legal representative, a signatory of the MoU)
    # is public by that: a mayor who is also the deputy contact keeps the name, not the e-mail and phone.
    officials = set()
    if Removal.LEGAL_REPRESENTATIVE not in variant:
        officials.add(squeezed(bid.legal_representative.name))
    if Removal.SIGNATORIES not in variant and bid.mou:
        officials |= {squeezed(s.name) for party in bid.mou.parties for s in party.signatories}
    for removal, key in ((Removal.CONTACT, "contact"), (Removal.DEPUTY_CONTACT, "deputy_contact")):
        contact = getattr(bid, key)
        if removal in variant and contact:
            if squeezed(contact.name) not in officials:
                person(contact.name, contact.role, f"{key}.name")
            add(contact.email, f"{key}.email")
            if mentioned is None or any(map(mentioned, name_words((contact.email or "").partition("@")[0]))):
                for form in email_forms(contact.email or ""):  # every form holds the address's local part
                    add(form, f"{key}.email")
            add(contact.phone, f"{key}.phone")
            if contact.phone and len(phone_digits(contact.phone)) >= MIN_PHONE_DIGITS:
                keep(phone_digits(contact.phone), f"{key}.phone", digits=True)
    if Removal.LEGAL_REPRESENTATIVE in variant:
        representative = bid.legal_representative
        person(representative.name, representative.role, "legal_representative.name")
    if Removal.SIGNATORIES in variant and bid.mou:
        for p, party in enumerate(bid.mou.parties):
            for s, signatory in enumerate(party.signatories):
                person(signatory.name, signatory.role, f"mou.parties[{p}].signatories[{s}].name")
    if Removal.PRIVATE_SUPPORTERS in variant and register:
        where = f"{register.file} {register.where}"
        for supporter in register.supporters:
            if is_private_supporter(supporter):
                person(supporter.name, None, f"private supporter ({where} {supporter.line})")
                add(supporter.file, f"private supporter's scan ({where} {supporter.line})")
    if Removal.PRIVATE_ANNEXES in variant:
        for annex in annexes(bid):
            if is_private_annex(bid, annex):
                add(annex.title, f"the title of private annex {annex.number}")  # its number in the full bid
                add(annex.file, f"the file of private annex {annex.number}")
    if variant.fields:  # the texts fields by path remove: the bid's texts the variant no longer has
        removed = bid.model_dump(mode="json", exclude_none=True, warnings=False)
        kept = redact(bid, variant).model_dump(mode="json", exclude_none=True, warnings=False)
        kept_texts = {text for _, text in iter_strings(kept)}
    for path in variant.fields:
        for field_path, text in iter_strings(_select(removed, path.split("."))):
            # what can name someone or something: words, not a unit, a kind or an office („Minuten“,
            # „land“, „Hauptamt“) that other texts print as well
            if text not in kept_texts and not text.strip().isalpha():  # a single word: a unit, a kind, an office
                add(text, f"{path} {''.join(f'[{p}]' if isinstance(p, int) else f'.{p}' for p in field_path)}".strip())
    return unique


# --- the forms of a name and of a phone number ---------------------------------------------------

#: Words before or after a name that are no part of it: academic degrees and forms of address.
_TITLE = re.compile(
    r"\(?(?:Prof\.|Dr\.(?:-Ing\.)?|med\.|rer\.|nat\.|phil\.|jur\.|h\.\s?c\.|Dipl\.-[\w.]+|Mag\.|M\.\s?A\.|B\.\s?A\.|"
    r"M\.\s?Sc\.|B\.\s?Sc\.|MBA|LL\.\s?M\.|PD|Herr|Frau|Hr\.|Fr\.)\)?,?", re.IGNORECASE)
#: Words that start a family name: „Ursula von der Leyen“ is „Frau von der Leyen“.
_PARTICLES = {"von", "van", "vom", "zu", "zur", "de", "del", "della", "der", "den", "di", "da", "du", "le", "la", "ten", "ter"}
MIN_PHONE_DIGITS = 6


def name_forms(name: str, role: str | None = None) -> list[str]:
    """The other forms a text names a person ``name`` by: without degrees („Hüseyin Çelik“ for „Dr.
    Hüseyin Çelik“), family name first („Çelik, Hüseyin“), with an initial („H. Çelik“, „Çelik,
    H.“, „Hüseyin Ç.“), the family name after a form of address in any case, a degree or the
    person's ``role`` („Frau Dubois“, „Herrn Çelik“, „Dr. Çelik“, „Bürgermeister Çelik“), and each
    of them without accents („Hueseyin Celik“), and as a web address or an e-mail writes it
    („hueseyin-celik“, „hueseyin.celik“). Case is the search's (ß is ss: ``_comparable``)."""
    words = [word for word in name.split() if not _TITLE.fullmatch(word)]
    if len(words) < 2:
        return []
    start = next((i for i in range(1, len(words) - 1) if words[i].lower() in _PARTICLES), len(words) - 1)
    given, family = " ".join(words[:start]), " ".join(words[start:])
    # „K.“ and, for a hyphenated first name, „K.-U.“ („Kai-Uwe“)
    initials = dict.fromkeys([f"{given[0]}.", "-".join(f"{part[0]}." for part in words[0].split("-") if part)])
    # a double name's parts each stand for it after a form of address or the first name („Frau Schröder“)
    families = [family, *(part for part in family.split("-") if len(part) >= MIN_SEARCHED and "-" in family)]
    forms = [" ".join(words), f"{family}, {given}", f"{family}, {given[0]}.", f"{given} {family[0]}.",
             # in a web address or an e-mail: „…/team/anneliese-schroeder-nguyen“, „anneliese.schroeder@…“
             *(separator.join(part for part in f"{given} {family}".split()) for separator in ("-", ".", "_"))]
    forms += [f"{initial}{space}{family}" for initial in initials for space in (" ", "")]
    forms += [f"{before} {name}" for name in families
              for before in ("Herr", "Herrn", "Frau", "Hr.", "Hrn.", "Fr.", "Dr.", "Prof.", given, *([role] if role else []))]
    plain = [_ascii(form) for form in forms]
    return [form for form in dict.fromkeys(forms + plain) if form != name]


def email_forms(email: str) -> list[str]:
    """An e-mail address as anti-spam spelling writes it: „name(at)stadt.example“, „name [at] stadt
    [dot] example“, „name at stadt dot example“ (the search ignores spaces)."""
    local, at, domain = email.partition("@")
    if not at:
        return []
    signs = [f"{space}{sign}{space}" for sign in ("(at)", "[at]", "(@)") for space in ("", " ")] + [" at "]
    dots = [f"{space}{dot}{space}" for dot in ("(dot)", "[dot]", "(.)") for space in ("", " ")] + [" dot "]
    return [f"{local}{sign}{dotted}" for sign in signs
            for dotted in dict.fromkeys([domain, *(domain.replace(".", dot) for dot in dots)])]


def name_words(name: str) -> set[str]:
    """The runs of letters of a name (or a text), as the search compares them, with and without
    accents spelt out (ö → oe): each of a name's forms (``name_forms``) holds one of them whole."""
    return {*_letter_runs(name), *_letter_runs(_ascii(name))}


#: Characters no step of ``name_words`` changes into or joins with a letter: ASCII other than letters.
_ASCII_NON_LETTERS = re.compile(r"[\x00-\x40\x5b-\x60\x7b-\x7f]+")


def text_words(texts: Iterable[str]) -> set[str]:
    """``name_words`` of all ``texts`` together (joined by any ASCII character that is no letter),
    worked out once per distinct word: every step of it (case folding, spelling out, decomposing,
    dropping marks) maps each character alone, and no white space or ASCII character other than a
    letter becomes or joins a letter (each is a starter that no mark crosses), so the runs of
    letters of the whole are those of its parts between such characters. A bid of hundreds of texts has some thousands of distinct words
    (tests/test_chk8b_shared.py holds this to ``name_words`` of the joined texts)."""
    words: set[str] = set()
    # White space (str.split's) maps to no letter either: the distinct runs without it first, which
    # str.split finds faster than the pattern.
    tokens = {token for text in dict.fromkeys(texts) for token in text.split()}
    for part in dict.fromkeys(_ASCII_NON_LETTERS.split("\0".join(tokens))):
        if part.isascii():  # letters only: as the search compares them, in lower case
            if part:
                words.add(part.lower())
        else:
            words.update(name_words(part))
    return words


def searched_words(texts: Iterable[str]) -> set[str]:
    """``text_words(texts)``, for a large bid from the cache folder (``kept_result``): it depends on the texts
    joined alone (tests/test_chk8b_shared.py)."""
    return set(kept_result("words", "\0".join(dict.fromkeys(texts)), lambda joined: sorted(text_words(joined.split("\0")))))


# --- what the search works out from a large bid's texts, kept in the user's cache folder -----------------
# The public variant's search folds all texts of the bid (``squeezed``) and gathers their words
# (``searched_words``): ~35 M instructions for a bid of 1,000 budget lines, of the same texts check after
# check. Both are functions of one text: their result is kept as marshal data under the sha256 of the text,
# of its kind and of what the functions depend on (this module's and bidkit.letters' code, bidkit's and
# Python's versions: Unicode's tables), with its own sha256 in front (a damaged entry is a miss).

#: Texts shorter than this are worked out as always (reading a file costs about what they do).
KEPT_FROM = 20_000
#: Bumped when the kept form changes.
RESULT_FORMAT = 1
#: Entries kept at most; beyond, the oldest written go.
MAX_KEPT = 200
_MAGIC = b"bidkit search\n"


@functools.cache
def _fingerprint() -> bytes:
    from bidkit import __version__, letters

    parts = [f"search {RESULT_FORMAT}", __version__, sys.version, unicodedata.unidata_version]
    for name, file in (("variants", __file__), ("letters", letters.__file__)):
        try:
            stat = os.stat(file)
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except (TypeError, OSError):
            parts.append(f"{name}:-")
    return "\n".join(parts).encode() + b"\n\0"


def kept_result(kind: str, text: str, work: Callable[[str], str | list[str]]) -> str | list[str]:
    """``work(text)`` (a text or a list of texts, what ``kind`` names), from the cache folder when it was
    worked out for the same ``text`` before; kept there when ``text`` is long (``KEPT_FROM``)."""
    if len(text) < KEPT_FROM:
        return work(text)
    from bidkit.fileio import prune_oldest, read_sealed, write_sealed
    from bidkit.paths import cache_dir

    try:
        digest = hashlib.sha256(_fingerprint() + kind.encode() + b"\0" + text.encode("utf-8", "surrogatepass"))
        entry = cache_dir() / "search" / f"{digest.hexdigest()}.bin"
    except RuntimeError:  # no home folder to find the cache folder in: no cache
        return work(text)
    try:
        if (payload := read_sealed(entry, _MAGIC)) is not None:
            found = marshal.loads(payload)
            if type(found) is str or (type(found) is list and all(type(item) is str for item in found)):
                return found
    except Exception:  # noqa: BLE001 - an entry that does not decode: worked out again
        pass
    result = work(text)
    if write_sealed(entry, _MAGIC, marshal.dumps(result)):
        prune_oldest(entry.parent, "*.bin", MAX_KEPT)
    return result


_LETTERS = re.compile(r"[^\W\d_]+")


def _letter_runs(text: str) -> list[str]:
    """The runs of letters of ``text`` as the search compares them (``_folded``)."""
    return _LETTERS.findall(_folded(text))


def _translated(text: str, table: dict[str, str], pattern: re.Pattern) -> str:
    """``text.translate(table)`` for a table of single characters: str.translate looks every
    character of a text that is not ASCII up in the table, a regular expression only the few it changes."""
    return pattern.sub(lambda match: table[match.group()], text)


def _any_of(table: dict[str, str]) -> re.Pattern:
    return re.compile("[" + "".join(re.escape(char) for char in table) + "]")


def _ascii(text: str) -> str:
    return plain_letters(text)


#: A run of a phone number in a text: digits with spaces, hyphens, slashes, dots and brackets.
_PHONE_RUN = re.compile(r"(?:\+|(?<!\d)00)?\d[\d\s\u00a0\u202f\-/().]{4,}\d")


def phone_digits(text: str) -> str:
    """A phone number as digits in national form, however written: „+49 (0)221 221-31415“,
    „0049 221 22131415“ and „0221/221 31415“ are all „022122131415“."""
    text = text.strip().replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return "0" + digits[2:] if digits.startswith("49") else "00" + digits
    return "0" + digits[4:] if digits.startswith("0049") else digits


#: The fewest digits of a number's end that give it away without its area code: „Durchwahl 6207-141“
#: beside the switchboard „+49 2661 6207-0“ the variant shows is the removed „+49 2661 6207-141“.
PHONE_TAIL_DIGITS = 6


def _find_phone(text: str, digits: str) -> int | None:
    """Where a phone number of ``digits`` (``phone_digits``) is written in ``text``: whole, or its last
    PHONE_TAIL_DIGITS or more digits written as a number of their own (without the area code)."""
    for run in _PHONE_RUN.finditer(text):
        if digits in phone_digits(run.group()):
            return run.start()
        for part in _PHONE_PARTS.split(run.group()):  # „6207-141 / 6207-143“: two numbers in one run
            written = phone_digits(part)
            if len(written) >= PHONE_TAIL_DIGITS and digits.endswith(written) and not _GROUPED_FIGURE.fullmatch(part.strip()):
                return run.start() + run.group().index(part)
    return None


#: Where one number of a run ends and another begins: „6207-141 / 6207-143“, „6207-141, 6207-142“.
_PHONE_PARTS = re.compile(r"\s*[/,;]\s*(?=-?\d)|\s+/\s*|\s*/\s+")


#: A figure grouped by thousands („207.141“), which no one writes a phone number as.
_GROUPED_FIGURE = re.compile(r"\d{1,3}(?:\.\d{3})+")


def _select(data: Any, parts: list[str]) -> Any:
    """The values at ``parts`` of the dumped bid (a list for ``[]``)."""
    if not parts:
        return data
    name, every = parts[0].removesuffix("[]"), parts[0].endswith("[]")
    value = data.get(name) if isinstance(data, dict) else None
    if value is None:
        return None
    if every and isinstance(value, list):
        return [_select(item, parts[1:]) for item in value]
    return _select(value, parts[1:])


def _public_values(bid: Bid) -> set[str]:
    """What the city publishes on purpose (its public address): a switchboard number a contact
    shares stays in the document."""
    contact = bid.city.public_contact
    if contact is None:
        return set()
    # its fields as they are (a dump would build PublicContact's serializer, which a check needs nowhere else)
    values = [v for v in map(functools.partial(getattr, contact), type(contact).model_fields) if isinstance(v, str)]
    return {squeezed(v) for v in values} | {phone_digits(v) for v in values if _PHONE_RUN.fullmatch(v.strip())}


# --- 2. removed values the bid's own texts quote ------------------------------------------------

def redacted_dump(bid: Bid, variant: DocumentVariant, data: dict | None = None) -> tuple[dict, set[str]]:
    """``redact(bid, variant)`` dumped as the search reads it (JSON, no None values), and the names of the
    bid's sections the variant changes. ``data``: the bid's own dump, exactly as ``model_dump`` made it
    (no text composed): the sections the variant leaves as they are (the same objects) are taken from
    it, and only the changed ones are dumped (tests/test_chk9_shortcuts.py holds it to the whole dump)."""
    redacted = redact(bid, variant)
    fields = type(bid).model_fields
    changed = {name for name in fields if not _same_value(getattr(redacted, name), getattr(bid, name))}
    if data is None:
        return redacted.model_dump(mode="json", exclude_none=True, warnings=False), changed
    part = redacted.model_dump(mode="json", exclude_none=True, warnings=False, include=changed) if changed else {}
    if any(name not in data for name in part):  # a section the variant adds: never so, but then the whole dump
        return redacted.model_dump(mode="json", exclude_none=True, warnings=False), changed
    return {name: part[name] if name in changed else value for name, value in data.items()
            if name not in changed or name in part}, changed


def _same_value(one: Any, other: Any) -> bool:
    """The same object, or lists of the same objects (``redact`` copies a list whose items it may change)."""
    if one is other:
        return True
    return (isinstance(one, list) and isinstance(other, list) and len(one) == len(other)
            and all(a is b for a, b in zip(one, other)))


def quoted(bid: Bid, variant: DocumentVariant, found: list[Secret],
           shared: tuple[dict, dict[str, dict[str, None]]] | None = None) -> Iterator[tuple[FieldPath, int, Secret]]:
    """(field path, offset in the text, secret) for every removed value a kept text of the bid quotes.
    ``shared``: the bid's own dump (``redacted_dump``'s ``data``) and the distinct strings of each of its
    sections, in the dump's order, for several variants of one check."""
    # Each distinct text is searched once (a large bid repeats half of them); the paths are walked only
    # when a text quotes a value.
    if shared is None:
        data = redact(bid, variant).model_dump(mode="json", exclude_none=True, warnings=False)
        distinct = _distinct_strings(data, {})
    else:
        data, changed = redacted_dump(bid, variant, shared[0])
        distinct = {}
        for name, value in data.items():
            if name not in changed:
                distinct.update(shared[1].get(name, ()))  # a text seen before keeps its place, as below
            elif isinstance(value, str):
                distinct[value] = None
            elif isinstance(value, (dict, list)):
                _distinct_strings(value, distinct)
    # Squeezing is per character: once for all texts.
    everything = kept_result("squeezed", "\0".join(distinct), squeezed)
    # One fast search over all texts first: a register has hundreds of names, a bid hundreds of texts.
    present = {key: key in everything for key in dict.fromkeys(_key(secret) for secret in found)}
    candidates = [(secret, _pattern(secret.text)) for secret in found
                  if not secret.digits and present[_key(secret)] and _squeezed_value(secret.text) in everything]
    phones = [secret for secret in found if secret.digits]
    if not candidates and not phones:  # no text holds any (a register's names are mostly in none)
        return
    quoting: dict[str, list[tuple[int, Secret]]] = {}
    for text in distinct:
        comparable, said, hits = None, set(), []  # a value once per text, in whichever of its forms
        for secret, pattern in candidates:
            comparable = comparable or _comparable(text)
            offset = _find(comparable, pattern)
            if offset is not None and secret.what not in said:
                said.add(secret.what)
                hits.append((offset, secret))
        for secret in phones:
            offset = _find_phone(text, secret.text)
            if offset is not None and secret.what not in said:
                said.add(secret.what)
                hits.append((offset, secret))
        if hits:
            quoting[text] = hits
    if not quoting:
        return
    printed_files = {annex.file for annex in kept_annexes(bid, variant)}  # the list of annexes prints their names
    for path, text in iter_strings(data):
        if text not in quoting:
            continue
        if str(path[-1]).endswith("_file") or (path[-1] == "file" and text not in printed_files):
            continue  # a file the build reads, whose name the document does not print (a kept annex's it does)
        for offset, secret in quoting[text]:
            yield path, offset, secret


def _distinct_strings(node: dict | list, found: dict[str, None]) -> dict[str, None]:
    """The distinct string values in ``node`` (keys are not values), in the order ``iter_strings`` gives them."""
    for value in node.values() if isinstance(node, dict) else node:
        if isinstance(value, str):
            found[value] = None
        elif isinstance(value, (dict, list)):
            _distinct_strings(value, found)
    return found


def quoted_in_files(bid_dir, bid: Bid, variant: DocumentVariant, found: list[Secret]) -> Iterator[tuple[Annex, Secret | None]]:
    """(annex, secret) for every removed value a file the variant embeds (an annex that is no PDF:
    a spreadsheet, a text) holds; (annex, None) for one that cannot be searched (an encrypted or
    oversized archive). A file that cannot be read is another rule's (ANX001)."""
    from bidkit.paths import BidFileError, bid_file, read_regular

    if not found:
        return
    for annex in kept_annexes(bid, variant):
        if annex.is_pdf:
            continue
        try:
            data = read_regular(bid_file(bid_dir, annex.file), max_bytes=annex.max_bytes)
        except BidFileError:
            continue
        text = file_text(data)
        if text is None:
            yield annex, None
            continue
        text = squeezed(text)
        said = set()
        for secret in found:
            if secret.what not in said and _holds(text, secret):
                said.add(secret.what)
                yield annex, secret


#: Characters that do not show (soft hyphen, zero-width space and joiners, bidi controls, BOM: category Cf).
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
#: Look-alikes the search takes as one: letters no decomposition takes apart (ı, ł, ø, đ: „Yildirim“ for
#: „Yıldırım“), apostrophes („O’Sullivan“ as Word writes „O'Sullivan“, and as the document prints it)
#: and hyphens („Schröder‑Nguyen“ with Word's non-breaking hyphen).
_LOOK_ALIKES = {"\u0131": "i", "\u0142": "l", "\u00f8": "o", "\u0111": "d", "\u00e6": "ae", "\u0153": "oe",
                "\u2019": "'", "\u2018": "'", "\u00b4": "'", "\u02bc": "'", "`": "'", "\u2032": "'",
                "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-", "\ufe63": "-", "\uff0d": "-"}
_LOOK_ALIKE_CHARS = _any_of(_LOOK_ALIKES)
#: The marks NFKD splits off a letter: the search ignores them, so „Schroder-Nguyen“ and „Schröder-Nguyen“
#: are „Schröder-Nguyễn“ (and „Schroeder“ is one of the name's forms, ``name_forms``).
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _folded(text: str) -> str:
    """``text`` case folded (ß is ss), in compatibility form (ﬁ is fi), without the marks of its
    letters and with one apostrophe and one hyphen for their look-alikes."""
    text = text.casefold()
    if text.isascii():  # of the look-alikes only the backtick is ASCII
        return text.replace("`", "'") if "`" in text else text
    text = _translated(text, _LOOK_ALIKES, _LOOK_ALIKE_CHARS)
    return text if text.isascii() else _MARKS.sub("", unicodedata.normalize("NFKD", text))


def _comparable(text: str) -> tuple[str, list[int] | None]:
    """``text`` as the search compares it (``_folded``, as in the final search) and without invisible
    characters, and for each of its characters the offset in ``text`` (None: the same offsets)."""
    if text.isascii() and not _INVISIBLE.search(text):
        return _folded(text), None
    chars, places = [], []
    for offset, char in enumerate(text):
        if not _INVISIBLE.match(char):
            for part in _folded(char):
                chars.append(part)
                places.append(offset)
    return "".join(chars), places


def _pattern(needle: str) -> re.Pattern:
    """``needle`` as a whole word (or with a genitive s: „Frau Kowalczyks Idee“), case, spacing,
    Unicode normalisation and invisible characters ignored, as the final search in the PDF ignores them."""
    words = r"\s*".join(re.escape(word) for word in _comparable(needle)[0].split())
    return re.compile(rf"(?<!\w){words}(?:'?s)?(?!\w)")


def _key(secret: Secret) -> str:
    """A part every text that holds ``secret`` holds too: its longest run of letters as the search
    compares them ("" for a phone number, found by its digits)."""
    return "" if secret.digits else _longest_letters(secret.text)


@functools.lru_cache(maxsize=65536)
def _longest_letters(text: str) -> str:
    return max(_letter_runs(text), key=len, default="")


def _find(comparable: tuple[str, list[int] | None], pattern: re.Pattern) -> int | None:
    """Where ``pattern`` (``_pattern``) matches in a text (``_comparable``), as an offset in the text."""
    text, places = comparable
    match = pattern.search(text)
    return (match.start() if places is None else places[match.start()]) if match else None


# --- 3. the final file -----------------------------------------------------------------------

def squeezed(text: str) -> str:
    """Text as the search compares it (``_folded``) without white space, invisible characters (soft
    hyphen, zero-width space, bidi controls) and the hyphens a line end adds, so a value broken over
    two lines is found too."""
    text = _INVISIBLE.sub("", text).replace("\u2010", "")
    # str.split's white space is the regular expressions' \s (both are Python's str.isspace), and faster.
    return _folded("".join(text.split()))


#: ``squeezed`` of a removed value, which the searches ask for again and again (a register's hundreds of names).
_squeezed_value = functools.lru_cache(maxsize=4096)(squeezed)


#: What ``leaks`` reports for an attachment it cannot search (an encrypted or oversized archive).
UNSEARCHABLE = Secret("", "content that cannot be searched (an encrypted, broken or oversized archive)")


def leaks(pdf: bytes, found: Iterable[Secret]) -> list[tuple[Secret, str]]:
    """(secret, where) for every removed value the PDF still holds: page text, bookmarks, metadata,
    annotations, embedded files (an archive such as .xlsx, .docx or .odt member by member) or any
    (decompressed) stream; an attachment that cannot be searched is one too (``UNSEARCHABLE``)."""
    return _found_in(list(pdf_texts(pdf)), list(found))


def _found_in(haystacks: list[tuple[str, str | None]], found: list[Secret]) -> list[tuple[Secret, str]]:
    """(secret, where) for every secret in the squeezed texts ``haystacks`` (where, text; None: unsearchable).
    A secret is looked for only in the texts that hold its key (``_key``): a register's names have
    dozens of forms each, nearly all of them in no text."""
    hits = [(UNSEARCHABLE, where) for where, text in haystacks if text is None and found]
    haystacks = [(where, text) for where, text in haystacks if text is not None]
    holding = {key: [h for h in haystacks if key in h[1]] if key else haystacks
               for key in dict.fromkeys(_key(secret) for secret in found)}
    said = set()  # a value once per place, in whichever of its forms
    for secret in found:
        for where, text in holding[_key(secret)]:
            if (secret.what, where) in said:
                continue
            # a phone number by its digits where text is written, not in the bytes of any stream
            if _holds(text, secret) and not (secret.digits and where.startswith("object ")):
                said.add((secret.what, where))
                hits.append((secret, where))
                break
    return hits


def _holds(text: str, secret: Secret) -> bool:
    """Whether a text (``squeezed``) holds ``secret``: its text, or a phone number's digits in any writing."""
    return _find_phone(text, secret.text) is not None if secret.digits else _squeezed_value(secret.text) in text


def refuse_leaks(data: bytes, removed: list[Secret], variant: DocumentVariant) -> None:
    """Refuse (exit 1, nothing written) a variant's file that still holds a value the variant
    removes; the message names what and where, never the value (build logs may be public)."""
    _refuse(leaks(data, removed), variant)


def refuse_html_leaks(html: str, removed: list[Secret], variant: DocumentVariant) -> None:
    """``refuse_leaks`` for the document's HTML, before it is written (``--html``) or laid out."""
    import html as entities

    _refuse(_found_in([("HTML", squeezed(entities.unescape(_MARKUP.sub(" ", html))))], removed), variant)


def _refuse(found: list[tuple[Secret, str]], variant: DocumentVariant) -> None:
    if found:
        places = "; ".join(f"{secret.what} {'on' if where.startswith('page ') else 'in the'} {where}" for secret, where in found)
        raise BuildRefused(f"the variant '{variant.name}' would still show what it removes: {places}",
                           "Run `bidkit check` (VAR002 names the texts that quote such a value) and rewrite them; "
                           "an annex that names a person is marked `public: false`.")


def pdf_texts(pdf: bytes) -> Iterator[tuple[str, str | None]]:
    """(where, squeezed text) of every place in ``pdf`` text can hide; None: an attachment that cannot be searched."""
    import pikepdf
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    for number, page in enumerate(reader.pages, start=1):
        yield f"page {number}", squeezed(page.extract_text() or "")
    with pikepdf.open(io.BytesIO(pdf)) as document:
        yield "bookmarks", squeezed(" ".join(_outline_titles(document)))
        info = document.trailer.get("/Info")
        if info is not None:
            yield "document info", squeezed(" ".join(str(value) for value in info.values()))
        for name, attachment in document.attachments.items():
            data = attachment.get_file().read_bytes()
            content = file_text(data)
            yield f"embedded file {name}", None if content is None else \
                squeezed(f"{name} {attachment.description or ''} {content}")
        for obj in document.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    data = obj.read_bytes()
                except pikepdf.PdfError:
                    data = obj.read_raw_bytes()
                yield f"object {obj.objgen[0]}", squeezed(_decoded(data))
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
                strings = list(_strings(obj))
                if strings:
                    yield f"object {obj.objgen[0]}", squeezed(" ".join(strings))


def _strings(value, top: bool = True) -> Iterator[str]:
    """The text strings of an object and of the direct objects inside it (a link's /A /URI, /Alt)."""
    import pikepdf

    if isinstance(value, pikepdf.String):
        yield str(value)
    elif not isinstance(value, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)) or (not top and value.is_indirect):
        return  # a number or name; or an indirect object, read as an object of its own
    elif isinstance(value, (pikepdf.Dictionary, pikepdf.Stream)):
        for item in value.values():
            yield from _strings(item, top=False)
    elif isinstance(value, pikepdf.Array):
        for item in value:
            yield from _strings(item, top=False)


def _outline_titles(document) -> Iterator[str]:
    with document.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop()
            yield item.title
            stack.extend(item.children)


def file_text(data: bytes) -> str | None:
    """The text of a file for the search: its bytes decoded, or a zip archive's (.xlsx, .docx,
    .odt, .zip) members', XML markup and character references taken out; None for an archive
    that cannot be searched (encrypted, broken, or unpacking to more than a workbook may)."""
    if data[:4] != b"PK\x03\x04":
        return _decoded(data)
    import html
    import zipfile

    from bidkit.sheets import MAX_ENTRIES, MAX_UNPACKED

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED \
                    or any(entry.flag_bits & 0x1 for entry in entries):
                return None
            # reading stops at each member's stated size, which the sum above bounds
            members = [_decoded(archive.read(entry)) for entry in entries]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError):
        return None
    return " ".join(html.unescape(_MARKUP.sub("", member)) for member in members)


#: An XML or HTML tag: a docx splits a sentence into runs (``<w:t>Hüseyin</w:t></w:r><w:r><w:t> Çelik``).
_MARKUP = re.compile(r"<[^<>]{0,2000}>")


def _decoded(data: bytes) -> str:
    """Bytes as text for the search: UTF-8, UTF-16 (PDF text strings) or Latin-1; zlib data inflated."""
    if data[:2] in (b"\x78\x9c", b"\x78\xda", b"\x78\x01"):
        try:
            data = zlib.decompress(data)
        except zlib.error:
            pass
    texts = [data.decode("latin-1")]
    for encoding in ("utf-8", "utf-16"):
        try:
            texts.append(data.decode(encoding))
        except UnicodeDecodeError:
            pass
    return " ".join(texts)


# --- annexes cited by number ----------------------------------------------------------------------

#: „Anlage 3“, „Anlagen 2 und 4“, „Anlagen 2–5“ — not an annex of another document („Anlage 12 der
#: Förderrichtlinie“, „Anlage 1 zum Aufruf“), a year („Anlage 2019“) or a thing („PV-Anlage 2“). The
#: numbers are read whole (possessive): none gives up a digit to escape the exclusion.
_CITED = re.compile(r"(?<![\w-])Anlagen?\s++(\d{1,3}+(?!\d)(?:\s*+(?:,|und|bis|sowie|–|-)\s*+\d{1,3}+(?!\d))*+)"
                    r"(?!\s+(?:der|des|zur|zum|zu|im|in|aus|von)\b)")


def cited_annexes(text: str) -> list[tuple[int, int]]:
    """(offset, number) of each annex ``text`` cites by number („siehe Anlage 7“)."""
    if "Anlage" not in text:
        return []
    return [(match.start(1) + number.start(), int(number.group()))
            for match in _CITED.finditer(text) for number in re.finditer(r"\d+", match.group(1))]


def annex_numbers(bid: Bid, variant: DocumentVariant | None, register: Register | None) -> dict[str, int]:
    """The number each annex has in ``variant`` (None: the full bid), by its file; the supporters'
    scans („Unterstützungsschreiben“) as „the scans of <register>“ (the register itself may be an
    annex too), when the variant attaches a scan."""
    numbers = {os.path.normpath(annex.file): annex.number for annex in kept_annexes(bid, variant)}
    private = variant is not None and Removal.PRIVATE_SUPPORTERS in variant
    if register and any(s.file and not (private and is_private_supporter(s)) for s in register.supporters):
        numbers[f"the scans of {register.file}"] = len(numbers) + 1
    return numbers
