"""A WeasyPrint 70 URL fetcher that reads only regular files inside allowed folders.

WeasyPrint's default fetcher follows any ``file:`` URL and fetches http(s). Templates,
stylesheets and SVG images may only use files inside the bid folder and the templates;
everything else (other files, symlinks or ``..`` leading out, folders, FIFOs and devices, any
network scheme) is refused and recorded, and so is a raster picture too large to decode or an SVG image that
cannot be drawn in bounded time (bidkit.images); a CMYK picture is handed over as RGB (the
document's output intent is sRGB: PDF/A forbids uncalibrated CMYK). Files are read through ``bidkit.paths`` without
blocking, so a FIFO named by a stylesheet cannot hang the build.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from bidkit.images import picture_problem, rgb_picture
from bidkit.paths import MAX_RESOURCE_BYTES, BidFileError, read_regular, resolve_inside, shown


#: How raster pictures start (PNG, JPEG, GIF, WebP/RIFF, BMP, TIFF).
_RASTER_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM", b"II*\x00", b"MM\x00*")


class RefusedURL(ValueError):
    pass


NETWORK_REFUSED = "no network address is fetched: the document uses only files inside the bid folder and bidkit's templates"


class SandboxedFetcher(URLFetcher):
    def __init__(self, allowed_roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=1)
        self.allowed_roots = [root.resolve() for root in allowed_roots]
        #: Why each refused URL (or link of the document) was refused, in the order met.
        self.reasons: dict[str, str] = {}

    @property
    def refused(self) -> list[str]:
        """"URL: why" of each refused URL, for the build's warnings."""
        return [f"{url}: {why}" for url, why in self.reasons.items()]

    def note(self, url: str, why: str) -> None:
        self.reasons.setdefault(url, why)

    def fetch(self, url: str, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            response = super().fetch(url, headers)
            data = response.read()
            if problem := picture_problem(data):
                return self._refuse(url[:60] + "…", f"the data: URL {problem}")
            if (rgb := rgb_picture(data)) is not None:
                return URLFetcherResponse(response.url, rgb[0], {"Content-Type": rgb[1]})
            return URLFetcherResponse(response.url, data, response.headers)
        if scheme != "file":
            return self._refuse(url, NETWORK_REFUSED if scheme in ("http", "https", "ftp") or url.startswith("//") else
                                f"'{shown(scheme)}:' addresses are not fetched; only files inside the bid folder and the templates")
        try:
            root, relative = self._inside(unquote(urlsplit(url).path))
            path = resolve_inside(root, relative, place="the bid folder and the templates", max_bytes=MAX_RESOURCE_BYTES)
            data = read_regular(path, max_bytes=MAX_RESOURCE_BYTES)
        except BidFileError as exc:
            return self._refuse(url, exc.message if exc.reason != "too_large" else
                                f"'{shown(relative)}' is larger than {MAX_RESOURCE_BYTES // 1_000_000} MB, "
                                "the most a picture, font, stylesheet or embedded file may have")
        if problem := picture_problem(data, path, root):
            return self._refuse(url, f"'{shown(relative)}' {problem}")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if (rgb := rgb_picture(data)) is not None:
            data, kind = rgb
        # WeasyPrint 70 reads a raster picture again from the file its response names (LazyLocalImage,
        # following links) when it writes the PDF: a raster picture's response names no file, so what
        # it embeds is these bytes, checked (stylesheets and SVG keep their address, the base of theirs).
        address = ("bidkit-fetched:" if data.startswith(_RASTER_MAGIC) else "") + path.as_uri()
        return URLFetcherResponse(address, data, {"Content-Type": kind})

    def _inside(self, file: str) -> tuple[Path, Path]:
        """(allowed folder, path relative to it) of the file; resolve_inside then follows
        symlinks and refuses what leads out of that folder or is not a regular file."""
        normal = Path(os.path.normpath(file))
        for root in self.allowed_roots:
            if normal.is_relative_to(root):
                return root, normal.relative_to(root)
        raise BidFileError(f"'{shown(file)}' is outside the bid folder and the templates", reason="outside")

    def _refuse(self, url: str, why: str):
        self.note(url, why)
        raise RefusedURL(f"bidkit refused {url}: {why}")
