"""The thick Multus daemon's config: `daemon-config.json` in the ConfigMap the DaemonSet mounts.

Why one module: the failClosed and resources transforms write keys into it and the multusDaemon check
reads it; all three must find the same ConfigMap and keep the JSON as the user laid it out (upstream
writes it as an indented object inside a `|` block, and a one-line rewrite would be unreviewable).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from krm_multus import multus
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Result
from krm_multus.sdk.yamledit import Document, Path, YamlError

KEY = "daemon-config.json"
_FIRST_ENTRY_INDENT = re.compile(r"\{[ \t]*\n([ \t]+)\"")


class DaemonConfig(NamedTuple):
    """One `daemon-config.json` among the items, and what it holds (None: not a JSON object)."""

    item: Item
    settings: dict[str, Any] | None

    @property
    def path(self) -> Path:
        return ("data", KEY)

    def describe(self) -> str:
        return f"ConfigMap {self.item.name} key `{KEY}`"


def everywhere(items: list[Item]) -> list[DaemonConfig]:
    """Every ConfigMap among the items with a `daemon-config.json` key (text test first: it is cheap)."""
    return [
        _read(item)
        for item in items
        if KEY in item.source and item.is_a("ConfigMap") and not item.is_local_config and _text(item) is not None
    ]


def of(daemonset: Item, items: list[Item]) -> DaemonConfig | None:
    """The daemon config the DaemonSet mounts: a ConfigMap volume naming a ConfigMap among the items
    (same namespace, or either without one) that has `daemon-config.json`."""
    names = {
        str(volume["configMap"].get("name"))
        for volume in multus.volumes(daemonset)
        if isinstance(volume.get("configMap"), dict)
    }
    for found in everywhere(items):
        same_place = not found.item.namespace or not daemonset.namespace or found.item.namespace == daemonset.namespace
        if found.item.name in names and same_place:
            return found
    return None


def ensure(config: DaemonConfig, key: str, value: Any, transform: str, why: str) -> Iterator[Result]:
    """Make `key` equal `value` in the JSON, keeping its layout; report the change."""
    text = _text(config.item)
    if config.settings is None or text is None:
        yield multus.note(
            config.item, f"{config.describe()} is not a JSON object: `{key}` not set", transform, "warning", config.path
        )
        return
    current = config.settings.get(key)
    if key in config.settings and current == value and type(current) is type(value):
        return
    try:
        edited = with_key(text, key, value)
    except YamlError as error:
        yield multus.note(
            config.item, f"cannot edit {config.describe()}: {error}; set `{key}` there", transform, "warning"
        )
        return
    config.item.doc.set_text(config.path, edited)
    config.settings[key] = value
    yield multus.changed(config.item, (*config.path, key), current, value, transform, why)


def with_key(text: str, key: str, value: Any) -> str:
    """The JSON object `text` with `key` set to `value`: the value replaced where the key is, else a
    new last entry indented like the first one. Raises YamlError where the result would not be the
    object meant."""
    original = json.loads(text)
    wanted = {**original, key: value}
    if key in original:
        document = Document(text)
        document.set((key,), value)
        edited = document.text
    else:
        closing = text.rfind("}")
        head = text[:closing].rstrip()
        line_start = text.rfind("\n", 0, closing) + 1
        closing_indent = text[line_start:closing] if not text[line_start:closing].strip() else ""
        indent = _FIRST_ENTRY_INDENT.search(text)
        entry = f"{json.dumps(key)}: {json.dumps(value)}"
        if head.endswith("{"):
            edited = f"{head}{entry}{text[closing:]}"
        elif indent:
            edited = f"{head},\n{indent[1]}{entry}\n{closing_indent}{text[closing:]}"
        else:
            edited = f"{head}, {entry}{text[closing:]}"
    try:
        if json.loads(edited) == wanted:
            return edited
    except json.JSONDecodeError:
        pass
    raise YamlError(f"the JSON could not be edited in place to set `{key}`")


def _text(item: Item) -> str | None:
    data = item.data.get("data") if isinstance(item.data, dict) else None
    found = data.get(KEY) if isinstance(data, dict) else None
    return found if isinstance(found, str) else None


def _read(item: Item) -> DaemonConfig:
    try:
        settings = json.loads(_text(item) or "")
    except json.JSONDecodeError:
        settings = None
    return DaemonConfig(item, settings if isinstance(settings, dict) else None)
