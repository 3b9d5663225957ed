"""Rules: the codes the loader reports and the completeness checks, in one registry."""

from bidkit.rules import (  # noqa: F401  (importing a module registers its rules)
    annexes,
    budget,
    characters,
    cities,
    competitions,
    document,
    eligibility,
    goals,
    loading,
    measures,
    mou,
    offices,
    partners,
    programme,
    resolution,
    structure,
    supporters,
    textfacts,
    theme,
    themetemplates,
    variants,
    words,
)
from bidkit.rules.registry import GROUPS, RULES, Rule, RuleContext, Violation, checks, matching

__all__ = ["GROUPS", "RULES", "Rule", "RuleContext", "Violation", "checks", "matching"]
