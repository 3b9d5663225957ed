"""JSON Schema of the bid files, generated from the models (never written by hand).

A bid is spread over several files that are merged at the top level, so the schema every
file points at has no top-level ``required``: a file holds some sections, not all. Missing
sections are reported by ``bidkit check`` (SCH003 and REQ001).
"""

from __future__ import annotations

import json

from bidkit.models import Bid, Call

SCHEMA_FILE = "bid.schema.json"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def bid_schema() -> dict:
    schema = Bid.model_json_schema()
    schema.pop("required", None)
    return {"$schema": SCHEMA_DIALECT, "$id": "bidkit:bid", **schema}


def call_schema() -> dict:
    return {"$schema": SCHEMA_DIALECT, "$id": "bidkit:call", **Call.model_json_schema()}


def schema_text(kind: str = "bid") -> str:
    schema = call_schema() if kind == "call" else bid_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
