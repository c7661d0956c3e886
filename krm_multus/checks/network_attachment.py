"""networkAttachment: the CNI config of every NetworkAttachmentDefinition (`k8s.cni.cncf.io/v1`).

Why: the API server stores `spec.config` as an opaque string. A typo in it is only found when a pod
that uses the network is scheduled; the pod then stays in `ContainerCreating` with a CNI error in
its events. This check reads the config the way Multus and the reference plugins read it.

Rules (results point at `spec.config`; the message names the JSON key inside it, e.g.
`spec.config: ipam.rangeEnd`):
- `spec.config` is a string holding a JSON object: one CNI config with a `type`, or a conflist whose
  `plugins` is a non-empty list of objects that each have a `type`. No `spec.config` at all is a
  warning: Multus then needs a CNI config file of that name on every node.
- `cniVersion` is a released CNI version (0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0); a
  missing one is a warning (plugins then read the config as 0.1.0).
- macvlan and ipvlan: `master` names the host interface (a warning when it is missing: the plugin
  then takes the interface of the node's default route); `mode` is one the plugin knows. A bridge's
  `bridge` and a `master` are valid Linux interface names.
- host-local IPAM, in the single-range form (`ipam.subnet`, ...) and in `ipam.ranges`: `subnet` is a
  CIDR with room for addresses (a warning when it has host bits set); `rangeStart`, `rangeEnd` and
  `gateway` are addresses inside it, of its family, and `rangeStart` <= `rangeEnd`; ranges do not
  overlap; every `routes[].dst` is a CIDR and every `routes[].gw` an address.
- A config without `type` that holds only IPAM settings (kept for other tools to read) is an info
  while no pod, pod template or KubeVirt VM among the items attaches it, and an error once one does.
- Flux `postBuild` placeholders (`${VAR}`, `${VAR:=default}`) are not values yet: a field holding one
  is not judged, a config that is JSON once they are filled in (`"vlan": ${VLAN_ID}`) is not an
  error, and one info per NAD names the variables left unchecked.
- A config `name` that differs from `metadata.name` is a warning (the spec recommends they match;
  host-local keeps its leases under the config name).

Passing:

    kind: NetworkAttachmentDefinition
    metadata: {name: lan}
    spec:
      config: |
        {"cniVersion": "1.0.0", "name": "lan", "type": "macvlan", "master": "eth1",
         "ipam": {"type": "host-local", "subnet": "192.168.10.0/24",
                  "rangeStart": "192.168.10.100", "rangeEnd": "192.168.10.199"}}

Failing (`rangeEnd` before `rangeStart`):

    `spec.config: ipam.rangeEnd` 192.168.10.50 comes before the start of the range, 192.168.10.100:
    the range is empty; swap them
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator

from krm_multus import netvalues
from krm_multus.attachments import attachments
from krm_multus.nad import CONFIG_PATH, Index, Nad, Plugin, is_conflist, read_config
from krm_multus.sdk import lookups
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result
from krm_multus.wording import show

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "networkAttachment"
CNI_VERSIONS = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
MODES = {"macvlan": ("bridge", "private", "vepa", "passthru"), "ipvlan": ("l2", "l3", "l3s")}
RANGE_ADDRESSES = ("rangeStart", "rangeEnd", "gateway")
RANGE_KEYS = ("subnet", *RANGE_ADDRESSES)
ON_NODE_CONFIG_DIR = "/etc/cni/multus/net.d"
# The steps of a key as problems name it: `plugins[0].ipam.ranges[1][0].subnet`.
_KEY_PARTS = re.compile(r"[^.\[\]]+|\[\d+\]")

# A problem inside spec.config: (the JSON key, what is wrong and what to do, weight).
Problem = tuple[str, str, str]
# The first and last address host-local hands out from a range.
Bounds = tuple["netvalues.Address", "netvalues.Address"]


class Range(Record):
    """One host-local range: where it is (a key prefix), its keys, and its range set (-1: the single range)."""

    __slots__ = ()

    where: str
    keys: dict[str, Any]
    range_set: int

    @property
    def name(self) -> str:
        return self.where.rstrip(".")


def apply(items: list[Item], config: dict[str, Any], report: Reporter) -> Iterator[Result]:
    attached = Attachments(items)
    for nad in Index.of(items):
        yield from _check(nad, report, attached)


class Attachments:
    """Which NADs the workloads among the items attach; read once, and only when a rule asks."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self._found: dict[str, set[str]] | None = None

    def __contains__(self, nad: Nad) -> bool:
        if self._found is None:
            self._found = {}
            for attachment in attachments(self.items):
                self._found.setdefault(attachment.name, set()).add(attachment.resolved_namespace)
        namespaces = self._found.get(nad.name, set())
        return nad.namespace in namespaces or bool(namespaces and (not nad.namespace or "" in namespaces))


