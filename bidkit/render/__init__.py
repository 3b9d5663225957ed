"""Rendering: bid → HTML (Jinja2, ``templates/``) → PDF (WeasyPrint, imported only here)."""
