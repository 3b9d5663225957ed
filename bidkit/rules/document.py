"""Rules on the rendered document (need a PDF: `bidkit check --pdf FILE` or `bidkit build`)."""

from bidkit.findings import Severity
from bidkit.rules.registry import define

PAGE_LIMIT = define(
    "PDF001", Severity.ERROR, "Document longer than the call's page limit",
    hint="Shorten the texts or move material into annexes.",
    explanation="""
The call limits the number of pages (`page_limit`). Checked on the rendered PDF, with
`bidkit check --pdf FILE` or after every `bidkit build`; the report gives the pages of each
section so you can see where to cut.
""",
)
