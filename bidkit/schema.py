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


#: pydantic's names of bounds → JSON Schema's keywords. pydantic writes its own names where a bound sits
#: on a type with a validator (``Year``, ``page_limit``); editors know only the keywords (year 0 would pass).
_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}
#: Keys whose value maps names (of properties, definitions) to schemas: the names are no keywords.
_NAME_MAPS = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")


def _keywords(schema):
    """``schema`` with pydantic's bound names as JSON Schema keywords, at every level."""
    if isinstance(schema, list):
        return [_keywords(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {_KEYWORDS.get(key, key): ({name: _keywords(sub) for name, sub in value.items()} if key in _NAME_MAPS and isinstance(value, dict)
                                      else _keywords(value)) for key, value in schema.items()}


def bid_schema() -> dict:
    schema = _keywords(Bid.model_json_schema())
    schema.pop("required", None)
    return {"$schema": SCHEMA_DIALECT, "$id": "bidkit:bid", **schema}


def call_schema() -> dict:
    return {"$schema": SCHEMA_DIALECT, "$id": "bidkit:call", **_keywords(Call.model_json_schema())}


def schema_text(kind: str = "bid") -> str:
    schema = call_schema() if kind == "call" else bid_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
