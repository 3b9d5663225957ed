"""Bid → HTML with Jinja2: sandboxed, bounded, autoescaped; undefined variables are errors.

A theme may replace single templates with files of the bid folder; those are searched first.
Three walls stand between a template (a theme's is untrusted) and the machine:

- the context holds plain data only (``context.plain``): no paths, models or modules;
- Jinja's immutable sandbox, refusing in addition anything that reaches the file system,
  a module or a file object;
- bounds: every template file is read through the bid-folder resolver (no symlink leads out),
  rendering stops after ``BIDKIT_TEMPLATE_SECONDS`` (bidkit.limits.SETTINGS) seconds (on the main thread) or ``MAX_HTML_CHARS`` of
  output, loops over ``range`` share one budget, and operators and calls that would build huge
  values are refused. An error names the template file and line.
"""

from __future__ import annotations

import functools
import io
import os
import re
import time
import traceback
import types
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from bidkit.limits import MAX_TEMPLATE_BYTES, ChildFailed, deadline, in_child
from bidkit.paths import BIDI, BidFileError, printable, read_regular, resolve_inside
from bidkit.render import estimate
from bidkit.render.formatting import FILTERS
from bidkit.render.tables import amount_column_mm, money_grid
from bidkit.render.markdown import keep_units, markdown

ENTRY_TEMPLATE = "bid.html.j2"
#: Seconds a rendering may take: BIDKIT_TEMPLATE_SECONDS (bidkit.limits.SETTINGS; bidkit's own
#: templates need well under one on a 100-page bid).
MAX_HTML_CHARS = 50_000_000
MAX_RANGE_TOTAL = 1_000_000  # items of all range() calls in one rendering
MAX_NUMBER_ARGUMENT = 100_000  # widths, counts, repetitions given to filters and methods
MAX_BUILT_CHARS = 10_000_000  # of one value built by '*' or '%'
MAX_RENDER_MEMORY = 1 << 30  # bytes rendering may add to the process


class TemplateLimitError(Exception):
    """A template went beyond what rendering a bid document needs."""


@dataclass(frozen=True)
class TemplateFailure(Exception):
    """A template failed: which file (as the user knows it), which line, and why."""

    where: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.where}{f', line {self.line}' if self.line else ''}: {self.reason}"

    def __reduce__(self):  # crosses the pipe from the rendering child
        return TemplateFailure, (self.where, self.line, self.reason)


_WHERE = ("a template can include or import only templates of the theme's folder and bidkit's, "
          "named relative to the folder (e.g. 'sections/partners.html.j2')")


