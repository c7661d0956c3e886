"""hostLocalDataDir: on Talos, host-local leases must live where a reboot clears them.

Runs only when `spec.talos.version` is set.

Why: host-local writes one lease file per address under its `dataDir`, by default
`/var/lib/cni/networks/<network>`. A node that reboots sends no CNI DEL for the pods it was
running; on Talos `/var` survives the reboot, so those leases stay, and the range the network can
hand out shrinks with every reboot until new pods get `no IP addresses available in range set`.
The Talos Multus guide now adds `"dataDir": "/run/cni"` (tmpfs, empty after boot) to its example.

For every NetworkAttachmentDefinition, each `ipam` with `"type": "host-local"` (top level, or any
plugin of a conflist):
- no `dataDir` is a warning with the fix: add `"dataDir": "/run/cni"`, or let krm-multus add it
  with `spec.ipamDataDir.enabled: true` (ConfigMap key `ipam-data-dir`, the ipamDataDir transform);
- a `dataDir` outside `/run` (or `/var/run`, the same place on Talos) is a warning as well;
- a `dataDir` under `/run` passes.

Passing:

    "ipam": {"type": "host-local", "subnet": "192.168.10.0/24", "dataDir": "/run/cni"}

Failing (no `dataDir`, Talos v1.10.0):

    `spec.config: ipam` has no `dataDir`: host-local then keeps its leases in /var/lib/cni/networks,
    which a Talos reboot keeps ...; add `"dataDir": "/run/cni"` to it ...
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus.nad import CONFIG_PATH, DATA_DIR, Index, Nad, Plugin
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "hostLocalDataDir"
SUGGESTED = "/run/cni"
DEFAULT = "/var/lib/cni/networks"
CLEARED_AT_BOOT = ("/run", "/var/run")


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    if not config.talos.version:
        return
    for nad in Index.of(items):
        for plugin in nad.host_local():
            yield from _check(nad, plugin, report)


def _check(nad: Nad, plugin: Plugin, report: Reporter) -> Iterator[Result]:
    where = f"{plugin.where}ipam"
    fix = (
        f'add `"{DATA_DIR}": "{SUGGESTED}"` to it (tmpfs, empty after boot), or set `spec.ipamDataDir.enabled: true` '
        '(ConfigMap key `ipam-data-dir: "true"`) and krm-multus adds it'
    )
    data_dir = plugin.ipam.get(DATA_DIR)
    if data_dir is None:
        problem = f"has no `{DATA_DIR}`: host-local then keeps its leases in {DEFAULT}"
    elif isinstance(data_dir, str) and any(
        data_dir.rstrip("/") == top or data_dir.startswith(top + "/") for top in CLEARED_AT_BOOT
    ):
        return
    else:
        problem = f"`{DATA_DIR}` is {data_dir!r}: host-local keeps its leases there"
    yield report(
        nad.item,
        CONFIG_PATH,
        (
            f"`spec.config: {where}` {problem}, which a Talos reboot keeps while it sends no CNI DEL for the pods "
            f"that ran, so leases leak and the range shrinks with every reboot; {fix}"
        ),
        "warning",
    )
