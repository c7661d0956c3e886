"""target: say which Multus is among the items when no Multus DaemonSet is.

Every DaemonSet transform looks for the Multus DaemonSet as `spec.target` describes it. In a GitOps
repository Multus is often a Helm release instead (a Flux HelmRelease or an Argo CD Application of
a Multus chart or of app-template running a `multus-cni` image): its DaemonSet is rendered in the
cluster, and what Talos needs goes into the release's values.
- For each such release, one info names it, the chart and the Multus it runs, and what the function
  does for it (helmValues sets angelnu's `hostPaths.netns`; installBinary fixes an app-template shim
  copied with a plain `cp`; thin Multus needs nothing).
- A `multus` release whose chart cannot be told (its source is not among the items and its values
  do not show it) gets a warning naming the release and `spec.helmValues.multusChart`, the option
  that tells the function which chart it is; until then no module changes it or claims what it lacks.
- When neither a DaemonSet nor a release is found, one note says so (a warning when `spec.target`
  was set explicitly, since the configured name or namespace is then likely wrong; else info).
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import charts, multus
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "target"
CHART_OPTION = "`spec.helmValues.multusChart` (ConfigMap key `multus-chart`)"
# What the function does for a release of each chart and flavour, and the config sections that do it.
DONE = {
    (charts.ANGELNU, "thick"): (
        ("helmValues", "netns"),
        "helmValues sets `hostPaths.netns` in its values where needed; its shim installer already uses `cp -f`",
    ),
    (charts.APP_TEMPLATE, "thick"): (
        ("installBinary",),
        "installBinary makes a shim installer that runs a plain `cp` use install_multus in its values",
    ),
}
THIN = "thin Multus mounts no network namespaces and runs no daemon: nothing to change in its values"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    if multus.daemonsets(items, config):
        return
    found = charts.releases(items, config)
    for release in found:
        yield _describe(release, config, report)
    if not found:
        # Untagged, as a note about the run: it speaks for every DaemonSet transform at once.
        yield Result(
            f"no Multus DaemonSet {multus.target_description(config)} among the items: no DaemonSet to fix",
            "warning" if config.given.get("target") else "info",
        )


def _describe(release: charts.MultusRelease, config: Config, report: Reporter) -> Result:
    item = release.release.item
    if not release.chart:
        return report(
            item,
            release.release.source,
            f"this release installs chart `{release.release.chart}` from {release.origin}, which is not among the "
            "items, and its values do not tell which Multus chart it is: its values are left as they are and no "
            f"plugin is claimed missing; set {CHART_OPTION} to angelnu, bjw-s-labs, home-operations or bitnami",
            "warning",
        )
    sections, done = DONE.get((release.chart, release.flavor), ((), THIN))
    off = [section for section in sections if config[section].enabled is False]
    if off:
        done = f"nothing is changed for it (`spec.{off[0]}.enabled: false`)"
    return report(
        item,
        release.release.source,
        f"this release installs {release.flavor} Multus ({release.chart} chart), rendered in the cluster: no "
        f"DaemonSet among the items to fix; {done}",
        "info",
    )
