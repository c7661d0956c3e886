"""cilium (archived plugin image): name maintained images where Multus runs the archived siderolabs/install-cni.

A Multus DaemonSet whose init container runs `ghcr.io/siderolabs/install-cni` (or a mirror of it:
an image whose repository path ends with `siderolabs/install-cni`) gets an info naming
maintained plugin images: that image is archived (siderolabs/pkgs#1399) and has none for Talos 1.10
or later. Not when `spec.cilium.enabled: false`, nor when `spec.talos.version` is older than 1.8
(there the release's install-cni tag is what the Talos guide runs), nor on the `install-cni` the
same run added with the tag built for the Talos release (the right image there). An image set in
`spec.cilium.installCNI.image`, or the newest one added without a tag for the release, still gets it.
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import cilium, multus, talos
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result
from krm_multus.sdk.yamledit import load

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "cilium"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    release = talos.release(config.talos.version)
    if release is not None and release < talos.BUNDLED_PLUGINS:
        return
    # The image the cilium transform picks for the Talos release, when one was built for it: on the
    # install-cni this run added with it, the advice is not wanted (it is the right image there).
    configured = config.cilium.installCNI.image
    picked, warning = cilium.install_cni_image(configured, config.talos.version)
    own_pick = picked if not configured and warning is None else ""
    for daemonset in multus.daemonsets(items, config):
        archived = [
            container
            for container in multus.containers(daemonset, "initContainers")
            if multus.is_archived_plugin_image(str(container.get("image") or ""))
        ]
        if archived and own_pick and daemonset.changed:
            came_with = _init_containers_as_read(daemonset)
            archived = [c for c in archived if c.get("image") != own_pick or _identity(c) in came_with]
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


def _init_containers_as_read(daemonset: Item) -> set[tuple[str, str]]:
    """The (name, image) of each init container the DaemonSet had in the input, before this run's edits."""
    containers = lookups.get(load(daemonset.text), (*multus.POD_SPEC, "initContainers"))
    return {_identity(c) for c in lookups.as_list(containers) if isinstance(c, dict)}


def _identity(container: dict[str, Any]) -> tuple[str, str]:
    """A container's name and image as text (either may be any YAML value in a broken manifest)."""
    return str(container.get("name")), str(container.get("image"))
