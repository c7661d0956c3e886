"""NetworkAttachmentDefinitions among the items: their CNI config, and how a network name finds one.

Why one module: the NAD, annotation, KubeVirt and Talos checks all turn a network name into a NAD
and look at its plugins; they must agree on what a name means and on what a config holds.

Names resolve as Multus resolves them: a reference without a namespace means the namespace of the
pod (or VM). A namespace left out of a package is filled in when it is applied (`kubectl -n`,
kustomize `namespace:`, kpt set-namespace), so an empty namespace on either side matches any
namespace; an exact match wins.

Operators make NADs from resources of their own; those count as the NAD they produce (for finding a
network by name, not for checking a config the operator writes): the SR-IOV network operator's
`SriovNetwork`, `SriovIBNetwork` and `OVSNetwork` make the NAD of the resource's name in
`spec.networkNamespace`, else the resource's own namespace, running `sriov`, `ib-sriov` or `ovs`
with the `spec.ipam`, `spec.capabilities` and `spec.metaPlugins` JSON; OpenShift's cluster network
operator makes one NAD per `Raw` entry of `spec.additionalNetworks` (its `rawCNIConfig`, in its
`namespace`, else `default`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from krm_multus.sdk import lookups
from krm_multus.sdk.perrun import PerRun
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item, of_kind
from krm_multus.wording import show, yaml_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

KIND = "NetworkAttachmentDefinition"
GROUP = "k8s.cni.cncf.io"
CONFIG_PATH = ("spec", "config")
MACVLAN_LIKE = ("macvlan", "ipvlan")
DEFAULT_BRIDGE = "cni0"  # what the bridge plugin calls its bridge when the config names none
DATA_DIR = "dataDir"  # where host-local keeps its leases (default /var/lib/cni/networks)


class Config(Record):
    """`spec.config` read as JSON: `value` when it is a JSON object, else `problem` says why not."""

    __slots__ = ()

    present: bool
    value: dict[str, Any] | None
    problem: str | None


class Plugin(Record):
    """One plugin of a config: where it sits inside `spec.config` ("" or "plugins[1].") and its keys."""

    __slots__ = ()

    where: str
    conf: dict[str, Any]

    @property
    def type(self) -> str:
        value = self.conf.get("type")
        return value if isinstance(value, str) else ""

    @property
    def ipam(self) -> dict[str, Any]:
        return lookups.mapping(self.conf.get("ipam"))

    @property
    def ipam_type(self) -> str:
        value = self.ipam.get("type")
        return value if isinstance(value, str) else ""


class Nad:
    """One NetworkAttachmentDefinition item and its parsed config."""

    __slots__ = ("config", "item")

    def __init__(self, item: Item) -> None:
        self.item = item
        data = item.data
        spec = data.get("spec") if isinstance(data, dict) else None
        self.config = read_config(spec.get("config") if isinstance(spec, dict) else None)

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def namespace(self) -> str:
        return self.item.namespace

    @property
    def ref(self) -> str:
        return reference(self.namespace, self.name)

    def plugins(self) -> list[Plugin]:
        """The plugins Multus runs for this NAD, in order; none when the config is unreadable."""
        config = self.config.value
        if config is None:
            return []
        if not is_conflist(config):
            return [Plugin("", config)]
        found = config.get("plugins")
        entries = found if isinstance(found, list) else []
        return [Plugin(f"plugins[{index}].", conf) for index, conf in enumerate(entries) if isinstance(conf, dict)]

    def types(self) -> list[str]:
        return [plugin.type for plugin in self.plugins() if plugin.type]

    def macvlan_like(self) -> list[str]:
        """The macvlan or ipvlan plugin types this NAD uses (top level or anywhere in a conflist)."""
        return [kind for kind in self.types() if kind in MACVLAN_LIKE]

    def host_local(self) -> list[Plugin]:
        """The plugins whose IPAM is host-local."""
        return [plugin for plugin in self.plugins() if plugin.ipam_type == "host-local"]


class MadeNad(Nad):
    """A NAD an operator makes from `item`, one of its own resources, named as the operator names it."""

    __slots__ = ("_name", "_namespace", "source")

    def __init__(self, item: Item, name: str, namespace: str, config: dict[str, Any], source: str) -> None:
        self.item = item
        self.config = Config(True, config, None)
        self._name = name
        self._namespace = namespace
        self.source = source  # where users declare capabilities: "`spec.capabilities` of SriovNetwork `ran/x`"

    @property
    def name(self) -> str:
        return self._name

    @property
    def namespace(self) -> str:
        return self._namespace


# kind -> the CNI type the SR-IOV network operator runs for the NADs it makes from it.
SRIOV_OPERATOR = "sriovnetwork.openshift.io"
SRIOV_NETWORKS = {"SriovNetwork": "sriov", "SriovIBNetwork": "ib-sriov", "OVSNetwork": "ovs"}
OPENSHIFT_OPERATOR = "operator.openshift.io"
MAKERS = (*SRIOV_NETWORKS, "Network")  # the kinds `made_nads` makes NADs from


def made_nads(item: Item) -> list[MadeNad]:
    """The NADs an operator makes from `item` (none for other kinds); the kind is tested before parsing."""
    if item.kind in SRIOV_NETWORKS and item.is_a(item.kind, SRIOV_OPERATOR):
        spec = lookups.mapping(lookups.get(item.data, ("spec",)))
        conf = {"cniVersion": "1.0.0", "name": item.name, "type": SRIOV_NETWORKS[item.kind]}
        for key in ("ipam", "capabilities"):
            value = _json(spec.get(key))
            if isinstance(value, dict):
                conf[key] = value
        meta = spec.get("metaPlugins")  # plugin objects separated by commas, as the operator's template lists them
        chained = lookups.as_list(_json(f"[{meta}]") if isinstance(meta, str) else None)
        plugins = [conf, *(plugin for plugin in chained if isinstance(plugin, dict))]
        config = conf if len(plugins) == 1 else {"cniVersion": "1.0.0", "name": item.name, "plugins": plugins}
        namespace = spec.get("networkNamespace") or item.namespace
        origin = f"{item.kind} `{reference(item.namespace, item.name)}`"
        namespace = namespace if isinstance(namespace, str) else ""
        return [MadeNad(item, item.name, namespace, config, f"`spec.capabilities` of {origin}")]
    if item.kind == "Network" and item.is_a("Network", OPENSHIFT_OPERATOR):
        networks = lookups.as_list(lookups.get(item.data, ("spec", "additionalNetworks")))
        return [
            MadeNad(
                item,
                network["name"],
                str(network.get("namespace") or "default"),
                config,
                f"the `capabilities` of a plugin in the `rawCNIConfig` of additional network `{network['name']}` in "
                f"Network `{item.name}`",
            )
            for network in networks
            if isinstance(network, dict)
            and network.get("type") == "Raw"
            and isinstance(network.get("name"), str)
            and isinstance(config := _json(network.get("rawCNIConfig")), dict)
        ]
    return []


def _json(raw: Any) -> Any:
    """A JSON string field of an operator's resource; None when missing or unreadable."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        return None


