"""`check` takes the validators of Bid and Call from a kept core schema (bidkit.schemacache, issue 12):
every finding of the corpus stays what pydantic's own validators give, and pydantic's internals it
relies on are still there."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pydantic

from conftest import REPO

SCRIPT = r"""
import json, shutil, sys
from pathlib import Path
sys.path.insert(0, "tests")
from bidkit.launch import no_pydantic_plugins
no_pydantic_plugins()
import bidkit.models as models
from bidkit import schemacache
import pydantic._internal._generate_schema as generate
built = []
original = generate.GenerateSchema.generate_schema
def counting(self, obj, *args, **kwargs):
    if obj in (models.Bid, models.Call):
        built.append(obj.__name__)
    return original(self, obj, *args, **kwargs)
generate.GenerateSchema.generate_schema = counting
if sys.argv[1] == "kept":
    for model in (models.Bid, models.Call):
        schemacache.complete(model)
from bidkit.check import check_bid
from test_rules import CASES, apply_case
out = {"built": built, "cases": {}}
bid = Path(sys.argv[2]) / "bid"  # one folder for every run: the findings name it
for case in CASES[:int(sys.argv[3])]:
    shutil.rmtree(bid, ignore_errors=True)
    shutil.copytree("bid_data", bid)
    apply_case(bid, case)
    result, loaded = check_bid(bid)
    out["cases"][case["name"]] = [[f.rule, f.severity.value, f.message, f.hint, str(f.location), list(map(str, f.path))]
                                  for f in result.findings]
    if loaded.bid is not None:
        out["cases"][case["name"]].append(loaded.bid.model_dump(mode="json"))
print(json.dumps(out))
"""


def _run(mode: str, cache, cases: int | None = None) -> dict:
    """SCRIPT's output: the models' schemas built, and the findings of the first ``cases`` of
    test_rules.CASES (all by default)."""
    from test_rules import CASES

    env = {**os.environ, "BIDKIT_CACHE_DIR": str(cache)}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(cache.parent / "work"), str(cases or len(CASES))],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_kept_schema_finds_what_pydantic_finds_in_the_whole_corpus(tmp_path):
    cache = tmp_path / "cache"
    first = _run("kept", cache)  # no schema kept yet: pydantic builds it, and it is kept
    assert sorted(path.name.split("-")[0] for path in (cache / "schemas").iterdir()) == \
        ["bidkit.models.Bid", "bidkit.models.Call"]
    kept = _run("kept", cache)  # from the kept schema: pydantic builds neither Bid's nor Call's
    plain = _run("plain", tmp_path / "other")
    assert sorted(first["built"]) == ["Bid", "Call"] and kept["built"] == []
    assert kept["cases"] == plain["cases"] == first["cases"]
    assert any(len(findings) > 3 for findings in plain["cases"].values())


def test_a_damaged_kept_schema_is_built_again(tmp_path):
    """Which schemas are built does not depend on the bid checked (the corpus is the test above's):
    one case of it here."""
    cache = tmp_path / "cache"
    _run("kept", cache, cases=1)
    for path in (cache / "schemas").iterdir():
        path.write_bytes(path.read_bytes()[:40])
    again = _run("kept", cache, cases=1)
    assert sorted(again["built"]) == ["Bid", "Call"]
    assert len(again["cases"]) == 1


def test_pydantic_still_has_what_the_kept_schema_relies_on():
    from pydantic._internal._config import ConfigWrapper
    from pydantic._internal._model_construction import complete_model_class

    import inspect

    source = inspect.getsource(complete_model_class)
    for name in ("__pydantic_core_schema__", "__pydantic_validator__", "__pydantic_serializer__", "__pydantic_complete__",
                 "__pydantic_computed_fields__", "core_config(title=cls.__name__)", "set_deprecated_descriptors"):
        assert name in source, f"pydantic {pydantic.VERSION} changed complete_model_class: {name}"
    assert ConfigWrapper({"extra": "forbid"}, check=False).core_config(title="X")["extra_fields_behavior"] == "forbid"


def test_a_kept_file_names_only_functions_and_classes_of_the_models_and_pydantic():
    """A reference resolved through a module's names reached anything that module imports: a kept
    file naming ('pydantic.json_schema', 'os.system') as a validator ran commands on bid values
    (review of session 22). Only a function or class of that very name and module, of a module
    already imported, is taken; anything else makes pydantic build the schema itself."""
    import pytest

    import bidkit.models as models
    from bidkit import schemacache

    for reference in [("r", "pydantic.json_schema", "os.system"), ("r", "bidkit.models", "re.compile"),
                      ("r", "os", "system"), ("r", "pydantic_never_imported", "X"), ("r", "bidkit.models", "Bid.model_fields.get")]:
        with pytest.raises(schemacache._Unkept):
            schemacache._object(reference)
    assert schemacache._object(("r", "bidkit.models", "Bid")) is models.Bid
