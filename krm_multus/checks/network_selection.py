"""networkSelection: the `k8s.v1.cni.cncf.io/networks` annotation of pods and pod templates.

Why: Multus reads the annotation only when the pod's sandbox is created. A value it cannot parse,
or one that asks for two interfaces of the same name, leaves the pod in `ContainerCreating` with
the reason in its events, long after the manifests were applied.

Where: Pods (`metadata.annotations`), and the pod templates of Deployments, StatefulSets,
DaemonSets, ReplicaSets, Jobs (`spec.template.metadata.annotations`) and CronJobs
(`spec.jobTemplate.spec.template.metadata.annotations`). On a workload's own `metadata` the
annotation attaches nothing: an error that says where to move it.

The value is JSON when it contains `[`, `{` or `"` (as Multus decides), else a comma list of
`[namespace/]name[@interface]`. Rules, for both forms unless said:
- the value is a non-empty string; JSON is a list of objects, each with a `name`;
- names and namespaces are DNS-1123 labels; interface names are Linux names of at most 15
  characters, not `eth0` (the cluster network's), and no two networks get the same interface
  (a network without one gets `net<position>`, as Multus names it);
- JSON only: `namespace`, `interface`, `mac`, `infiniband-guid` are strings, `mac` a MAC address;
  `ips` a non-empty list of addresses (with an optional `/prefix`) and not together with
  `ipam-claim-reference`; `default-route` a list of addresses, on one network at most;
  `cni-args` an object; `portMappings` objects with ports 1-65535 and protocol TCP, UDP or SCTP;
  `bandwidth` non-zero integer rates, a burst only with its rate. A key without a `.` that the
  spec does not define is a warning (Multus ignores it; vendor keys are reverse-DNS, with dots).
- Flux `postBuild` placeholders (`${VAR}`, `${VAR:=default}`) are not values yet: a field holding
  one is not judged (nor is the NAD a name with one points at), and one info per item names the
  variables left unchecked.
- Each network should be a NetworkAttachmentDefinition among the items (resolved as Multus does:
  no namespace means the pod's); one that is not is a warning, since it may exist in the cluster.
  When a network without a namespace is among the items only in other namespaces, the warning
  names them and the qualified reference to write: Multus looks in the pod's namespace, never in
  `default` (multus-cni #337).
  When it is there, `bandwidth`, `portMappings` and `infiniband-guid` reach its plugins only if
  one declares that capability: a warning otherwise. `ips` and `mac` also reach every plugin as
  CNI_ARGS (`IP=<ips joined by ,>`, `MAC=<mac>`): no warning when a plugin declares the
  capability or reads the argument (static and host-local IPAM read `IP`; macvlan, bridge,
  tuning and tap read `MAC`; ipvlan, whereabouts and dhcp read neither). host-local parses `IP`
  as one address: more than one on a host-local network is a warning (the pod's ADD fails).
- A `gateway` (or `gw`, `defaultRoute`, ...) key is the default route misnamed: the advice is
  `default-route`, a list of gateway IPs.

Passing:

    k8s.v1.cni.cncf.io/networks: lan@lan0,storage/san
    k8s.v1.cni.cncf.io/networks: '[{"name": "lan", "interface": "lan0", "ips": ["192.168.10.5/24"]}]'

Failing (two networks on one interface):

    network 2 (`storage/san@lan0`) gets interface `lan0`, which network 1 (`lan@lan0`) already has:
    give each network its own interface name
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import netvalues, workloads
from krm_multus.nad import Index, MadeNad, Plugin
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result
from krm_multus.selection import ANNOTATION, ANNOTATIONS, ANNOTATIONS_LIMIT, Problem, Selection, oversize, parse
from krm_multus.wording import show

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "networkSelection"
PRIMARY_INTERFACE = "eth0"
# JSON keys of a network selection element and the type Multus unmarshals them into.
KEY_TYPES: dict[str, type] = {
    "name": str,
    "namespace": str,
    "interface": str,
    "ips": list,
    "mac": str,
    "infiniband-guid": str,
    "cni-args": dict,
    "portMappings": list,
    "bandwidth": dict,
    "default-route": list,
    "ipam-claim-reference": str,
    "deviceID": str,
    "interfaceRequest": str,
}
TYPE_NAMES = {str: "a string", list: "a list", dict: "an object"}
# Keys Multus hands to the plugins as CNI capabilities, and the capability's name.
CAPABILITIES = {
    "ips": "ips",
    "mac": "mac",
    "bandwidth": "bandwidth",
    "portMappings": "portMappings",
    "infiniband-guid": "infinibandGUID",
}
# Keys people write for the default route; Multus reads only `default-route` (GatewayRequest).
GATEWAY_KEYS = ("gateway", "gw", "defaultRoute", "default-gateway", "defaultGateway")
# Keys Multus also hands to every plugin of the NAD as CNI_ARGS (`IP=a,b`, `MAC=m`), and who reads
# them there (containernetworking/plugins): static IPAM reads `IP` (any number of CIDRs), host-local
# one address; macvlan, bridge, tuning and tap read `MAC`.
ARGS_READERS = {"ips": "static and host-local IPAM read `IP`", "mac": "macvlan, bridge, tuning and tap read `MAC`"}
MAC_ARG_PLUGINS = ("macvlan", "bridge", "tuning", "tap")
BANDWIDTH_RATES = {"ingressBurst": "ingressRate", "egressBurst": "egressRate"}
PROTOCOLS = ("tcp", "udp", "sctp")


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    index: Index | None = None
    for item in items:
        if ANNOTATION not in item.source:  # a text test first: most items are never parsed
            continue
        template = workloads.pod_template(item)
        if template is None or item.is_local_config:
            continue
        if index is None:
            index = Index.of(items)
        yield from _check(item, template, index, report)


def _check(item: Item, template: tuple[str, ...], index: Index, report: Reporter) -> Iterator[Result]:
    path = (*template, *ANNOTATIONS, ANNOTATION)
    annotations = lookups.get(item.data, (*template, *ANNOTATIONS))
    if not isinstance(annotations, dict) or ANNOTATION not in annotations:
        outer = lookups.get(item.data, ANNOTATIONS)
        if template and isinstance(outer, dict) and ANNOTATION in outer:
            yield report(
                item,
                (*ANNOTATIONS, ANNOTATION),
                (
                    f"Multus reads `{ANNOTATION}` from pods: on the {item.kind} itself it attaches nothing; move it "
                    f"to `{'.'.join((*template, *ANNOTATIONS))}`"
                ),
            )
        return
    size = oversize(annotations)
    if size is not None:
        yield report(
            item,
            path,
            f"the annotations hold {size} bytes, over Kubernetes' limit of {ANNOTATIONS_LIMIT} (256 KiB): the API "
            "server refuses this object; shorten them (the networks annotation was not checked)",
        )
        return
    selections = []
    for found in parse(annotations[ANNOTATION]):
        if isinstance(found, Selection):
            selections.append(found)
            for message, weight in _judged(found):
                yield report(item, path, message, weight)
        else:
            yield report(item, path, *found)
    for message, weight in _together(selections):
        yield report(item, path, message, weight)
    for selection in selections:
        for message, weight in _resolve(selection, item.namespace, index):
            yield report(item, path, message, weight)
    variables = netvalues.placeholders(annotations[ANNOTATION])
    if variables:
        yield report(item, path, f"the value {netvalues.unchecked(variables)}", "info")


def _judged(selection: Selection) -> Iterator[Problem]:
    """What is wrong with one network's keys and values (the JSON-only ones are not in the comma form)."""
    yield from _typed(selection.label, selection.request)
    yield from _names(selection)
    yield from _values(selection.label, selection.request)