def read_config(raw: Any) -> Config:
    """Parse `spec.config` the way Multus needs it: a JSON object in a string."""
    if raw is None:
        return Config(False, None, None)
    if not isinstance(raw, str):
        return Config(
            True,
            None,
            f"is a YAML {yaml_kind(raw)}, not a string: write the JSON as a block "
            "scalar (`config: |` followed by the JSON)",
        )
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        return Config(True, None, f"is not valid JSON: line {error.lineno} column {error.colno}: {error.msg}")
    except RecursionError:
        return Config(True, None, "is nested too deeply to be a CNI config: write one CNI config or a conflist")
    if not isinstance(value, dict):
        return Config(
            True,
            None,
            f"is {show(value)}, not a JSON object: write one CNI config "
            '(`{"type": ...}`) or a conflist (`{"plugins": [...]}`)',
        )
    return Config(True, value, None)


def is_conflist(config: dict[str, Any]) -> bool:
    """Multus's test: a config without `type` is a conflist."""
    return not config.get("type") and "plugins" in config


class Index:
    """The NADs among the items (local-config ones left out), found by name as Multus finds them;
    `find` also finds the NADs operators make from their resources among the items."""

    @classmethod
    def of(cls, items: list[Item]) -> Index:
        """The Index of `items`, built once for all the modules of a run that read it (see `perrun`)."""
        return _INDEX(items)

    def __init__(self, items: list[Item]) -> None:
        self.nads = [Nad(item) for item in of_kind(items, KIND, GROUP) if not item.is_local_config]
        made: list[Nad] = []
        if any(of_kind(items, kind) for kind in MAKERS):  # in the items' order, when there are any
            made = [nad for item in items if not item.is_local_config for nad in made_nads(item)]
        self.made = made
        self._by_name: dict[str, list[Nad]] = {}
        for nad in (*self.nads, *self.made):
            self._by_name.setdefault(nad.name, []).append(nad)

    def __iter__(self) -> Iterator[Nad]:
        return iter(self.nads)

    def named(self, name: str) -> list[Nad]:
        """Every NAD called `name`, in any namespace."""
        return self._by_name.get(name, [])

    def find(self, name: str, namespace: str) -> Nad | None:
        """The NAD `name` in `namespace` (the reference's own or the workload's; "" for unknown)."""
        candidates = self.named(name)
        exact = [nad for nad in candidates if nad.namespace == namespace]
        loose = [nad for nad in candidates if not namespace or not nad.namespace]
        return next(iter(exact or loose), None)

    def missing(self, name: str, namespace: str, written: bool, owner: str, waiting: str) -> str:
        """Why network `name` finds no NAD in `namespace` among the items, and what to do.

        A reference without a namespace (`written` false) is looked up in the owner's namespace, never
        in `default` (multus-cni #337): when the items hold the NAD only elsewhere, say where.
        """
        elsewhere = sorted({nad.namespace for nad in self.named(name)})
        if written or not elsewhere:
            return not_found(name, namespace, owner, waiting)
        choice = " (or the namespace you mean)" if len(elsewhere) > 1 else ""
        return (
            f"without a namespace Multus looks `{name}` up in the {owner}'s namespace `{namespace}`, not in "
            f"`default`, and the items hold NetworkAttachmentDefinition `{name}` only in "
            f"{', '.join(f'`{other}`' for other in elsewhere)}: write `{elsewhere[0]}/{name}`{choice}"
        )


def _index(items: list[Item]) -> tuple[Index, list[Item]]:
    index = Index(items)
    return index, [nad.item for nad in (*index.nads, *index.made)]


_INDEX = PerRun(_index)


def reference(namespace: str, name: str) -> str:
    """A network reference as users write it: `namespace/name`, or `name` when the namespace is unknown."""
    return f"{namespace}/{name}" if namespace else name


def not_found(name: str, namespace: str, owner: str, waiting: str) -> str:
    """The message for a network whose NAD is not among the items: it may exist in the cluster."""
    where = f"namespace `{namespace}`" if namespace else f"the {owner}'s namespace"
    return (
        f"no NetworkAttachmentDefinition `{reference(namespace, name)}` among the items: make sure it exists in "
        f"{where} in the cluster, or {waiting} stays in ContainerCreating"
    )
