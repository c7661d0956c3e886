"""ciliumDatapath: Cilium settings that break KubeVirt VMs and host bridges once everything runs.

Why: these configs apply cleanly, and the VMs or nodes only lose traffic later, in ways that do not
point at Cilium. The settings are read from every Cilium source among the items: the
`cilium-config` ConfigMap (its keys) and the values of a Flux HelmRelease or Argo CD Application of
the `cilium` chart (the last place that sets a value wins, as Helm merges them). A setting no
source shows is taken at its default; when that default cannot show the problem, nothing is said.

- KubeVirt VMs among the items, kube-proxy replacement on (`kubeProxyReplacement`,
  `kube-proxy-replacement`) and socket load-balancing not limited to the host namespace
  (`socketLB.hostNamespaceOnly` / `bpf-lb-sock-hostns-only` not true): a warning on the Cilium
  source (cilium PR #17847: the guest's connections never pass the socket hooks in the
  virt-launcher pod, so services must be load-balanced per packet there).
- A VM interface with the `masquerade` binding while Cilium uses eBPF host routing (kube-proxy
  replacement and BPF masquerading on, `bpf.hostLegacyRouting` / `enable-host-legacy-routing` not
  true): a warning on the VM (cilium #32026), fixed by `bpf.hostLegacyRouting: true`.
- With `spec.talos.version` set, a bridge that NetworkAttachmentDefinitions use (the Talos bridge
  that holds the node's NIC) is missed by Cilium `devices` (unset: the auto-detection skips bridge
  devices) or by the `spec.interfaces` patterns of a `CiliumL2AnnouncementPolicy`: an info, since
  the items cannot show whether the node's address sits on the bridge; when it does, tunnel routing
  and L2 announcements stop (siderolabs/talos #10411).

Passing: `cilium-config` with `kube-proxy-replacement: "true"` and `bpf-lb-sock-hostns-only:
"true"` beside a VirtualMachine.

Failing (the same without `bpf-lb-sock-hostns-only`):

    KubeVirt VMs are among the items and Cilium replaces kube-proxy, but its socket load-balancing
    also runs in pod namespaces (`bpf-lb-sock-hostns-only` is not set): a VM's connections never
    pass the socket hooks of its virt-launcher pod, ...; set `bpf-lb-sock-hostns-only` to `"true"`
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from krm_multus import workloads
from krm_multus.cilium import (
    BPF_MASQUERADE,
    DEVICES,
    GROUP,
    HOST_NAMESPACE_ONLY,
    KUBE_PROXY_REPLACEMENT,
    LEGACY_ROUTING,
    SOCKET_LB,
    Deployment,
    Source,
)
from krm_multus.nad import DEFAULT_BRIDGE, Index
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item, of_kind
from krm_multus.sdk.results import Reporter, Result
from krm_multus.sdk.yamledit import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "ciliumDatapath"
L2_POLICY = "CiliumL2AnnouncementPolicy"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    vms = [(item, path) for item in items if workloads.KUBEVIRT in item.source and (path := workloads.vm_spec(item))]
    bridges = _bridge_names(items) if config.talos.version else []
    if not (vms or bridges):
        return  # nothing Cilium's settings could break: its sources are not even read
    sources = Deployment.of(items).sources()
    for source in sources:
        if vms:
            yield from _socket_lb(source, report)
            yield from _masquerade(source, vms, report)
    if bridges:
        yield from _bridges(items, bridges, sources, report)


def _socket_lb(source: Source, report: Reporter) -> Iterator[Result]:
    if not source.on(KUBE_PROXY_REPLACEMENT) or source.on(HOST_NAMESPACE_ONLY):
        return
    if str(source.get(SOCKET_LB)).strip().lower() == "false":
        return
    setting = HOST_NAMESPACE_ONLY.named(source)
    wanted = '`"true"`' if source.is_config_map else "true"
    where = source.read(HOST_NAMESPACE_ONLY)
    yield report(
        where.item,
        where.path,
        (
            "KubeVirt VMs are among the items and Cilium replaces kube-proxy, but its socket load-balancing also runs "
            f"in pod namespaces ({setting} is {source.shown(HOST_NAMESPACE_ONLY)}): a VM's connections never pass the "
            "socket hooks of its virt-launcher pod, so services are not load-balanced for them (cilium PR #17847); "
            f"set {setting} to {wanted} in {source.label}"
        ),
        "warning",
    )


def _masquerade(source: Source, vms: list[tuple[Item, Path]], report: Reporter) -> Iterator[Result]:
    ebpf_routing = source.on(KUBE_PROXY_REPLACEMENT) and source.on(BPF_MASQUERADE) and not source.on(LEGACY_ROUTING)
    if not ebpf_routing:
        return
    fix = LEGACY_ROUTING.named(source)
    for vm, spec_path in vms:
        interfaces = lookups.by_name(lookups.get(vm.data, (*spec_path, *workloads.VM_INTERFACES)))
        for name, interface in interfaces.items():
            if "masquerade" not in interface:
                continue
            yield report(
                vm,
                workloads.vm_interface(spec_path, name, "masquerade"),
                (
                    f"interface `{name}` has the `masquerade` binding, and Cilium routes with eBPF host routing "
                    f"({source.label}: kube-proxy replacement and BPF masquerading on, {fix} "
                    f"{source.shown(LEGACY_ROUTING)}): the VM's traffic through the masquerade binding is dropped "
                    f"(cilium #32026); set {fix} to true in {source.label}, or use another binding"
                ),
                "warning",
            )


def _bridge_names(items: list[Item]) -> list[str]:
    """The bridges the bridge NADs among the items use."""
    return sorted(
        {
            str(plugin.conf.get("bridge") or DEFAULT_BRIDGE)
            for nad in Index.of(items)
            for plugin in nad.plugins()
            if plugin.type == "bridge"
        }
    )


def _bridges(items: list[Item], bridges: list[str], sources: list[Source], report: Reporter) -> Iterator[Result]:
    caveat = "if the node's address sits on it (the node's NIC in the Talos bridge), "
    for source in sources:
        devices = source.get(DEVICES)
        patterns = _device_patterns(devices)
        missed = [bridge for bridge in bridges if not any(_device_matches(p, bridge) for p in patterns)]
        if missed:
            how = (
                "auto-detects its devices and skips bridges"
                if devices is lookups.MISSING
                else f"uses only {DEVICES.named(source)} {source.shown(DEVICES)}"
            )
            where = source.read(DEVICES)
            yield report(
                where.item,
                where.path,
                (
                    f"bridge {', '.join(f'`{bridge}`' for bridge in missed)} of the NetworkAttachmentDefinitions: "
                    f"{caveat}Cilium must attach to it, but it {how}, so tunnel routing and L2 announcements stop on "
                    f"that node (siderolabs/talos #10411); add it to {DEVICES.named(source)} in {source.label}"
                ),
                "info",
            )
    for policy in of_kind(items, L2_POLICY, GROUP):
        if policy.is_local_config:
            continue
        patterns = [str(p) for p in lookups.as_list(lookups.get(policy.data, ("spec", "interfaces")))]
        missed = [bridge for bridge in bridges if patterns and not any(_regex_matches(p, bridge) for p in patterns)]
        if missed:
            names = ", ".join(f"`{bridge}`" for bridge in missed)
            yield report(
                policy,
                ("spec", "interfaces"),
                (
                    f"no pattern in `spec.interfaces` matches bridge {names} of "
                    f"the NetworkAttachmentDefinitions: {caveat}Cilium announces nothing there; add a pattern for it"
                ),
                "info",
            )


def _device_patterns(devices: Any) -> list[str]:
    """Cilium `devices`: a list, or a string of names separated by spaces or commas."""
    if isinstance(devices, list):
        return [str(device) for device in devices]
    return [device for device in re.split(r"[\s,]+", devices) if device] if isinstance(devices, str) else []


def _device_matches(pattern: str, device: str) -> bool:
    """A `devices` entry: a name, or a prefix ending in `+`."""
    return device.startswith(pattern[:-1]) if pattern.endswith("+") else device == pattern


def _regex_matches(pattern: str, device: str) -> bool:
    try:
        return re.search(pattern, device) is not None
    except re.error:
        return True  # a pattern Cilium cannot use either: not this check's to judge
