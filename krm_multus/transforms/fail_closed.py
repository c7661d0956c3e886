"""failClosed: no pod starts without its Multus networks after a reboot or a Multus restart (opt-in).

Why: beside Cilium, the runtime's `/etc/cni/net.d` holds Cilium's `05-cilium.conflist` as well as
Multus's `00-multus.conf`. Thick Multus removes its file on SIGTERM and writes it again only once it
runs; after a reboot Cilium is usually ready first. In between, containerd uses Cilium's config
alone: pods start Running with `eth0` only and their `k8s.v1.cni.cncf.io/networks` are silently
ignored (multus-cni #1387, #1468, #1527). Thin Multus keeps its file, but the window opens on a
node's first start or whenever the file is removed, and its readiness check does not hold back the
config (#1306).

With `spec.failClosed.enabled: true` and Cilium in use (as the cilium transform detects it), Cilium
writes its config to `spec.failClosed.directory` (default `/run/multus/cni/net.d`: tmpfs, so it is
only there once the agent is ready) and Multus reads it from there, still writing `00-multus.conf`
into `/etc/cni/net.d`. Without Multus's file the runtime then has no config at all, and pods wait:
- the `cilium` DaemonSet's `etc-cni-netd` hostPath, and `cni.confPath` in the values of Cilium
  HelmReleases and Argo CD Applications (placed as the helmValues transform places values);
- thick Multus: `multusAutoconfigDir` in the `daemon-config.json` the DaemonSet mounts (its JSON
  layout kept); thin Multus and the v3 thick daemon: `--multus-autoconfig-dir` in the main
  container's args. The path is the directory as the container sees it through a hostPath mount
  (the thick `host-run` mount of `/run`); where none covers it, a `cilium-cni-conf` hostPath volume
  and mount are added.

Multus is changed only where Cilium's side is among the items and changes (or already points there):
a Multus reading an empty directory would never write its config. A warning names the stale
`/etc/cni/net.d/05-cilium.conflist` to remove once per node; thin Multus gets an info about #1306.

Opt-in because a node where Multus does not run then has no pod networking at all (see
docs/fail-closed.md); the multusDaemon check warns about Multus beside Cilium without it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from krm_multus import cilium, daemon_config, multus
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result
from krm_multus.sdk.yamledit import Path
from krm_multus.transforms import helm_values

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "failClosed"
VOLUME = "cilium-cni-conf"
WHY_MULTUS = (
    "Multus reads Cilium's config where the container runtime does not look: without 00-multus.conf no pod starts"
)
WHY_CILIUM = "Cilium's config out of /etc/cni/net.d: a pod never starts with Cilium's network alone"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    deployment = cilium.Deployment.of(items)
    if not deployment.in_use(config.cilium.enabled):
        return
    directory = config.failClosed.directory.rstrip("/") or "/"
    daemonsets = multus.daemonsets(items, config)
    blocked = [problem for daemonset in daemonsets if (problem := _cannot_point(report, daemonset, items, directory))]
    if blocked or not daemonsets:
        yield from blocked or [_no_multus(report, directory)]
        return
    results: list[Result] = []
    moved = _move_cilium(report, deployment, directory, results)
    yield from results
    if not moved:
        for daemonset in daemonsets:
            yield report(
                daemonset,
                None,
                f"Cilium's CNI config directory is not among the items (a `cilium` DaemonSet or a Cilium chart "
                f"release whose values can be edited): Multus left as it is; set the Cilium Helm value "
                f"`cni.confPath: {directory}`, then run again",
                "warning",
            )
        return
    for daemonset in daemonsets:
        yield from _point_multus(report, daemonset, items, directory)


def _cannot_point(report: Reporter, daemonset: Item, items: list[Item], directory: str) -> Result | None:
    """Why Multus cannot be pointed at `directory` here (then Cilium is not moved either: Multus would
    lose its primary config); None when it can."""
    if multus.main_container(daemonset) is None:
        message = "no Multus container found"
    elif multus.flavor(daemonset) == "thick" and not _readable_config(daemonset, items) and not _flag_at(daemonset):
        message = (
            f"the `{daemon_config.KEY}` ConfigMap this DaemonSet mounts is not among the items or not a JSON object"
        )
    else:
        return None
    return report(
        daemonset,
        None,
        f"{message}: nothing changed (Cilium neither, or Multus would lose its primary config); set "
        f'`"{daemon_config.AUTOCONFIG_KEY}"` to {directory} as the daemon sees it and the Cilium Helm value '
        f"`cni.confPath: {directory}`",
        "warning",
    )


def _readable_config(daemonset: Item, items: list[Item]) -> bool:
    found = daemon_config.of(daemonset, items)
    return found is not None and found.settings is not None


def _no_multus(report: Reporter, directory: str) -> Result:
    return report(
        None,
        None,
        "no Multus DaemonSet among the items to point at Cilium's new config directory: nothing changed; with "
        f"Multus from a chart, set its autoconfig directory (thin `--{multus.AUTOCONFIG_FLAG}`, thick "
        f"`{daemon_config.AUTOCONFIG_KEY}`) to {directory} as the container sees it, and the Cilium Helm value "
        f"`cni.confPath: {directory}`",
        "warning",
    )


def _move_cilium(report: Reporter, deployment: cilium.Deployment, directory: str, results: list[Result]) -> bool:
    """Point Cilium at `directory` where the items say where it writes; True when it does now."""
    moved = False
    for agent in deployment.agents:
        found = cilium.conf_volume(agent)
        if found is None:
            message = f"no `{cilium.CONF_VOLUME}` hostPath volume: set its path to {directory}"
            results.append(report(agent, None, message, "warning"))
            continue
        path, current = found
        changes = list(report.set_value(agent, path, directory, WHY_CILIUM))
        results.extend(changes)
        moved = True
        if changes:
            results.append(_stale(report, agent, path, current))
    for release in deployment.releases:
        before = cilium.release_conf_dir(release)
        results.extend(helm_values.ensure(report, release, cilium.CONF_PATH, directory, WHY_CILIUM))
        after = cilium.release_conf_dir(release)
        if after is not lookups.MISSING and str(after).rstrip("/") == directory:
            moved = True
            if before != after:
                results.append(_stale(report, release.item, release.source, before))
    return moved


def _stale(report: Reporter, item: Item, path: Path, before: Any) -> Result:
    old = before if isinstance(before, str) and before else cilium.RUNTIME_CONF_DIR
    stale = posixpath.join(old.rstrip("/") or "/", cilium.CONFLIST)
    return report(
        item,
        path,
        f"after Cilium has rolled out, remove the old {stale} once on every node (for example `kubectl debug "
        f"node/<node> --profile=sysadmin --image=busybox -- rm /host{stale}`): while it is there the runtime falls "
        "back to it whenever 00-multus.conf is missing",
        "warning",
    )


def _point_multus(report: Reporter, daemonset: Item, items: list[Item], directory: str) -> Iterator[Result]:
    main = multus.main_container(daemonset)
    assert main is not None  # _cannot_point said so
    seen_as = container_path(daemonset, main, directory)
    if seen_as is None:
        seen_as = "/host" + directory
        yield from _add_mount(report, daemonset, main, directory, seen_as)
    found = daemon_config.of(daemonset, items)
    thick = multus.flavor(daemonset) == "thick"
    if thick and found is not None:
        yield from daemon_config.ensure(report, found, daemon_config.AUTOCONFIG_KEY, seen_as, WHY_MULTUS)
        return
    yield from _set_flag(report, daemonset, main, seen_as)
    if thick:
        return
    yield report(
        daemonset,
        None,
        "thin Multus: its readiness indicator holds back pod ADDs, not the writing of 00-multus.conf "
        "(multus-cni #1306); with Cilium's config outside /etc/cni/net.d no pod starts before that file is there",
        "info",
    )


def container_path(daemonset: Item, container: str, host_directory: str) -> str | None:
    """Where `host_directory` is seen in the container, through the hostPath mount that covers the most of
    it (not the host's root, mounted for the daemon's chroot)."""
    host_paths = {
        name: str(volume["hostPath"].get("path") or "").rstrip("/") or "/"
        for name, volume in lookups.by_name(multus.volumes(daemonset)).items()
        if isinstance(volume.get("hostPath"), dict)
    }
    mounts = lookups.as_list(lookups.by_name(multus.containers(daemonset)).get(container, {}).get("volumeMounts"))
    best: tuple[int, str] | None = None
    for mount in lookups.by_name(mounts).values():
        source = host_paths.get(mount["name"])
        if source is None or not isinstance(mount.get("mountPath"), str):
            continue
        inside = host_directory == source or host_directory.startswith(source + "/")
        if inside and source != "/" and (best is None or len(source) > best[0]):
            best = (len(source), mount["mountPath"].rstrip("/") + host_directory[len(source) :])
    return best[1] if best else None


def _add_mount(report: Reporter, daemonset: Item, container: str, directory: str, seen_as: str) -> Iterator[Result]:
    volumes = (*multus.POD_SPEC, "volumes")
    mounts = (*multus.container_path(container), "volumeMounts")
    for path, value in (
        (volumes, {"name": VOLUME, "hostPath": {"path": directory, "type": "DirectoryOrCreate"}}),
        (mounts, {"name": VOLUME, "mountPath": seen_as}),
    ):
        yield report.append(daemonset, path, value, f"mounts {directory}, where Cilium writes its config")


def _flag_at(daemonset: Item) -> bool:
    return multus.flag_value(multus.main_args(daemonset), multus.AUTOCONFIG_FLAG) is not None


def _set_flag(report: Reporter, daemonset: Item, container: str, seen_as: str) -> Iterator[Result]:
    args_path = (*multus.container_path(container), "args")
    args = multus.main_args(daemonset)
    found = multus.flag_value(args, multus.AUTOCONFIG_FLAG)
    if found is None:
        yield report.append(daemonset, args_path, f"--{multus.AUTOCONFIG_FLAG}={seen_as}", WHY_MULTUS)
        return
    index, _ = found
    flag, equals, _ = args[index].partition("=")
    wanted = f"{flag}={seen_as}" if equals else seen_as
    yield from report.set_value(daemonset, (*args_path, index), wanted, WHY_MULTUS)
