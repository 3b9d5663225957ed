"""Raster images a bid brings (a logo, pictures named by a theme's CSS or templates, ``data:``
URLs): their size in pixels is read from the file's header, before anything decodes them.

A PNG of a few kilobytes can hold a 30,000 × 30,000 picture that takes gigabytes to decode;
a picture larger than ``MAX_PIXELS`` is refused instead. 50 megapixels is more than an A4 page
scanned at 600 dpi (35 megapixels).
"""

from __future__ import annotations

import io
import warnings

MAX_PIXELS = 50_000_000


def pixel_problem(data: bytes) -> str | None:
    """Why this raster image is too large to decode, or None (also for what is no raster image:
    SVG, fonts, stylesheets)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header, decodes nothing
                width, height = image.size
    except Image.DecompressionBombError:  # Pillow's own, higher limit
        return f"is a picture of far more than {MAX_PIXELS // 1_000_000} megapixels, the most bidkit decodes"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None  # not a raster image Pillow knows; the reader that uses it reports a broken one
    if width * height > MAX_PIXELS:
        return (f"is a picture of {width:,} × {height:,} pixels; bidkit decodes at most "
                f"{MAX_PIXELS // 1_000_000} megapixels").replace(",", ".")
    return None
