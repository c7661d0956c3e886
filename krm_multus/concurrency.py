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
from typing import Any

from krm_multus import cilium_cni, daemon_config, multus, quantity
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Result

KEY = "connectionLimit"
SINCE = (4, 3, 0)  # multus-cni PR #1510
GUARANTEED = (
    "requests equal to limits: the pod is Guaranteed QoS and the last to be OOM-killed (multus-cni #1093, #1160)"
)
DAEMON_MEMORY_MIB = 64  # the daemon itself, above the 50Mi upstream sets and is OOM-killed at when busy


def connection_limit(daemonset: Item, items: list[Item], config: dict[str, Any], transform: str) -> Iterator[Result]:
    """Write `spec.resources.connectionLimit` into the daemon config of a thick v4.3.0+ image, where unset.

    The release comes from the image tag only: a moving tag or a digest says nothing about the code
    it holds, so nothing is written there and an info says how to get the bound."""
    if multus.flavor(daemonset) != "thick":
        return
    image = multus.image_of(daemonset)
    version = multus.image_version(image)
    wanted = config["resources"]["connectionLimit"]
    if version is None:
        yield multus.note(
            daemonset,
            f"{image or 'the image'} names no Multus release: `{KEY}` (v4.3.0 and later) is not set; pin a release "
            f"tag such as v4.3.0-thick, or set `{KEY}` in `{daemon_config.KEY}` yourself",
            transform,
        )
        return
    if version < SINCE:
        return
    found = daemon_config.of(daemonset, items)
    if found is None:
        yield multus.note(
            daemonset,
            f"the `{daemon_config.KEY}` ConfigMap this DaemonSet mounts is not among the items: set "
            f'`"{KEY}": {wanted}` in it to bound what the daemon runs at once',
            transform,
            "warning",
        )
        return
    if found.settings is not None and KEY in found.settings:
        return  # the user's value stays (the multusDaemon check reports one that is not above 0)
    why = f"at most {wanted} CNI requests at once: each delegate `cilium-cni` takes about 55 MiB (multus-cni #1510)"
    yield from daemon_config.ensure(found, KEY, wanted, transform, why)


def memory_limit(daemonset: Item, items: list[Item], config: dict[str, Any]) -> tuple[str, str, str | None] | None:
    """The memory limit that covers the delegates, why, and a warning when nothing bounds them;
    None where that does not apply (thin Multus, or no Cilium)."""
    if multus.flavor(daemonset) != "thick" or not cilium_cni.in_use(items, config):
        return None
    settings = config["resources"]
    found = daemon_config.of(daemonset, items)
    limit = (found.settings or {}).get(KEY) if found else None
    bounded = isinstance(limit, int) and not isinstance(limit, bool) and limit > 0
    at_once = limit if bounded else settings["connectionLimit"]
    per_delegate = quantity.parse(settings["delegateMemory"]) or 0
    mib = DAEMON_MEMORY_MIB + at_once * math.ceil(per_delegate / 2**20)
    wanted = f"{mib}Mi"
    why = (
        f"the daemon runs up to {at_once} `cilium-cni` delegates at once, each about {settings['delegateMemory']}, "
        f"in its own memory (multus-cni #1346, #1510)"
    )
    warning = None
    if not bounded:
        warning = (
            f"nothing bounds how many delegates the daemon runs at once (`{KEY}` needs thick Multus v4.3.0 or later): "
            f"the memory limit is sized for {at_once}, and many pods starting together (after a reboot) can still "
            "exceed it"
        )
    return wanted, why, warning


def guaranteed(daemonset: Item, main: str, transform: str) -> Iterator[Result]:
    """Requests equal to limits on the main and init containers; an init container without limits
    gets the main container's (without them the pod stays Burstable: multus-cni #1093, #1160)."""
    main_limits = next((c for c in multus.containers(daemonset) if c["name"] == main), {}).get("resources") or {}
    main_limits = main_limits.get("limits") if isinstance(main_limits, dict) else None
    if not isinstance(main_limits, dict) or not main_limits:
        yield multus.note(
            daemonset,
            f"`{main}` has no limits: QoS Guaranteed needs them",
            transform,
            "warning",
            multus.container_path(main),
        )
        return
    targets = [(main, "containers")] + [
        (c["name"], "initContainers") for c in multus.containers(daemonset, "initContainers")
    ]
    for name, key in targets:
        container = next(c for c in multus.containers(daemonset, key) if c["name"] == name)
        resources = container.get("resources") if isinstance(container.get("resources"), dict) else {}
        limits = resources.get("limits") if isinstance(resources.get("limits"), dict) and resources["limits"] else None
        base = multus.container_path(name, key)
        if limits is None:
            limits = dict(main_limits)
            yield from multus.set_value(daemonset, (*base, "resources", "limits"), limits, transform, GUARANTEED)
        for resource, value in limits.items():
            path = (*base, "resources", "requests", resource)
            yield from multus.set_value(daemonset, path, value, transform, GUARANTEED)