def _typed(label: str, element: dict[str, Any]) -> Iterator[Problem]:
    """Keys of the wrong JSON type (Multus then rejects everything), and keys the spec does not know."""
    for key, value in element.items():
        wanted = KEY_TYPES.get(key)
        if wanted is not None and value is not None and not isinstance(value, wanted):
            yield (
                f"{label}: `{key}` is {show(value)}, not {TYPE_NAMES[wanted]}: Multus rejects the whole annotation",
                "error",
            )
        elif wanted is None and "." not in key:
            import difflib  # only for this rare finding: it would cost every run's start-up a millisecond

            close = ["default-route"] if key in GATEWAY_KEYS else difflib.get_close_matches(key, KEY_TYPES, n=1)
            fix = (
                f"did you mean `{close[0]}`?" + (" (a list of gateway IPs)" if key in GATEWAY_KEYS else "")
                if close
                else f"remove it, or use a reverse-DNS vendor key such as `org.example.{key}`"
            )
            yield (
                f"{label}: `{key}` is not a key the network selection spec defines, and Multus ignores it: {fix}",
                "warning",
            )


def _names(selection: Selection) -> Iterator[Problem]:
    label = selection.label
    for key, value in (("name", selection.name), ("namespace", selection.namespace)):
        problem = netvalues.label_problem(value) if value and not netvalues.placeholders(value) else None
        if problem:
            yield (f"{label}: {key} `{value}` {problem}", "error")
    if selection.interface and not netvalues.placeholders(selection.interface):
        problem = netvalues.interface_name_problem(selection.interface)
        if problem:
            yield (f"{label}: interface `{selection.interface}` {problem}: pick a name Linux accepts", "error")
        elif selection.interface == PRIMARY_INTERFACE:
            yield (
                f"{label}: interface `{PRIMARY_INTERFACE}` is the pod's cluster network interface: pick another "
                "name (for example `net1`)",
                "error",
            )


