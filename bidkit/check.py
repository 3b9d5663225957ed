"""Running a check: load the bid, run the rules, apply the configuration, gather a ``CheckResult``.

Configuration comes from ``checks:`` in bid.yaml (ignore, severity) and from the command line
(select, ignore, strict); the command line wins. Loader codes (files, syntax, schema) always
apply: a bid that does not load cannot be judged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field
from pathlib import Path

from bidkit.errors import BidkitError
from bidkit.findings import CheckResult, Finding, Location, Severity, dotted
from bidkit.loader import LoadedBid, load_bid
from bidkit.records import record
from bidkit.rules import RULES, RuleContext, checks, matching
from bidkit.rules import loading as codes
from bidkit.rules.loading import LOADER_CODES
from bidkit.rules.document import PAGE_LIMIT

#: Checks a bid's own `checks:` can neither ignore nor lower: what guards the document against the
#: bid's theme (the folder that brings the theme would bring the line that switches its guard off).
GUARD_CODES = frozenset(code for code in RULES if code.startswith("THM"))


@record(frozen=True)
class CheckOptions:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    strict: bool = False
    pdf: Path | None = None  # a rendered PDF to check against the call's page limit


class CallNotLoaded(BaseException):
    """A check read the call, which did not load. (A BaseException: no check's own ``except
    Exception`` takes it for a problem of the bid.)"""


class _NoCall:
    """Stands for a call that did not load: a check that reads any of it stops (CallNotLoaded)."""

    def __getattr__(self, name: str):
        raise CallNotLoaded(name)


def run_rules(loaded: LoadedBid, selected: set[str] | None = None) -> tuple[list[Finding], list[str], dict[str, str]]:
    """The completeness findings, the codes of the checks that ran and, of those that could not
    run, why: a section they read did not load, or lost invalid items and they need every item.
    ``selected``: only these checks run (`--select`)."""
    if loaded.checked is None:
        return [], [], {}
    partial = frozenset(loaded.partial)
    broken = frozenset(loaded.broken) - partial
    # A call that did not load (its own errors say why) stops only the checks that read it.
    context = RuleContext(loaded.checked, loaded.call or _NoCall(), loaded.bid_dir, broken, partial)
    findings, ran, skipped = [], [], {}
    for rule in checks():
        if selected is not None and rule.code not in selected:
            continue
        reason = rule.not_run_reason(broken, partial)
        if reason:
            skipped[rule.code] = reason
            continue
        try:
            violations = list(rule.check(context))
        except CallNotLoaded:
            skipped[rule.code] = "not run: the call did not load"
            continue
        ran.append(rule.code)
        for violation in violations:
            # An item left out moves the indices of those after it: back to the YAML's, in the path and
            # where a message names the path (TXT001: "… in measures[2].description").
            path = loaded.original_path(violation.path)
            message = violation.message.replace(dotted(violation.path), dotted(path)) if path != violation.path else violation.message
            findings.append(Finding(
                rule.code, rule.severity, message, violation.hint or rule.hint,
                violation.location or loaded.sources.locate(path, text_offset=violation.text_offset),
                path,
            ))
    return findings, ran, skipped


def _cli_codes(values: list[str], option: str) -> set[str]:
    """Codes named on the command line, by repeats (`--select BUD --select RES`) or lists (`BUD,RES`)."""
    patterns = [p.strip() for value in values for p in value.split(",") if p.strip()]
    if values and not patterns:
        raise BidkitError(f"{option}: no rule code given", f"Name codes or prefixes, e.g. `{option} BUD,RES`.")
    unknown = [p for p in patterns if not matching([p])]
    if unknown:
        raise BidkitError(f"{option}: no rule matches {', '.join(unknown)}", "`bidkit rules` lists the codes.")
    return matching(patterns)


def _configured(loaded: LoadedBid, findings: list[Finding]) -> tuple[list[Finding], dict[str, Location]]:
    """Apply ``checks:`` of bid.yaml; report unknown or unconfigurable codes as CFG001. The codes
    ignored come back with the place of the entry that ignores them (the first, if several do)."""
    settings = loaded.bid.checks if loaded.bid else None
    if settings is None:
        return findings, {}
    problems: list[Finding] = []

    def refuse(why: str, path: tuple, hint: str = codes.BAD_CONFIG.hint) -> None:
        problems.append(Finding(codes.BAD_CONFIG.code, codes.BAD_CONFIG.severity, why, hint, loaded.sources.locate(path), path))

    def known(code: str, path: tuple) -> set[str]:
        found = matching([code])
        locked = found & LOADER_CODES
        guards = found & GUARD_CODES
        if not found or locked:
            refuse(f"no rule matches '{code}'" if not found else f"'{code}' names loader rules, which always apply", path)
        elif guards:
            refuse(f"'{code}' names the checks of the bid's theme ({', '.join(sorted(guards))}), which always apply: "
                   "the folder that brings a theme cannot switch off what guards the document against it", path,
                   "Remove the entry; change the theme instead.")
        return found - locked - guards

    ignored: dict[str, Location] = {}
    for index, code in enumerate(settings.ignore):
        for match in sorted(known(code, ("checks", "ignore", index))):
            ignored.setdefault(match, loaded.sources.locate(("checks", "ignore", index)))
    severity: dict[str, Severity] = {}
    for code, level in settings.severity.items():
        matches = known(code, ("checks", "severity", code))
        hidden = sorted(m for m in matches if Severity(level) is Severity.INFO and RULES[m].severity is not Severity.INFO)
        if hidden:  # an info passes: that would be an ignore without the trace every report gives one
            refuse(f"'{code}: info' would let {', '.join(hidden)} pass whatever it finds",
                   ("checks", "severity", code), "Lower it to `warning` at most, or ignore it (`checks: ignore`), which "
                   "every report names.")
        for match in matches:
            if match not in hidden:
                severity[match] = Severity(level)
    kept = [dataclasses.replace(f, severity=severity.get(f.rule, f.severity)) for f in findings if f.rule not in ignored]
    return kept + problems, ignored


def _group_titles(loaded: LoadedBid) -> dict[str, str]:
    """The summary names the MoU group after the bid's kind of agreement, as the document's section does."""
    mou = loaded.bid.mou if loaded.bid else None
    if mou is None:
        return {}
    from bidkit.models import MOU_KIND_TITLES
    from bidkit.rules.registry import GROUPS

    return {GROUPS["MOU"]: MOU_KIND_TITLES[getattr(mou.kind, "value", mou.kind)]}


def check_bid(bid_dir: Path, options: CheckOptions = CheckOptions()) -> tuple[CheckResult, LoadedBid]:
    selected = _cli_codes(options.select, "--select") if options.select else set(RULES)
    ignored = _cli_codes(options.ignore, "--ignore") - LOADER_CODES
    loaded = load_bid(bid_dir)
    rule_findings, ran, skipped = run_rules(loaded, selected if options.select else None)
    pages = None
    if options.pdf is not None:
        from bidkit.pdfcheck import other_bid_findings, page_limit_findings, section_pages
        from bidkit.rules.document import OTHER_BID

        if not options.pdf.is_file():
            raise BidkitError(f"no PDF at {options.pdf}", "Build it first with `bidkit build -o FILE`.")
        pages = section_pages(options.pdf)
        rule_findings += other_bid_findings(options.pdf, loaded.bid.title if loaded.bid else None)
        rule_findings += page_limit_findings(options.pdf, loaded.call.page_limit if loaded.call else None, pages)
        ran += [OTHER_BID.code, PAGE_LIMIT.code]
    findings, config_ignored = _configured(loaded, loaded.findings + rule_findings)
    active = (selected - ignored - set(config_ignored)) | LOADER_CODES
    # Checks that would have run but are switched off: named in every report, and they do not pass.
    switched_off = {code: config_ignored.get(code) for code in RULES
                    if code in selected and code not in active and (code in ran or code in skipped)}
    findings = [f for f in findings if f.rule in active]
    # A section the call requires and the bid lacks is REQ001's one error, when REQ001 reports it:
    # the checks that read the section would only repeat it (40 "unknown measure" for `measures: ~`).
    missing = {f.path[0] for f in findings if f.rule == "REQ001" and f.path}
    repeating = {rule.code: sorted(rule.reads & missing) for rule in checks() if rule.code in ran and rule.reads & missing}
    for code, lost in repeating.items():
        ran.remove(code)
        skipped[code] = f"not run: {', '.join(lost)} is missing (REQ001)"
    findings = [f for f in findings if f.rule not in repeating]
    if options.strict:
        findings = [dataclasses.replace(f, severity=Severity.ERROR) if f.severity is Severity.WARNING else f for f in findings]
    result = CheckResult(
        bid_dir=bid_dir,
        bid_title=loaded.bid.title if loaded.bid else None,
        call=loaded.call,
        findings=findings,
        rules_run=[code for code in RULES if code in active and (code in ran or code in LOADER_CODES)],
        rules_not_run=[code for code in RULES if code in active and code in skipped],
        not_run_reasons={code: reason for code, reason in skipped.items() if code in active},
        pages=pages,
        ignored=switched_off,
        group_titles=_group_titles(loaded),
    )
    return result, loaded
