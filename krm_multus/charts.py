"""Multus installed by a Helm release: which chart, thick or thin Multus, and whether it installs plugins.

Why one module: the target note, the helmValues and installBinary transforms and the talosPlugins
check all ask which Multus a Flux HelmRelease or Argo CD Application installs, and must answer
alike. Users keep a chart's source (HelmRepository, OCIRepository) in another folder than the
release, so the answer comes, in this order, from
1. the chart's repository URL, where the source is among the items or named by an Argo CD source;
2. the name of the Flux source the release refers to (`angelnu-charts`, `bjw-s-labs`, ...);
3. the shape of the values among the items (keys that only one chart has);
4. `spec.helmValues.multusChart`, the user's word for a release none of that tells.
A chart `multus` still untold is "" here: callers neither change it nor claim what it lacks.

Facts from the charts (`../shared/upstream/USERS.md`):
- angelnu `multus`: thick; values `hostPaths.netns`, `cni.paths.*`; its `cni-installer` init
  container (always rendered) copies the reference plugins.
- bjw-s-labs `multus` 1.x: thin; values `cni.binPath`, `cni.netPath`, `cni-plugins.*` (an init
  container always rendered that copies the reference plugins).
- home-operations `multus`: thin; values `cni.binDir`, `cni.netDir`, `cniPlugins.*` (the same).
- bitnami `multus-cni`: thin; values `hostCNIBinDir`, `hostCNINetDir`; renders no plugin installer.
- bjw-s `app-template`: Multus when a controller runs a `multus-cni` image; thick when it runs
  `multus-daemon` (or a `-thick` tag); it installs plugins when an init container runs a plugin image.
"""

from __future__ import annotations

import functools

from krm_multus import helm, multus
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config, merge
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ANGELNU = "angelnu"
BJW_S_LABS = "bjw-s-labs"
HOME_OPERATIONS = "home-operations"
BITNAMI = "bitnami"
APP_TEMPLATE = "app-template"
MULTUS_CHARTS = ("multus", "multus-cni")  # the names the Multus charts publish under (bitnami: multus-cni)
# chart -> (flavor, whether it always renders a plugin installer)
KNOWN: dict[str, tuple[str, bool]] = {
    ANGELNU: ("thick", True),
    BJW_S_LABS: ("thin", True),
    HOME_OPERATIONS: ("thin", True),
    BITNAMI: ("thin", False),
}
# What a repository URL or a Flux source name contains, per chart.
NAMED_BY = ((ANGELNU, "angelnu"), (BJW_S_LABS, "bjw-s"), (HOME_OPERATIONS, "home-operations"), (BITNAMI, "bitnami"))
# Values only one chart has.
SHAPES: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    (ANGELNU, (("hostPaths",), ("cni", "paths"))),
    (BJW_S_LABS, (("cni", "binPath"), ("cni", "netPath"), ("cni-plugins",))),
    (HOME_OPERATIONS, (("cni", "binDir"), ("cni", "netDir"), ("cniPlugins",))),
    (BITNAMI, (("hostCNIBinDir",), ("hostCNINetDir",))),
)
CONTROLLERS = ("controllers",)
RUNS = ("command", "args")


class Container(Record):
    """An app-template container as its values declare it, shaped like a pod's container."""

    __slots__ = ()

    key: tuple[str, ...]  # where in the values: ("controllers", <c>, "initContainers", <name>)
    spec: dict[str, Any]  # name, image ("repository:tag"), command, args


class MultusRelease(Record):
    __slots__ = ()
    release: helm.Release
    chart: str  # one of KNOWN or APP_TEMPLATE; "" when it cannot be told
    flavor: str  # "thick" or "thin"; "" when the chart cannot be told
    installs_plugins: bool  # renders a container that copies the reference CNI plugins
    containers: tuple[Container, ...] = ()  # app-template only

    @property
    def origin(self) -> str:
        """Where the chart comes from, as far as the items tell."""
        return self.release.repository or self.release.source_ref or "an unnamed source"


def releases(items: list[Item], config: Config) -> list[MultusRelease]:
    """The Helm releases among the items that install Multus."""
    found = []
    for release in helm.releases(items):
        if release.chart == APP_TEMPLATE:
            containers = app_template_containers(release)
            if any(multus.is_multus_image(str(c.spec.get("image") or "")) for c in containers):
                found.append(_app_template(release, containers))
        elif release.chart in MULTUS_CHARTS:
            chart = chart_of(release, config)
            flavor, installs = KNOWN.get(chart, ("", False))
            found.append(MultusRelease(release, chart, flavor, installs))
    return found


def chart_of(release: helm.Release, config: Config) -> str:
    """The Multus chart a `multus` release installs, as the items tell it, else as the config does ("" when
    neither does, and for other charts)."""
    if release.chart not in MULTUS_CHARTS:
        return ""
    return identify(release) or config.helmValues.multusChart


def identify(release: helm.Release) -> str:
    """The Multus chart a `multus` release installs, by repository, source name and values; "" when untold."""
    if release.chart == "multus-cni":
        return BITNAMI
    for text in (release.repository, release.source_ref.partition(" ")[2]):
        chart = next((chart for chart, token in NAMED_BY if token in text), "")
        if chart:
            return chart
    values = merged_values(release)
    return next(
        (chart for chart, keys in SHAPES if any(lookups.get(values, key) is not None for key in keys)),
        "",
    )


def merged_values(release: helm.Release) -> dict[str, Any]:
    """The values of the places among the items, merged as Helm merges them (sources not among the items
    and Argo CD parameters left out)."""
    readable = [helm.lookup(values, ()) for values in release.values]
    return functools.reduce(merge, [values for values in readable if isinstance(values, dict)], {})


def app_template_containers(release: helm.Release) -> list[Container]:
    """The containers and init containers app-template values declare, image as `repository:tag`."""
    found = []
    controllers = lookups.mapping(lookups.get(merged_values(release), CONTROLLERS))
    for controller, settings in controllers.items():
        for kind in ("initContainers", "containers"):
            for name, spec in lookups.mapping(lookups.mapping(settings).get(kind)).items():
                spec = lookups.mapping(spec)
                image = lookups.mapping(spec.get("image"))
                reference = str(image.get("repository") or "") + (f":{image['tag']}" if image.get("tag") else "")
                shaped = {"name": str(name), "image": reference, **{key: _as_list(spec.get(key)) for key in RUNS}}
                found.append(Container((*CONTROLLERS, str(controller), kind, str(name)), shaped))
    return found


def _as_list(value: Any) -> list[Any]:
    """app-template takes `command` and `args` as a list or as one string."""
    return [value] if isinstance(value, str) else lookups.as_list(value)


def _app_template(release: helm.Release, containers: list[Container]) -> MultusRelease:
    main = [c.spec for c in containers if c.key[2] == "containers"]
    image = next((str(spec["image"]) for spec in main if multus.is_multus_image(str(spec["image"]))), "")
    installs = any(multus.is_plugin_image(str(c.spec["image"])) for c in containers if c.key[2] == "initContainers")
    return MultusRelease(release, APP_TEMPLATE, multus.running(main, image), installs, tuple(containers))
