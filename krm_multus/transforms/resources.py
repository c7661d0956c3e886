"""resources: give the Multus container enough memory and CPU (multus #1346).

Upstream sets requests and limits of the `kube-multus` container to 100m CPU and 50Mi memory; on
busy nodes the daemon goes over 50Mi and is OOM-killed, taking pod networking with it. The Talos
guide raises them to requests 200m/100Mi and limits 300m/150Mi.

Raises each configured request and limit of the main Multus container (`kube-multus`, or the only
container running a Multus image) to `spec.resources`; never lowers a value that is already higher.
A value that is not a quantity is left alone with a warning. Thin Multus has no daemon (the `multus`
binary runs per pod sandbox; its container only installs it), so its resources are left as they are
unless the config gives `spec.resources.requests`, `limits` or `qos`.

Beside Cilium, the thick daemon runs each `cilium-cni` delegate (about 55 MiB) in its own container:
- thick images tagged v4.3.0 or later get `connectionLimit: spec.resources.connectionLimit`
  (default 8) in the `daemon-config.json` they mount, where it is unset; a moving tag
  (`snapshot-thick`) or a digest names no release and gets an info instead;
- the memory limit is raised (never lowered) to 64Mi plus that many `spec.resources.delegateMemory`
  (default 56Mi): 512Mi by default, with a warning where no `connectionLimit` bounds the daemon.

`spec.resources.qos: guaranteed` sets requests equal to limits on the main and init containers,
giving an init container without limits the main container's (multus-cni #1093, #1160).
Design and sources: docs/fail-closed.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import concurrency, multus, quantity
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "resources"
OOM_KILLED = "below that the daemon is OOM-killed on busy nodes (multus #1346)"
ASKED = "as `spec.resources` asks"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    settings = config.resources
    asked = any(key in lookups.mapping(config.given.get("resources")) for key in ("requests", "limits", "qos"))
    for daemonset in multus.daemonsets(items, config):
        thin = multus.flavor(daemonset) == "thin"
        if thin and not asked:
            yield report(daemonset, None, "thin Multus runs no daemon: its resources are left as they are", "info")
            continue
        default_reason = ASKED if thin else OOM_KILLED
        name = multus.main_container(daemonset)
        if name is None:
            yield report(daemonset, None, "no Multus container found: resources left as they are", "warning")
            continue
        yield from concurrency.connection_limit(report, daemonset, items, config)
        wanted_by_group = {
            group: {resource: quantity.text(wanted) for resource, wanted in values.items()}
            for group, values in (("requests", settings.requests), ("limits", settings.limits))
        }
        reasons: dict[tuple[str, str], str] = {}
        delegates = concurrency.memory_limit(daemonset, items, config)
        if delegates is not None:
            if quantity.at_least(delegates.wanted, wanted_by_group["limits"].get("memory", "0")):
                wanted_by_group["limits"]["memory"] = delegates.wanted
                reasons["limits", "memory"] = delegates.why
            if delegates.warning:
                yield report(daemonset, multus.container_path(name), delegates.warning, "warning")
        if settings.qos == "guaranteed":
            wanted_by_group["requests"].update(wanted_by_group["limits"])
            reasons.update({("requests", resource): concurrency.GUARANTEED for resource in wanted_by_group["limits"]})
        for group, wanted_values in wanted_by_group.items():
            for resource, wanted in wanted_values.items():
                path = (*multus.container_path(name), "resources", group, resource)
                yield from _raise(report, daemonset, path, wanted, reasons.get((group, resource), default_reason))
        if settings.qos == "guaranteed":
            yield from concurrency.guaranteed(report, daemonset, name)


def _raise(report: Reporter, daemonset: Item, path: tuple, wanted: str, reason: str) -> Iterator[Result]:
    current = daemonset.doc.get(path)
    if current is not None:
        enough = quantity.at_least(current, wanted)
        if enough is None:
            yield report(daemonset, path, f"{current!r} is not a quantity: left as it is", "warning")
            return
        if enough:
            return
    group, resource = path[-2], path[-1]
    change = f"raised from {current} to {wanted}" if current is not None else f"set to {wanted}"
    why = f"{group}.{resource} {change}: {reason}"
    yield from report.set_value(daemonset, path, wanted, why)
