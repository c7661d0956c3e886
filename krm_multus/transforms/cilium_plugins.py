"""cilium (reference CNI plugins): give Multus the CNI plugins that Cilium does not ship.

Cilium installs no reference CNI plugins (macvlan, ipvlan, bridge, ...) that secondary networks
need. When Cilium is used (`spec.cilium.enabled`; `auto`: a `cilium-config` ConfigMap, a `cilium`
DaemonSet, or a Flux HelmRelease or Argo CD Application of the `cilium` chart is among the items)
and `spec.cilium.installCNI.enabled` is not false, adds an `install-cni` init container to the
Multus DaemonSet that copies the plugins into `/opt/cni/bin` (the DaemonSet's hostPath volume for
it), unless an init container already installs them (`install-cni`, or a community `cni-plugins`
image as the Multus charts run). Its image is `spec.cilium.installCNI.image` (any plugin image: the
community ones copy into `/host/opt/cni/bin` by their own entrypoint), else the siderolabs/install-cni
tag for `spec.talos.version` (run as `/install-cni.sh`), else the newest published one with a
warning to pin it.
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import cilium, multus
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "cilium"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    if not cilium.Deployment.of(items).in_use(config.cilium.enabled):
        return
    for daemonset in multus.daemonsets(items, config):
        yield from _add_install_cni(report, daemonset, config)


def _add_install_cni(report: Reporter, daemonset: Item, config: Config) -> Iterator[Result]:
    path = (*multus.POD_SPEC, "initContainers")
    if any(multus.is_plugin_installer(c) for c in multus.containers(daemonset, "initContainers")):
        return
    image, warning = cilium.install_cni_image(config.cilium.installCNI.image, config.talos.version)
    if warning:
        yield report(daemonset, None, warning, "warning")
    volume = _bin_volume(daemonset)
    container: dict[str, Any] = {"name": cilium.INSTALL_CNI, "image": image}
    if multus.is_archived_plugin_image(image):
        container["command"] = ["/install-cni.sh"]
    container["securityContext"] = {"privileged": True}
    container["volumeMounts"] = [
        {"name": volume or "cnibin", "mountPath": "/host/opt/cni/bin", "mountPropagation": "Bidirectional"}
    ]
    yield report.append(
        daemonset,
        path,
        container,
        f"added init container `{cilium.INSTALL_CNI}` ({image}): Cilium ships no reference CNI plugins "
        "for secondary networks",
    )
    if volume is None:
        yield report(
            daemonset,
            (*multus.POD_SPEC, "volumes"),
            "no `cnibin` volume (hostPath /opt/cni/bin) for install-cni to write to: add one",
            "warning",
        )


def _bin_volume(daemonset: Item) -> str | None:
    """The name of the volume that mounts the host's /opt/cni/bin (`cnibin` upstream; charts differ)."""
    for volume in multus.volumes(daemonset):
        host_path = volume.get("hostPath")
        if isinstance(host_path, dict) and str(host_path.get("path") or "").rstrip("/") == "/opt/cni/bin":
            return str(volume.get("name"))
    return None
