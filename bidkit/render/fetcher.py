"""A WeasyPrint 70 URL fetcher that reads only files inside allowed folders.

WeasyPrint's default fetcher follows any ``file:`` URL and fetches http(s). Templates and
stylesheets may only use files inside the bid folder and the templates; everything else
(other files, symlinks or ``..`` leading out, any network scheme) is refused and recorded.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher


class RefusedURL(ValueError):
    pass


class SandboxedFetcher(URLFetcher):
    def __init__(self, allowed_roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=1)
        self.allowed_roots = [root.resolve() for root in allowed_roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            return self._refuse(url, "only files inside the bid folder and the templates may be used")
        path = Path(unquote(urlsplit(url).path)).resolve()  # follows symlinks and '..'
        if not any(path.is_relative_to(root) for root in self.allowed_roots):
            return self._refuse(url, f"{path} is outside the bid folder and the templates")
        return super().fetch(path.as_uri(), headers)

    def _refuse(self, url: str, why: str):
        self.refused.append(url)
        raise RefusedURL(f"bidkit refused {url}: {why}")
