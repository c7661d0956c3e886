"""installBinary: install the Multus shim atomically, so nodes come back after a reboot (multus #1221).

After a reboot the container runtime may already be running `/opt/cni/bin/multus-shim` for pod
sandboxes while the Multus pod starts; a plain `cp` over a running executable fails with
"Text file busy" and the node never gets Multus back. `install_multus` writes a temporary file and
renames it over the target, which cannot fail that way.

The init container that installs Multus is found by what it runs, whatever its name
(`install-multus-binary` upstream; `multus-shim-installer`, `multus-installer` in charts):
- thick Multus copying `multus-shim` with a plain `cp` from a v4 Multus image: the command becomes
  `/usr/src/multus-cni/bin/install_multus -d <the directory it copied to> -t thick`, with no `args`
  (upstream does this from v4.2.3 on);
- `install_multus`, or `cp -f` (which replaces a busy file instead of writing into it, as the angelnu
  chart does): already safe, left alone;
- a plain `cp` that cannot be switched: a warning. v3 images have no `install_multus`; neither has an
  image that is not Multus; thin images keep it in different places (`/install_multus` upstream, on
  the PATH in bitnami's), so a thin plain `cp` (bitnami's `install-multus-binary`) is named, not changed.
Thin Multus that installs itself with `/thin_entrypoint` or `install_multus` is atomic already, and
so is v3's `/entrypoint.sh` (since v3.2 it copies to `_multus` and renames that over `multus`):
thin Multus gets a warning only for an init container that copies `multus` with a plain `cp`.

Thick Multus through bjw-s `app-template` values (a Flux HelmRelease or Argo CD Application among the
items, its DaemonSet rendered in the cluster) gets the same fix in the values: an init container under
`controllers.<c>.initContainers` whose `command` copies `multus-shim` with a plain `cp` from a v4
Multus image gets the install_multus command, in the values place that sets it. Where that cannot be
done safely (the copy is in `args`, or the values cannot be edited), a warning names the values path
and the command to set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from krm_multus import charts, helm, multus
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result
from krm_multus.sdk.yamledit import YamlError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "installBinary"
INSTALLER = "/usr/src/multus-cni/bin/install_multus"
UPGRADE = "upgrade to a v4.2.3 or later image to install the shim atomically"


WHY = "install the shim atomically with install_multus: a plain cp fails with 'Text file busy' after a reboot"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    for daemonset in multus.daemonsets(items, config):
        yield from _fix(report, daemonset)
    for release in charts.releases(items, config):
        if release.chart == charts.APP_TEMPLATE and release.flavor == "thick":
            for container in release.containers:
                yield from _fix_values(report, release.release, container)


def command(directory: str) -> list[str]:
    return [INSTALLER, "-d", directory, "-t", "thick"]


def _fix_values(report: Reporter, release: helm.Release, container: charts.Container) -> Iterator[Result]:
    """The #1221 fix in app-template values: the init container's `command` runs install_multus."""
    found = multus.binary_install(container.spec)
    if container.key[2] != "initContainers" or found is None or found.how != "cp" or found.binary != "multus-shim":
        return
    key = (*container.key, "command")
    wanted = command(found.directory)
    setting = [values for values in release.values if helm.lookup(values, key) is not lookups.MISSING]
    problem = _values_problem(release, container, setting)
    if not problem:
        try:
            change = helm.assign(setting[-1], key, wanted)
        except YamlError as error:
            problem = f"the values cannot be edited: {error}"
        else:
            if change is not None and setting[-1].item is not None:
                yield report.change(setting[-1].item, *change, WHY)
            return
    where = setting[-1] if setting else release.values[-1]
    yield report(
        release.item,
        (*where.path, *key) if where.item is not None else where.origin,
        f"{where.label}: init container `{container.key[-1]}` copies the shim with a plain `cp`, which fails with "
        f"'Text file busy' after a reboot (multus #1221), and {problem}: set `{'.'.join(key)}` to "
        f"{json.dumps(wanted)} (no `args`) and a v4 thick Multus image, or use `cp -f`",
        "warning",
    )


def _values_problem(release: helm.Release, container: charts.Container, setting: list[helm.Values]) -> str:
    """Why the command in the values cannot be switched to install_multus ("" when it can)."""
    image = str(container.spec["image"])
    version = multus.image_version(image)
    if not multus.is_multus_image(image) or (version is not None and version[0] < 4):
        return "its image is not a v4 Multus image, which has install_multus"
    args = (*container.key, "args")
    if not setting or any(helm.lookup(values, args) is not lookups.MISSING for values in release.values):
        return "the copy is not in its `command` alone"
    return ""


def _fix(report: Reporter, daemonset: Item) -> Iterator[Result]:
    installs = [
        (container, found)
        for container in multus.containers(daemonset, "initContainers")
        if (found := multus.binary_install(container)) is not None
    ]
    plain = [(container, found) for container, found in installs if found.how == "cp"]
    if multus.flavor(daemonset) == "thin":
        for container, _ in plain:
            yield _cannot_switch(report, daemonset, container, "copies the multus binary")
        if not plain:
            yield report(
                daemonset,
                None,
                f"{multus.describe(daemonset)} installs its binary atomically: nothing to change",
                "info",
            )
        return
    if multus.generation(daemonset) < 4:
        yield report(
            daemonset,
            None,
            f"{multus.describe(daemonset)} images have no install_multus, so the plain copy can fail with "
            f"'Text file busy' after a reboot (multus #1221): {UPGRADE}",
            "warning",
        )
        return
    if not any(found.binary == "multus-shim" for _, found in installs):
        yield report(daemonset, None, "no init container installs the Multus shim: no shim install to fix", "info")
        return
    for container, found in plain:
        if found.binary == "multus-shim":
            yield from _make_atomic(report, daemonset, container, found.directory)


def _make_atomic(report: Reporter, daemonset: Item, container: dict[str, Any], directory: str) -> Iterator[Result]:
    image = str(container.get("image") or "")
    version = multus.image_version(image)
    major = version[0] if version else multus.generation(daemonset)
    if not multus.is_multus_image(image) or major < 4:
        yield _cannot_switch(report, daemonset, container, "copies the shim")
        return
    path = multus.container_path(container["name"], "initContainers")
    yield from report.set_value(daemonset, (*path, "command"), command(directory), WHY)
    args = daemonset.doc.get((*path, "args"))
    if args is not None and daemonset.doc.delete((*path, "args")):
        yield report.change(daemonset, (*path, "args"), args, None, "install_multus takes no args")


def _cannot_switch(report: Reporter, daemonset: Item, container: dict[str, Any], what: str) -> Result:
    return report(
        daemonset,
        multus.container_path(container["name"], "initContainers"),
        f"init container `{container['name']}` {what} with a plain `cp`, which fails with 'Text file busy' "
        "after a reboot (multus #1221): use `cp -f`, or install_multus from a v4 Multus image",
        "warning",
    )
