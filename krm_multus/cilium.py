"""What the function knows about Cilium: how to tell it is installed, its CNI settings, where it
writes its CNI config, and the siderolabs/install-cni images that add the reference CNI plugins
Cilium does not ship.

Why one module: the cilium transforms and the helmValues transform must recognise Cilium the same
way and write the same `cni-exclusive` value for the same reason; the failClosed transform moves
Cilium's CNI config, the multusDaemon check asks where it is, the resources transform sizes
Multus for `cilium-cni` delegates, and the Cilium checks read its settings, all with the same rule
for "Cilium is here".
"""

from __future__ import annotations

from collections.abc import Callable

from krm_multus import helm, multus, talos
from krm_multus.sdk import lookups
from krm_multus.sdk.perrun import PerRun
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item, of_kind
from krm_multus.sdk.yamledit import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHART = "cilium"
CONFIG_MAP = "cilium-config"
AGENT = "cilium"
EXCLUSIVE = ("data", "cni-exclusive")
GROUP = "cilium.io"
# A CiliumNodeConfig overrides `cilium-config` keys, from its `spec.defaults`, on the nodes it selects.
NODE_CONFIG = "CiliumNodeConfig"
NODE_EXCLUSIVE = ("spec", "defaults", "cni-exclusive")
INSTALL_CNI = "install-cni"
RUNTIME_CONF_DIR = "/etc/cni/net.d"  # where containerd and CRI-O look, and the chart's `cni.confPath` default
CONF_PATH = ("cni", "confPath")
CONF_VOLUME = "etc-cni-netd"  # the agent's volume for cni.confPath in the Cilium chart
CONFLIST = "05-cilium.conflist"
# The last siderolabs/install-cni releases: archived, but the one image built for each Talos release.
IMAGE_REPOSITORY = multus.ARCHIVED_PLUGIN_IMAGE
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


class Setting(Record):
    """One Cilium setting: its `cilium-config` key and its Helm value (the checks read these)."""

    __slots__ = ()

    key: str
    value: tuple[str, ...]

    def named(self, source: Source) -> str:
        return f"`{self.key}`" if source.is_config_map else f"`{'.'.join(self.value)}`"


KUBE_PROXY_REPLACEMENT = Setting("kube-proxy-replacement", ("kubeProxyReplacement",))
SOCKET_LB = Setting("bpf-lb-sock", ("socketLB", "enabled"))
HOST_NAMESPACE_ONLY = Setting("bpf-lb-sock-hostns-only", ("socketLB", "hostNamespaceOnly"))
LEGACY_ROUTING = Setting("enable-host-legacy-routing", ("bpf", "hostLegacyRouting"))
BPF_MASQUERADE = Setting("enable-bpf-masquerade", ("bpf", "masquerade"))
DEVICES = Setting("devices", ("devices",))


class Found(Record):
    """A setting's value (lookups.MISSING when unset) and where to report it: the item and the field."""

    __slots__ = ()

    value: Any
    item: Item
    path: Path


class Source(Record):
    """Where the Cilium settings come from: a `cilium-config` ConfigMap or a release of the chart."""

    __slots__ = ()

    item: Item
    label: str
    read: Callable[[Setting], Found]

    @property
    def is_config_map(self) -> bool:
        return self.item.kind == "ConfigMap"

    def get(self, setting: Setting) -> Any:
        return self.read(setting).value

    def on(self, setting: Setting) -> bool:
        return str(self.get(setting)).strip().lower() in ("true", "strict")

    def shown(self, setting: Setting) -> str:
        value = self.get(setting)
        return "not set" if value is lookups.MISSING else f"{helm.as_text(value)!r}"


