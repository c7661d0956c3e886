"""resources: give the Multus container enough memory and CPU (multus #1346).

Upstream sets requests and limits of the `kube-multus` container to 100m CPU and 50Mi memory; on
busy nodes the daemon goes over 50Mi and is OOM-killed, taking pod networking with it. The Talos
guide raises them to requests 200m/100Mi and limits 300m/150Mi.

Raises each configured request and limit of the main Multus container (`kube-multus`, or the only
container running a Multus image) to `spec.resources`; never lowers a value that is already higher,
thick and thin alike. A value that is not a quantity is left alone with a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import multus, quantity
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "resources"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    settings = config.resources
    for daemonset in multus.daemonsets(items, config):
        name = multus.main_container(daemonset)
        if name is None:
            yield report(daemonset, None, "no Multus container found: resources left as they are", "warning")
            continue
        for group, wanted_values in (("requests", settings.requests), ("limits", settings.limits)):
            for resource, wanted in wanted_values.items():
                path = (*multus.container_path(name), "resources", group, resource)
                yield from _raise(report, daemonset, path, wanted)


def _raise(report: Reporter, daemonset: Item, path: tuple, wanted: str) -> Iterator[Result]:
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
    why = f"{group}.{resource} {change}: below that the daemon is OOM-killed on busy nodes (multus #1346)"
    yield from report.set_value(daemonset, path, wanted, why)
