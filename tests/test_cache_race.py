"""The rebuild cache keeps only builds whose bid folder did not change while they ran (rt5 D17): a
file saved during a build (an editor's autosave, a sync client) put the file built from the old
bytes under the key of the new ones, and every later build of the unchanged folder took the other
document "from the cache"."""

from __future__ import annotations

import io
import os
import shutil

import pytest

from conftest import EXAMPLE

from bidkit.render.cache import BuildCache, Unchanged, snapshot


def test_a_store_is_refused_when_the_folder_changed_since_the_snapshot(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    cache = BuildCache(tmp_path / "cache", 10**9)
    before = snapshot(bid)
    guarded = Unchanged(cache, bid, before, outputs=[bid / "build" / "out.pdf"])
    (bid / "build").mkdir()
    (bid / "build" / "out.pdf").write_bytes(b"%PDF the build's own output")  # the output itself does not count
    guarded.store("unchanged", b"%PDF-1.7", {"pages": 1})
    assert cache.load("unchanged") is not None
    (bid / "anlagen" / "neu.pdf").write_bytes(b"%PDF another version")  # saved while the build ran
    os.replace(bid / "anlagen" / "neu.pdf", bid / "anlagen" / "unterstuetzung-ostfalia.pdf")
    guarded.store("changed", b"%PDF-1.7", {"pages": 1})
    assert cache.load("changed") is None


@pytest.mark.parametrize("saved", [False, True])
def test_the_build_takes_its_snapshot_before_it_reads_the_bid(tmp_path, monkeypatch, saved):
    """A YAML file saved while the build's check reads the bid: the build's cache (its lookup,
    made before the bid is read) refuses to keep the file, whose bytes are those of the text
    before the save. Unsaved, it keeps it."""
    from rich.console import Console

    import bidkit.check
    from bidkit.render import build, staged
    from bidkit.render.cache import lookup

    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    real = bidkit.check.check_bid

    def check_then_save(bid_dir, *args, **kwargs):
        result = real(bid_dir, *args, **kwargs)
        if saved:
            with (bid_dir / "goals.yaml").open("a", encoding="utf-8") as goals:
                goals.write("# saved by the editor while the build ran\n")
        return result

    monkeypatch.setattr(bidkit.check, "check_bid", check_then_save)
    options = {"draft": False, "variant": "pdf/a-3a+ua-1", "bid_variant": None, "jobs": 1}
    cache = lookup(bid, tmp_path / "out.pdf", **options)
    _, prepared = build.check_and_prepare(bid, tmp_path / "out.pdf", html_output=None, cache=cache,
                                          step=lambda name: None, console=Console(file=io.StringIO()), **options)
    staged.remember(prepared, staged.BuiltPdf(tmp_path / "out.pdf", 1, 0, 0, [], []), b"%PDF-1.7")
    assert (cache.store.load(cache.key) is None) is saved
