"""dhcpDaemon: `ipam.type: dhcp` needs the CNI dhcp daemon on every node, reachable at /run/cni/dhcp.sock.

Why: the `dhcp` IPAM plugin does not talk DHCP itself; it asks a long-running `dhcp daemon`
(the same binary, started with `daemon`) over the socket `/run/cni/dhcp.sock` on the node, and
that daemon keeps renewing the leases. Without it every pod on the network stays in
`ContainerCreating` with `dial unix /run/cni/dhcp.sock: connect: no such file or directory`
(multus-cni #1031). Nothing installs the daemon by default; on Talos the `dhcp` binary is not
even on the nodes.

- A NetworkAttachmentDefinition whose IPAM (top level, or any plugin of a conflist) is `dhcp`,
  while no DaemonSet among the items runs the daemon, is a warning saying what to deploy. A
  DaemonSet runs it when a container's command and args name the `dhcp` binary and `daemon`, or
  when it runs an image with `dhcp` in its name without a command of its own.
- A DaemonSet that runs the daemon without the host's `/run/cni` (or `/run`; `/var/run` is the
  same place) mounted at the same path in the container is a warning: the socket it creates stays
  inside the container, where the plugin cannot reach it.

Passing: a NAD with `"ipam": {"type": "dhcp"}` and a DaemonSet running `/opt/cni/bin/dhcp daemon`
with a `hostPath: {path: /run/cni}` volume mounted at `/run/cni`.

Failing (the NAD alone):

    `spec.config: ipam.type` is dhcp: the dhcp plugin asks the CNI `dhcp daemon` on the node over
    /run/cni/dhcp.sock, and no DaemonSet among the items runs it ...
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from krm_multus import multus
from krm_multus.nad import CONFIG_PATH, Index
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item, of_kind
from krm_multus.sdk.results import Reporter, Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "dhcpDaemon"
SOCKET_DIR = "/run/cni"
DEPLOY = (
    "deploy a DaemonSet on every node that uses this network: `hostNetwork: true`, privileged, running "
    f"`/opt/cni/bin/dhcp daemon`, with the host's {SOCKET_DIR} (a hostPath volume) mounted at {SOCKET_DIR} and "
    "the host's network namespaces (/var/run/netns) mounted at the same path"
)


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    daemons = [item for item in of_kind(items, "DaemonSet", "apps") if "dhcp" in item.source and _runs_daemon(item)]
    for daemon in daemons:
        if not _shares_socket_dir(daemon):
            yield report(
                daemon,
                (*multus.POD_SPEC, "volumes"),
                (
                    f"runs the CNI dhcp daemon without the host's {SOCKET_DIR} mounted at {SOCKET_DIR}: its socket "
                    f"stays in the container and the dhcp plugin on the node cannot reach it; add a hostPath volume "
                    f"for {SOCKET_DIR} and mount it at {SOCKET_DIR} in the daemon's container"
                ),
                "warning",
            )
    if daemons:
        return
    talos = config.talos.version
    bundled = (
        f"; Talos {talos} does not ship the `dhcp` plugin binary, so the DaemonSet's image must bring it and install "
        "it into /opt/cni/bin"
        if talos
        else ""
    )
    for nad in Index.of(items):
        plugin = next((plugin for plugin in nad.plugins() if plugin.ipam_type == "dhcp"), None)
        if plugin is not None:
            yield report(
                nad.item,
                CONFIG_PATH,
                (
                    f"`spec.config: {plugin.where}ipam.type` is dhcp: the dhcp plugin asks the CNI `dhcp daemon` on "
                    f"the node over {SOCKET_DIR}/dhcp.sock, and no DaemonSet among the items runs it, so pods on this "
                    f"network fail with `dial unix {SOCKET_DIR}/dhcp.sock`; {DEPLOY}{bundled}"
                ),
                "warning",
            )


def _runs_daemon(item: Item) -> bool:
    return any(_is_daemon(container) for container in multus.containers(item))


def _is_daemon(container: dict[str, Any]) -> bool:
    """`dhcp daemon` in its command, or, without a command, an image built to run it: one whose last
    repository component names both CNI and DHCP (`cni-dhcp`), never a DHCP server such as `dhcpd`."""
    tokens = multus.command_words(container)
    if tokens:
        return "daemon" in tokens and any(posixpath.basename(token) == "dhcp" for token in tokens)
    last = multus.split_image(str(container.get("image") or ""))[0].rsplit("/", 1)[-1]
    return not container.get("command") and "cni" in last and "dhcp" in last


def _shares_socket_dir(daemon: Item) -> bool:
    """Whether a daemon container mounts a hostPath of /run/cni (or /run) at that same path."""
    host_paths = {
        str(volume.get("name")): _normal(str(volume["hostPath"].get("path") or ""))
        for volume in multus.volumes(daemon)
        if isinstance(volume.get("hostPath"), dict)
    }
    for container in multus.containers(daemon):
        if not _is_daemon(container):
            continue
        for mount in lookups.as_list(container.get("volumeMounts")):
            if not isinstance(mount, dict):
                continue
            host = host_paths.get(str(mount.get("name")))
            if host in (SOCKET_DIR, "/run") and _normal(str(mount.get("mountPath") or "")) == host:
                return True
    return False


def _normal(path: str) -> str:
    """A path as the node sees it: no trailing slash, /var/run as /run (a symlink on Talos and most distributions)."""
    path = path.rstrip("/") or "/"
    return "/run" + path[len("/var/run") :] if path == "/var/run" or path.startswith("/var/run/") else path