def _check(nad: Nad, report: Reporter, attached: Attachments) -> Iterator[Result]:
    parsed = nad.config
    if not parsed.present:
        yield report(
            nad.item,
            CONFIG_PATH,
            (
                f"no `spec.config`: Multus then needs a CNI config named `{nad.name}` in {ON_NODE_CONFIG_DIR} "
                "on every node, or pods using this network stay in ContainerCreating; put the CNI config JSON "
                "in `spec.config`"
            ),
            "warning",
        )
        return
    raw = lookups.get(nad.item.data, CONFIG_PATH)
    variables = netvalues.placeholders(raw)
    # A placeholder where JSON wants a number (`"vlan": ${VLAN_ID}`) is JSON once Flux fills it in.
    readable_filled = (
        isinstance(raw, str) and bool(variables) and read_config(netvalues.fill(raw, "0")).value is not None
    )
    if parsed.value is None and not readable_filled:
        yield report(nad.item, CONFIG_PATH, f"`spec.config` {parsed.problem}")
        return
    for key, message, weight in _problems(nad, parsed.value, attached) if parsed.value is not None else ():
        if not _holds_placeholder(parsed.value, key, message):
            yield report(nad.item, CONFIG_PATH, f"`spec.config: {key}` {message}", weight)
    if variables:
        yield report(nad.item, CONFIG_PATH, f"`spec.config` {netvalues.unchecked(variables)}", "info")


def _holds_placeholder(config: dict[str, Any], key: str, message: str) -> bool:
    """Whether a problem judges a Flux placeholder: the field it names holds one, or it shows one."""
    path = tuple(int(part[1:-1]) if part.startswith("[") else part for part in _KEY_PARTS.findall(key))
    value = lookups.get(config, path)
    return "${" in message or (isinstance(value, str) and "${" in value)


def _problems(nad: Nad, config: dict[str, Any], attached: Attachments) -> Iterator[Problem]:
    yield from _version(config)
    if is_conflist(config):
        yield from _plugin_list(config["plugins"])
    elif not config.get("type") and "ipam" in config and nad not in attached:
        yield (
            "type",
            "is missing: this NetworkAttachmentDefinition holds only IPAM settings and no workload among the "
            "items attaches it, so nothing breaks now; a pod that attaches it fails until `type` names a plugin",
            "info",
        )
    elif not config.get("type"):
        yield (
            "type",
            "is missing: name the CNI plugin (for example `bridge` or `macvlan`), or list the "
            "plugins of a conflist in `plugins`",
            "error",
        )
    for plugin in nad.plugins():
        yield from _plugin(plugin)
    name = config.get("name")
    if name is not None and name != nad.name:
        yield (
            "name",
            f"is `{name}` but the NetworkAttachmentDefinition is `{nad.name}`: make them equal (the "
            "spec recommends it, and host-local keeps its leases under the config name)",
            "warning",
        )


def _version(config: dict[str, Any]) -> Iterator[Problem]:
    versions = config.get("cniVersions")
    if versions is not None and is_conflist(config):
        entries = versions if isinstance(versions, list) else [versions]
        for index, version in enumerate(entries):
            yield from _released(f"cniVersions[{index}]", version)
    if "cniVersion" in config:
        yield from _released("cniVersion", config["cniVersion"])
    elif versions is None:
        yield (
            "cniVersion",
            "is missing: plugins then read the config as CNI 0.1.0 (no chained plugins, one "
            'address per family); set it, for example to "1.0.0"',
            "warning",
        )


def _released(key: str, version: Any) -> Iterator[Problem]:
    if version not in CNI_VERSIONS:
        yield (
            key,
            f"{show(version)} is not a released CNI version ({', '.join(CNI_VERSIONS)}): use one of "
            'them, for example "1.0.0"',
            "error",
        )


