"""Who attaches to which network: every network reference of the pods, pod templates and KubeVirt VMs
among the items, with how many pods use it at once and the node they are pinned to.

Why one module: the host-local, network-lookup, network-attachment and kubevirt checks ask the
same questions of the same references; reading them once per run, in one place, keeps them linear
in the number of items and makes them agree on what a workload asks for. Items that hold neither
annotation nor VM networks are skipped by a text test before they are parsed, and annotations over
Kubernetes' size limit are not read (networkSelection reports them).
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import selection, workloads
from krm_multus.sdk import lookups
from krm_multus.sdk.perrun import PerRun
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.yamledit import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

HOSTNAME_LABEL = "kubernetes.io/hostname"
# kind -> where the number of pods running at once is kept (absent: 1)
POD_COUNTS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "replicas"),
    "StatefulSet": ("spec", "replicas"),
    "ReplicaSet": ("spec", "replicas"),
    "Job": ("spec", "parallelism"),
}
ON_EVERY_NODE = -1  # a DaemonSet's pod count


class Attachment(Record):
    """One network a workload asks for."""

    __slots__ = ()

    item: Item
    path: Path  # where the reference is written
    label: str  # how messages name the reference
    name: str
    namespace: str  # as written; "" means the workload's
    pods: int  # pods using it at once; ON_EVERY_NODE for a DaemonSet
    node: str  # the one node the pods are pinned to, "" when they may run anywhere
    network: str = ""  # a VM's name for the network (`spec.networks[].name`); "" for a pod's reference

    @property
    def resolved_namespace(self) -> str:
        """The namespace Multus looks the network up in: the reference's own, else the workload's."""
        return self.namespace or self.item.namespace

    @property
    def workload(self) -> str:
        return f"{self.item.kind} `{'/'.join(part for part in (self.item.namespace, self.item.name) if part)}`"


def attachments(items: list[Item]) -> tuple[Attachment, ...]:
    """Every network reference among the items, in item order (read once per run: see `perrun`)."""
    return _ATTACHMENTS(items)


def _attachments(items: list[Item]) -> tuple[tuple[Attachment, ...], list[Item]]:
    """The references, and the workloads and VMs they were read from."""
    found: list[Attachment] = []
    read: list[Item] = []
    for item in items:
        if item.is_local_config:
            continue
        if selection.ANNOTATION in item.source and (template := workloads.pod_template(item)) is not None:
            found.extend(_pod_networks(item, template))
        elif "multus" in item.source and (spec_path := workloads.vm_spec(item)) is not None:
            found.extend(_vm_networks(item, spec_path))
        else:
            continue
        read.append(item)
    return tuple(found), read


_ATTACHMENTS = PerRun(_attachments)


def _pod_networks(item: Item, template: Path) -> Iterator[Attachment]:
    """The pod's networks; none where its annotations are over the size the API server takes."""
    annotations = lookups.get(item.data, (*template, *selection.ANNOTATIONS))
    if not isinstance(annotations, dict) or selection.oversize(annotations) is not None:
        return
    path = (*template, *selection.ANNOTATIONS, selection.ANNOTATION)
    pods, node = _pods(item), pinned_node(lookups.get(item.data, (*template, "spec")))
    for found in selection.parse(annotations.get(selection.ANNOTATION)):
        if isinstance(found, selection.Selection):
            yield Attachment(item, path, found.label, found.name, found.namespace, pods, node)


def _vm_networks(item: Item, spec_path: Path) -> Iterator[Attachment]:
    spec = lookups.get(item.data, spec_path)
    node = pinned_node(spec)
    for name, network in lookups.by_name(lookups.get(spec, ("networks",))).items():
        reference = lookups.get(network, ("multus", "networkName"))
        if not isinstance(reference, str) or not reference:
            continue
        namespace, _, nad_name = reference.rpartition("/")
        path = (*spec_path, "networks", {"name": name}, "multus", "networkName")
        yield Attachment(item, path, f"network `{name}` (`{reference}`)", nad_name, namespace, 1, node, name)


def _pods(item: Item) -> int:
    if item.kind == "DaemonSet":
        return ON_EVERY_NODE
    where = POD_COUNTS.get(item.kind)
    count = lookups.get(item.data, where) if where else None
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else 1


def pinned_node(pod_spec: Any) -> str:
    """The single node a pod spec (or VMI spec) is bound to: `nodeName`, a `kubernetes.io/hostname`
    node selector, or one required node-affinity term naming one host; "" when it may run elsewhere."""
    if not isinstance(pod_spec, dict):
        return ""
    for found in (pod_spec.get("nodeName"), lookups.get(pod_spec, ("nodeSelector", HOSTNAME_LABEL))):
        if isinstance(found, str) and found:
            return found
    terms = lookups.get(
        pod_spec, ("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
    )
    if not isinstance(terms, list) or len(terms) != 1 or not isinstance(terms[0], dict):
        return ""
    expressions = [entry for entry in lookups.as_list(terms[0].get("matchExpressions")) if isinstance(entry, dict)]
    for expression in expressions:
        values = expression.get("values")
        if (
            expression.get("key") == HOSTNAME_LABEL
            and expression.get("operator") == "In"
            and isinstance(values, list)
            and len(values) == 1
            and isinstance(values[0], str)
        ):
            return values[0]
    return ""