class BidTemplateLoader(jinja2.BaseLoader):
    """bidkit's templates, each replaceable by a file of the theme's templates folder.

    Both are read through ``resolve_inside``, a theme's inside the theme's templates folder (not
    the whole bid folder): a theme template that is a link out of that folder (to the supporters'
    register, to bid.yaml), a FIFO or a folder is refused, never read; a missing one falls back
    to bidkit's. Only template files (``*.j2``) are loaded, and a templates folder that is the
    bid folder or holds the bid's data (``render.theme.templates_folder_problem``) is refused:
    otherwise ``{% include "unterstuetzer.csv" %}`` would print what the public variant removed.
    """

    def __init__(self, templates: Path, bid_dir: Path | None = None, overrides: Path | None = None) -> None:
        self.templates = templates.resolve()
        self.bid_dir = bid_dir.resolve() if bid_dir else None
        self.overrides = overrides.resolve() if overrides and bid_dir else None
        self.names: dict[str, str] = {}  # file name Jinja reports → how the user knows the file
        self._folder_checked = False

    def get_source(self, environment, template):
        from bidkit.render.theme import TEMPLATE_SUFFIX, templates_folder_problem

        try:
            relative = Path(*split_template_path(template))  # refuses '..'
        except jinja2.TemplateNotFound:
            raise jinja2.TemplateNotFound(template, f"template '{printable(template)}' refused: a name with '..' "
                                                    f"leads out of the folder; {_WHERE}") from None
        if not relative.name.endswith(TEMPLATE_SUFFIX):
            raise TemplateLimitError(f"'{printable(template)}' is not a template (*{TEMPLATE_SUFFIX}): {_WHERE}")
        path = None
        if self.overrides is not None:
            if not self._folder_checked:
                if problem := templates_folder_problem(self.bid_dir, self.overrides):
                    raise TemplateLimitError(problem)
                self._folder_checked = True
            own = (self.overrides / relative).relative_to(self.bid_dir)
            try:
                resolve_inside(self.bid_dir, own)  # a link out of the bid folder is told so
                path = resolve_inside(self.overrides, relative, place="the theme's templates folder")
            except BidFileError as exc:
                if exc.reason != "missing":
                    raise TemplateLimitError(f"theme template {exc.message}") from None
            if path is not None:
                if not path.name.endswith(TEMPLATE_SUFFIX):
                    raise TemplateLimitError(f"theme template '{printable(own.as_posix())}' is a link to "
                                             f"'{printable(path.name)}', which is not a template (*{TEMPLATE_SUFFIX})")
                self.names[str(path)] = printable(own.as_posix())  # a name that is not UTF-8 too
        if path is None:
            try:
                path = resolve_inside(self.templates, relative, place="bidkit's templates")
            except BidFileError:
                where = "in the theme's folder nor among bidkit's templates" if self.overrides is not None else "among bidkit's templates"
                raise jinja2.TemplateNotFound(template, f"template '{printable(template)}' is neither {where}: {_WHERE}") from None
            self.names[str(path)] = f"bidkit template {printable(relative.as_posix())}"
        try:
            source = read_regular(path, max_bytes=MAX_TEMPLATE_BYTES).decode("utf-8")
        except BidFileError as exc:
            why = {"too_large": f"is larger than {MAX_TEMPLATE_BYTES // 1_000_000} MB", "missing": "does not exist",
                   "not_regular": "is not a regular file"}.get(exc.reason, "cannot be read")
            raise TemplateLimitError(f"template {self.names[str(path)]} {why}") from None
        except UnicodeDecodeError as exc:
            raise TemplateLimitError(f"template {self.names[str(path)]}: {exc}") from None
        return source, str(path), lambda: True


_UNSAFE_TYPES = (types.ModuleType, os.PathLike, io.IOBase, type)
_BIDI_CONTROLS = re.compile(f"[{''.join(sorted(BIDI))}]")


class BidSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, refusing also what reaches files or modules, and big values."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.range_left = MAX_RANGE_TOTAL
        self.output_left = MAX_HTML_CHARS
        self.deadline: float | None = None  # time.monotonic() value; set while rendering
        self.globals["range"] = self._range
        self.finalize = self._finalize  # sees every {{ value }} where the template writes it

    def _finalize(self, value):
        """Count what expressions write and watch the clock from inside the template, so that
        an error names the line (the signal-based deadline works only on the main thread)."""
        if isinstance(value, str):
            self.output_left -= len(value)
            if self.output_left < 0:
                raise TemplateLimitError(f"the document's HTML exceeds {MAX_HTML_CHARS:,} characters")
            if _BIDI_CONTROLS.search(value):  # TXT005: a value never reorders itself or the text around it
                value = type(value)(_BIDI_CONTROLS.sub("", value))  # Markup stays Markup
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TemplateLimitError(f"rendering took longer than {_time_limit():g} s")
        return value

    def _range(self, *args: int) -> range:
        _small_numbers(args)
        items = range(*args)
        self.range_left -= len(items)
        if self.range_left < 0:
            raise TemplateLimitError(f"the template's loops over range() exceed {MAX_RANGE_TOTAL:,} items in all")
        return items

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if isinstance(obj, _UNSAFE_TYPES) or isinstance(value, _UNSAFE_TYPES):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj) -> bool:
        owner = getattr(obj, "__self__", None)
        if isinstance(obj, _UNSAFE_TYPES) or isinstance(owner, _UNSAFE_TYPES) or obj in (open, eval, exec, compile):
            return False
        return super().is_safe_callable(obj)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        name = getattr(__obj, "__name__", "")
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if isinstance(owner, str) and name in _SIZING_METHODS:
            _small_numbers((*args, *kwargs.values()))
            if name in ("format", "format_map"):
                _small_numbers(int(digits) for digits in re.findall(r"\d+", owner))
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator_name: str, left, right):
        if operator_name == "**" and isinstance(right, int) and abs(right) > 1000:
            raise SecurityError("exponent too large for a template")
        if operator_name == "*":
            count, sized = (right, left) if isinstance(right, int) else (left, right)
            if isinstance(count, int) and hasattr(sized, "__len__") and len(sized) * count > MAX_BUILT_CHARS:
                raise SecurityError("'*' would build a value too large for a template")
        if operator_name == "%" and isinstance(left, str):
            _small_numbers(int(digits) for digits in re.findall(r"\d+", left))
        return self.binop_table[operator_name](left, right)


