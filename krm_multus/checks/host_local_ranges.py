"""hostLocalRanges: a `host-local` range shared by pods on different nodes hands out the same address twice.

Why: `host-local` keeps its leases in files on each node and knows nothing of the other nodes. A
macvlan, ipvlan or bridge network joins the pods of every node on one layer-2 segment, so one
range used on two nodes gives two pods the same address, and both lose traffic (multus-cni #1150,
#640, #278). The NAD applies cleanly and the first pods work: the clash comes with the second node.

For each NetworkAttachmentDefinition whose macvlan, ipvlan or bridge plugin (a conflist's too) has
`ipam.type: host-local` with a fixed range (`subnet` or `ranges`), the pods, pod templates and
KubeVirt VMs among the items that attach to it (the `k8s.v1.cni.cncf.io/networks` annotation,
`multus.networkName`; no namespace means the workload's) are counted:
- pods on more than one node at once (a DaemonSet, more than one replica or pod, or workloads
  pinned to different nodes) are a warning naming the range, with the alternatives: whereabouts
  IPAM (cluster-wide leases), one NAD per node with its own range, or `dhcp` IPAM;
- all users pinned to one node (`nodeName`, a `kubernetes.io/hostname` node selector or a single
  required node-affinity host), or a single pod (a single-address range with one replica) pass;
- a NAD no workload among the items uses is not reported: the items cannot tell where it runs.

Passing: a macvlan NAD with `"ipam": {"type": "host-local", "subnet": "192.168.10.0/24"}` used by
a Deployment with `replicas: 1`, or by a DaemonSet with `nodeSelector: {kubernetes.io/hostname: n1}`.

Failing (the same NAD used by a Deployment with `replicas: 3`):

    `spec.config: ipam` host-local hands out 192.168.10.0/24 on each node on its own, and the pods
    of Deployment `apps/web` (3 pods) attach to this macvlan network on more than one node: ...
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus.attachments import ON_EVERY_NODE, Attachment, attachments
from krm_multus.nad import CONFIG_PATH, Index, Nad, Plugin
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "hostLocalRanges"
SHARED_SEGMENT = ("macvlan", "ipvlan", "bridge")
SHOWN_USERS = 3


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    nads = Index.of(items)
    ranged = {id(nad): plugin for nad in nads for plugin in nad.host_local() if _fixed_range(plugin)}
    if not ranged:
        return
    users: dict[int, dict[int, Attachment]] = {}  # NAD -> workload -> one of its references
    for attachment in attachments(items):
        nad = nads.find(attachment.name, attachment.resolved_namespace)
        if nad is not None and id(nad) in ranged:
            users.setdefault(id(nad), {}).setdefault(id(attachment.item), attachment)
    for nad in nads:
        found = list(users.get(id(nad), {}).values())
        if found and _on_several_nodes(found):
            yield _finding(nad, ranged[id(nad)], found, report)


def _fixed_range(plugin: Plugin) -> bool:
    return plugin.type in SHARED_SEGMENT and ("subnet" in plugin.ipam or "ranges" in plugin.ipam)


def _on_several_nodes(users: list[Attachment]) -> bool:
    nodes = {user.node for user in users}
    if any(user.pods == ON_EVERY_NODE and not user.node for user in users):
        return True
    pods = sum(1 if user.pods == ON_EVERY_NODE else user.pods for user in users)
    return len(nodes - {""}) > 1 or ("" in nodes and pods > 1)


def _finding(nad: Nad, plugin: Plugin, users: list[Attachment], report: Reporter) -> Result:
    shown = ", ".join(f"{user.workload} ({_count(user)})" for user in users[:SHOWN_USERS])
    more = f" and {len(users) - SHOWN_USERS} more" if len(users) > SHOWN_USERS else ""
    return report(
        nad.item,
        CONFIG_PATH,
        (
            f"`spec.config: {plugin.where}ipam` host-local hands out {_ranges(plugin.ipam)} on each node on "
            f"its own, and the pods of {shown}{more} attach to this {plugin.type} network on more than one node: "
            "pods on different nodes get the same address; use whereabouts IPAM (one cluster-wide pool), one "
            "NetworkAttachmentDefinition per node with its own range, or `dhcp` IPAM"
        ),
        "warning",
    )


def _count(user: Attachment) -> str:
    where = f"pinned to {user.node}" if user.node else ""
    pods = "on every node" if user.pods == ON_EVERY_NODE else f"{user.pods} pod{'s' if user.pods != 1 else ''}"
    return f"{pods}, {where}" if where else pods


def _ranges(ipam: dict[str, Any]) -> str:
    """The ranges as users wrote them: `subnet` with its start and end where given."""
    entries = [ipam] if "subnet" in ipam else []
    entries += [
        entry
        for range_set in lookups.as_list(ipam.get("ranges"))
        for entry in lookups.as_list(range_set)
        if isinstance(entry, dict)
    ]
    texts = []
    for entry in entries:
        bounds = [str(entry[key]) for key in ("rangeStart", "rangeEnd") if key in entry]
        texts.append(str(entry.get("subnet")) + (f" ({'-'.join(bounds)})" if bounds else ""))
    return ", ".join(texts) or "its range"
