"""`bidkit preview` and `bidkit build --watch`, driven as a person would: the real server on a free
port, the system's chromium (headless, over the DevTools protocol), real edits of the bid's files.

The browser scenario saves screenshots (their paths are printed; run with -s to see them).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bidkit.rules.german import german_title
from conftest import EXAMPLE, REPO, edit

#: Seconds a render may take on a loaded 2-core CI machine (about 6 s alone).
RENDER_BOUND = 90
#: Seconds until a check's result is in the browser (the check itself takes < 0.3 s).
CHECK_BOUND = 10


class Lines:
    """A process's output lines, read in a thread, waited for with a bound."""

    def __init__(self, stream) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s; saw {self.seen}")

    def rest(self, timeout: float = 5) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.seen.append(line)
        return self.seen


def _environment() -> dict:
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environment.update({"NO_COLOR": "1", "COLUMNS": "200", "PYTHONUNBUFFERED": "1"})
    return environment


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    """The real `bidkit preview` on a copy of the example, with an editor that records its arguments."""
    root = tmp_path_factory.mktemp("preview")
    bid = root / "bid"
    shutil.copytree(EXAMPLE, bid)
    (root / "secret.txt").write_text("GEHEIM-NEBEN-DEM-ORDNER\n", encoding="utf-8")
    opened = root / "opened.txt"
    recorder = root / "editor.py"
    # It appends its line and puts the file in place whole: the test reads it as soon as it is there.
    recorder.write_text(f"import os, sys\nopened = {str(opened)!r}\n"
                        "before = open(opened).read() if os.path.exists(opened) else ''\n"
                        "open(opened + '.part', 'w').write(before + ' '.join(sys.argv[1:]) + '\\n')\n"
                        "os.replace(opened + '.part', opened)\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bidkit", "preview", str(bid), "--editor", f"{sys.executable} {recorder} {{file}} {{line}}"],
        cwd=REPO, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    out, err = Lines(process.stdout), Lines(process.stderr)
    url = out.wait_for(r"(http://127\.0\.0\.1:\d+/)", 30)[1]
    server = {"url": url, "port": int(url.rsplit(":", 1)[1].strip("/")), "bid": bid, "root": root, "opened": opened}
    yield server
    process.send_signal(signal.SIGINT)  # Ctrl-C
    assert process.wait(timeout=30) == 0
    print("\npreview stderr:", *err.rest(), sep="\n  ")
    assert "Preview ended." in out.seen[-1:] + out.rest()
    assert not any("Traceback" in line for line in err.rest()), err.seen