def _plugin_list(plugins: Any) -> Iterator[Problem]:
    if not isinstance(plugins, list) or not plugins:
        yield (
            "plugins",
            f"is {show(plugins)}: a conflist needs a non-empty list of plugin configs, each with a `type`",
            "error",
        )
        return
    for index, plugin in enumerate(plugins):
        if not isinstance(plugin, dict):
            yield (
                f"plugins[{index}]",
                f'is {show(plugin)}, not an object: write the plugin config as `{{"type": ...}}`',
                "error",
            )
        elif not plugin.get("type"):
            yield (
                f"plugins[{index}].type",
                "is missing: name the CNI plugin of this step (for example `tuning`)",
                "error",
            )


def _plugin(plugin: Plugin) -> Iterator[Problem]:
    at, conf = plugin.where, plugin.conf
    if "type" in conf and not isinstance(conf["type"], str):
        yield (f"{at}type", f"is {show(conf['type'])}: it must be the plugin's name, a string", "error")
    if plugin.type in MODES:
        yield from _macvlan_like(plugin)
    if plugin.type == "bridge" and "bridge" in conf:
        yield from _interface_name(f"{at}bridge", conf["bridge"], "name the bridge so Linux accepts it, e.g. `br0`")
    ipam = conf.get("ipam")
    if ipam is not None and not isinstance(ipam, dict):
        yield (f"{at}ipam", f'is {show(ipam)}, not an object: write `{{"type": "host-local", ...}}`', "error")
    elif plugin.ipam_type == "host-local":
        yield from _host_local(f"{at}ipam.", ipam)


def _macvlan_like(plugin: Plugin) -> Iterator[Problem]:
    at, conf, kind = plugin.where, plugin.conf, plugin.type
    if conf.get("master") in (None, ""):
        yield (
            f"{at}master",
            f"is not set: {kind} then attaches to the interface of the node's default route; "
            "name the host interface to use (for example `eth1`, a bond or a VLAN)",
            "warning",
        )
    else:
        yield from _interface_name(f"{at}master", conf["master"], "name an interface of the node")
    mode = conf.get("mode")
    if mode not in (None, "", *MODES[kind]):
        yield (f"{at}mode", f"{show(mode)} is not a mode of {kind}: use one of {', '.join(MODES[kind])}", "error")


def _interface_name(key: str, value: Any, fix: str) -> Iterator[Problem]:
    problem = netvalues.interface_name_problem(value) if isinstance(value, str) else "is not a string"
    if problem:
        yield (key, f"{show(value)} {problem}: {fix}", "error")


def _host_local(at: str, ipam: dict[str, Any]) -> Iterator[Problem]:
    ranges: list[Range] = []
    if any(key in ipam for key in RANGE_KEYS):
        ranges.append(Range(at, ipam, -1))
    raw = ipam.get("ranges")
    if raw is not None:
        yield from _range_sets(f"{at}ranges", raw, ranges)
    elif not ranges:
        yield (
            at.rstrip("."),
            "has no `subnet` and no `ranges`: host-local needs the subnet to allocate addresses from",
            "error",
        )
    bounds: list[tuple[Range, Bounds]] = []
    for entry in ranges:
        found = yield from _range(entry.where, entry.keys)
        if found is not None:
            bounds.append((entry, found))
    yield from _families(bounds)
    yield from _overlaps(bounds)
    yield from _routes(f"{at}routes", ipam.get("routes"))


def _range_sets(at: str, raw: Any, ranges: list[Range]) -> Iterator[Problem]:
    """Collect the ranges of `ipam.ranges` (a list of range sets, each a list of ranges) into `ranges`."""
    if not isinstance(raw, list) or not raw:
        yield (
            at,
            f'is {show(raw)}: write a list of range sets, each a list of ranges (`[[{{"subnet": ...}}]]`)',
            "error",
        )
        return
    for index, range_set in enumerate(raw):
        if not isinstance(range_set, list) or not range_set:
            yield (
                f"{at}[{index}]",
                f'is {show(range_set)}: a range set is a non-empty list of ranges (`[{{"subnet": ...}}]`)',
                "error",
            )
            continue
        for position, entry in enumerate(range_set):
            where = f"{at}[{index}][{position}]"
            if isinstance(entry, dict):
                ranges.append(Range(where + ".", entry, index))
            else:
                yield (where, f'is {show(entry)}, not a range object (`{{"subnet": ...}}`)', "error")