def _values(label: str, element: dict[str, Any]) -> Iterator[Problem]:
    """The JSON-only keys whose type is right: are their values what Multus and the plugins accept?"""
    ips = element.get("ips")
    if isinstance(ips, list):
        if not ips:
            yield (f"{label}: `ips` is an empty list: list the addresses to assign, or remove it", "warning")
        for position, text in enumerate(ips):
            if netvalues.interface(text) is None and netvalues.address(text) is None:
                yield (
                    f"{label}: `ips[{position}]` {show(text)} is not an IP address (with an optional `/prefix`)",
                    "error",
                )
        if "ipam-claim-reference" in element:
            yield (f"{label}: `ips` and `ipam-claim-reference` exclude each other: keep one", "error")
    for key in ("mac", "infiniband-guid"):
        if isinstance(element.get(key), str) and not netvalues.is_mac(element[key]):
            yield (
                f"{label}: `{key}` {show(element[key])} is not a hardware address (like `02:00:00:00:00:01`)",
                "error",
            )
    routes = element.get("default-route")
    for position, gateway in enumerate(routes if isinstance(routes, list) else []):
        if netvalues.address(gateway) is None:
            yield (f"{label}: `default-route[{position}]` {show(gateway)} is not a gateway IP address", "error")
    mappings = element.get("portMappings")
    for position, mapping in enumerate(mappings if isinstance(mappings, list) else []):
        yield from _port_mapping(f"{label}: `portMappings[{position}]`", mapping)
    bandwidth = element.get("bandwidth")
    if isinstance(bandwidth, dict):
        yield from _bandwidth(label, bandwidth)


def _port_mapping(where: str, mapping: Any) -> Iterator[Problem]:
    if not isinstance(mapping, dict):
        yield (f"{where} is {show(mapping)}, not an object with `hostPort` and `containerPort`", "error")
        return
    for key in ("hostPort", "containerPort"):
        port = mapping.get(key)
        if not _is_int(port) or not 1 <= port <= 65535:
            what = "is missing" if port is None else f"is {show(port)}"
            yield (f"{where}: `{key}` {what}: give a port from 1 to 65535", "error")
    protocol = mapping.get("protocol")
    if protocol is not None and (not isinstance(protocol, str) or protocol.lower() not in PROTOCOLS):
        yield (f"{where}: `protocol` {show(protocol)} is not TCP, UDP or SCTP", "error")


