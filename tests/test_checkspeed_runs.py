"""Issue 12: TXT006 passes over a text in one search when no stretch of it is long enough to be a
run without a break; the prefilter must never hide a run that ``long_runs`` finds."""

from __future__ import annotations

import random

import pytest

from bidkit.rules.words import _UNBROKEN, MAX_RUN, long_runs

SAMPLES = [
    "", "kurz", "a" * MAX_RUN, "a" * (MAX_RUN + 1), "Text " + "**a" * 100 + " und mehr",
    "x" * 200 + "-" + "y" * 200, "x" * 200 + "\u00ad" + "y" * 200, "x" * 200 + "\u200b" + "y" * 200,
    "[Portal](https://example.org/" + "p" * 400 + ") ok", "[Portal](https://example.org/" + "p" * 400,
    "a" * 300 + "](" + "b" * 10 + ")", "Wort " * 300, "ü" * 251 + "\n" + "ö" * 10,
]


@pytest.mark.parametrize("text", SAMPLES)
def test_prefilter_passes_every_text_with_a_long_run(text):
    if list(long_runs(text)):
        assert _UNBROKEN.search(text)


def test_prefilter_on_random_texts():
    rng = random.Random(12)
    pieces = ["a", "ä", "x" * 60, " ", "-", "/", "\u00ad", "](", ")", "(", "]", "[", "\n", "**"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        if list(long_runs(text)):
            assert _UNBROKEN.search(text), text
