"""cilium: make Multus work beside Cilium on Talos.

Cilium installs no reference CNI plugins (macvlan, ipvlan, bridge, ...) that secondary networks
need, and by default it owns `/etc/cni/net.d`, renaming every other CNI config (Multus's included)
to `*.cilium_bak`.

When Cilium is used (`spec.cilium.enabled`; `auto`: a `cilium-config` ConfigMap or a `cilium`
DaemonSet is among the items):
- adds an `install-cni` init container to the Multus DaemonSet, once, that copies the plugins into
  `/opt/cni/bin` (image from `spec.cilium.installCNI.image`, else the siderolabs/install-cni tag
  for `spec.talos.version`, else the newest published one with a warning to pin it);
- sets `cni-exclusive` in `cilium-config` to `spec.cilium.exclusive` (default "false");
- warns with the Helm value to set when Cilium is there but its ConfigMap is not among the items.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from krm_multus import multus
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Result

NAME = "cilium"
CONFIG_MAP = "cilium-config"
INIT_CONTAINER = "install-cni"
IMAGE_REPOSITORY = "ghcr.io/siderolabs/install-cni"
NEWEST_TAG = "v1.9.0"
# siderolabs/extras tags that Talos releases shipped (Talos <minor> -> [(first patch, tag)]).
TAGS_BY_TALOS = {
    (1, 3): [(0, "v1.3.0-1-g3773d71"), (4, "v1.3.0-2-g78b971c"), (5, "v1.3.0-3-g527b5f7"),
             (6, "v1.3.0-4-gcb97438"), (7, "v1.3.0-5-g75d687a")],
    (1, 4): [(0, "v1.4.0-1-g9b07505"), (6, "v1.4.0-2-gb2aba9d"), (7, "v1.4.0-3-g2b5a1e6"),
             (8, "v1.4.0-4-g9b41398")],
    (1, 5): [(0, "v1.5.0"), (2, "v1.5.0-1-g9d5f16f"), (4, "v1.5.0-2-g6241ac7"), (5, "v1.5.0-3-gb43c4e4")],
    (1, 6): [(0, "v1.6.0-1-g113887a"), (6, "v1.6.0-2-g9234398")],
    (1, 7): [(0, "v1.7.0-1-gbb76755"), (5, "v1.7.0-2-g7c627a8")],
    (1, 8): [(0, "v1.8.0")],
    (1, 9): [(0, "v1.9.0")],
}
EXCLUSIVE = ("data", "cni-exclusive")


def apply(items: list[Item], config: dict[str, Any]) -> Iterator[Result]:
    settings = config["cilium"]
    cilium_configs = [item for item in items if item.is_a("ConfigMap") and item.name == CONFIG_MAP
                      and not item.is_local_config]
    agents = [item for item in items if item.is_a("DaemonSet", "apps") and item.name == "cilium"]
    enabled = settings["enabled"]
    if enabled is False or (enabled == "auto" and not cilium_configs and not agents):
        return
    if settings["installCNI"]["enabled"]:
        for daemonset in multus.daemonsets(items, config):
            yield from _add_install_cni(daemonset, config)
    wanted = "true" if settings["exclusive"] else "false"
    for cilium_config in cilium_configs:
        why = "Cilium must not take over /etc/cni/net.d, or it renames the Multus config away"
        if settings["exclusive"]:
            why = "set as configured (`spec.cilium.exclusive: true`)"
        yield from multus.set_value(cilium_config, EXCLUSIVE, wanted, NAME, why)
    if not cilium_configs and agents:
        yield multus.note(
            agents[0],
            f"Cilium is deployed but its `{CONFIG_MAP}` ConfigMap is not among the items: set the Helm "
            f"value `cni.exclusive={wanted}` (or `cni-exclusive: \"{wanted}\"` in `{CONFIG_MAP}`)",
            NAME, "warning",
        )


def _add_install_cni(daemonset: Item, config: dict[str, Any]) -> Iterator[Result]:
    path = (*multus.POD_SPEC, "initContainers")
    if any(c["name"] == INIT_CONTAINER for c in multus.containers(daemonset, "initContainers")):
        return
    image, warning = install_cni_image(config)
    if warning:
        yield multus.note(daemonset, warning, NAME, "warning")
    container = {
        "name": INIT_CONTAINER,
        "image": image,
        "command": ["/install-cni.sh"],
        "securityContext": {"privileged": True},
        "volumeMounts": [{"name": "cnibin", "mountPath": "/host/opt/cni/bin", "mountPropagation": "Bidirectional"}],
    }
    before = daemonset.doc.get(path)
    daemonset.doc.append(path, container)
    yield multus.changed(
        daemonset, path, before, daemonset.doc.get(path), NAME,
        f"added init container `{INIT_CONTAINER}` ({image}): Cilium ships no reference CNI plugins "
        "for secondary networks",
    )
    volumes = daemonset.doc.get((*multus.POD_SPEC, "volumes")) or []
    if not any(isinstance(v, dict) and v.get("name") == "cnibin" for v in volumes):
        yield multus.note(
            daemonset, "no `cnibin` volume (hostPath /opt/cni/bin) for install-cni to write to: add one",
            NAME, "warning", (*multus.POD_SPEC, "volumes"),
        )


def install_cni_image(config: dict[str, Any]) -> tuple[str, str | None]:
    """The install-cni image to use, and a warning when the user should pin one."""
    configured = config["cilium"]["installCNI"]["image"]
    if configured:
        return configured, None
    version = config["talos"]["version"]
    found = re.match(r"v?(\d+)\.(\d+)(?:\.(\d+))?", version)
    newest = f"{IMAGE_REPOSITORY}:{NEWEST_TAG}"
    if found is None:
        return newest, (
            f"no `spec.talos.version` or `spec.cilium.installCNI.image`: using {newest}; pin the image "
            "that matches your Talos release"
        )
    minor, patch = (int(found[1]), int(found[2])), int(found[3] or 0)
    tags = TAGS_BY_TALOS.get(minor)
    if tags is None:
        return newest, (
            f"siderolabs/install-cni has no image for Talos {version} (the newest is {NEWEST_TAG}; Talos 1.8 and "
            f"later bundle the basic plugins): using {newest}; set `spec.cilium.installCNI.image` to the plugin "
            "image you maintain"
        )
    tag = [tag for first, tag in tags if first <= patch][-1]
    return f"{IMAGE_REPOSITORY}:{tag}", None
