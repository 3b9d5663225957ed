"""Reporters turn a ``CheckResult`` into text for people or into formats CI systems read.

Each reporter is a small class registered by name; the names are the choices of
``bidkit check --format``. Reporters return a string; the command line prints it.
"""

from __future__ import annotations

from typing import ClassVar

from bidkit.findings import CheckResult

REPORTERS: dict[str, type[Reporter]] = {}


class Reporter:
    name: ClassVar[str]
    description: ClassVar[str]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        REPORTERS[cls.name] = cls

    def __init__(self, *, color: bool = False) -> None:
        self.color = color

    def render(self, result: CheckResult) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


from bidkit.report import github, gitlab, json_, junit, sarif, text  # noqa: E402,F401  (registers the reporters)
