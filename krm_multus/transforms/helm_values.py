"""helmValues: set what Talos needs in the Helm values of Flux HelmReleases and Argo CD Applications.

Most Talos users install Cilium and Multus from Helm charts through Flux or Argo CD: the settings
live in a release's values (or in a ConfigMap it reads), not in rendered manifests.
- Cilium chart (unless `spec.cilium.enabled: false`): `cni.exclusive: <spec.cilium.exclusive>`
  (default false); as an exclusive CNI Cilium renames the Multus config to `*.cilium_bak`.
- angelnu Multus chart, thick (unless `spec.netns.enabled: false`): `hostPaths.netns:
  <spec.netns.path without its trailing slash>`, where it is unset or the upstream `/run/netns`; a
  path chosen by hand is left alone with a warning. The other Multus charts run thin Multus, which
  mounts no network namespaces.

Charts are recognised as `helm` recognises them: by name (Flux `spec.chart.spec.chart`, an
OCIRepository's URL or a HelmChart's chart for `spec.chartRef`, an Argo CD source's `chart`); the
angelnu chart, as the `charts` module tells Multus charts apart, by its repository URL where that
is known (a HelmRepository or OCIRepository among the items, an Argo CD `repoURL`), else by the
name of the Flux source (`angelnu-charts`), else by its values (`hostPaths`, `cni.paths`), else by
`spec.helmValues.multusChart: angelnu`. A `multus` release none of these tells is left alone (the
target note names it).

Where a value is written. Helm merges values in order, later ones winning: Flux `valuesFrom` in
their order, then `spec.values`; Argo CD `valueFiles`, then `helm.values` (ignored when
`helm.valuesObject` is there), then `helm.valuesObject`, then `helm.parameters`. So:
1. where a place the function can read sets the value, it is changed in the last such place: that
   is the one that takes effect;
2. where none does, it is added to the last `valuesFrom` ConfigMap among the items (the values file
   the user keeps; no inline override is made beside it), else to `helm.values`, else to
   `spec.values` / `helm.valuesObject`; but when the values come only from sources that are not
   among the items (a Secret, a ConfigMap from elsewhere, value files), a warning names them and
   the value to set, and nothing changes;
3. every such unreadable source merged after the changed place gets a warning: it may set the value
   back.
A document inside a string (`data.values.yaml`, `helm.values`) is edited in place: comments, key
order and its `|` block stay. Each change is reported as a transform's, with the field path
(`data[values.yaml].cni.exclusive` for a value inside a ConfigMap's document).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from krm_multus import charts, cilium, helm
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result
from krm_multus.sdk.yamledit import Path, YamlError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "helmValues"
EXCLUSIVE = ("cni", "exclusive")
NETNS = ("hostPaths", "netns")
UPSTREAM_NETNS = "/run/netns"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    exclusive = config.cilium.exclusive
    netns = config.netns.path.rstrip("/") or "/"
    if config.cilium.enabled is not False:
        for release in cilium.releases(items):
            yield from ensure(report, release, EXCLUSIVE, exclusive, cilium.exclusive_reason(exclusive))
    if config.netns.enabled:
        why = f"Talos keeps network namespaces under {netns}: the chart's netns volume mounts it"
        for release in helm.releases(items):
            if charts.chart_of(release, config) == charts.ANGELNU:
                yield from ensure(report, release, NETNS, netns, why, _hand_chosen_netns(netns))


Leave = Callable[[object], "str | None"]


def ensure(
    report: Reporter,
    release: helm.Release,
    key: tuple[str, ...],
    wanted: Any,
    why: str,
    leave: Leave = lambda current: None,
) -> Iterator[Result]:
    """Make `key` take the value `wanted`; `leave(current)` says why a current value stays instead
    (None: it does not; "": it is right already)."""
    dotted = ".".join(key)
    setting = f"`{dotted}: {helm.as_text(wanted)}`"
    place, unread = _place(release, key)
    if place is None:
        sources = ", ".join(values.label for values in unread)
        yield _warning(
            report,
            release,
            f"the values of this release come from {sources}, which are not among the items: set {setting} there",
            unread[0].origin[:-1],
        )
        return
    reason = leave(helm.lookup(place, key))
    if reason:
        yield _warning(report, release, f"{place.label}: {reason}", place.origin)
        return
    if reason is None:
        try:
            change = helm.assign(place, key, wanted)
        except YamlError as error:
            yield _warning(
                report, release, f"cannot edit the values in {place.label}: {error}; set {setting} there", place.origin
            )
            return
        if change is not None:
            assert place.item is not None
            yield report.change(place.item, *change, f"{release.chart} chart: {why}")
    for values in unread:
        yield _warning(
            report,
            release,
            f"{values.label} is not among the items and is merged after {place.label}: "
            f"make sure it does not set `{dotted}`, or sets it as {setting}",
            values.origin,
        )


def _hand_chosen_netns(wanted: str) -> Leave:
    def leave(current: Any) -> str | None:
        if not isinstance(current, str) or current.rstrip("/") == UPSTREAM_NETNS:
            return None
        if current.rstrip("/") == wanted:
            return ""
        return (
            f"`{'.'.join(NETNS)}` is {current}, not {wanted}: left as it is; set `spec.netns.path` to {current} "
            "if that is where your nodes keep network namespaces"
        )

    return leave


def _place(release: helm.Release, key: tuple[str, ...]) -> tuple[helm.Values | None, list[helm.Values]]:
    """Where `key` gets its value written, and the unreadable sources merged after that place."""
    sources = [values for values in release.values if values.may_set(key)]
    unread = [values for values in sources if values.kind == "external"]
    setting = [values for values in sources if helm.lookup(values, key) is not lookups.MISSING]
    files = [values for values in sources if values.kind == "embedded"]
    inline = [values for values in sources if values.kind == "inline"]
    if setting:
        place = setting[-1]
    elif files:
        place = files[-1]
    elif inline and (not unread or helm.is_present(inline[-1])):
        place = inline[-1]
    else:
        return None, unread
    return place, [values for values in sources[sources.index(place) + 1 :] if values.kind == "external"]


def _warning(report: Reporter, release: helm.Release, message: str, path: Path | None = None) -> Result:
    return report(release.item, path or release.source, message, "warning")
