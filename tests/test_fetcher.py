"""The sandboxed URL fetcher: only files inside the allowed folders, no network."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

weasyprint = pytest.importorskip("weasyprint")

from bidkit.render.fetcher import RefusedURL, SandboxedFetcher  # noqa: E402

# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def folders(tmp_path: Path):
    inside = tmp_path / "bid"
    outside = tmp_path / "secret"
    inside.mkdir()
    outside.mkdir()
    (inside / "logo.png").write_bytes(PNG)
    (outside / "secret.png").write_bytes(PNG)
    (inside / "link.png").symlink_to(outside / "secret.png")
    return inside, outside


def render(html: str, fetcher: SandboxedFetcher, base: Path):
    document = weasyprint.HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher).render()
    return document


def count_images(document) -> int:
    """Images that reached the PDF, read back with pypdf."""
    from io import BytesIO

    from pypdf import PdfReader

    return sum(len(page.images) for page in PdfReader(BytesIO(document.write_pdf())).pages)


def test_file_inside_the_bid_folder_is_read(folders):
    inside, _ = folders
    fetcher = SandboxedFetcher([inside])
    document = render('<img src="logo.png">', fetcher, inside)
    assert fetcher.refused == []
    assert count_images(document) == 1


@pytest.mark.parametrize("url", [
    "{outside}/secret.png",          # absolute file URL outside
    "../secret/secret.png",          # '..' climbing out
    "link.png",                      # symlink inside pointing outside
    "http://127.0.0.1:9/x.png",      # network
    "https://example.org/x.png",
    "ftp://example.org/x.png",
])
def test_everything_else_is_refused(folders, url):
    inside, outside = folders
    url = url.format(outside=outside.as_uri())
    fetcher = SandboxedFetcher([inside])
    document = render(f'<img src="{url}"><link rel="stylesheet" href="{url}">', fetcher, inside)
    assert fetcher.refused, url
    assert count_images(document) == 0


def test_direct_fetch_raises(folders):
    inside, outside = folders
    fetcher = SandboxedFetcher([inside])
    with pytest.raises(RefusedURL):
        fetcher.fetch((outside / "secret.png").as_uri())
    with pytest.raises(RefusedURL):
        fetcher.fetch("file:///etc/passwd")
