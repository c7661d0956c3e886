"""cilium: make Multus work beside Cilium on Talos.

Cilium installs no reference CNI plugins (macvlan, ipvlan, bridge, ...) that secondary networks
need, and by default it owns `/etc/cni/net.d`, renaming every other CNI config (Multus's included)
to `*.cilium_bak`.

When Cilium is used (`spec.cilium.enabled`; `auto`: a `cilium-config` ConfigMap, a `cilium`
DaemonSet, or a Flux HelmRelease or Argo CD Application of the `cilium` chart is among the items):
- adds an `install-cni` init container to the Multus DaemonSet that copies the plugins into
  `/opt/cni/bin` (the DaemonSet's hostPath volume for it), unless an init container already installs
  them (`install-cni`, or a community `cni-plugins` image as the Multus charts run). Its image is
  `spec.cilium.installCNI.image` (any plugin image: the community ones copy into `/host/opt/cni/bin`
  by their own entrypoint), else the siderolabs/install-cni tag for `spec.talos.version` (run as
  `/install-cni.sh`), else the newest published one with a warning to pin it;
- sets `cni-exclusive` in `cilium-config` to `spec.cilium.exclusive` (default "false"), and in
  `spec.defaults` of every CiliumNodeConfig that sets it (it overrides `cilium-config` on the nodes
  it selects; a CiliumNodeConfig among the items also counts as Cilium for `auto`); the Helm value
  `cni.exclusive` of a Cilium release is the helmValues transform's;
- warns with the Helm value to set when a Cilium agent is there but neither its ConfigMap nor its
  release is among the items.
A Multus DaemonSet that runs the archived siderolabs/install-cni gets an info naming maintained
plugin images, unless `spec.cilium.enabled: false` or `spec.talos.version` is older than 1.8 (there
the release's install-cni tag is what the Talos guide runs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from krm_multus import helm, multus
from krm_multus.checks import cilium_node_config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Result

NAME = "cilium"
CHART = "cilium"
CONFIG_MAP = "cilium-config"
INIT_CONTAINER = "install-cni"
IMAGE_REPOSITORY = "ghcr.io/siderolabs/install-cni"
NEWEST_TAG = "v1.9.0"
# siderolabs/extras tags that Talos releases shipped (Talos <minor> -> [(first patch, tag)]).
TAGS_BY_TALOS = {
    (1, 3): [
        (0, "v1.3.0-1-g3773d71"),
        (4, "v1.3.0-2-g78b971c"),
        (5, "v1.3.0-3-g527b5f7"),
        (6, "v1.3.0-4-gcb97438"),
        (7, "v1.3.0-5-g75d687a"),
    ],
    (1, 4): [(0, "v1.4.0-1-g9b07505"), (6, "v1.4.0-2-gb2aba9d"), (7, "v1.4.0-3-g2b5a1e6"), (8, "v1.4.0-4-g9b41398")],
    (1, 5): [(0, "v1.5.0"), (2, "v1.5.0-1-g9d5f16f"), (4, "v1.5.0-2-g6241ac7"), (5, "v1.5.0-3-gb43c4e4")],
    (1, 6): [(0, "v1.6.0-1-g113887a"), (6, "v1.6.0-2-g9234398")],
    (1, 7): [(0, "v1.7.0-1-gbb76755"), (5, "v1.7.0-2-g7c627a8")],
    (1, 8): [(0, "v1.8.0")],
    (1, 9): [(0, "v1.9.0")],
}
EXCLUSIVE = ("data", "cni-exclusive")
# From this Talos release on, the basic plugins come with Talos and siderolabs/install-cni is not
# needed; before it, the install-cni tag of the release is what the Talos guide installs.
BUNDLED_PLUGINS = (1, 8)


def apply(items: list[Item], config: dict[str, Any]) -> Iterator[Result]:
    settings = config["cilium"]
    if settings["enabled"] is False:
        return
    # The name in the text first: a cluster has thousands of ConfigMaps, and reading a name parses the item.
    cilium_configs = [
        item
        for item in items
        if item.is_a("ConfigMap") and CONFIG_MAP in item.source and item.name == CONFIG_MAP and not item.is_local_config
    ]
    agents = [item for item in items if item.is_a("DaemonSet", "apps") and item.name == "cilium"]
    released = bool(releases(items))
    node_configs = cilium_node_config.node_configs(items)
    daemonsets = multus.daemonsets(items, config)
    if settings["enabled"] is True or cilium_configs or agents or released or node_configs:
        if settings["installCNI"]["enabled"]:
            for daemonset in daemonsets:
                yield from _add_install_cni(daemonset, config)
        wanted = "true" if settings["exclusive"] else "false"
        for cilium_config in cilium_configs:
            yield from multus.set_value(cilium_config, EXCLUSIVE, wanted, NAME, exclusive_reason(settings["exclusive"]))
        for node_config in filter(cilium_node_config.sets_exclusive, node_configs):
            why = (
                f"{exclusive_reason(settings['exclusive'])} (a CiliumNodeConfig overrides `{CONFIG_MAP}` on its nodes)"
            )
            yield from multus.set_value(node_config, cilium_node_config.EXCLUSIVE, wanted, NAME, why)
        if not cilium_configs and not released and agents:
            yield multus.note(
                agents[0],
                f"Cilium is deployed but its `{CONFIG_MAP}` ConfigMap is not among the items: set the Helm "
                f'value `cni.exclusive={wanted}` (or `cni-exclusive: "{wanted}"` in `{CONFIG_MAP}`)',
                NAME,
                "warning",
            )
    minor = _talos_minor(config)
    if minor is None or minor >= BUNDLED_PLUGINS:
        for daemonset in daemonsets:
            yield from _archived_installer(daemonset)


def releases(items: list[Item]) -> list[helm.Release]:
    """The Flux HelmReleases and Argo CD Application sources that install the Cilium chart."""
    return [release for release in helm.releases(items) if release.chart == CHART]


def exclusive_reason(exclusive: bool) -> str:
    if exclusive:
        return "set as configured (`spec.cilium.exclusive: true`)"
    return "Cilium must not take over /etc/cni/net.d, or it renames the Multus config away"


def _add_install_cni(daemonset: Item, config: dict[str, Any]) -> Iterator[Result]:
    path = (*multus.POD_SPEC, "initContainers")
    if any(multus.is_plugin_installer(c) for c in multus.containers(daemonset, "initContainers")):
        return
    image, warning = install_cni_image(config)
    if warning:
        yield multus.note(daemonset, warning, NAME, "warning")
    volume = _bin_volume(daemonset)
    container: dict[str, Any] = {"name": INIT_CONTAINER, "image": image}
    if multus.is_archived_plugin_image(image):
        container["command"] = ["/install-cni.sh"]
    container["securityContext"] = {"privileged": True}
    container["volumeMounts"] = [
        {"name": volume or "cnibin", "mountPath": "/host/opt/cni/bin", "mountPropagation": "Bidirectional"}
    ]
    before = daemonset.doc.get(path)
    daemonset.doc.append(path, container)
    yield multus.changed(
        daemonset,
        path,
        before,
        daemonset.doc.get(path),
        NAME,
        f"added init container `{INIT_CONTAINER}` ({image}): Cilium ships no reference CNI plugins "
        "for secondary networks",
    )
    if volume is None:
        yield multus.note(
            daemonset,
            "no `cnibin` volume (hostPath /opt/cni/bin) for install-cni to write to: add one",
            NAME,
            "warning",
            (*multus.POD_SPEC, "volumes"),
        )


def _bin_volume(daemonset: Item) -> str | None:
    """The name of the volume that mounts the host's /opt/cni/bin (`cnibin` upstream; charts differ)."""
    for volume in multus.volumes(daemonset):
        host_path = volume.get("hostPath")
        if isinstance(host_path, dict) and str(host_path.get("path") or "").rstrip("/") == "/opt/cni/bin":
            return str(volume.get("name"))
    return None