#: str methods and filters whose number arguments (widths, counts) size what they build.
_SIZING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map"})
_SIZING_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate", "format", "batch", "slice"})


def _small_numbers(values) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER_ARGUMENT:
            raise SecurityError(f"number {value} is too large for a template (at most {MAX_NUMBER_ARGUMENT:,})")


def _bounded(name: str, function):
    """The filter ``name`` with its width and count arguments kept small."""

    @functools.wraps(function)
    def bounded(*args, **kwargs):
        value_at = 1 if getattr(function, "jinja_pass_arg", None) else 0  # (environment or context, value, …)
        _small_numbers((*args[value_at + 1:], *kwargs.values()))
        if name == "format" and isinstance(args[value_at], str):
            _small_numbers(int(digits) for digits in re.findall(r"\d+", args[value_at]))
        return function(*args, **kwargs)

    return bounded


def environment(templates: Path, bid_dir: Path | None = None, overrides: Path | None = None) -> BidSandbox:
    env = BidSandbox(
        loader=BidTemplateLoader(templates, bid_dir, overrides),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS, markdown=markdown, keep_units=keep_units, named=named, money_grid=money_grid, amount_column_mm=amount_column_mm, lines=estimate.lines,
                       kpi_lines=estimate.kpi_lines, fits_page=estimate.fits_page)
    env.filters.update({name: _bounded(name, env.filters[name]) for name in _SIZING_FILTERS})
    env.globals.pop("lipsum", None)
    return env


#: What ``named`` may read of an item: a goal's title, a partner's name (nothing a template could walk on from).
_NAMED = frozenset({"title", "name"})


def named(refs, by_id, attribute: str) -> list[str]:
    """The ``attribute`` („title“ or „name“) of each item ``refs`` name in the mapping ``by_id``, an
    unknown id as it stands; empty ones (a variant removed them) left out, so that no list prints
    „, , “. Only texts come back: anything else refuses, as the sandbox would."""
    if attribute not in _NAMED or not isinstance(by_id, dict):
        raise SecurityError(f"named: reads only {', '.join(sorted(_NAMED))} of a mapping of bidkit's")
    found = []
    for ref in refs or []:
        text = getattr(by_id[ref], attribute, None) if isinstance(ref, str) and ref in by_id else ref
        if not isinstance(text, str):
            raise SecurityError("named: an item's title or name is text")
        if text:
            found.append(text)
    return found


def _time_limit() -> float:
    from bidkit.limits import setting

    return setting("BIDKIT_TEMPLATE_SECONDS")


def render_html(context: dict, templates: Path, *, bid_dir: Path | None = None, overrides: Path | None = None) -> str:
    """The document's HTML; any failure is a ``TemplateFailure`` naming the template and line.

    Rendered in a child process that may grow by ``MAX_RENDER_MEMORY`` and runs at most a few
    seconds past the deadline: a template that builds gigabytes or never ends cannot take the
    tool with it.
    """
    limit = _time_limit()
    try:
        return in_child(lambda: _render(context, templates, bid_dir, overrides), seconds=limit + 5,
                        memory=MAX_RENDER_MEMORY)
    except ChildFailed as exc:
        raise TemplateFailure("templates", None, f"rendering {exc}") from None


