"""A bid file whose name is not UTF-8 (Latin-1 from a zip or an SMB share: b"p\\xff\\xfe.yaml") reaches
every output printable and as valid UTF-8: each report format, the draft's open points, the
preview (whose editor link still opens the very file), and the rebuild cache keeps its bytes (rt9b E3).

Python hands such a name over as ``os.fsdecode`` makes it, each undecodable byte a lone surrogate,
which no UTF-8 output can hold; ``paths.printable`` shows the byte as ``\\xff``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bidkit.paths import printable, shown
from conftest import REPO, check_here, edit, run_bidkit

NAME = os.fsdecode(b"p\xff\xfe.yaml")  # as the file system hands it to Python
SHOWN = "p\\xff\\xfe.yaml"  # as every output shows it
FORMATS = ("text", "json", "sarif", "junit", "gitlab", "github")


@pytest.fixture
def latin1_bid(bid: Path) -> Path:
    """The example with partners.yaml under a name that is not UTF-8, holding one invalid value."""
    target = bid / NAME
    (bid / "partners.yaml").rename(target)
    edit(target, "type: unternehmen\n", "type: unternehmenx\n")
    return bid


def test_printable_shows_the_bytes_of_a_name_that_is_not_utf8():
    assert printable(NAME) == SHOWN
    assert printable("a\ud800b") == "a\\ud800b"  # any other lone surrogate, escaped as Python writes it
    assert shown(Path("/x") / NAME) == "/x/" + SHOWN
    assert printable("Maßnahmen ä\u00a0€.yaml") == "Maßnahmen ä\u00a0€.yaml"  # everything else stays
    printable(NAME).encode("utf-8")  # no surrogate left


@pytest.mark.parametrize("format", FORMATS)
def test_every_report_format_names_the_file_printably(latin1_bid, format):
    run = check_here(str(latin1_bid), "--format", format)
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr and run.stderr == ""
    run.stdout.encode("utf-8")  # valid UTF-8: no surrogate reaches the output
    if format in ("text", "junit", "github"):
        assert SHOWN in run.stdout
    if format == "json":
        files = {finding["file"] for finding in json.loads(run.stdout)["findings"]}
        assert any(file.endswith(SHOWN) for file in files), files
    elif format == "sarif":
        uris = [loc["physicalLocation"]["artifactLocation"]["uri"]
                for result in json.loads(run.stdout)["runs"][0]["results"] for loc in result.get("locations", [])]
        assert any(uri.endswith("/p%FF%FE.yaml") for uri in uris), uris  # a URI: the name's bytes, percent-encoded
        assert any(urllib.parse.unquote_to_bytes(uri).endswith(b"/p\xff\xfe.yaml") for uri in uris)  # the very file
    elif format == "gitlab":
        issues = json.loads(run.stdout)
        paths = [issue["location"]["path"] for issue in issues]
        assert any(path.endswith(SHOWN) for path in paths)
        assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    elif format == "junit":
        ET.fromstring(run.stdout.split("\n", 1)[1])
    elif format == "github":
        assert any(line.startswith("::error file=") and SHOWN in line for line in run.stdout.splitlines())


def test_the_real_command_writes_valid_utf8_in_every_format(latin1_bid):
    """Whatever the locale makes of stdout (C.UTF-8: surrogateescape would write the raw bytes)."""
    for format in FORMATS:
        proc = subprocess.run([sys.executable, "-m", "bidkit", "check", str(latin1_bid), "--format", format],
                              cwd=REPO, capture_output=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120)
        assert proc.returncode == 1 and b"Traceback" not in proc.stderr, (format, proc.stderr[-2000:])
        proc.stdout.decode("utf-8")  # strict: raises on the raw bytes \xff\xfe
        assert (b"p%FF%FE.yaml" if format == "sarif" else b"p\\\\xff\\\\xfe.yaml" if format in ("json", "gitlab")
                else SHOWN.encode()) in proc.stdout, format


def test_the_drafts_open_points_name_the_file_and_the_cache_keeps_it(latin1_bid, tmp_path):
    output = tmp_path / "draft.pdf"
    cache = {"BIDKIT_CACHE_DIR": str(tmp_path / "cache")}
    first = run_bidkit("build", str(latin1_bid), "--draft", "-o", str(output), env=cache)
    assert first.code == 0 and "Traceback" not in first.stderr, first.stderr[-3000:]
    text = subprocess.run(["pdftotext", str(output), "-"], capture_output=True, check=True).stdout.decode("utf-8")
    assert f"Datei {SHOWN}, Zeile" in text
    again = run_bidkit("build", str(latin1_bid), "--draft", "-o", str(output), env=cache)
    assert again.code == 0 and "from the cache" in again.stdout + again.stderr, again.stderr[-3000:]


def test_the_preview_shows_the_name_and_its_editor_link_opens_the_file(latin1_bid, tmp_path):
    """The real `bidkit preview`: its page is UTF-8 and shows the name; the finding's editor form
    opens the very file (the recorder gets its bytes)."""
    from test_preview import Lines, _environment, _request

    opened = tmp_path / "opened.bin"
    recorder = tmp_path / "editor.py"
    recorder.write_text(f"import os, sys\nopen({str(opened)!r}, 'wb').write(os.fsencode(sys.argv[1]) + b' ' + os.fsencode(sys.argv[2]))\n",
                        encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bidkit", "preview", str(latin1_bid), "--editor", f"{sys.executable} {recorder} {{file}} {{line}}"],
        cwd=REPO, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        out, err = Lines(process.stdout), Lines(process.stderr)
        url = out.wait_for(r"(http://127\.0\.0\.1:\d+/)", 30)[1]
        server = {"port": int(url.rsplit(":", 1)[1].strip("/"))}
        html = _request(server, "/").body.decode("utf-8")  # strict
        assert f"{SHOWN}:7" in html  # the finding's place, as shown
        token = re.search(r'name="token" value="([^"]+)"', html)[1]
        sent = re.search(r'name="datei" value="(p%FF%FE\.yaml)"', html)
        assert sent, "the editor form sends the name's bytes"
        form = urllib.parse.urlencode({"token": token, "datei": sent[1], "zeile": "7"}).encode()
        answer = _request(server, "/oeffnen", method="POST", body=form,
                          headers={"Origin": url.rstrip("/"), "Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status == 204, answer.body
        for _ in range(100):
            if opened.exists() and opened.read_bytes():
                break
            time.sleep(0.1)
        assert opened.read_bytes() == os.fsencode(str((latin1_bid / NAME).resolve())) + b" 7"
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        code = process.wait(timeout=30)
    assert code == 0, err.rest()
    assert not any("Traceback" in line for line in err.rest()), err.seen


def test_watching_a_folder_with_such_a_name_goes_on_by_polling(tmp_path):
    """watchfiles ends with an error on any event of such a file (a mere read); `preview` and
    `build --watch` then poll the folder and still see each save."""
    import queue
    import threading

    from bidkit.preview.watch import changes

    folder = tmp_path / "bid"
    folder.mkdir()
    odd = folder / NAME
    odd.write_text("a: 1\n", encoding="utf-8")
    stop, batches = threading.Event(), queue.Queue()

    def watch():
        for batch in changes(folder, stop=stop):
            batches.put(batch)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        assert batches.get(timeout=10) == set()  # watching
        odd.read_text(encoding="utf-8")  # an event watchfiles cannot name
        odd.write_text("a: 2\n", encoding="utf-8")
        seen: set[Path] = set()
        while not seen & {odd, folder}:  # the folder: the change watchfiles lost
            seen |= batches.get(timeout=10)
        (folder / "bid.yaml").write_text("b: 1\n", encoding="utf-8")  # polled from now on
        seen = set()
        while folder / "bid.yaml" not in seen:
            seen |= batches.get(timeout=10)
        odd.write_text("a: 3\n", encoding="utf-8")
        assert odd in batches.get(timeout=10)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_name_that_is_not_utf8_created_while_watching_is_seen(tmp_path):
    """rt9b E4: `unzip` writes a Windows zip's „Stadtwärme“ as Latin-1 into anlagen/ while the preview runs."""
    import queue
    import threading

    from bidkit.preview.watch import changes

    folder = tmp_path / "bid"
    (folder / "anlagen").mkdir(parents=True)
    (folder / "bid.yaml").write_text("a: 1\n", encoding="utf-8")
    stop, batches = threading.Event(), queue.Queue()
    thread = threading.Thread(target=lambda: [batches.put(batch) for batch in changes(folder, stop=stop)], daemon=True)
    thread.start()
    try:
        assert batches.get(timeout=10) == set()  # watching
        created = folder / "anlagen" / os.fsdecode(b"Stellungnahme_Stadtw\xe4rme.pdf")
        created.write_bytes(b"%PDF-1.7\n")
        seen: set[Path] = set()
        while not seen & {created, folder}:
            seen |= batches.get(timeout=10)
        (folder / "bid.yaml").write_text("a: 2\n", encoding="utf-8")
        seen = set()
        while folder / "bid.yaml" not in seen:
            seen |= batches.get(timeout=10)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


@pytest.mark.parametrize("format", FORMATS)
def test_a_finding_of_a_bid_folder_whose_name_is_not_utf8_in_every_format(format, tmp_path):
    """A finding without a file: the reports name the bid folder (GitLab: its path)."""
    from bidkit.findings import CheckResult, Finding, Location, Severity
    from bidkit.report import REPORTERS

    folder = tmp_path / os.fsdecode(b"bewerbung-\xe4")
    finding = Finding("TXT001", Severity.ERROR, "a finding of the bid", "fix it", Location(None))
    result = CheckResult(folder, None, None, [finding], rules_run=["TXT001"])
    text = REPORTERS[format]().render(result)
    text.encode("utf-8")  # no surrogate
    if format in ("text", "junit"):
        assert "bewerbung-\\xe4" in text
