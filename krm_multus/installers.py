"""Which CNI plugins something among the items puts on the nodes, and what cannot be told.

Why one module: Talos 1.8 and later bundle only a few plugins, so whether a NAD's plugin is on the
nodes depends on everything that installs plugins, in every shape GitOps repositories use:
- a DaemonSet container (init or main) running a plugin-installer image (`multus.PLUGIN_IMAGES`,
  under any registry or mirror) or named `install-cni`: the reference plugins;
- a DaemonSet container running the image of a plugin that installs itself (`SELF_INSTALLING`:
  whereabouts, OVS, SR-IOV), or copying binaries into a `cni/bin` directory (`cp /ovs
  /host/opt/cni/bin/`, `cp /cni/dhcp ...`), or running the CNI `dhcp daemon`: those plugins;
- a Multus Helm release whose chart installs the reference plugins (`charts`);
- SR-IOV network operator resources: the operator installs `sriov` and `ib-sriov`.
A Multus release whose chart cannot be told is "undecided": it renders in the cluster and may
install anything, so no plugin can be claimed missing while one is among the items.
"""

from __future__ import annotations

import posixpath

from krm_multus import charts, multus
from krm_multus.sdk.config import Config
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item, of_kind

# containernetworking/plugins: what the plugin-installer images copy.
REFERENCE = frozenset(
    {
        "bandwidth", "bridge", "dhcp", "dummy", "firewall", "host-device", "host-local", "ipvlan", "loopback",
        "macvlan", "portmap", "ptp", "sbr", "static", "tap", "tuning", "vlan", "vrf",
    }
)  # fmt: skip
# Image repository (last path parts) -> the plugins its container installs on the node.
SELF_INSTALLING = {
    "k8snetworkplumbingwg/whereabouts": frozenset({"whereabouts"}),
    "ovs-cni-plugin": frozenset({"ovs"}),
    "sriov-cni": frozenset({"sriov"}),
    "ib-sriov-cni": frozenset({"ib-sriov"}),
}
SRIOV_GROUP = "sriovnetwork.openshift.io"
SRIOV_KINDS = ("SriovNetworkNodePolicy", "SriovOperatorConfig", "SriovNetwork", "SriovIBNetwork")
SRIOV_PLUGINS = frozenset({"sriov", "ib-sriov"})
BIN_DIR = "cni/bin"


class Installed(Record):
    __slots__ = ()
    reference: bool  # the reference plugins are installed
    types: frozenset[str]  # other plugins that are
    undecided: tuple[charts.MultusRelease, ...]  # Multus releases whose chart cannot be told

    def provides(self, plugin: str) -> bool:
        return plugin in self.types or (self.reference and plugin in REFERENCE)


def installed(items: list[Item], config: Config) -> Installed:
    """What the items install (the config tells the chart of a Multus release the items do not)."""
    reference = False
    types: set[str] = set()
    for item in of_kind(items, "DaemonSet", "apps"):
        if not item.is_local_config:
            for container in multus.containers(item, "initContainers") + multus.containers(item):
                reference = reference or multus.is_plugin_installer(container)
                types |= plugins_of(container)
    if any(of_kind(items, kind, SRIOV_GROUP) for kind in SRIOV_KINDS):
        types |= SRIOV_PLUGINS
    releases = charts.releases(items, config)
    reference = reference or any(release.installs_plugins for release in releases)
    return Installed(reference, frozenset(types), tuple(release for release in releases if not release.chart))


def plugins_of(container: dict[str, object]) -> set[str]:
    """The plugins a container installs itself: by its image, the binaries it copies into a `cni/bin`
    directory, and the `dhcp daemon` it runs."""
    image = str(container.get("image") or "")
    found = {
        plugin
        for repository, plugins in SELF_INSTALLING.items()
        if multus.repository_is(image, repository)
        for plugin in plugins
    }
    for command in multus.shell_commands(container):
        copied = multus.copy(command)
        if copied is not None and BIN_DIR in copied.target:
            found |= {posixpath.basename(source) for source in copied.sources}
        if command and posixpath.basename(command[0]) == "dhcp" and "daemon" in command:
            found.add("dhcp")
    return found
