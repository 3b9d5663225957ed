"""Bid → HTML with Jinja2: autoescape on, undefined variables are errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2

from bidkit.models import Bid, Call
from bidkit.render.context import build_context
from bidkit.render.formatting import FILTERS

ENTRY_TEMPLATE = "bid.html.j2"


def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def render_html(bid: Bid, call: Call, templates: Path, *, draft: bool, build_date: dt.date) -> str:
    context = build_context(bid, call, draft=draft, build_date=build_date)
    return environment(templates).get_template(ENTRY_TEMPLATE).render(**context)