class Deployment:
    """What of a Cilium installation is among the items: its ConfigMaps, agents, Helm releases and CiliumNodeConfigs."""

    __slots__ = ("_items", "agents", "config_maps", "node_configs")

    @classmethod
    def of(cls, items: list[Item]) -> Deployment:
        """The Deployment of `items`, found once for all the modules of a run that read it (see `perrun`)."""
        return _DEPLOYMENT(items)

    def __init__(self, items: list[Item]) -> None:
        self._items = items
        # The name in the text first: a cluster has thousands of ConfigMaps, and reading a name parses the item.
        self.config_maps = [
            item
            for item in of_kind(items, "ConfigMap")
            if CONFIG_MAP in item.source and item.name == CONFIG_MAP and not item.is_local_config
        ]
        self.agents = [item for item in of_kind(items, "DaemonSet", "apps") if item.name == AGENT]
        self.node_configs = node_configs(items)

    @property
    def releases(self) -> list[helm.Release]:
        return releases(self._items)

    def in_use(self, enabled: Any) -> bool:
        """Whether Cilium is used: `spec.cilium.enabled` true, or (`auto`) any part of it is among the items."""
        found = self.config_maps or self.agents or self.releases or self.node_configs
        return enabled is True or (enabled == "auto" and bool(found))

    def sources(self) -> list[Source]:
        """Every place the Cilium settings come from: the `cilium-config` ConfigMaps, then the releases."""
        found = [
            Source(item, f"ConfigMap `{item.namespace}/{item.name}`", _config_map_reader(item))
            for item in self.config_maps
        ]
        for release in self.releases:
            label = f"the values of {release.item.kind} `{release.item.namespace}/{release.item.name}`"
            found.append(Source(release.item, label, _release_reader(release)))
        return found

    def conf_dirs(self) -> list[str]:
        """Every host directory Cilium is seen to write its CNI config to (the chart's default where unset)."""
        found = [volume[1] for agent in self.agents if (volume := conf_volume(agent))]
        for release in self.releases:
            value = release_conf_dir(release)
            found.append(RUNTIME_CONF_DIR if value is lookups.MISSING else str(value))
        return [directory.rstrip("/") or "/" for directory in found]


def _deployment(items: list[Item]) -> tuple[Deployment, list[Item]]:
    """The Deployment, and the items it was read from (the releases are read, and kept, by `helm`)."""
    found = Deployment(items)
    return found, [*found.config_maps, *found.agents, *found.node_configs]


_DEPLOYMENT = PerRun(_deployment)


def _config_map_reader(item: Item) -> Callable[[Setting], Found]:
    def read(setting: Setting) -> Found:
        return Found(lookups.get(item.data, ("data", setting.key), lookups.MISSING), item, ("data", setting.key))

    return read


def _release_reader(release: helm.Release) -> Callable[[Setting], Found]:
    def read(setting: Setting) -> Found:
        """The value of the last place that sets it, as Helm merges; the release's chart when none does."""
        found = Found(lookups.MISSING, release.item, release.source)
        for values in release.values:
            value = helm.lookup(values, setting.value) if values.may_set(setting.value) else lookups.MISSING
            if value is not lookups.MISSING and values.item is not None:
                inline = values.kind == "inline"
                found = Found(value, values.item, (*values.path, *setting.value) if inline else values.path)
        return found

    return read


def conf_volume(agent: Item) -> tuple[Path, str] | None:
    """The path of the agent's hostPath for CNI configs (`etc-cni-netd`, else the volume on
    /etc/cni/net.d) and the host directory it names."""
    for name, volume in lookups.by_name(multus.volumes(agent)).items():
        host_path = volume.get("hostPath")
        if not isinstance(host_path, dict):
            continue
        directory = str(host_path.get("path") or "")
        if name == CONF_VOLUME or directory.rstrip("/") == RUNTIME_CONF_DIR:
            return (*multus.POD_SPEC, "volumes", {"name": name}, "hostPath", "path"), directory
    return None


def release_conf_dir(release: helm.Release) -> Any:
    """`cni.confPath` as the release sets it (the last readable place wins), else lookups.MISSING."""
    found = [value for values in release.values if (value := helm.lookup(values, CONF_PATH)) is not lookups.MISSING]
    return found[-1] if found else lookups.MISSING


def releases(items: list[Item]) -> list[helm.Release]:
    """The Flux HelmReleases and Argo CD Application sources that install the Cilium chart."""
    return [release for release in helm.releases(items) if release.chart == CHART]


def node_configs(items: list[Item]) -> list[Item]:
    """The CiliumNodeConfigs among the items (`cilium.io/v2`, `v2alpha1` before it; local-config ones left out)."""
    return [item for item in of_kind(items, NODE_CONFIG, GROUP) if not item.is_local_config]


def sets_exclusive(node_config: Item) -> bool:
    """Whether a CiliumNodeConfig sets `cni-exclusive` at all (then it overrides the cluster value)."""
    return lookups.get(node_config.data, NODE_EXCLUSIVE, lookups.MISSING) is not lookups.MISSING


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
