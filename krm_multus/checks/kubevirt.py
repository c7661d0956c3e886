"""kubevirt: KubeVirt VMs must not put a `bridge` binding on a macvlan or ipvlan network.

Why: the `bridge` binding moves the MAC address of the pod's interface into the VM and leaves the
pod interface with another one; macvlan and ipvlan need the pod interface to keep its original
address. KubeVirt lists both as invalid CNIs for bridge interfaces
(https://kubevirt.io/user-guide/network/interfaces_and_networks/#invalid-cnis-for-secondary-networks,
kubevirt#5483, kubevirt#7001): the VM starts, but its secondary network does not pass traffic.

For each `kubevirt.io` VirtualMachine (`spec.template.spec`) and VirtualMachineInstance (`spec`):
every interface in `domain.devices.interfaces` pairs with the network of the same name in
`networks`. When that network is a Multus one (`multus.networkName`, `name` or `namespace/name`,
no namespace meaning the VM's), its NetworkAttachmentDefinition is looked up among the items:
- a NAD whose plugin (top level, or any plugin of a conflist) is macvlan or ipvlan, under an
  interface with `bridge`, is an error: use a NAD of type `bridge` instead (the Talos guide's
  example adds `"disableContainerInterface": true`);
- a NAD that is not among the items is a warning: it may exist in the cluster. When a network
  without a namespace is among the items only in other namespaces, the warning names them and the
  qualified `networkName` to write (Multus looks in the VM's namespace, never in `default`).

Passing: interface `{name: lan, bridge: {}}`, network `{name: lan, multus: {networkName: br-lan}}`,
NAD `br-lan` with `"type": "bridge"`.

Failing (the same VM on a macvlan NAD):

    interface `lan` has the `bridge` binding on Multus network `lan`, whose NetworkAttachmentDefinition
    `vms/lan` uses macvlan: ...
    use a NetworkAttachmentDefinition of type `bridge` for this network, or another binding
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import workloads
from krm_multus.attachments import Attachment, attachments
from krm_multus.nad import Index, reference
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "kubevirt"
LIMITATION = "https://kubevirt.io/user-guide/network/interfaces_and_networks/#invalid-cnis-for-secondary-networks"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    index: Index | None = None
    for attachment in attachments(items):
        if not attachment.network:  # a pod's reference: the networkSelection check's
            continue
        if index is None:
            index = Index.of(items)
        yield from _check(attachment, index, report)


def _check(attachment: Attachment, index: Index, report: Reporter) -> Iterator[Result]:
    vm, name = attachment.item, attachment.network
    spec_path = workloads.vm_spec(vm)
    assert spec_path is not None  # attachments found the network there
    interface = lookups.by_name(lookups.get(vm.data, (*spec_path, *workloads.VM_INTERFACES))).get(name)
    if interface is None:
        return
    nad = index.find(attachment.name, attachment.resolved_namespace)
    if nad is None:
        yield report(
            vm,
            attachment.path,
            index.missing(
                attachment.name,
                attachment.resolved_namespace,
                bool(attachment.namespace),
                "VM",
                "the VM's launcher pod",
            ),
            "warning",
        )
        return
    kinds = nad.macvlan_like()
    if "bridge" in interface and kinds:
        network_name = reference(attachment.namespace, attachment.name)
        yield report(
            vm,
            workloads.vm_interface(spec_path, name, "bridge"),
            (
                f"interface `{name}` has the `bridge` binding on Multus network `{network_name}`, whose "
                f"NetworkAttachmentDefinition `{nad.ref}` uses {kinds[0]}: the bridge binding moves the pod "
                f"interface's MAC address to the VM, and {kinds[0]} needs the pod interface to keep it, so the VM "
                f"gets no traffic (KubeVirt limitation: {LIMITATION}); use a NetworkAttachmentDefinition of type "
                "`bridge` for this network, or another binding"
            ),
        )
