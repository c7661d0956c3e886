"""The transforms and checks, in the order they run, and where each one's switch and severity live.

Nothing is discovered: add a module here, and its `enabled` and `severity` (with their ConfigMap
keys) to fn-config.schema.json under the spec section named here.

A module is named here, not imported: the engine imports it when it first runs, so a run pays only
for the modules that can act on its input. `kinds` and `words` say when a module can act at all:
one of the kinds must be an item's kind, or one of the words occur in an item's text (an annotation
key, say); a module with neither among the items has nothing to do and is skipped. The engine reads
the kinds once and looks for each word once. Leave both empty when in doubt: the module then always
runs.
"""

from __future__ import annotations

from types import ModuleType

from krm_multus.sdk.records import Record

NAD = "NetworkAttachmentDefinition"
VIRTUAL_MACHINES = ("VirtualMachine", "VirtualMachineInstance")  # KubeVirt kinds that attach networks
NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"
HELM_RELEASES = ("HelmRelease", "Application")  # Flux and Argo CD: helm.releases reads nothing else


class Module(Record):
    """One transform or check as the engine runs it."""

    __slots__ = ()

    kind: str  # "transform" or "check": the tag its results carry, with its name
    name: str  # the code's NAME
    path: str  # the Python module: NAME and apply(items, config, report)
    # The spec sections that switch it: each one's `enabled: false` turns it off, each one's
    # `severity` caps its results (a check obeys `checks` and its own section alike).
    sections: tuple[tuple[str, ...], ...]
    kinds: tuple[str, ...] = ()  # it can act only on items of these kinds ...
    words: tuple[str, ...] = ()  # ... or on items whose text holds one of these; both () = always

    @property
    def code(self) -> ModuleType:
        """The module itself, imported on first use."""
        # __import__ with a fromlist returns the module itself; importlib would cost start-up its own import.
        return __import__(self.path, fromlist=["apply"])


def _transform(name: str, module: str, *sections: tuple[str, ...], kinds: tuple[str, ...] = ()) -> Module:
    return Module("transform", name, f"krm_multus.transforms.{module}", sections or ((name,),), kinds)


def _check(name: str, module: str, kinds: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> Module:
    return Module("check", name, f"krm_multus.checks.{module}", (("checks",), ("checks", name)), kinds, words)


# image runs first: the ARM64 copy it adds then gets every other fix, and the install-binary
# fix is chosen for the image that will actually run. The three cilium parts share its name.
TRANSFORMS = (
    Module("transform", "target", "krm_multus.transforms.target", ()),
    _transform("image", "image"),
    _transform("netns", "netns"),
    _transform("installBinary", "install_binary"),
    _transform("resources", "resources"),
    _transform("cilium", "cilium_plugins", ("cilium",), ("cilium", "installCNI")),
    _transform("cilium", "cilium_exclusive"),
    _transform("cilium", "archived_plugin_image"),
    _transform("helmValues", "helm_values", kinds=HELM_RELEASES),
    _transform("failClosed", "fail_closed"),
    _transform("ipamDataDir", "ipam_data_dir", kinds=(NAD,)),
)
CHECKS = (
    _check("networkAttachment", "network_attachment", kinds=(NAD,)),
    _check("networkSelection", "network_selection", words=(NETWORKS_ANNOTATION,)),
    _check("kubevirt", "kubevirt", kinds=VIRTUAL_MACHINES),
    _check("talosPlugins", "talos_plugins", kinds=(NAD,)),
    _check("multusDaemon", "multus_daemon"),
    _check("hostLocalRanges", "host_local_ranges", kinds=(NAD,)),
    _check("hostLocalDataDir", "host_local_data_dir", kinds=(NAD,)),
    _check("dhcpDaemon", "dhcp_daemon", kinds=(NAD,), words=("dhcp",)),  # a NAD, or a daemon whose text says dhcp
    _check("ciliumNodeConfig", "cilium_node_config", kinds=("CiliumNodeConfig",)),
    _check("networkLookup", "network_lookup", kinds=("DaemonSet",)),  # the Multus DaemonSets' flags and mounts
    _check("ciliumDatapath", "cilium_datapath", kinds=(*VIRTUAL_MACHINES, NAD)),  # VMs, or bridge NADs
)
