"""How checks word values in their messages: as the user wrote them, in YAML's words."""

from __future__ import annotations

import json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def show(value: Any) -> str:
    """A JSON value for a message: as the user wrote it, or its kind when it is a container."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return json.dumps(value)


def yaml_kind(value: Any) -> str:
    """What a YAML value is, in YAML's words."""
    return {dict: "mapping", list: "list", str: "string"}.get(type(value), type(value).__name__)
