"""The preview's web server: loopback only, its own Host only, only what it generated.

Routes (anything else is 404, so there is no directory listing and no path with ``..``):

- ``GET /``: the page, complete without JavaScript;
- ``GET /ereignisse?stand=N``: Server-Sent Events, one ``stand`` event per change after N;
- ``GET /seite/<rendering>/<page>.png``: a page image, from memory;
- ``POST /oeffnen``: open a bid file at a line in the editor of ``--editor`` (token and Origin checked).

Every request must name this server in ``Host`` (``127.0.0.1:PORT`` or ``localhost:PORT``), and
an ``Origin`` must be this server's: a page of another site that a DNS trick points at
127.0.0.1 (DNS rebinding) gets 403. Answers carry a Content-Security-Policy that allows only the
page's own inline style and script.
"""

from __future__ import annotations

import datetime as dt
import errno
import http.server
import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import threading
import traceback
import urllib.parse
import webbrowser
from collections.abc import Callable
from pathlib import Path

from bidkit.errors import BidkitError
from bidkit.findings import Severity
from bidkit.paths import BidFileError, printable, resolve_inside, shown
from bidkit.preview.live import refresh
from bidkit.preview.page import fragments, page_html
from bidkit.preview.renderer import DraftRenderer
from bidkit.preview.state import Preview
from bidkit.preview.watch import changes

HOST = "127.0.0.1"
KEEPALIVE_SECONDS = 15.0
MAX_FORM_BYTES = 4096
PAGE_IMAGE = re.compile(r"/seite/([0-9]{1,9})/([0-9]{1,5})\.png")


