"""netns: point the network-namespace volume at the path where Talos keeps network namespaces.

Thick Multus mounts the host's `/run/netns/` to reach pod network namespaces. Talos creates them
under `/var/run/netns`, so with the upstream path every new pod fails with
`FailedCreatePodSandBox ... no net namespace ... found`.

Changes the `hostPath.path` of the thick DaemonSet's volume that mounts `/run/netns` or
`/run/netns/`, whatever its name (`host-run-netns` upstream and in most charts), to
`spec.netns.path` (default `/var/run/netns/`). Thin Multus needs no such volume and v3 thick has
none: nothing to do, said once as info. A netns volume with another path (named `host-run-netns`,
or a host path ending in `/netns`) was chosen by hand: left alone, with a warning when it is not the
configured one.
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import multus
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result
from krm_multus.sdk.yamledit import Path

NAME = "netns"
VOLUME = "host-run-netns"
UPSTREAM_PATHS = ("/run/netns", "/run/netns/")


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    settings = config.netns
    wanted = settings.path
    for daemonset in multus.daemonsets(items, config):
        if multus.flavor(daemonset) == "thin":
            yield report(
                daemonset, None, f"{multus.describe(daemonset)} mounts no network namespaces: nothing to change", "info"
            )
            continue
        volumes = _netns_volumes(daemonset)
        if not volumes:
            yield report(
                daemonset,
                None,
                f"{multus.describe(daemonset)} has no hostPath volume for /run/netns: no netns path to change",
                "info",
            )
        for name, current in volumes:
            path = _volume_path(name)
            if current in UPSTREAM_PATHS:
                yield from report.set_value(
                    daemonset, path, wanted, f"Talos keeps network namespaces under {wanted}: `{name}` now mounts it"
                )
            elif current.rstrip("/") != wanted.rstrip("/"):
                yield report(
                    daemonset,
                    path,
                    f"`{name}` mounts {current}, not {wanted}: left as it is; set `spec.netns.path` "
                    f"to {current} if that is where your nodes keep network namespaces",
                    "warning",
                )


def _netns_volumes(daemonset: Item) -> list[tuple[str, str]]:
    """(name, host path) of the volumes that mount network namespaces."""
    found = []
    for volume in multus.volumes(daemonset):
        host_path = volume.get("hostPath")
        path = host_path.get("path") if isinstance(host_path, dict) else None
        if (
            isinstance(path, str)
            and isinstance(volume.get("name"), str)
            and (volume["name"] == VOLUME or path.rstrip("/").endswith("/netns"))
        ):
            found.append((volume["name"], path))
    return found


def _volume_path(name: str) -> Path:
    return (*multus.POD_SPEC, "volumes", {"name": name}, "hostPath", "path")
