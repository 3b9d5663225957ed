"""Where bidkit finds its templates and the example bid, installed or in a checkout.

In a wheel they live inside the package (``bidkit/templates``, ``bidkit/example``); in a
source checkout or an editable install they are the top-level ``templates/`` and ``bid_data/``.
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _packaged_or_checkout(packaged: str, checkout: str) -> Path:
    inside = _PACKAGE / packaged
    return inside if inside.is_dir() else _PACKAGE.parent / checkout


def templates_dir() -> Path:
    return _packaged_or_checkout("templates", "templates")


def example_dir() -> Path:
    return _packaged_or_checkout("example", "bid_data")
