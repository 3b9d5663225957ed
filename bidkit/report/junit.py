"""JUnit XML: one test case per rule; errors and warnings are failures, rules that could not run
(a section they read did not load, or lost invalid items they need) are skipped, with the reason."""

from __future__ import annotations

from bidkit.findings import CheckResult, Severity
from bidkit.paths import printable
from bidkit.report import Reporter
from bidkit.rules import RULES


class JunitReporter(Reporter):
    name = "junit"
    description = "JUnit XML, one test case per rule (for CI test views)"

    def render(self, result: CheckResult) -> str:
        import xml.etree.ElementTree as ET  # only for this format (every check imports the reporters)

        by_rule: dict[str, list] = {}
        for finding in result.sorted_findings():
            by_rule.setdefault(finding.rule, []).append(finding)
        suites = ET.Element("testsuites", name="bidkit check")
        suite = ET.SubElement(suites, "testsuite", name=f"bidkit check {printable(str(result.bid_dir))}")
        failures = 0
        for code in result.rules_run:
            rule = RULES[code]
            case = ET.SubElement(suite, "testcase", classname=f"bidkit.{rule.group}", name=f"{code} {rule.title}")
            found = by_rule.get(code, [])
            failing = [f for f in found if f.severity is not Severity.INFO]
            lines = [f"{f.place() if f.location.cell_ref else f'{f.display_file()}:{f.location.line or 0}'}: "
                     f"{f.severity.value}: {f.message}" for f in found]
            if failing:
                failures += 1
                element = ET.SubElement(case, "failure", message=failing[0].message, type=failing[0].severity.value)
                element.text = "\n".join(lines)
            elif found:
                ET.SubElement(case, "system-out").text = "\n".join(lines)
        for code in result.rules_not_run:
            rule = RULES[code]
            case = ET.SubElement(suite, "testcase", classname=f"bidkit.{rule.group}", name=f"{code} {rule.title}")
            reason = result.not_run_reasons.get(code, "not run: a section it reads did not load")
            ET.SubElement(case, "skipped", message=f"{reason} (see the loader's findings)")
        for place, _, codes in result.ignored_by():
            for code in codes:
                rule = RULES[code]
                case = ET.SubElement(suite, "testcase", classname=f"bidkit.{rule.group}", name=f"{code} {rule.title}")
                ET.SubElement(case, "skipped", message=f"ignored by {place}: not checked")
        skipped = len(result.rules_not_run) + len(result.ignored)
        tests = len(result.rules_run) + skipped
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        suites.set("tests", str(tests))
        suites.set("failures", str(failures))
        ET.indent(suites)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
