"""Running a check: load the bid, run every rule, gather the findings into a ``CheckResult``."""

from __future__ import annotations

from pathlib import Path

from bidkit.findings import CheckResult, Finding
from bidkit.loader import LoadedBid, load_bid
from bidkit.rules import RuleContext, checks


def run_rules(loaded: LoadedBid) -> list[Finding]:
    """The completeness findings for a bid that loaded without schema errors."""
    if loaded.bid is None or loaded.call is None:
        return []
    context = RuleContext(loaded.bid, loaded.call, loaded.bid_dir, frozenset(loaded.broken))
    findings = []
    for rule in checks():
        if rule.reads & context.broken:
            continue
        for violation in rule.check(context):
            findings.append(Finding(
                rule.code, rule.severity, violation.message, violation.hint or rule.hint,
                loaded.sources.locate(violation.path, text_offset=violation.text_offset), violation.path,
            ))
    return findings


def check_bid(bid_dir: Path) -> tuple[CheckResult, LoadedBid]:
    loaded = load_bid(bid_dir)
    findings = loaded.findings + run_rules(loaded)
    result = CheckResult(
        bid_dir=bid_dir,
        bid_title=loaded.bid.title if loaded.bid else None,
        call_id=loaded.call.id if loaded.call else None,
        findings=findings,
    )
    return result, loaded
