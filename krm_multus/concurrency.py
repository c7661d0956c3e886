"""Memory for what the thick Multus daemon runs at once, its `connectionLimit`, and Guaranteed QoS.

Why: the thick daemon runs every delegate plugin as a child process inside its own container, so
its memory is the sum of the delegates running at once; each `cilium-cni` takes about 55 MiB (the
profile in multus-cni PR #1510). From v4.3.0 `connectionLimit` in `daemon-config.json` bounds how
many run at once; before, nothing does. Thin Multus is run by the container runtime, outside the
pod, and needs none of this. Used by the resources transform, whose docstring is the manual.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from krm_multus import cilium, daemon_config, multus, quantity
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

KEY = "connectionLimit"
SINCE = (4, 3, 0)  # multus-cni PR #1510
GUARANTEED = (
    "requests equal to limits: the pod is Guaranteed QoS and the last to be OOM-killed (multus-cni #1093, #1160)"
)
DAEMON_MEMORY_MIB = 64  # the daemon itself, above the 50Mi upstream sets and is OOM-killed at when busy


class MemoryLimit(Record):
    """The memory limit that covers the delegates, why, and a warning when nothing bounds them."""

    __slots__ = ()

    wanted: str
    why: str
    warning: str | None


def is_valid_limit(value: Any) -> bool:
    """What the daemon accepts as `connectionLimit`: a whole number above 0."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def connection_limit(report: Reporter, daemonset: Item, items: list[Item], config: Config) -> Iterator[Result]:
    """Write `spec.resources.connectionLimit` into the daemon config of a thick v4.3.0+ image, where unset.

    The release comes from the image tag only: a moving tag or a digest says nothing about the code
    it holds, so nothing is written there and an info says how to get the bound."""
    if multus.flavor(daemonset) != "thick":
        return
    image = multus.image_of(daemonset)
    version = multus.image_version(image)
    wanted = config.resources.connectionLimit
    if version is None:
        yield report(
            daemonset,
            None,
            f"{image or 'the image'} names no Multus release: `{KEY}` (v4.3.0 and later) is not set; pin a release "
            f"tag such as v4.3.0-thick, or set `{KEY}` in `{daemon_config.KEY}` yourself",
            "info",
        )
        return
    if version < SINCE:
        return
    found = daemon_config.of(daemonset, items)
    if found is None:
        yield report(
            daemonset,
            None,
            f"the `{daemon_config.KEY}` ConfigMap this DaemonSet mounts is not among the items: set "
            f'`"{KEY}": {wanted}` in it to bound what the daemon runs at once',
            "warning",
        )
        return
    if found.settings is not None and KEY in found.settings:
        return  # the user's value stays (the multusDaemon check reports one that is not above 0)
    why = f"at most {wanted} CNI requests at once: each delegate `cilium-cni` takes about 55 MiB (multus-cni #1510)"
    yield from daemon_config.ensure(report, found, KEY, wanted, why)


def memory_limit(daemonset: Item, items: list[Item], config: Config) -> MemoryLimit | None:
    """The memory limit for the delegates; None where that does not apply (thin Multus, or no Cilium)."""
    if multus.flavor(daemonset) != "thick" or not cilium.Deployment.of(items).in_use(config.cilium.enabled):
        return None
    settings = config.resources
    found = daemon_config.of(daemonset, items)
    limit = lookups.mapping(found.settings if found else None).get(KEY)
    bounded = is_valid_limit(limit)
    at_once = limit if bounded else settings.connectionLimit
    per_delegate = quantity.parse(settings.delegateMemory) or 0
    mib = DAEMON_MEMORY_MIB + at_once * math.ceil(per_delegate / 2**20)
    why = (
        f"the daemon runs up to {at_once} `cilium-cni` delegates at once, each about {settings.delegateMemory}, "
        f"in its own memory (multus-cni #1346, #1510)"
    )
    warning = None
    if not bounded:
        warning = (
            f"nothing bounds how many delegates the daemon runs at once (`{KEY}` needs thick Multus v4.3.0 or later): "
            f"the memory limit is sized for {at_once}, and many pods starting together (after a reboot) can still "
            "exceed it"
        )
    return MemoryLimit(f"{mib}Mi", why, warning)


def guaranteed(report: Reporter, daemonset: Item, main: str) -> Iterator[Result]:
    """Requests equal to limits on the main and init containers; an init container without limits
    gets the main container's (without them the pod stays Burstable: multus-cni #1093, #1160)."""
    main_limits = lookups.get(lookups.by_name(multus.containers(daemonset)).get(main), ("resources", "limits"))
    if not isinstance(main_limits, dict) or not main_limits:
        yield report(
            daemonset, multus.container_path(main), f"`{main}` has no limits: QoS Guaranteed needs them", "warning"
        )
        return
    targets = [(main, "containers")] + [
        (c["name"], "initContainers") for c in multus.containers(daemonset, "initContainers")
    ]
    for name, key in targets:
        container = lookups.by_name(multus.containers(daemonset, key))[name]
        limits = lookups.get(container, ("resources", "limits"))
        base = multus.container_path(name, key)
        if not isinstance(limits, dict) or not limits:
            limits = dict(main_limits)
            yield from report.set_value(daemonset, (*base, "resources", "limits"), limits, GUARANTEED)
        for resource, value in limits.items():
            yield from report.set_value(daemonset, (*base, "resources", "requests", resource), value, GUARANTEED)
