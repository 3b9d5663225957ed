"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from bidkit.findings import CheckResult, Severity, display_file
from bidkit.report import Reporter

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    name = "github"
    description = "GitHub Actions annotations (::error file=…,line=…,col=…,title=CODE::message)"

    def render(self, result: CheckResult) -> str:
        out = []
        for finding in result.sorted_findings():
            props = []
            if finding.display_file():
                props.append(f"file={_property(finding.display_file())}")
            if finding.location.line:
                props.append(f"line={finding.location.line}")
            if finding.location.column and not finding.location.cell:  # a cell's column counts fields, not characters
                props.append(f"col={finding.location.column}")
            if finding.location.cell_ref:  # the annotation has no field for a sheet and a cell: the title names them
                props.append(f"title={_property(f'{finding.rule} {finding.location.cell_ref}')}")
            else:
                props.append(f"title={_property(finding.rule)}")
            message = f"{finding.message} — {finding.hint}"
            if finding.location.cell_ref:
                message = f"{finding.place()}: {message}"
            out.append(f"::{COMMAND[finding.severity]} {','.join(props)}::{_data(message)}")
        for place, where, codes in result.ignored_by():  # switched off: say so where it was done
            props = [f"file={_property(display_file(where.file))}", f"line={where.line}"] if where and where.line else []
            out.append(f"::notice {','.join([*props, 'title=ignored checks'])}::"
                       f"{_data(', '.join(codes) + f' ignored by {place}: not checked; they do not pass')}")
        return "".join(line + "\n" for line in out)
