"""One save → a new check at once, then a new rendering in the background when the document changed."""

from __future__ import annotations

import datetime as dt
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bidkit.errors import BidkitError
from bidkit.preview.document import fingerprint
from bidkit.preview.renderer import DraftRenderer
from bidkit.preview.state import CheckSnapshot, Preview


def refresh(bid_dir: Path, preview: Preview, renderer: DraftRenderer, log: Callable[[str], None]) -> CheckSnapshot:
    """Check the bid and publish the result; then ask for a rendering if the document changed.

    While sections do not load (a YAML error) the last good pages stay: a draft without them
    would be no better. Only a bid never rendered yet is drawn as far as it loads.
    """
    from bidkit.check import check_bid

    started = time.perf_counter()
    try:
        result, loaded = check_bid(bid_dir)
    except BidkitError as exc:
        snapshot = CheckSnapshot(None, time.perf_counter() - started, dt.datetime.now().astimezone(), problem=exc.message)
        preview.publish(check=snapshot)
        renderer.cancel()
        return snapshot
    except Exception:  # noqa: BLE001 - a bug must not end the preview; its traceback goes to the terminal
        log(traceback.format_exc())
        snapshot = CheckSnapshot(None, time.perf_counter() - started, dt.datetime.now().astimezone(),
                                 problem="internal error while checking (details in the terminal)")
        preview.publish(check=snapshot)
        return snapshot
    snapshot = CheckSnapshot(result, time.perf_counter() - started, dt.datetime.now().astimezone(),
                             loaded.renderable, frozenset(loaded.broken))
    preview.publish(check=snapshot)
    if not loaded.renderable or (loaded.broken and preview.rendering is not None):
        renderer.cancel()
        preview.publish(running=False)
        return snapshot
    try:
        document = fingerprint(loaded, result.findings, draft=True)
    except BidkitError as exc:  # a template error: rendering would fail the same way
        renderer.cancel()
        preview.publish(running=False, error=" ".join(filter(None, [exc.message, exc.hint])))
        return snapshot
    except Exception:  # noqa: BLE001 - render anyway; the worker reports what fails
        log(traceback.format_exc())
        document = f"unknown {time.time()}"
    renderer.request(document)
    return snapshot
