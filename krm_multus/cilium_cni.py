"""Where Cilium writes its CNI config, and whether Cilium is in use at all.

Why one module: the failClosed transform moves Cilium's config, the multusDaemon check asks where
it is, and the resources transform sizes Multus for `cilium-cni` delegates; all must agree on what
counts as "Cilium is here" (the same rule the cilium transform documents).
"""

from __future__ import annotations

from typing import Any

from krm_multus import helm, multus
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.yamledit import Path
from krm_multus.transforms import cilium

RUNTIME_CONF_DIR = "/etc/cni/net.d"  # where containerd and CRI-O look, and the chart's `cni.confPath` default
CONF_PATH = ("cni", "confPath")
CONF_VOLUME = "etc-cni-netd"  # the agent's volume for cni.confPath in the Cilium chart
CONFLIST = "05-cilium.conflist"


def in_use(items: list[Item], config: dict[str, Any]) -> bool:
    """`spec.cilium.enabled`, or (auto) a `cilium-config` ConfigMap, a `cilium` DaemonSet or a
    release of the Cilium chart among the items."""
    enabled = config["cilium"]["enabled"]
    if enabled != "auto":
        return bool(enabled)
    return bool(agents(items) or configs(items) or cilium.releases(items))


def agents(items: list[Item]) -> list[Item]:
    return [item for item in items if item.is_a("DaemonSet", "apps") and item.name == "cilium"]


def configs(items: list[Item]) -> list[Item]:
    return [
        item
        for item in items
        if cilium.CONFIG_MAP in item.source
        and item.is_a("ConfigMap")
        and item.name == cilium.CONFIG_MAP
        and not item.is_local_config
    ]


def conf_volume(agent: Item) -> tuple[Path, str] | None:
    """The path of the agent's hostPath for CNI configs (`etc-cni-netd`, else the volume on
    /etc/cni/net.d) and the host directory it names."""
    for volume in multus.volumes(agent):
        host_path = volume.get("hostPath")
        if not isinstance(host_path, dict) or not isinstance(volume.get("name"), str):
            continue
        directory = str(host_path.get("path") or "")
        if volume["name"] == CONF_VOLUME or directory.rstrip("/") == RUNTIME_CONF_DIR:
            return (*multus.POD_SPEC, "volumes", {"name": volume["name"]}, "hostPath", "path"), directory
    return None


def release_conf_dir(release: helm.Release) -> Any:
    """`cni.confPath` as the release sets it (the last readable place wins), else helm.MISSING."""
    found = [
        value for value in (helm.lookup(values, CONF_PATH) for values in release.values) if value is not helm.MISSING
    ]
    return found[-1] if found else helm.MISSING


def conf_dirs(items: list[Item]) -> list[str]:
    """Every host directory Cilium is seen to write its CNI config to (chart default where unset)."""
    found = [volume[1] for agent in agents(items) if (volume := conf_volume(agent))]
    for release in cilium.releases(items):
        value = release_conf_dir(release)
        found.append(RUNTIME_CONF_DIR if value is helm.MISSING else str(value))
    return [directory.rstrip("/") or "/" for directory in found]