def _render(context: dict, templates: Path, bid_dir: Path | None, overrides: Path | None) -> str:
    env = environment(templates, bid_dir, overrides)
    loader: BidTemplateLoader = env.loader  # type: ignore[assignment]
    parts: list[str] = []
    size = 0
    limit = _time_limit()
    env.deadline = time.monotonic() + limit
    try:
        with deadline(limit, lambda: TemplateLimitError(f"rendering took longer than {limit:g} s")):
            chunks = env.get_template(ENTRY_TEMPLATE).generate(**context)
            for chunk in chunks:  # literal text between expressions is counted here
                size += len(chunk)
                if size > MAX_HTML_CHARS:  # thrown into the template, to name at least the include
                    chunks.throw(TemplateLimitError(f"the document's HTML exceeds {MAX_HTML_CHARS:,} characters"))
                if time.monotonic() > env.deadline:
                    chunks.throw(TemplateLimitError(f"rendering took longer than {limit:g} s"))
                parts.append(chunk)
    except Exception as exc:  # noqa: BLE001 - any failure inside a template becomes one located message
        raise _located(exc, loader) from exc
    return tamed("".join(parts))


#: A run of white space longer than this is printed as one space (a line break where it holds one):
#: a run of spaces shows as one space anyway, and WeasyPrint 70 takes time in the square of its
#: length (100,000 spaces: 12 s of CPU; 100,000 ideographic spaces: pages of nothing) (rt9b E15).
MAX_SPACE_RUN = 64
_SPACE_RUN = re.compile(r"\s{%d,}" % (MAX_SPACE_RUN + 1))
#: What a long run keeps of its start and end (its middle is „…“).
RUN_HEAD, RUN_TAIL = 100, 40


def tamed(html: str) -> str:
    """The document's HTML with what only costs layout time shortened in its text (not in tags,
    style sheets or scripts): runs of white space longer than ``MAX_SPACE_RUN``, and TXT006's runs
    without a place to break (a draft and the preview render a bid with that error; laying one
    out takes minutes), cut to their start and end around „…“."""
    from bidkit.rules.words import _UNBROKEN, long_runs  # TXT006's own measure (late: the rule registers on import)

    if _SPACE_RUN.search(html) is None and _UNBROKEN.search(html) is None:
        return html  # every document without such a run
    parts = re.split(r"(<[^>]*>)", html)
    inside = False  # in a <style> or <script>
    for index, part in enumerate(parts):
        if index % 2:
            if part[:8].lower().startswith(("<style", "<script", "</style", "</script")):
                inside = not part.startswith("</")
            continue
        if inside or len(part) <= MAX_SPACE_RUN:
            continue
        part = _SPACE_RUN.sub(lambda run: "\n" if "\n" in run.group() else run.group()[0], part)
        for start, length in reversed(list(long_runs(part))):
            head, tail = part[start:start + RUN_HEAD], part[start + length - RUN_TAIL:start + length]
            if head.rfind("&") > head.rfind(";"):  # no entity cut in two
                head = head[:head.rfind("&")]
            semicolon, ampersand = tail.find(";"), tail.find("&")
            if semicolon >= 0 and (ampersand < 0 or semicolon < ampersand):
                tail = tail[semicolon + 1:]
            part = part[:start] + head + "…" + tail + part[start + length:]
        parts[index] = part
    return "".join(parts)


def _located(exc: Exception, loader: BidTemplateLoader) -> TemplateFailure:
    reason = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc) or type(exc).__name__
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return TemplateFailure(loader.names.get(exc.filename, exc.filename), exc.lineno, reason)
    # Jinja rewrites tracebacks so that template frames carry the template's file and line.
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in loader.names]
    if isinstance(exc, RecursionError):
        reason = "templates call each other without end (recursion)"
    elif isinstance(exc, MemoryError):
        reason = f"the template builds values larger than {MAX_RENDER_MEMORY >> 20} MB"
    if frames:
        return TemplateFailure(loader.names[frames[-1].filename], frames[-1].lineno, reason)
    return TemplateFailure("templates", None, reason)