def _range(at: str, entry: dict[str, Any]) -> Generator[Problem, None, Bounds | None]:
    """Check one range; return its first and last allocatable address, or None when it is unusable."""
    subnet = entry.get("subnet")
    network = netvalues.network(subnet)
    if network is None:
        what = "is missing" if subnet is None else f"{show(subnet)} is not a CIDR"
        yield (f"{at}subnet", f'{what}: give the subnet to allocate from, for example "192.168.10.0/24"', "error")
        return None
    if network.max_prefixlen - network.prefixlen < 2:
        yield (
            f"{at}subnet",
            f"{subnet} is too small to allocate from: host-local needs at least a /30 (IPv4) or a /126 (IPv6)",
            "error",
        )
        return None
    if netvalues.interface(subnet).ip != network.network_address:
        yield (f"{at}subnet", f"{subnet} has host bits set: write the network address, {network}", "warning")
    first = network.network_address + 1
    last = network.broadcast_address - (1 if network.version == 4 else 0)
    found: dict[str, Any] = {}
    for key in RANGE_ADDRESSES:
        if key not in entry:
            continue
        value = entry[key]
        address = netvalues.address(value)
        if address is None:
            yield (f"{at}{key}", f"{show(value)} is not an IP address", "error")
        elif address.version != network.version:
            yield (
                f"{at}{key}",
                f"{value} is an IPv{address.version} address in an IPv{network.version} `subnet` "
                f"({network}): pick an address inside the subnet",
                "error",
            )
        elif address not in network:
            yield (f"{at}{key}", f"{value} is outside `subnet` {network}: pick an address inside it", "error")
        else:
            found[key] = address
    start, end = found.get("rangeStart", first), found.get("rangeEnd", last)
    if start > end and "rangeEnd" in found:
        fix = "swap them" if "rangeStart" in found else "pick a higher address"
        yield (
            f"{at}rangeEnd",
            f"{end} comes before the start of the range, {start}: the range is empty; {fix}",
            "error",
        )
    elif start > end:
        yield (
            f"{at}rangeStart",
            f"{start} is past the last address host-local hands out in {network} ({end}): pick a lower address",
            "error",
        )
    return (start, end) if start <= end else None


def _families(bounds: list[tuple[Range, Bounds]]) -> Iterator[Problem]:
    """host-local wants one address family per range set."""
    first: dict[int, tuple[Range, int]] = {}  # range set -> its first range and that range's family
    for entry, (start, _) in bounds:
        if entry.range_set < 0:
            continue
        other, family = first.setdefault(entry.range_set, (entry, start.version))
        if family != start.version:
            yield (
                entry.name,
                f"is IPv{start.version} but `{other.name}` in the same range set is IPv{family}: "
                "host-local wants one address family per range set; put this range in a set of its own",
                "error",
            )


def _overlaps(bounds: list[tuple[Range, Bounds]]) -> Iterator[Problem]:
    for index, (entry, (start, end)) in enumerate(bounds):
        for other, (other_start, other_end) in bounds[:index]:
            if start.version == other_start.version and start <= other_end and other_start <= end:
                yield (
                    entry.name,
                    f"({start} to {end}) overlaps `{other.name}` ({other_start} to {other_end}): "
                    "host-local refuses overlapping ranges; make them disjoint",
                    "error",
                )
                break


def _routes(at: str, routes: Any) -> Iterator[Problem]:
    if routes is None:
        return
    if not isinstance(routes, list):
        yield (at, f'is {show(routes)}: write a list of routes (`[{{"dst": "0.0.0.0/0"}}]`)', "error")
        return
    for index, route in enumerate(routes):
        where = f"{at}[{index}]"
        if not isinstance(route, dict):
            yield (where, f'is {show(route)}, not a route object (`{{"dst": ...}}`)', "error")
            continue
        if netvalues.network(route.get("dst")) is None:
            what = "is missing" if "dst" not in route else f"{show(route['dst'])} is not a CIDR"
            yield (f"{where}.dst", f'{what}: give the destination, for example "0.0.0.0/0"', "error")
        if "gw" in route and netvalues.address(route["gw"]) is None:
            yield (f"{where}.gw", f"{show(route['gw'])} is not an IP address", "error")
