"""The exceptions the command line turns into messages and exit codes.

Exit codes: 0 no errors, 1 the bid has errors (or a build was refused), 2 the tool could not
run (no such folder, bad option), 3 the PDF could not be rendered or written.
"""

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_RENDER = 3


class BidkitError(Exception):
    """A problem the user can fix; shown as a message with a hint, never a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class RenderError(BidkitError):
    exit_code = EXIT_RENDER


class BuildRefused(BidkitError):
    """The build will not write a file that would be false (e.g. an annex breaking the PDF/A claim)."""

    exit_code = EXIT_FINDINGS
