"""multusDaemon: Multus beside Cilium must fail closed, and the daemon's `connectionLimit` must be positive.

- Multus (a Multus DaemonSet, or a release of a `multus` chart) beside Cilium (as the cilium
  transform detects it) where the container runtime can still reach Cilium's own config is a
  warning: after a node reboot or a Multus restart, pods created before Multus has written
  `00-multus.conf` start with Cilium's network only, and their `k8s.v1.cni.cncf.io/networks` are
  ignored without a word (multus-cni #1387, #1468, #1527). It fails closed when Cilium writes its
  config outside `/etc/cni/net.d` (the agent's `etc-cni-netd` hostPath, or `cni.confPath`) and a
  Multus DaemonSet among the items reads it from a directory other than the one it writes to
  (`multusAutoconfigDir` and `cniConfigDir` in `daemon-config.json`; thin:
  `--multus-autoconfig-dir` and `--cni-conf-dir`). The fix is `spec.failClosed.enabled: true`
  (ConfigMap key `fail-closed`), see docs/fail-closed.md.
- `connectionLimit` of 0 or less (or not a whole number) in any `daemon-config.json` is an error:
  the thick daemon refuses to start with it (multus-cni PR #1510). Read in every ConfigMap among the
  items, and in the values of every Flux HelmRelease and Argo CD Application (inline, a `valuesFrom`
  ConfigMap among the items, `helm.values`) that declare the ConfigMap there, as charts built on the
  bjw-s common library do (app-template, the angelnu chart): `configMaps.<name>.data`.

Passing: thick Multus with `"multusAutoconfigDir": "/host/run/multus/cni/net.d"` and a Cilium
HelmRelease with `cni.confPath: /run/multus/cni/net.d`.

Failing:

    Multus beside Cilium fails open: after a reboot or a Multus restart, pods created before Multus
    has written 00-multus.conf start with Cilium's network only ...
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from krm_multus import charts, cilium, concurrency, daemon_config, helm, multus
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result
from krm_multus.sdk.yamledit import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "multusDaemon"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    for found in daemon_config.everywhere(items):
        yield from _connection_limit(report, found.item, daemon_config.PATH, found.settings, found.describe())
    yield from _connection_limits_in_values(report, items)
    deployment = cilium.Deployment.of(items)
    if not deployment.in_use(config.cilium.enabled):
        return
    conf_dirs = deployment.conf_dirs()
    cilium_open = not conf_dirs or cilium.RUNTIME_CONF_DIR in conf_dirs
    daemonsets = multus.daemonsets(items, config)
    for daemonset in daemonsets:
        if cilium_open or _multus_open(daemonset, items):
            main = multus.main_container(daemonset)
            where = multus.container_path(main) if main else multus.POD_SPEC
            yield report(daemonset, where, _message(multus.describe(daemonset)), "warning")
    if not daemonsets and cilium_open:
        for found in charts.releases(items, config):
            release = found.release
            yield report(release.item, release.source, _message(f"Multus from the `{release.chart}` chart"), "warning")


def _message(what: str) -> str:
    return (
        f"{what} beside Cilium fails open: after a reboot or a Multus restart, pods created before Multus has "
        "written 00-multus.conf start with Cilium's network only and their `k8s.v1.cni.cncf.io/networks` are "
        "ignored (multus-cni #1387); set `spec.failClosed.enabled: true` (ConfigMap key `fail-closed`) so that "
        "Cilium's config stays out of /etc/cni/net.d (Cilium Helm value `cni.confPath: /run/multus/cni/net.d`, "
        "Multus `multusAutoconfigDir` there; docs/fail-closed.md)"
    )


def _multus_open(daemonset: Item, items: list[Item]) -> bool:
    """Whether Multus reads the primary config from the directory it writes its own to."""
    found = daemon_config.of(daemonset, items)
    if multus.flavor(daemonset) == "thick" and found is not None:
        settings = found.settings or {}
        reads = settings.get(daemon_config.AUTOCONFIG_KEY, multus.DEFAULT_CONF_DIR)
        writes = settings.get(daemon_config.CONF_DIR_KEY, multus.DEFAULT_CONF_DIR)
    else:
        args = multus.main_args(daemonset)
        reads = (multus.flag_value(args, multus.AUTOCONFIG_FLAG) or (0, multus.DEFAULT_CONF_DIR))[1]
        written = [multus.flag_value(args, name) for name in multus.CONF_DIR_FLAGS]
        writes = next((hit[1] for hit in written if hit), multus.DEFAULT_CONF_DIR)
    return posixpath.normpath(str(reads)) == posixpath.normpath(str(writes))


def _connection_limits_in_values(report: Reporter, items: list[Item]) -> Iterator[Result]:
    """`connectionLimit` in a daemon config that Helm values declare as `configMaps.<name>.data`."""
    for release in helm.releases(items):
        for values in release.values:
            for name, config_map in lookups.mapping(helm.lookup(values, ("configMaps",))).items():
                text = lookups.get(config_map, ("data", daemon_config.KEY))
                if values.item is None or not isinstance(text, str):
                    continue
                path = (*values.path, "configMaps", name, "data", daemon_config.KEY)
                where = f"`configMaps.{name}` of {values.label}"
                yield from _connection_limit(report, values.item, path, daemon_config.parse(text), where)


def _connection_limit(
    report: Reporter, item: Item, path: Path, settings: dict[str, Any] | None, where: str
) -> Iterator[Result]:
    limit = lookups.mapping(settings).get(concurrency.KEY, lookups.MISSING)
    if limit is lookups.MISSING or concurrency.is_valid_limit(limit):
        return
    yield report(
        item,
        (*path, concurrency.KEY),
        f"`{concurrency.KEY}` is {limit!r} in {where}: the Multus daemon exits at start unless it is a whole "
        'number above 0 ("connection limit must be greater than 0"); remove it or set it to, say, 8',
    )
