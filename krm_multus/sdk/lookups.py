"""Lookups in plain parsed YAML: what a path holds, a mapping made on the way, list entries by name.

Why one module: items come from users, so any field may be missing or of the wrong shape; every
reader asks the same questions and must get "nothing" back, never an exception. `MISSING` is the one
"no value here" marker, told apart from an explicit `null`.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from krm_multus.sdk.yamledit import Path

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__slots__": ()})()


def get(data: Any, path: Path, default: Any = None) -> Any:
    """The value at `path` (mapping keys and list indexes), or `default` where a step is missing or of another shape."""
    for step in path:
        if (isinstance(step, str) and isinstance(data, dict) and step in data) or (
            isinstance(step, int) and isinstance(data, list) and -len(data) <= step < len(data)
        ):
            data = data[step]
        else:
            return default
    return data


def mapping(value: Any) -> dict[str, Any]:
    """`value` where it is a mapping, else an empty one: a field of the wrong shape is not ours to read."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """`value` where it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def get_or_create(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The mapping at `path` below `data`, creating empty mappings on the way."""
    for key in path:
        data = data.setdefault(key, {})
    return data


def by_name(entries: Any) -> dict[str, dict[str, Any]]:
    """A list of mappings keyed by their `name` (entries without a string name are left out)."""
    return {
        entry["name"]: entry
        for entry in as_list(entries)
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    }


def same(value: Any, other: Any) -> bool:
    """Equal and of the same type: YAML's `1`, `1.0` and `true` are three different values."""
    return type(value) is type(other) and value == other
