"""Where pods, pod templates and KubeVirt VMs keep the fields the checks read.

Why: the annotation and KubeVirt checks must find a pod's metadata or a VM's networks in the same
places for every kind, and must decide that from the item's kind alone, without parsing items that
are neither.
"""

from __future__ import annotations

from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.yamledit import Path

TEMPLATE: Path = ("spec", "template")
# kind -> (API group, path to the pod template); a Pod is its own template.
POD_TEMPLATES: dict[str, tuple[str, Path]] = {
    "Deployment": ("apps", TEMPLATE),
    "StatefulSet": ("apps", TEMPLATE),
    "DaemonSet": ("apps", TEMPLATE),
    "ReplicaSet": ("apps", TEMPLATE),
    "Job": ("batch", TEMPLATE),
    "CronJob": ("batch", ("spec", "jobTemplate", "spec", "template")),
}
KUBEVIRT = "kubevirt.io"
# kind -> path to the VMI spec (the one holding `networks` and `domain`).
VM_SPECS: dict[str, Path] = {
    "VirtualMachine": ("spec", "template", "spec"),
    "VirtualMachineInstance": ("spec",),
}
VM_INTERFACES: Path = ("domain", "devices", "interfaces")  # inside the VMI spec


def pod_template(item: Item) -> Path | None:
    """The path to the pod (its `metadata` and `spec`) inside `item`; None for kinds that make no pods."""
    if item.kind == "Pod":
        return () if item.api_version == "v1" else None
    found = POD_TEMPLATES.get(item.kind)
    return found[1] if found is not None and item.is_a(item.kind, found[0]) else None


def vm_interface(spec_path: Path, name: str, binding: str) -> Path:
    """Where the binding (`bridge`, `masquerade`, ...) of VM interface `name` is, below the VMI spec at `spec_path`."""
    return (*spec_path, *VM_INTERFACES, {"name": name}, binding)


def vm_spec(item: Item) -> Path | None:
    """The path to the VMI spec inside a KubeVirt VirtualMachine or VirtualMachineInstance, else None."""
    found = VM_SPECS.get(item.kind)
    return found if found is not None and item.is_a(item.kind, KUBEVIRT) else None