def _archived_installer(daemonset: Item) -> Iterator[Result]:
    archived = [
        c
        for c in multus.containers(daemonset, "initContainers")
        if multus.is_archived_plugin_image(str(c.get("image") or ""))
    ]
    if archived:
        yield multus.note(
            daemonset,
            f"`{archived[0]['name']}` runs {multus.ARCHIVED_PLUGIN_IMAGE}, which is archived (siderolabs/pkgs#1399) "
            f"and has no image for Talos 1.10 or later: use a maintained plugin image, "
            f"{', '.join(multus.MAINTAINED_PLUGIN_IMAGES)} (`spec.cilium.installCNI.image` sets the image of the "
            "`install-cni` this function adds)",
            NAME,
            "info",
            multus.container_path(archived[0]["name"], "initContainers"),
        )


def install_cni_image(config: dict[str, Any]) -> tuple[str, str | None]:
    """The install-cni image to use, and a warning when the user should pin one."""
    configured = config["cilium"]["installCNI"]["image"]
    if configured:
        return configured, None
    version = config["talos"]["version"]
    minor = _talos_minor(config)
    newest = f"{IMAGE_REPOSITORY}:{NEWEST_TAG}"
    if minor is None:
        return newest, (
            f"no `spec.talos.version` or `spec.cilium.installCNI.image`: using {newest}; pin the image "
            "that matches your Talos release"
        )
    patch = int(version.split(".")[2]) if version.count(".") == 2 else 0
    tags = TAGS_BY_TALOS.get(minor)
    if tags is None:
        return newest, (
            f"siderolabs/install-cni has no image for Talos {version} (the newest is {NEWEST_TAG}; Talos 1.8 and "
            f"later bundle the basic plugins): using {newest}; set `spec.cilium.installCNI.image` to the plugin "
            "image you maintain"
        )
    tag = [tag for first, tag in tags if first <= patch][-1]
    return f"{IMAGE_REPOSITORY}:{tag}", None


def _talos_minor(config: dict[str, Any]) -> tuple[int, int] | None:
    found = re.match(r"v?(\d+)\.(\d+)", config["talos"]["version"])
    return (int(found[1]), int(found[2])) if found else None
