"""Results in the shape the KRM functions spec gives them, and the exit code they imply."""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus.sdk.lookups import MISSING
from krm_multus.sdk.yamledit import Path, format_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from krm_multus.sdk.resourcelist import Item

SEVERITIES = ("info", "warning", "error")
PATH_ANNOTATIONS = ("internal.config.kubernetes.io/path", "config.kubernetes.io/path")
INDEX_ANNOTATIONS = ("internal.config.kubernetes.io/index", "config.kubernetes.io/index")
# What would end a stderr line early: every character str.splitlines breaks at.
_ESCAPED = str.maketrans(
    {
        "\n": "\\n",
        "\r": "\\r",
        "\v": "\\v",
        "\f": "\\f",
        "\x1c": "\\x1c",
        "\x1d": "\\x1d",
        "\x1e": "\\x1e",
        "\x85": "\\x85",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


class Result:
    """One finding or change; `proposed` set means the result describes a change of `current`."""

    __slots__ = ("current", "item", "message", "path", "proposed", "severity", "tags")

    def __init__(
        self,
        message: str,
        severity: str = "info",
        item: Item | None = None,
        path: Path | str | None = None,
        current: Any = MISSING,
        proposed: Any = MISSING,
        tags: dict[str, str] | None = None,
    ) -> None:
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        self.message = message
        self.severity = severity
        self.item = item
        self.path = path
        self.current = current
        self.proposed = proposed
        self.tags = tags or {}

    @property
    def field_path(self) -> str | None:
        if self.path is None:
            return None
        return self.path if isinstance(self.path, str) else format_path(self.path)

    def to_dict(self) -> dict[str, Any]:
        """The result as the ResourceList's `results` carries it."""
        out: dict[str, Any] = {"message": self.message, "severity": self.severity}
        if self.item is not None:
            out["resourceRef"] = resource_ref(self.item)
        if self.path is not None:
            field: dict[str, Any] = {"path": self.field_path}
            if self.current is not MISSING:
                field["currentValue"] = self.current
            if self.proposed is not MISSING:
                field["proposedValue"] = self.proposed
            out["field"] = field
        if self.item is not None:
            file = source_file(self.item)
            if file:
                out["file"] = file
        if self.tags:
            out["tags"] = dict(self.tags)
        return out

    def summary(self) -> str:
        """One line for stderr, where kustomize users see results."""
        return summary_of(self.to_dict())


def summary_line(severity: str, ref: dict[str, Any] | None, field_path: str | None, message: str) -> str:
    """A result as one stderr line: severity, resource, field path and message (line breaks from values
    are escaped). `ref` is the result's `resourceRef`; the docs show the golden cases' results with it."""
    where = ""
    if ref is not None:
        name = "/".join(part for part in (ref.get("namespace"), ref.get("name")) if part)
        where = f" {ref.get('kind', '?')} {name or '?'}"
    field = f" {field_path}:" if field_path is not None else ":"
    line = f"[{severity}]{where}{field} {message}"
    return line if line.isprintable() else line.translate(_ESCAPED)  # every line break is unprintable


def summary_of(result: dict[str, Any]) -> str:
    """`Result.summary` of a result as `Result.to_dict` gives it, from what that has read once."""
    path = result["field"]["path"] if "field" in result else None
    return summary_line(result["severity"], result.get("resourceRef"), path, result["message"])


class Reporter:
    """Builds every result of one transform or check: the module's tag, and severities capped by its config.

    Why a cap: each module reports at the weight a finding deserves (`error`: it fails in the cluster,
    `warning`: it may work, depending on what the items do not show, `info`: a hint or a change made);
    the severity the user configures for the module lowers everything above it, never raises.
    """

    __slots__ = ("cap", "tags")

    def __init__(self, kind: str, name: str, cap: str = "error") -> None:
        self.tags = {kind: name}
        self.cap = cap

    def __call__(self, item: Item | None, path: Path | str | None, message: str, severity: str = "error") -> Result:
        """A finding about `item` at `path` (None: the item as a whole)."""
        return Result(message, min(self.cap, severity, key=SEVERITIES.index), item, path, tags=self.tags)

    def change(self, item: Item, path: Path, current: Any, proposed: Any, why: str) -> Result:
        """A change made: `path` went from `current` to `proposed`, and why."""
        return Result(why, "info", item, path, current, proposed, self.tags)

    def set_value(self, item: Item, path: Path, value: Any, why: str) -> Iterator[Result]:
        """Make one field equal `value` and report the change (nothing when it already is)."""
        current = item.doc.get(path, MISSING)
        if item.doc.set(path, value):
            yield self.change(item, path, None if current is MISSING else current, value, why)

    def append(self, item: Item, path: Path, value: Any, why: str) -> Result:
        """Add `value` at the end of the sequence at `path` and report the sequence before and after."""
        before = item.doc.get(path)
        item.doc.append(path, value)
        return self.change(item, path, before, item.doc.get(path), why)


def resource_ref(item: Item) -> dict[str, str]:
    ref = {"apiVersion": item.api_version, "kind": item.kind, "name": item.name}
    if item.namespace:
        ref["namespace"] = item.namespace
    return ref


def source_file(item: Item) -> dict[str, Any]:
    """Where kpt or kustomize read the item from, from their annotations."""
    path = next((value for key in PATH_ANNOTATIONS if (value := item.annotation(key))), None)
    index = next((value for key in INDEX_ANNOTATIONS if (value := item.annotation(key))), None)
    file: dict[str, Any] = {}
    if path:
        file["path"] = path
        if index is not None and index.isdigit():
            file["index"] = int(index)
    return file


def exit_code(results: list[Result]) -> int:
    return 1 if any(result.severity == "error" for result in results) else 0
