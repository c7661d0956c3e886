"""ipamDataDir: write `dataDir` into the host-local IPAM of NetworkAttachmentDefinitions (opt-in).

Why: host-local keeps one lease file per address under `dataDir`, by default
`/var/lib/cni/networks`. On Talos `/var` survives a reboot, and a reboot sends no CNI DEL for the
pods that were running, so their leases stay and the usable range shrinks with every reboot until
pods get no address. A `dataDir` on tmpfs (`/run/cni`, as the Talos Multus guide now writes) is
emptied at boot. The hostLocalDataDir check reports NADs without one; this transform fixes them.

Off by default: turn it on with `spec.ipamDataDir.enabled: true` (ConfigMap key `ipam-data-dir`);
the directory is `spec.ipamDataDir.path` (`ipam-data-dir-path`, default `/run/cni`). Then every
`ipam` with `"type": "host-local"` that has no `dataDir` (top level, or any plugin of a conflist)
gets `"dataDir": "<dir>"` after its last key. The JSON keeps its layout: one key per line stays
one key per line at the same indentation, a one-line config stays on one line, and the `|` block
of `spec.config` stays. A `dataDir` the user set is left alone. A
config the function cannot place the key in (not JSON, a JSON form YAML cannot read) gets a
warning that says what to add by hand.

Before:

    config: |
      {"cniVersion": "1.0.0", "type": "macvlan", "master": "eth1",
       "ipam": {"type": "host-local", "subnet": "192.168.10.0/24"}}

After (`spec.ipamDataDir.enabled: true`):

    config: |
      {"cniVersion": "1.0.0", "type": "macvlan", "master": "eth1",
       "ipam": {"type": "host-local", "subnet": "192.168.10.0/24", "dataDir": "/run/cni"}}
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus.nad import CONFIG_PATH, DATA_DIR, Index, Nad
from krm_multus.sdk import jsonedit, lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "ipamDataDir"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    for nad in Index.of(items):
        yield from _add(nad, config.ipamDataDir.path, report)


def _add(nad: Nad, data_dir: str, report: Reporter) -> Iterator[Result]:
    text = lookups.get(nad.item.data, CONFIG_PATH) if nad.config.value is not None else ""
    for plugin in nad.host_local():
        if DATA_DIR in plugin.ipam:
            continue
        where = f"{plugin.where}ipam"
        edited = jsonedit.add_key(text, (*_json_path(plugin.where), "ipam"), DATA_DIR, data_dir)
        if edited is None:
            yield report(
                nad.item,
                CONFIG_PATH,
                f"cannot add `{DATA_DIR}` to `spec.config: {where}` without rewriting the JSON: add "
                f'`"{DATA_DIR}": "{data_dir}"` there by hand',
                "warning",
            )
            continue
        text = edited
        nad.item.doc.set_text(CONFIG_PATH, text)
        yield report.change(
            nad.item,
            CONFIG_PATH,
            None,
            data_dir,
            f"`spec.config: {where}.{DATA_DIR}` set to {data_dir}: host-local leases there are cleared at boot, so a "
            "reboot without CNI DEL does not leak addresses",
        )


def _json_path(where: str) -> tuple[Any, ...]:
    """A plugin's place in the config ("" or "plugins[1].") as a JSON path."""
    return ("plugins", int(where[len("plugins[") : where.index("]")])) if where else ()
