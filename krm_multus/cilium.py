"""What the function knows about Cilium: how to tell it is installed, its CNI settings, and the
siderolabs/install-cni images that add the reference CNI plugins Cilium does not ship.

Why one module: the cilium transforms and the helmValues transform must recognise Cilium the same
way and write the same `cni-exclusive` value for the same reason.
"""

from __future__ import annotations

from typing import Any

from krm_multus import helm, talos
from krm_multus.sdk.resourcelist import Item

CHART = "cilium"
CONFIG_MAP = "cilium-config"
AGENT = "cilium"
EXCLUSIVE = ("data", "cni-exclusive")
INSTALL_CNI = "install-cni"
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


class Deployment:
    """What of a Cilium installation is among the items: its ConfigMaps, agents and Helm releases."""

    __slots__ = ("agents", "config_maps", "releases")

    def __init__(self, items: list[Item]) -> None:
        # The name in the text first: a cluster has thousands of ConfigMaps, and reading a name parses the item.
        self.config_maps = [
            item
            for item in items
            if item.is_a("ConfigMap")
            and CONFIG_MAP in item.source
            and item.name == CONFIG_MAP
            and not item.is_local_config
        ]
        self.agents = [item for item in items if item.is_a("DaemonSet", "apps") and item.name == AGENT]
        self.releases = releases(items)

    def in_use(self, enabled: Any) -> bool:
        """Whether Cilium is used: `spec.cilium.enabled` true, or (`auto`) any part of it is among the items."""
        return enabled is True or (enabled == "auto" and bool(self.config_maps or self.agents or self.releases))


def releases(items: list[Item]) -> list[helm.Release]:
    """The Flux HelmReleases and Argo CD Application sources that install the Cilium chart."""
    return [release for release in helm.releases(items) if release.chart == CHART]


def exclusive_reason(exclusive: bool) -> str:
    if exclusive:
        return "set as configured (`spec.cilium.exclusive: true`)"
    return "Cilium must not take over /etc/cni/net.d, or it renames the Multus config away"


def install_cni_image(configured: str, talos_version: str) -> tuple[str, str | None]:
    """The install-cni image to use, and a warning when the user should pin one."""
    if configured:
        return configured, None
    release = talos.release(talos_version)
    newest = f"{IMAGE_REPOSITORY}:{NEWEST_TAG}"
    if release is None:
        return newest, (
            f"no `spec.talos.version` or `spec.cilium.installCNI.image`: using {newest}; pin the image "
            "that matches your Talos release"
        )
    tags = TAGS_BY_TALOS.get(release)
    if tags is None:
        return newest, (
            f"siderolabs/install-cni has no image for Talos {talos_version} (the newest is {NEWEST_TAG}; Talos 1.8 "
            f"and later bundle the basic plugins): using {newest}; set `spec.cilium.installCNI.image` to the plugin "
            "image you maintain"
        )
    patch = talos.patch(talos_version)
    return f"{IMAGE_REPOSITORY}:{[tag for first, tag in tags if first <= patch][-1]}", None
