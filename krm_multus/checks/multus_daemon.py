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
- `connectionLimit` of 0 or less (or not a whole number) in any `daemon-config.json` among the items
  is an error: the thick daemon refuses to start with it (multus-cni PR #1510).

Passing: thick Multus with `"multusAutoconfigDir": "/host/run/multus/cni/net.d"` and a Cilium
HelmRelease with `cni.confPath: /run/multus/cni/net.d`.

Failing:

    Multus beside Cilium fails open: after a reboot or a Multus restart, pods created before Multus
    has written 00-multus.conf start with Cilium's network only ...
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from krm_multus import cilium_cni, daemon_config, helm, multus
from krm_multus.checks.findings import DOUBTFUL, Reporter
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Result
from krm_multus.transforms import fail_closed

NAME = "multusDaemon"
# What the thick daemon and the thin entrypoint use where the config does not say.
DEFAULT_DIR = "/host/etc/cni/net.d"
CONF_DIR_FLAGS = ("cni-conf-dir", "cni-config-dir")  # thin entrypoint; v3 thick daemon


def apply(items: list[Item], config: dict[str, Any]) -> Iterator[Result]:
    report = Reporter(NAME, config)
    for found in daemon_config.everywhere(items):
        yield from _connection_limit(found, report)
    if not cilium_cni.in_use(items, config):
        return
    cilium_open = not cilium_cni.conf_dirs(items) or cilium_cni.RUNTIME_CONF_DIR in cilium_cni.conf_dirs(items)
    daemonsets = multus.daemonsets(items, config)
    for daemonset in daemonsets:
        if cilium_open or _multus_open(daemonset, items):
            main = multus.main_container(daemonset)
            where = multus.container_path(main) if main else multus.POD_SPEC
            yield report(daemonset, where, _message(multus.describe(daemonset)), DOUBTFUL)
    if not daemonsets:
        for release in helm.releases(items):
            if release.chart == "multus" and cilium_open:
                yield report(release.item, release.source, _message("Multus from the `multus` chart"), DOUBTFUL)


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
        reads = settings.get(fail_closed.AUTOCONFIG_KEY, DEFAULT_DIR)
        writes = settings.get("cniConfigDir", DEFAULT_DIR)
    else:
        args = fail_closed.main_args(daemonset)
        reads = (fail_closed.flag_value(args, fail_closed.AUTOCONFIG_FLAG) or (0, DEFAULT_DIR))[1]
        written = [fail_closed.flag_value(args, name) for name in CONF_DIR_FLAGS]
        writes = next((hit[1] for hit in written if hit), DEFAULT_DIR)
    return posixpath.normpath(str(reads)) == posixpath.normpath(str(writes))


def _connection_limit(found: daemon_config.DaemonConfig, report: Reporter) -> Iterator[Result]:
    settings = found.settings or {}
    if "connectionLimit" not in settings:
        return
    limit = settings["connectionLimit"]
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        return
    yield report(
        found.item,
        (*found.path, "connectionLimit"),
        f"`connectionLimit` is {limit!r} in {found.describe()}: the Multus daemon exits at start unless it is a "
        'whole number above 0 ("connection limit must be greater than 0"); remove it or set it to, say, 8',
    )
