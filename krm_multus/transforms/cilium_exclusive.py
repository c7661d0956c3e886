"""cilium (exclusive CNI): keep Cilium from taking over `/etc/cni/net.d`.

By default Cilium owns `/etc/cni/net.d` and renames every other CNI config (Multus's included) to
`*.cilium_bak`. When Cilium is used (see the reference CNI plugins part), sets `cni-exclusive` in
`cilium-config` to `spec.cilium.exclusive` (default "false"); the Helm value `cni.exclusive` of a
Cilium release is the helmValues transform's. Warns with the Helm value to set when a Cilium agent
is there but neither its ConfigMap nor its release is among the items.
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import cilium
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "cilium"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    deployment = cilium.Deployment(items)
    if not deployment.in_use(config.cilium.enabled):
        return
    exclusive = config.cilium.exclusive
    wanted = "true" if exclusive else "false"
    for config_map in deployment.config_maps:
        yield from report.set_value(config_map, cilium.EXCLUSIVE, wanted, cilium.exclusive_reason(exclusive))
    if not deployment.config_maps and not deployment.releases and deployment.agents:
        yield report(
            deployment.agents[0],
            None,
            f"Cilium is deployed but its `{cilium.CONFIG_MAP}` ConfigMap is not among the items: set the Helm "
            f'value `cni.exclusive={wanted}` (or `cni-exclusive: "{wanted}"` in `{cilium.CONFIG_MAP}`)',
            "warning",
        )
