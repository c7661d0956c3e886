"""The thick Multus daemon's config: `daemon-config.json` in the ConfigMap the DaemonSet mounts.

Why one module: the failClosed and resources transforms write keys into it and the multusDaemon check
reads it; all three must find the same ConfigMap and keep the JSON as the user laid it out (upstream
writes it as an indented object inside a `|` block, and a one-line rewrite would be unreviewable).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from krm_multus import multus
from krm_multus.sdk import lookups
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item, of_kind
from krm_multus.sdk.results import Reporter, Result
from krm_multus.sdk.yamledit import Document, Path, YamlError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

KEY = "daemon-config.json"
PATH: Path = ("data", KEY)
AUTOCONFIG_KEY = "multusAutoconfigDir"  # where the daemon reads the primary CNI's config
CONF_DIR_KEY = "cniConfigDir"  # where it writes 00-multus.conf


class DaemonConfig(Record):
    """One `daemon-config.json` among the items, and what it holds (None: not a JSON object)."""

    __slots__ = ()

    item: Item
    settings: dict[str, Any] | None

    def describe(self) -> str:
        return f"ConfigMap {self.item.name} key `{KEY}`"


def everywhere(items: list[Item]) -> list[DaemonConfig]:
    """Every ConfigMap among the items with a `daemon-config.json` key (text test first: it is cheap)."""
    return [
        _read(item)
        for item in of_kind(items, "ConfigMap")
        if KEY in item.source and not item.is_local_config and _text(item) is not None
    ]


def of(daemonset: Item, items: list[Item]) -> DaemonConfig | None:
    """The daemon config the DaemonSet mounts: a ConfigMap among the items that it `mounts` and that has
    `daemon-config.json`."""
    return next((found for found in everywhere(items) if mounts(daemonset, found.item)), None)


def mounted_names(daemonset: Item) -> set[str]:
    """The names of the ConfigMaps the DaemonSet's volumes mount."""
    return {
        str(volume["configMap"].get("name"))
        for volume in multus.volumes(daemonset)
        if isinstance(volume.get("configMap"), dict)
    }


def mounts(daemonset: Item, config_map: Item) -> bool:
    """Whether the DaemonSet mounts the ConfigMap: a volume names it, and both are in the same namespace
    or either has none (a namespace left out is filled in when the package is applied, as for NADs)."""
    namespaces = (config_map.namespace, daemonset.namespace)
    return config_map.name in mounted_names(daemonset) and (not all(namespaces) or namespaces[0] == namespaces[1])


def ensure(report: Reporter, config: DaemonConfig, key: str, value: Any, why: str) -> Iterator[Result]:
    """Make `key` equal `value` in the JSON, keeping its layout; report the change, or what to set by hand."""
    text = _text(config.item)
    if config.settings is None or text is None:
        yield report(config.item, PATH, f"{config.describe()} is not a JSON object: `{key}` not set", "warning")
        return
    current = config.settings.get(key, lookups.MISSING)
    if lookups.same(current, value):
        return
    from krm_multus.sdk import jsonedit  # here, not at the top: most runs edit no daemon config

    edited = jsonedit.add_key(text, (), key, value) if current is lookups.MISSING else _replaced(text, key, value)
    if edited is None:
        yield report(
            config.item,
            PATH,
            f"cannot edit {config.describe()} in place: set `{json.dumps(key)}: {json.dumps(value)}` there",
            "warning",
        )
        return
    config.item.doc.set_text(PATH, edited)
    config.settings[key] = value
    yield report.change(config.item, (*PATH, key), None if current is lookups.MISSING else current, value, why)


def _replaced(text: str, key: str, value: Any) -> str | None:
    """`text` with the value of its top-level `key` replaced in place (jsonedit only adds keys); None
    where the edit would not give the object meant."""
    try:
        document = Document(text)
        document.set((key,), value)
        if json.loads(document.text) == {**json.loads(text), key: value}:
            return document.text
    except (YamlError, ValueError):
        pass
    return None


def _text(item: Item) -> str | None:
    found = lookups.get(item.data, PATH)
    return found if isinstance(found, str) else None


def parse(text: Any) -> dict[str, Any] | None:
    """The settings a `daemon-config.json` text holds; None where it is not a JSON object."""
    try:
        settings = json.loads(text) if isinstance(text, str) else None
    except (json.JSONDecodeError, RecursionError):
        settings = None
    return settings if isinstance(settings, dict) else None


def _read(item: Item) -> DaemonConfig:
    return DaemonConfig(item, parse(_text(item)))