class Editor:
    """``--editor "code -g {file}:{line}"``: run without a shell, the placeholders filled per argument."""

    def __init__(self, template: str) -> None:
        try:
            self.arguments = shlex.split(template)
        except ValueError as exc:
            raise BidkitError(f"--editor: {exc}", 'Give a command such as --editor "code -g {file}:{line}".') from None
        if not self.arguments or not any("{file}" in argument for argument in self.arguments):
            raise BidkitError("--editor must name {file}", 'e.g. --editor "code -g {file}:{line}" or "vim +{line} {file}".')

    def open(self, file: Path, line: int) -> None:
        values = {"{file}": str(file), "{line}": str(line)}
        command = [re.sub(r"\{file\}|\{line\}", lambda m: values[m.group()], argument) for argument in self.arguments]
        subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, port: int, bid_dir: Path, preview: Preview, editor: Editor | None, log: Callable[[str], None]) -> None:
        self.bid_dir, self.preview, self.editor, self.log = bid_dir, preview, editor, log
        self.token = secrets.token_urlsafe(24)  # proves a POST comes from a page this server sent
        super().__init__((HOST, port), _Handler)
        names = (f"{HOST}:{self.server_port}", f"localhost:{self.server_port}")
        self.hosts = frozenset(names)
        self.origins = frozenset(f"http://{name}" for name in names)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_port}/"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "bidkit-preview"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(self._get)

    def do_POST(self) -> None:
        self._answer(self._post)

    def do_HEAD(self) -> None:
        self._plain(405, "Nur GET und POST.")

    def _answer(self, route: Callable[[str, dict], None]) -> None:
        try:
            if self.headers.get("Host") not in self.server.hosts:
                self._plain(403, "Abgelehnt: diese Vorschau antwortet nur unter ihrer eigenen Adresse (127.0.0.1).")
                return
            origin = self.headers.get("Origin")
            if origin is not None and origin not in self.server.origins:
                self._plain(403, "Abgelehnt: Anfrage von einer fremden Seite.")
                return
            parts = urllib.parse.urlsplit(self.path)
            route(parts.path, urllib.parse.parse_qs(parts.query))
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:  # noqa: BLE001 - a bug: the traceback goes to the terminal, never to the browser
            self.server.log(traceback.format_exc())
            try:
                self._plain(500, "Interner Fehler der Vorschau; Einzelheiten stehen im Terminal.")
            except OSError:
                pass

    def _get(self, path: str, query: dict) -> None:
        if path == "/":
            nonce = secrets.token_urlsafe(16)
            html = page_html(self.server.preview, self.server.bid_dir, nonce=nonce, token=self.server.token,
                             editor=self.server.editor is not None)
            self._send(200, "text/html; charset=utf-8", html.encode("utf-8"), nonce=nonce)
        elif path == "/ereignisse":
            self._events(query)
        elif match := PAGE_IMAGE.fullmatch(path):
            image = self.server.preview.page_image(int(match[1]), int(match[2]))
            if image is None:
                self._plain(404, "Diese Seite gibt es nicht (mehr).")
            else:
                self._send(200, "image/png", image.png, cache="private, max-age=3600, immutable")
        else:
            self._plain(404, "Nicht gefunden.")

    def _events(self, query: dict) -> None:
        seen = _whole(query.get("stand", ["-1"])[0], negative=True)
        if seen is None:
            seen = -1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        preview = self.server.preview
        while True:
            revision = preview.wait_newer(seen, KEEPALIVE_SECONDS)
            if revision == seen:
                self.wfile.write(b": noch da\n\n")
                continue
            parts = fragments(preview, self.server.bid_dir, token=self.server.token, editor=self.server.editor is not None)
            seen = parts["stand"]
            self.wfile.write(f"id: {seen}\nevent: stand\ndata: {json.dumps(parts)}\n\n".encode("utf-8"))

    def _post(self, path: str, query: dict) -> None:
        if path != "/oeffnen":
            self._plain(404, "Nicht gefunden.")
            return
        length = _whole(self.headers.get("Content-Length") or "")
        if length is None or not 0 < length <= MAX_FORM_BYTES:
            self._plain(400, "Ungültige Anfrage.")
            return
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        if not secrets.compare_digest(form.get("token", [""])[0].encode("utf-8"), self.server.token.encode("ascii")):
            self._plain(403, "Abgelehnt: die Anfrage kommt nicht von dieser Vorschau. Laden Sie die Seite neu.")
            return
        if self.server.editor is None:
            self._plain(404, "Kein Editor eingestellt (bidkit preview --editor …).")
            return
        try:
            # the page sends the name's bytes percent-encoded (page.py): a name that is not UTF-8 arrives whole
            file = resolve_inside(self.server.bid_dir, os.fsdecode(urllib.parse.unquote_to_bytes(form.get("datei", [""])[0])))
        except BidFileError:
            self._plain(404, "Diese Datei liegt nicht im Ordner der Bewerbung.")
            return
        line = _whole(form.get("zeile", ["1"])[0])
        if line is None:
            self._plain(400, "Ungültige Zeilennummer.")
            return
        try:
            self.server.editor.open(file, max(line, 1))
        except OSError as exc:
            self._plain(500, f"Der Editor ließ sich nicht starten: {exc.strerror or exc}")
            return
        self.send_response(204)  # the page stays as it is, with or without JavaScript
        self.end_headers()

    def _plain(self, status: int, text: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (text + "\n").encode("utf-8"))

    def _send(self, status: int, kind: str, body: bytes, *, nonce: str | None = None, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        own = f"'nonce-{nonce}'" if nonce else "'none'"
        self.send_header("Content-Security-Policy", f"default-src 'none'; img-src 'self'; connect-src 'self'; "
                         f"style-src {own}; script-src {own}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        pass  # one line per request would bury the lines that matter


def serve(bid_dir: Path, *, port: int | None, open_browser: bool, editor: str | None,
          say: Callable[[str], None], log: Callable[[str], None]) -> int:
    """Run the preview until Ctrl-C (or SIGTERM); exit code 0."""
    if not bid_dir.is_dir():
        raise BidkitError(f"bid folder '{shown(bid_dir)}' does not exist", "Give the folder that holds bid.yaml, or create one with `bidkit init`.")
    preview = Preview()
    try:
        server = PreviewServer(port or 0, bid_dir, preview, Editor(editor) if editor else None, log)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise BidkitError(f"port {port} is in use", "Leave out --port for a free one, or choose another.") from None
        raise BidkitError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}", "Choose another --port.") from None
    renderer = DraftRenderer(bid_dir, preview, log)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    threading.Thread(target=server.serve_forever, daemon=True, name="bidkit-preview-server").start()
    try:
        for number, batch in enumerate(changes(bid_dir)):
            snapshot = refresh(bid_dir, preview, renderer, log)
            if number == 0:
                say(f"Preview of {shown(bid_dir)}: {server.url}")
                say("It updates on every save in the folder. Ctrl-C ends.")
                if open_browser:
                    webbrowser.open(server.url)
                continue
            names = ", ".join(sorted(printable(path.name) for path in batch if path.exists()) or ["(removed)"])[:120]
            errors = f", {snapshot.result.count(Severity.ERROR)} error(s)" if snapshot.result else ""
            log(f"{dt.datetime.now():%H:%M:%S}  {names}: checked in {snapshot.seconds:.2f} s{errors}")
    except KeyboardInterrupt:
        say("Preview ended.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.shutdown()
        server.server_close()
        renderer.close()
    return 0


def _whole(text: str, *, negative: bool = False) -> int | None:
    """A header's or form field's number written plainly in ASCII digits (at most 9), else None.

    ``int()`` alone would raise on ``abc`` and accept `` 12``, ``+12``, ``1_000`` and other scripts' digits.
    """
    return int(text) if re.fullmatch(r"-?[0-9]{1,9}" if negative else r"[0-9]{1,9}", text) else None


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