def _bandwidth(label: str, bandwidth: dict[str, Any]) -> Iterator[Problem]:
    for key in (*BANDWIDTH_RATES, *BANDWIDTH_RATES.values()):
        value = bandwidth.get(key)
        if value is not None and (not _is_int(value) or value == 0):
            yield (f"{label}: `bandwidth.{key}` is {show(value)}: rates and bursts are non-zero integers", "error")
    for burst, rate in BANDWIDTH_RATES.items():
        if burst in bandwidth and rate not in bandwidth:
            yield (f"{label}: `bandwidth.{burst}` is set without `{rate}`: set both or neither", "error")


def _together(selections: list[Selection]) -> Iterator[Problem]:
    """Rules across the networks of one pod: distinct interfaces, one default route."""
    interfaces: dict[str, str] = {}
    first_route = ""
    for position, selection in enumerate(selections, 1):
        interface = selection.interface or f"net{position}"
        taken = interfaces.get(interface)
        if taken:
            how = "" if selection.interface else " (the automatic name of its position)"
            yield (
                f"{selection.label} gets interface `{interface}`{how}, which {taken} already has: give each "
                "network its own interface name",
                "error",
            )
        interfaces.setdefault(interface, selection.label)
        if selection.request.get("default-route") is not None:
            if first_route:
                yield (
                    f"{selection.label} sets `default-route` as {first_route} does: a pod has one default "
                    "route; keep it on one network",
                    "error",
                )
            first_route = first_route or selection.label


def _resolve(selection: Selection, pod_namespace: str, index: Index) -> Iterator[Problem]:
    """The NAD the network names, when it is among the items; capabilities the request needs from it."""
    if not selection.name or any(
        netvalues.label_problem(name) for name in (selection.name, selection.namespace) if name
    ):
        return  # already reported: no NAD can have that name
    namespace = selection.namespace or pod_namespace
    found = index.find(selection.name, namespace)
    if found is None:
        missing = index.missing(selection.name, namespace, bool(selection.namespace), "pod", "the pod")
        yield (f"{selection.label}: {missing}", "warning")
        return
    plugins = found.plugins()
    declared = {
        name
        for plugin in plugins
        if isinstance(caps := plugin.conf.get("capabilities"), dict)
        for name, enabled in caps.items()
        if enabled is True
    }
    for key, capability in CAPABILITIES.items():
        value = selection.request.get(key)
        if key == "ips" and isinstance(value, list) and len(value) > 1 and "host-local" in _ipam_types(plugins):
            yield (
                f"{selection.label}: `ips` lists {len(value)} addresses, but host-local reads one from CNI_ARGS: "
                f"Multus passes `IP={','.join(map(str, value))}` and host-local fails to parse it; request one "
                f"address on NetworkAttachmentDefinition `{found.ref}`, or use static IPAM",
                "warning",
            )
            continue
        if not isinstance(value, KEY_TYPES[key]) or capability in declared or _reads_args(key, plugins):
            continue
        if key in ARGS_READERS:
            why = (
                f"no plugin of NetworkAttachmentDefinition `{found.ref}` uses it: none declares the `{capability}` "
                f"capability, and none reads it from CNI_ARGS ({ARGS_READERS[key]})"
            )
        else:
            why = (
                f"it reaches the plugins only as the `{capability}` capability, which no plugin of "
                f"NetworkAttachmentDefinition `{found.ref}` declares"
            )
        where = found.source if isinstance(found, MadeNad) else "the `capabilities` of the plugin that should use it"
        yield (f'{selection.label}: `{key}` is ignored: {why}; add `"{capability}": true` to {where}', "warning")


def _ipam_types(plugins: list[Plugin]) -> set[str]:
    return {plugin.ipam_type for plugin in plugins}


def _reads_args(key: str, plugins: list[Plugin]) -> bool:
    """Whether a plugin reads the request from the CNI_ARGS Multus sets (`IP=`, `MAC=`) without a capability."""
    if key == "ips":
        return bool(_ipam_types(plugins) & {"static", "host-local"})
    return key == "mac" and any(plugin.type in MAC_ARG_PLUGINS for plugin in plugins)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
