"""Schema bases shared by every domain."""

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from homeward.fields import Clearable


class InputModel(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UpdateModel(InputModel):
    """`PATCH` bodies, applied with `exclude_unset`: a field left out keeps its value.

    An explicit null is refused (422), unless the field is declared `Clearable`: only what
    may be empty can be emptied, and nothing reaches a NOT NULL column as null.
    """

    @field_validator("*", mode="after")
    @classmethod
    def _null_only_where_clearable(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name is not None:
            field = cls.model_fields[info.field_name]
            if not any(isinstance(m, Clearable) for m in field.metadata):
                raise PydanticCustomError(
                    "null_not_allowed", "cannot be null; leave the field out to keep its value"
                )
        return value
