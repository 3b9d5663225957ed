"""`check` takes the compiled regular expressions it used before from the cache folder (bidkit.regexcache,
issue 12): each pattern read back is the one re compiles, a check with them prints what one without
prints and compiles nothing, and a damaged file is patterns not taken."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys

from conftest import REPO, run_bidkit

#: `bidkit check ARGS` through the command line's entry, re's own compiling wrapped to name each pattern
#: it compiles once the kept ones are read (``compiled: …`` on standard error).
COUNTING = r"""
import re, sys
from bidkit import regexcache
compile_, preload, read = re._compiler.compile, regexcache.preload, []
def counting(pattern, flags=0):
    if read:
        sys.stderr.write(f"compiled: {pattern!r}\n")
    return compile_(pattern, flags)
def preloading():
    read.append(preload())
    return read[-1]
re._compiler.compile, regexcache.preload = counting, preloading
sys.argv = ["bidkit", *sys.argv[1:]]
from bidkit.launch import main
main()
"""

#: Every pattern the kept file holds, read back, against re's own compiling of it: "n same", else the first that differs.
COMPARING = r"""
import re
from bidkit import regexcache
put = regexcache.preload()
for (pattern, flags) in regexcache._kept:
    kept = re._cache[type(pattern), pattern, flags]
    own = re._compiler.compile(pattern, flags)
    if (kept, kept.groups, kept.groupindex, kept.flags) != (own, own.groups, own.groupindex, own.flags):
        print("differs", repr(pattern), flags)
        break
else:
    print(len(regexcache._kept), "same", put)
"""


def _env(cache) -> dict:
    """Python's string hashes fixed: Babel compiles patterns whose text follows a set's order (regexcache.NEW)."""
    return {**os.environ, "BIDKIT_CACHE_DIR": str(cache), "NO_COLOR": "1", "COLUMNS": "200", "PYTHONHASHSEED": "0"}


def _kept_file(cache):
    files = list((cache / "regex").glob("sre-*.marshal"))
    assert len(files) == 1, files
    return files[0]


def test_a_check_keeps_its_patterns_and_the_next_compiles_none_and_prints_the_same(tmp_path):
    cache = tmp_path / "cache"
    first = run_bidkit("check", "bid_data", env={"BIDKIT_CACHE_DIR": str(cache), "PYTHONHASHSEED": "0"})
    assert first.code == 0, first.stderr
    assert len(marshal.loads(_kept_file(cache).read_bytes())) > 80
    again = subprocess.run([sys.executable, "-c", COUNTING, "check", "bid_data"], cwd=REPO, env=_env(cache),
                           capture_output=True, text=True, timeout=300)
    assert (again.returncode, again.stdout) == (first.code, first.stdout)
    assert [line for line in again.stderr.splitlines() if line.startswith("compiled:")] == []
    # without the kept file the same check compiles them all
    _kept_file(cache).unlink()
    cold = subprocess.run([sys.executable, "-c", COUNTING, "check", "bid_data"], cwd=REPO, env=_env(cache),
                          capture_output=True, text=True, timeout=300)
    assert cold.stdout == first.stdout
    assert len([line for line in cold.stderr.splitlines() if line.startswith("compiled:")]) > 50


def test_every_kept_pattern_is_the_one_re_compiles(tmp_path):
    cache = tmp_path / "cache"
    for folder in ("bid_data", "examples/paderborn"):
        assert run_bidkit("check", folder, env={"BIDKIT_CACHE_DIR": str(cache)}).code in (0, 1)
    proc = subprocess.run([sys.executable, "-c", COMPARING], cwd=REPO, env=_env(cache), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    count, same, put = proc.stdout.split()
    assert same == "same" and int(count) > 80 and int(put) > 80


def test_a_damaged_kept_file_is_patterns_not_taken(tmp_path):
    cache = tmp_path / "cache"
    first = run_bidkit("check", "bid_data", env={"BIDKIT_CACHE_DIR": str(cache)})
    path = _kept_file(cache)
    entries = marshal.loads(path.read_bytes())
    # code _sre refuses for every pattern, a wrong shape, a truncated file: each a pattern compiled as always
    for damaged in (marshal.dumps([[pattern, flags, (data[0], [1, 2, 3], *data[2:])] for pattern, flags, data in entries]),
                    marshal.dumps([["x", 0, "no"], 5, None]), path.read_bytes()[:1000], b"\x00garbage"):
        path.write_bytes(damaged)
        run = subprocess.run([sys.executable, "-c", COUNTING, "check", "bid_data"], cwd=REPO, env=_env(cache),
                             capture_output=True, text=True, timeout=300)
        assert (run.returncode, run.stdout) == (first.code, first.stdout)
        assert "Traceback" not in run.stderr
        assert len([line for line in run.stderr.splitlines() if line.startswith("compiled:")]) > 50
