"""The addresses a link may lead to, in the document's own pages and in appended annexes.

A module of its own, importing nothing: the layout process (bidkit.render.pdf) drops the other
links of the laid-out pages while it writes them, at the build's peak of memory, where importing
bidkit.annexes (and with it the bid's models and pydantic: ~6–12 MB) would raise that peak.
"""

SAFE_URI_SCHEMES = ("http:", "https:", "mailto:")
