"""ipamDataDir: write `dataDir` into the host-local IPAM of NetworkAttachmentDefinitions (opt-in).

Why: host-local keeps one lease file per address under `dataDir`, by default
`/var/lib/cni/networks`. On Talos `/var` survives a reboot, and a reboot sends no CNI DEL for the
pods that were running, so their leases stay and the usable range shrinks with every reboot until
pods get no address. A `dataDir` on tmpfs (`/run/cni`, as the Talos Multus guide now writes) is
emptied at boot. The hostLocalDataDir check reports NADs without one; this transform fixes them.

Off by default: set `spec.ipam.dataDir` (ConfigMap key `ipam-data-dir`) to the directory, for
example `/run/cni`. Then every `ipam` with `"type": "host-local"` that has no `dataDir` (top level,
or any plugin of a conflist) gets `"dataDir": "<dir>"` after its last key. The JSON keeps its
layout: one key per line stays one key per line at the same indentation, a one-line config stays
on one line, and the `|` block of `spec.config` stays. A `dataDir` the user set is left alone. A
config the function cannot place the key in (not JSON, a JSON form YAML cannot read) gets a
warning that says what to add by hand.

Before:

    config: |
      {"cniVersion": "1.0.0", "type": "macvlan", "master": "eth1",
       "ipam": {"type": "host-local", "subnet": "192.168.10.0/24"}}

After (`spec.ipam.dataDir: /run/cni`):

    config: |
      {"cniVersion": "1.0.0", "type": "macvlan", "master": "eth1",
       "ipam": {"type": "host-local", "subnet": "192.168.10.0/24", "dataDir": "/run/cni"}}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from krm_multus import multus
from krm_multus.checks import host_local_data_dir
from krm_multus.checks.nad import CONFIG_PATH, Index, Nad
from krm_multus.sdk import jsonedit
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Result

NAME = "ipamDataDir"
KEY = host_local_data_dir.KEY


def apply(items: list[Item], config: dict[str, Any]) -> Iterator[Result]:
    data_dir = config["ipam"]["dataDir"]
    if not data_dir:
        return
    for nad in Index(items):
        yield from _add(nad, data_dir)


def _add(nad: Nad, data_dir: str) -> Iterator[Result]:
    text = nad.item.data["spec"]["config"] if nad.config.value is not None else ""
    for plugin in host_local_data_dir.host_local(nad):
        if KEY in plugin.conf["ipam"]:
            continue
        where = f"{plugin.where}ipam"
        edited = jsonedit.add_key(text, (*_json_path(plugin.where), "ipam"), KEY, data_dir)
        if edited is None:
            yield multus.note(
                nad.item,
                f"cannot add `{KEY}` to `spec.config: {where}` without rewriting the JSON: add "
                f'`"{KEY}": "{data_dir}"` there by hand',
                NAME,
                "warning",
                CONFIG_PATH,
            )
            continue
        text = edited
        nad.item.doc.set_text(CONFIG_PATH, text)
        yield multus.changed(
            nad.item,
            CONFIG_PATH,
            None,
            data_dir,
            NAME,
            f"`spec.config: {where}.{KEY}` set to {data_dir}: host-local leases there are cleared at boot, so a "
            "reboot without CNI DEL does not leak addresses",
        )


def _json_path(where: str) -> tuple[Any, ...]:
    """A plugin's place in the config ("" or "plugins[1].") as a JSON path."""
    return ("plugins", int(where[len("plugins[") : where.index("]")])) if where else ()
