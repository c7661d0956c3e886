"""cilium (exclusive CNI): keep Cilium from taking over `/etc/cni/net.d`.

By default Cilium owns `/etc/cni/net.d` and renames every other CNI config (Multus's included) to
`*.cilium_bak`. When Cilium is used (see the reference CNI plugins part; a CiliumNodeConfig among
the items also counts for `auto`), sets `cni-exclusive` in `cilium-config` to `spec.cilium.exclusive`
(default "false"), and in `spec.defaults` of every CiliumNodeConfig that sets it (it overrides
`cilium-config` on the nodes it selects); the Helm value `cni.exclusive` of a Cilium release is the
helmValues transform's. Warns with the Helm value to set when a Cilium agent
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
    deployment = cilium.Deployment.of(items)
    if not deployment.in_use(config.cilium.enabled):
        return
    exclusive = config.cilium.exclusive
    wanted = "true" if exclusive else "false"
    reason = cilium.exclusive_reason(exclusive)
    overriding = f"{reason} (a CiliumNodeConfig overrides `{cilium.CONFIG_MAP}` on its nodes)"
    places = [(config_map, cilium.EXCLUSIVE, reason) for config_map in deployment.config_maps]
    places += [
        (node_config, cilium.NODE_EXCLUSIVE, overriding)
        for node_config in filter(cilium.sets_exclusive, deployment.node_configs)
    ]
    for item, path, why in places:
        yield from report.set_value(item, path, wanted, why)
    if not deployment.config_maps and not deployment.releases and deployment.agents:
        yield report(
            deployment.agents[0],
            None,
            f"Cilium is deployed but its `{cilium.CONFIG_MAP}` ConfigMap is not among the items: set the Helm "
            f'value `cni.exclusive={wanted}` (or `cni-exclusive: "{wanted}"` in `{cilium.CONFIG_MAP}`)',
            "warning",
        )