class Browser:
    """The system chromium, headless, driven over the DevTools protocol (websocket-client)."""

    def __init__(self, profile: Path) -> None:
        import websocket

        executable = shutil.which("chromium") or shutil.which("chromium-browser")
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
             "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1400,1000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        port = Lines(self.process.stderr).wait_for(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", 60)[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            target = next(t for t in json.load(answer) if t["type"] == "page")
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.calls = 0

    def call(self, method: str, **params) -> dict:
        self.calls += 1
        self.socket.send(json.dumps({"id": self.calls, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.calls:
                assert "error" not in message, message
                return message["result"]

    def evaluate(self, expression: str):
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in answer, answer
        return answer["result"].get("value")

    def wait_for(self, expression: str, timeout: float, what: str):
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            value = self.evaluate(expression)
            if value:
                return time.monotonic() - started
            time.sleep(0.1)
        raise AssertionError(f"{what}: not within {timeout} s; page says: {self.text('body')[:2000]}")

    def text(self, selector: str) -> str:
        return self.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{innerText: ''}}).innerText")

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        print(f"\nscreenshot: {path}")
        return path

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing (.ci/run installs Debian's package)")
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    pytest.importorskip("websocket", reason="needs websocket-client (pip install -e '.[test]')")
    chromium = Browser(tmp_path_factory.mktemp("chromium"))
    yield chromium
    chromium.close()


FIRST_PAGE = "((document.querySelector('#seiten img') || {}).src || '')"


@pytest.mark.slow
def test_preview_shows_pages_and_findings_and_follows_edits(preview, browser, tmp_path):
    bid: Path = preview["bid"]
    browser.call("Page.navigate", url=preview["url"])
    took = browser.wait_for("document.querySelectorAll('#seiten img').length >= 10", RENDER_BOUND, "the draft's pages")
    print(f"\nfirst render shown after {took:.1f} s")
    assert browser.evaluate("document.documentElement.lang") == "de"
    assert browser.text("h1") == "Vorschau: #WolfsburgDigital"
    findings = browser.text("#befunde")
    assert "Befunde (2)" in findings and "BUD007" in findings and "budget.yaml:13" in findings
    # German titles head the findings; the English details are marked as English for screen readers
    assert german_title("BUD007") in findings
    assert browser.evaluate("document.querySelector('#befunde .nachricht').lang") == "en"
    assert "Vollständigkeit: 100,0 %" in findings
    assert re.search(r"11 von höchstens 30 Seiten · 15 Seiten mit Anlagen und offenen Punkten · gerendert in \d+,\d s",
                     browser.text("#seiten"))
    assert browser.evaluate("document.querySelector('#seiten img').alt") == "Seite 1 von 15: Deckblatt"
    assert browser.text("#meldung") == ""
    browser.screenshot(tmp_path / "preview.png")

    # An edited value: the header follows the check at once, the pages after the render,
    # and the reader stays where they were.
    browser.evaluate("window.scrollTo(0, 1500)")
    first = browser.evaluate(FIRST_PAGE)
    edit(bid / "bid.yaml", 'title: "#WolfsburgDigital"', 'title: "#WolfsburgVorschau"')
    browser.wait_for("document.querySelector('#titel').textContent === '#WolfsburgVorschau'", CHECK_BOUND, "the new title")
    took = browser.wait_for(f"{FIRST_PAGE} !== {json.dumps(first)} && !document.querySelector('.laeuft')",
                            RENDER_BOUND, "the re-rendered pages")
    print(f"re-rendered pages shown {took:.1f} s after the title was found")
    edited = browser.evaluate(FIRST_PAGE)
    assert _get(preview, first) != _get(preview, edited)  # the cover shows the new title
    assert browser.evaluate("window.scrollY") == 1500

    # Broken YAML: the error on top, the last good pages stay.
    budget = bid / "budget.yaml"
    good = budget.read_text(encoding="utf-8")
    edit(budget, "  years:", "  years: [")
    took = browser.wait_for("document.querySelector('#meldung').innerText.includes('YML001')", CHECK_BOUND, "the YAML error")
    print(f"YAML error shown after {took:.2f} s")
    banner = browser.text("#meldung")
    assert "budget.yaml:" in banner and "letzten gelungenen Stand" in banner
    assert browser.evaluate(FIRST_PAGE) == edited
    assert browser.evaluate("document.querySelectorAll('#seiten img').length") == 15
    assert "Traceback" not in browser.text("body")
    browser.evaluate("window.scrollTo(0, 0)")
    browser.screenshot(tmp_path / "preview-broken.png")

    # Fixed: the error goes; the document is the one already shown, so it is not rendered again.
    budget.write_text(good, encoding="utf-8")
    browser.wait_for("document.querySelector('#meldung').innerText === '' && "
                     "!document.querySelector('#befunde').innerText.includes('YML001') && "
                     "document.querySelector('#seiten').innerText.includes('die letzte Änderung ändert das Dokument nicht')",
                     CHECK_BOUND, "the error cleared, the pages kept")
    assert browser.evaluate(FIRST_PAGE) == edited

    # A finding's place opens the editor of --editor at its line.
    browser.evaluate("document.querySelector('form.oeffnen button').click()")
    deadline = time.monotonic() + CHECK_BOUND

    def recorded() -> bool:  # the recorder creates the file before it writes its line
        return preview["opened"].exists() and preview["opened"].read_text(encoding="utf-8").endswith("\n")

    while not recorded() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert preview["opened"].read_text(encoding="utf-8").splitlines() == [f"{(bid / 'budget.yaml').resolve()} 13"]
    assert browser.text("#verbindung") == "im Editor geöffnet"


def test_first_view_needs_no_javascript(preview):
    """The server-rendered page names the bid and lists the findings; script and style carry the CSP nonce."""
    answer = _request(preview, "/")
    assert answer.status == 200
    html = answer.body.decode()
    assert '<html lang="de">' in html and "Vorschau: <span id=\"titel\">" in html
    assert "BUD007" in html and "Befunde (" in html
    nonce = re.search(r"script-src 'nonce-([^']+)'", answer.headers["Content-Security-Policy"])[1]
    assert f'<script nonce="{nonce}">' in html and f'<style nonce="{nonce}">' in html


def test_foreign_host_and_origin_are_refused(preview):
    port = preview["port"]
    for headers in ({"Host": f"evil.example:{port}"}, {"Host": "127.0.0.1"}, {"Host": f"127.0.0.1.nip.io:{port}"},
                    {"Host": f"127.0.0.1:{port}", "Origin": "http://evil.example"}):
        for path in ("/", "/ereignisse"):
            answer = _request(preview, path, headers=headers)
            assert answer.status == 403, (headers, path)
            assert b"Wolfsburg" not in answer.body
    assert _request(preview, "/", headers={"Host": f"localhost:{port}"}).status == 200


def test_only_generated_content_is_served(preview):
    secret = b"GEHEIM-NEBEN-DEM-ORDNER"
    for path in ("/../secret.txt", "/../../secret.txt", "/seite/../../secret.txt", "/%2e%2e/secret.txt",
                 "/seite/1/..%2f..%2fsecret.txt", "//secret.txt", "/bid.yaml", "/budget.yaml", "/seite/",
                 "/seite/1/", "/anlagen/", "/templates/style.css", "/seite/999999/1.png"):
        answer = _request(preview, path)
        assert answer.status == 404, path
        assert secret not in answer.body and b"budget:" not in answer.body and b"Index of" not in answer.body


def test_opening_a_file_outside_the_bid_folder_is_refused(preview):
    token = re.search(r'name="token" value="([^"]+)"', _request(preview, "/").body.decode())[1]
    origin = {"Origin": f"http://127.0.0.1:{preview['port']}"}
    for form, status in ((f"token={token}&datei=../secret.txt&zeile=1", 404),
                         (f"token={token}&datei=/etc/passwd&zeile=1", 404),
                         ("token=falsch&datei=bid.yaml&zeile=1", 403)):
        answer = _request(preview, "/oeffnen", method="POST", body=form.encode(),
                          headers={**origin, "Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status == status, form
    assert not preview["opened"].exists() or "secret" not in preview["opened"].read_text(encoding="utf-8")


@pytest.mark.slow
def test_build_watch_rebuilds_on_change_one_line_each(bid, tmp_path):
    """Broken → refused at once; fixed → built; a comment → the same document, not rebuilt; Ctrl-C ends with 0."""
    good = (bid / "bid.yaml").read_text(encoding="utf-8")
    edit(bid / "bid.yaml", "city:\n", "city: [\n")
    output = tmp_path / "out" / "bid.pdf"
    process = subprocess.Popen(
        [sys.executable, "-m", "bidkit", "build", str(bid), "-o", str(output), "--pdf-variant", "pdf", "--watch"],
        cwd=REPO, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    out, err = Lines(process.stdout), Lines(process.stderr)
    try:
        out.wait_for(r"^Watching .* Ctrl-C ends\.$", 30)
        out.wait_for(r"^\d\d:\d\d:\d\d  ✗ build refused: \d+ error\(s\).*first: .*bid\.yaml:\d+ YML001", 30)
        (bid / "bid.yaml").write_text(good, encoding="utf-8")
        out.wait_for(rf"^\d\d:\d\d:\d\d  ✓ {re.escape(str(output))}: 14 pages, 0 error\(s\), 0 warning\(s\), 2 info \[\d+\.\d s\]$",
                     RENDER_BOUND)
        assert output.is_file()
        with open(bid / "budget.yaml", "a", encoding="utf-8") as budget:
            budget.write("# a comment changes nothing in the document\n")
        out.wait_for(r"^\d\d:\d\d:\d\d  = .*bid\.pdf unchanged \(the document is the same\)", 30)
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    assert code == 0
    assert out.rest()[-1] == "Stopped watching."
    assert not any("Traceback" in line for line in err.rest()), err.seen


def test_a_comment_leaves_the_document_unchanged_a_value_does_not(bid):
    from bidkit.check import check_bid
    from bidkit.preview.document import fingerprint

    def document() -> str:
        result, loaded = check_bid(bid)
        return fingerprint(loaded, result.findings, draft=True)

    before = document()
    with open(bid / "goals.yaml", "a", encoding="utf-8") as goals:
        goals.write("\n# nur ein Kommentar\n")
    assert document() == before
    edit(bid / "bid.yaml", "submission_date: 2017-03-14", "submission_date: 2017-03-13")
    assert document() != before


class _Answer:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


def _request(preview: dict, path: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None) -> _Answer:
    """A request with the path sent exactly as given (no normalisation) and the Host of our choice."""
    connection = http.client.HTTPConnection("127.0.0.1", preview["port"], timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        headers = {"Host": f"127.0.0.1:{preview['port']}", **(headers or {})}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return _Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def _get(preview: dict, url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read()


class _NoRenderer:
    """Stands in for the worker processes: records what would be rendered."""

    def __init__(self) -> None:
        self.requested: list[str] = []

    def request(self, fingerprint: str) -> None:
        self.requested.append(fingerprint)

    def cancel(self) -> None:
        pass


def test_page_shows_bid_text_as_text_and_a_template_error_without_traceback(bid):
    from bidkit.preview.live import refresh
    from bidkit.preview.page import page_html
    from bidkit.preview.state import Preview

    edit(bid / "bid.yaml", 'title: "#WolfsburgDigital"', 'title: "<script>alert(1)</script>"')
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  templates: theme/templates\n')
    (bid / "theme" / "templates").mkdir()
    (bid / "theme" / "templates" / "cover.html.j2").write_text("<h1>{{ bid.title }</h1>\n", encoding="utf-8")
    preview, renderer, log = Preview(), _NoRenderer(), []
    snapshot = refresh(bid, preview, renderer, log.append)
    assert snapshot.result is not None and snapshot.renderable
    assert renderer.requested == []  # the template fails: no render is started
    assert "cover.html.j2" in preview.status.error
    html = page_html(preview, bid, nonce="n", token="t", editor=False)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "Das Rendern ist fehlgeschlagen: template error in" in html and "cover.html.j2" in html
    assert "Traceback" not in html and log == []
