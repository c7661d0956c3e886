"""netns: point the `host-run-netns` volume at the path where Talos keeps network namespaces.

Thick Multus mounts the host's `/run/netns/` to reach pod network namespaces. Talos creates them
under `/var/run/netns`, so with the upstream path every new pod fails with
`FailedCreatePodSandBox ... no net namespace ... found`.

Changes `hostPath.path` of volume `host-run-netns` from `/run/netns` or `/run/netns/` to
`spec.netns.path` (default `/var/run/netns/`). Thin Multus and v3 thick manifests have no such
volume: nothing to do, said once as info. Any other path was chosen by hand: left alone, with a
warning when it is not the configured one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from krm_multus import multus
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Result

NAME = "netns"
VOLUME = "host-run-netns"
UPSTREAM_PATHS = ("/run/netns", "/run/netns/")
VOLUME_PATH = (*multus.POD_SPEC, "volumes", {"name": VOLUME}, "hostPath", "path")


def apply(items: list[Item], config: dict[str, Any]) -> Iterator[Result]:
    settings = config["netns"]
    if not settings["enabled"]:
        return
    wanted = settings["path"]
    for daemonset in multus.daemonsets(items, config):
        current = daemonset.doc.get(VOLUME_PATH)
        if current is None:
            yield multus.note(
                daemonset,
                f"{multus.describe(daemonset)} has no `{VOLUME}` hostPath volume: no netns path to change",
                NAME,
            )
        elif current in UPSTREAM_PATHS:
            yield from multus.set_value(
                daemonset, VOLUME_PATH, wanted, NAME,
                f"Talos keeps network namespaces under {wanted}: `{VOLUME}` now mounts it",
            )
        elif current.rstrip("/") != wanted.rstrip("/"):
            yield multus.note(
                daemonset,
                f"`{VOLUME}` mounts {current}, not {wanted}: left as it is; set `spec.netns.path` "
                f"to {current} if that is where your nodes keep network namespaces",
                NAME, "warning", VOLUME_PATH,
            )
