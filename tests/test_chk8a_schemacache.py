"""The kept core schema (bidkit.schemacache) drops only the ``metadata`` of schemas: a field, a union's tag
or a key of a default named ``metadata`` stays, so the kept schema validates and dumps as pydantic's own."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic._internal._config import ConfigWrapper
from pydantic_core import SchemaSerializer, SchemaValidator

from bidkit import schemacache


class _Tagged(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tag: Literal["metadata"]
    type: str = "metadata"


class _Other(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tag: Literal["other"]


class _Named(BaseModel):
    """A model with what a blanket removal of ``metadata`` keys would change."""

    model_config = ConfigDict(extra="forbid")
    metadata: int = 0
    settings: dict[str, Any] = {"type": "plain", "metadata": {"pydantic_js_functions": []}}
    choice: Annotated[Union[_Tagged, _Other], Field(discriminator="tag")] = _Other(tag="other")
    label: Literal["metadata", "type"] = "type"


def _kept(model: type[BaseModel]) -> tuple[SchemaValidator, SchemaSerializer]:
    """The validator and serializer of the kept schema. pydantic-core takes a complete model's own validator
    for a schema of its class (its "prebuilt" validator): the classes count as incomplete meanwhile."""
    schema = schemacache._stripped(model.__pydantic_core_schema__)
    config = ConfigWrapper(model.model_config, check=False).core_config(title=model.__name__)
    classes = (_Named, _Tagged, _Other)
    try:
        for cls in classes:
            cls.__pydantic_complete__ = False
        return SchemaValidator(schema, config), SchemaSerializer(schema, config)
    finally:
        for cls in classes:
            cls.__pydantic_complete__ = True


def _no_metadata_of_schemas(schema: Any) -> bool:
    if isinstance(schema, dict):
        if isinstance(schema.get("type"), str) and "metadata" in schema:
            return False
        return all(_no_metadata_of_schemas(value) for key, value in schema.items()
                   if not (isinstance(schema.get("type"), str) and key in schemacache._DATA))
    if isinstance(schema, list):
        return all(map(_no_metadata_of_schemas, schema))
    return True


@pytest.mark.parametrize("data", [
    {},
    {"metadata": 5, "label": "metadata"},
    {"settings": {"metadata": 1}, "choice": {"tag": "metadata", "type": "x"}},
    {"choice": {"tag": "other"}},
    {"metadata": "five"},
    {"choice": {"tag": "metadata", "extra": 1}},
    {"unknown": 1},
])
def test_the_kept_schema_validates_and_dumps_as_pydantics_own(data):
    validator, serializer = _kept(_Named)
    try:
        own = _Named.model_validate(data)
    except ValidationError as exc:
        with pytest.raises(ValidationError) as kept_error:
            validator.validate_python(data)
        assert kept_error.value.errors() == exc.errors()
        return
    kept = validator.validate_python(data)
    assert serializer.to_python(kept) == own.model_dump()
    assert serializer.to_json(kept) == own.model_dump_json().encode()
    assert kept.model_fields_set == own.model_fields_set


def test_only_the_metadata_of_schemas_goes():
    original = _Named.__pydantic_core_schema__
    stripped = schemacache._stripped(original)
    assert _no_metadata_of_schemas(stripped)
    fields = stripped["schema"]["fields"]
    assert set(fields) == {"metadata", "settings", "choice", "label"}
    assert fields["settings"]["schema"]["default"] == {"type": "plain", "metadata": {"pydantic_js_functions": []}}
    assert "metadata" in fields["choice"]["schema"]["schema"]["choices"]
