"""Rules: the codes the loader reports and the completeness checks, in one registry."""

from bidkit.rules import completeness, loading  # noqa: F401  (registers the rules)
from bidkit.rules.registry import RULES, Rule, RuleContext, Violation, checks

__all__ = ["RULES", "Rule", "RuleContext", "Violation", "checks"]
