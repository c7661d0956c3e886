"""cilium (archived plugin image): name maintained images where Multus runs the archived siderolabs/install-cni.

A Multus DaemonSet whose init container runs `ghcr.io/siderolabs/install-cni` (or a mirror of it:
an image whose repository path ends with `siderolabs/install-cni`) gets an info naming
maintained plugin images: that image is archived (siderolabs/pkgs#1399) and has none for Talos 1.10
or later. Not when `spec.cilium.enabled: false`, nor when `spec.talos.version` is older than 1.8
(there the release's install-cni tag is what the Talos guide runs).
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import multus, talos
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "cilium"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    release = talos.release(config.talos.version)
    if release is not None and release < talos.BUNDLED_PLUGINS:
        return
    for daemonset in multus.daemonsets(items, config):
        archived = [
            container
            for container in multus.containers(daemonset, "initContainers")
            if multus.is_archived_plugin_image(str(container.get("image") or ""))
        ]
        if archived:
            name = archived[0]["name"]
            repository = multus.split_image(str(archived[0]["image"]))[0]
            if repository != multus.ARCHIVED_PLUGIN_IMAGE:
                repository += f" (a mirror of {multus.ARCHIVED_PLUGIN_IMAGE})"
            yield report(
                daemonset,
                multus.container_path(name, "initContainers"),
                f"`{name}` runs {repository}, which is archived (siderolabs/pkgs#1399) "
                f"and has no image for Talos 1.10 or later: use a maintained plugin image, "
                f"{', '.join(multus.MAINTAINED_PLUGIN_IMAGES)} (`spec.cilium.installCNI.image` sets the image of the "
                "`install-cni` this function adds)",
                "info",
            )
