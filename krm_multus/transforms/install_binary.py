"""installBinary: install the Multus shim atomically, so nodes come back after a reboot (multus #1221).

After a reboot the container runtime may already be running `/opt/cni/bin/multus-shim` for pod
sandboxes while the Multus pod starts; a plain `cp` over a running executable fails with
"Text file busy" and the node never gets Multus back. `install_multus` writes a temporary file and
renames it over the target, which cannot fail that way.

Sets the `install-multus-binary` init container of a thick v4 DaemonSet to run
`/usr/src/multus-cni/bin/install_multus -d /host/opt/cni/bin -t thick` with no `args` (upstream does
this from v4.2.3 on: nothing to change there). v3 images have no `install_multus`: no change and
a warning. Thin v4 already runs `/install_multus --type thin`, which is atomic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from krm_multus import multus
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Result

NAME = "installBinary"
COMMAND = ["/usr/src/multus-cni/bin/install_multus", "-d", "/host/opt/cni/bin", "-t", "thick"]
UPGRADE = "upgrade to a v4.2.3 or later image to install the shim atomically"


def apply(items: list[Item], config: dict[str, Any]) -> Iterator[Result]:
    if not config["installBinary"]["enabled"]:
        return
    for daemonset in multus.daemonsets(items, config):
        yield from _fix(daemonset)


def _fix(daemonset: Item) -> Iterator[Result]:
    if multus.generation(daemonset) < 4:
        yield multus.note(
            daemonset,
            f"{multus.describe(daemonset)} images have no install_multus, so the plain copy can fail with "
            f"'Text file busy' after a reboot (multus #1221): {UPGRADE}",
            NAME, "warning",
        )
        return
    if multus.flavor(daemonset) == "thin":
        yield multus.note(daemonset, "thin Multus v4 already installs its binary with install_multus", NAME)
        return
    names = [c["name"] for c in multus.containers(daemonset, "initContainers")]
    if multus.INSTALL_CONTAINER not in names:
        yield multus.note(
            daemonset, f"no `{multus.INSTALL_CONTAINER}` init container: no shim install to fix", NAME
        )
        return
    container = multus.container_path(multus.INSTALL_CONTAINER, "initContainers")
    why = "install the shim atomically with install_multus: a plain cp fails with 'Text file busy' after a reboot"
    yield from multus.set_value(daemonset, (*container, "command"), COMMAND, NAME, why)
    args = daemonset.doc.get((*container, "args"))
    if args is not None and daemonset.doc.delete((*container, "args")):
        yield multus.changed(daemonset, (*container, "args"), args, None, NAME, "install_multus takes no args")
