"""talosPlugins: the CNI plugins NetworkAttachmentDefinitions need must be on the Talos nodes.

Runs only when `spec.talos.version` is set.

Why: since Talos 1.8 the nodes carry a fixed set of CNI plugins in `/opt/cni/bin`: bridge,
firewall, flannel, host-local, loopback and portmap. macvlan, ipvlan, static, dhcp, tuning, vlan
and the rest of the reference plugins are not there, and a pod on a NAD that uses one stays in
`ContainerCreating` with `failed to find plugin "macvlan" in path [/opt/cni/bin]`. Something has to
install them: an init container such as `install-cni` in the Multus DaemonSet, or a DaemonSet of
its own. (Before 1.8, Talos's Flannel installed all reference plugins: nothing is checked there.)

- A NAD whose plugins or IPAM (a conflist's too) are neither bundled nor installed by anything among
  the items is a warning naming the missing plugins. What installs which plugin:
  - a DaemonSet container (init or main) running a plugin-installer image, whatever the registry or
    mirror (`.../cni-plugins`, `.../install-cni`, `.../cni-plugins-install`), or named `install-cni`:
    the reference plugins (macvlan, ipvlan, static, sbr, tuning, dhcp, vlan, ...);
  - a DaemonSet of a plugin that installs itself: `k8snetworkplumbingwg/whereabouts`, `ovs-cni-plugin`,
    `sriov-cni`, `ib-sriov-cni` images, a container that copies plugin binaries into a `cni/bin`
    directory, or one that runs the CNI `dhcp daemon`: those plugins;
  - a Multus Helm release (Flux or Argo CD) of the angelnu, bjw-s-labs or home-operations chart, or
    app-template values with a plugin-installer init container: the reference plugins (bitnami's
    chart installs none);
  - SR-IOV network operator resources (`sriovnetwork.openshift.io`): `sriov` and `ib-sriov`.
  A Multus release whose chart cannot be told (see the target note) may install plugins in the
  cluster: then no plugin is claimed missing.
- A `bridge` NAD gives one info result per bridge name: the bridge plugin creates the bridge on
  each node but attaches no host NIC to it; to reach the network beyond the node, configure the
  bridge in the Talos machine config. From Talos 1.14 that is a `BridgeConfig` document, before
  it `machine.network.interfaces[].bridge`; the result gives the snippet with the NAD's bridge.

Passing: a macvlan NAD and a Multus DaemonSet with an `install-cni` init container; a whereabouts
NAD and the whereabouts DaemonSet.

Failing:

    Talos v1.9.0 ships only the CNI plugins bridge, firewall, flannel, host-local, loopback and
    portmap: `macvlan` is not on the nodes, and nothing among the items installs it; ...
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import installers, netvalues, talos
from krm_multus.nad import CONFIG_PATH, DEFAULT_BRIDGE, Index, Nad
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "talosPlugins"
BUNDLED = ("bridge", "firewall", "flannel", "host-local", "loopback", "portmap")
BRIDGE_CONFIG_SINCE = (1, 14)


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    version = config.talos.version
    release = talos.release(version)
    if release is None:
        return
    nads = Index.of(items).nads
    if not nads:
        return
    if release >= talos.BUNDLED_PLUGINS:
        found = installers.installed(items, config)
        if not found.undecided:
            for nad in nads:
                yield from _missing(nad, version, found, report)
    yield from _bridges(nads, release, report)


def _missing(nad: Nad, version: str, found: installers.Installed, report: Reporter) -> Iterator[Result]:
    needed = [kind for plugin in nad.plugins() for kind in (plugin.type, plugin.ipam_type) if kind]
    missing = sorted({kind for kind in needed if kind not in BUNDLED and not found.provides(kind)})
    if not missing:
        return
    names = ", ".join(f"`{kind}`" for kind in missing)
    verb, pronoun = ("is", "it") if len(missing) == 1 else ("are", "them")
    yield report(
        nad.item,
        CONFIG_PATH,
        (
            f"Talos {version} ships only the CNI plugins {', '.join(BUNDLED[:-1])} and {BUNDLED[-1]}: {names} {verb} "
            f"not on the nodes, and nothing among the items installs {pronoun}; add an init container that copies "
            "the containernetworking plugins into /opt/cni/bin to the Multus DaemonSet (for example `install-cni`, "
            "which krm-multus adds with `spec.cilium.enabled: true`), or install them with a DaemonSet of your own"
        ),
        "warning",
    )


def _bridges(nads: list[Nad], release: tuple[int, int], report: Reporter) -> Iterator[Result]:
    users: dict[str, list[Nad]] = {}
    for nad in nads:
        for plugin in nad.plugins():
            bridge = plugin.conf.get("bridge") or DEFAULT_BRIDGE
            if (
                plugin.type == "bridge"
                and isinstance(bridge, str)
                and not netvalues.interface_name_problem(bridge)
                and not netvalues.placeholders(bridge)  # a Flux variable: no bridge name to give yet
            ):
                users.setdefault(bridge, []).append(nad)
    for bridge, used_by in users.items():
        if release >= BRIDGE_CONFIG_SINCE:
            where = "a `BridgeConfig` document (Talos 1.14 and later)"
            snippet = f"{{apiVersion: v1alpha1, kind: BridgeConfig, name: {bridge}, links: [<host-nic>]}}"
        else:
            where = "`machine.network.interfaces` (before Talos 1.14)"
            snippet = f"{{interface: {bridge}, bridge: {{interfaces: [<host-nic>]}}}}"
        others = sorted({nad.ref for nad in used_by[1:]} - {used_by[0].ref})
        also = f" (also used by {', '.join(f'`{ref}`' for ref in others)})" if others else ""
        yield report(
            used_by[0].item,
            CONFIG_PATH,
            (
                f"bridge `{bridge}`{also}: the bridge plugin creates it on each node without a host NIC; for a network "
                f"that reaches beyond the node, configure it in the Talos machine config as {where}: `{snippet}`, "
                "with the node's NIC in place of <host-nic>"
            ),
            "info",
        )
