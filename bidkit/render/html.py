"""Bid → HTML with Jinja2: sandboxed, autoescaped, undefined variables are errors.

A theme may replace single templates with files of the bid folder; those are searched first.
The sandbox keeps such templates from reaching Python internals through the context.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from bidkit.render.formatting import FILTERS
from bidkit.render.markdown import markdown

ENTRY_TEMPLATE = "bid.html.j2"


def environment(templates: Path, overrides: Path | None = None) -> jinja2.Environment:
    folders = [str(overrides)] if overrides else []
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([*folders, str(templates)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS, markdown=markdown)
    return env


def render_html(context: dict, templates: Path) -> str:
    return environment(templates, context["theme"].templates).get_template(ENTRY_TEMPLATE).render(**context)
