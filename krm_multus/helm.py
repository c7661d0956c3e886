"""Helm releases among the items: Flux HelmReleases and Argo CD Applications, the chart each one
installs, and the places its values come from, in the order Helm merges them.

Why one module: the cilium transform asks whether Cilium is installed by a release, the helmValues
transform edits release values; both must recognise a chart the same way, and both must stay cheap
on a stream of thousands of other items (only HelmReleases and Applications are parsed).
"""

from __future__ import annotations

import posixpath

from yaml.nodes import MappingNode

from krm_multus.sdk import lookups
from krm_multus.sdk.perrun import PerRun
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item, of_kind
from krm_multus.sdk.yamledit import Document, Path, YamlError, format_path, load

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FLUX_GROUP = "helm.toolkit.fluxcd.io"
ARGO_GROUP = "argoproj.io"
VALUES_KEY = "values.yaml"


class Values(Record):
    """One place a release's values come from.

    `kind` is "inline" (a mapping in the release), "embedded" (a YAML document in a string: a
    `valuesFrom` ConfigMap among the items, an Argo CD `helm.values`), "parameters" (Argo CD
    `helm.parameters`, dotted names) or "external" (a Secret, a ConfigMap or a value file that is
    not among the items: it cannot be read).
    """

    __slots__ = ()

    kind: str
    label: str  # how messages name it
    item: Item | None  # the item that holds the values; None for "external"
    path: Path  # where in `item` they are
    origin: Path  # where the release names this source
    target_path: str = ""  # Flux `valuesFrom[].targetPath`: the source sets this one value only

    def may_set(self, key: tuple[str, ...]) -> bool:
        dotted = ".".join(key)
        return not self.target_path or dotted == self.target_path or dotted.startswith(self.target_path + ".")


class Release(Record):
    __slots__ = ()
    item: Item
    chart: str  # the chart's name: the last segment of its path or OCI URL
    repository: str  # the chart repository's URL where it is known, else ""
    values: tuple[Values, ...]  # lowest precedence first
    source: Path  # where the chart is named in the item (Argo CD: which source)
    # The Flux source the release names ("HelmRepository flux-system/angelnu-charts"), known even
    # where that source is not among the items; "" for Argo CD, whose `repository` is always known.
    source_ref: str = ""


def releases(items: list[Item]) -> tuple[Release, ...]:
    """Every Flux HelmRelease and Argo CD Application chart source among the items (read once per run:
    see `perrun`)."""
    return _RELEASES(items)


def _releases(items: list[Item]) -> tuple[tuple[Release, ...], list[Item]]:
    """The releases, and the items they were read from: the releases, their chart sources and values."""
    found: list[Release] = []
    read: list[Item] = []
    if not (of_kind(items, "HelmRelease") or of_kind(items, "Application")):
        return (), read  # the usual case, answered by the index of kinds without a look at each item
    for item in items:
        # The kind first: it is read once per item, the local-config annotation is a search of its text.
        if item.is_a("HelmRelease", FLUX_GROUP) and not item.is_local_config:
            found.append(_flux(item, items, read))
            read.append(item)
        elif item.is_a("Application", ARGO_GROUP) and not item.is_local_config:
            found.extend(_argo(item))
            read.append(item)
    return tuple(release for release in found if release.chart), read


_RELEASES = PerRun(_releases)


def lookup(values: Values, key: tuple[str, ...]) -> Any:
    """The value `key` has in one place, lookups.MISSING where it is not set there or cannot be read."""
    if values.kind == "external" or values.item is None:
        return lookups.MISSING
    found = lookups.get(values.item.data, values.path)
    if values.kind == "parameters":
        dotted = ".".join(key)
        names = [p.get("value") for p in lookups.as_list(found) if isinstance(p, dict) and p.get("name") == dotted]
        return names[-1] if names else lookups.MISSING
    if values.kind == "embedded":
        try:
            found = load(found) if isinstance(found, str) else None
        except YamlError:
            return lookups.MISSING
    return lookups.get(found, key, lookups.MISSING)


def assign(values: Values, key: tuple[str, ...], wanted: Any) -> tuple[Path, Any, Any] | None:
    """Set `key` to `wanted` in one place; when that changed it, the path to report and the values
    before and after (Argo CD parameters are strings).

    Raises YamlError where an embedded document cannot be edited.
    """
    assert values.item is not None
    doc = values.item.doc
    current = lookup(values, key)
    path = (*values.path, *key)
    if values.kind == "parameters":
        path, wanted = (*values.path, {"name": ".".join(key)}, "value"), as_text(wanted)
        changed = doc.set(path, wanted)
    elif values.kind == "embedded":
        inner = Document(doc.get(values.path) or "")
        if not isinstance(inner.root, MappingNode):
            raise YamlError("its document is not a mapping of values")
        changed = inner.set(key, wanted) and doc.set_text(values.path, inner.text)
    else:
        changed = doc.set(path, wanted)
    return (path, None if current is lookups.MISSING else current, wanted) if changed else None


def is_present(values: Values) -> bool:
    """Whether the place exists in its item (an inline `spec.values` may still have to be created)."""
    return values.item is not None and lookups.get(values.item.data, values.path) is not None


def as_text(value: Any) -> str:
    """A value as `--set` and Argo CD parameters write it."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _find(items: list[Item], kind: str, name: Any, namespace: str, read: list[Item]) -> Item | None:
    """The item of `kind` called `name` in `namespace` (an item without a namespace matches any), added
    to `read`."""
    for item in of_kind(items, kind):
        if item.name == name and (not item.namespace or not namespace or item.namespace == namespace):
            read.append(item)
            return item
    return None


def _chart_name(reference: Any) -> str:
    return posixpath.basename(str(reference or "").rstrip("/")).partition(":")[0]


def _flux(item: Item, items: list[Item], read: list[Item]) -> Release:
    spec = lookups.mapping(lookups.mapping(item.data).get("spec"))
    namespace = item.namespace
    chart = lookups.mapping(lookups.mapping(spec.get("chart")).get("spec"))
    reference = lookups.mapping(spec.get("chartRef"))
    name, url, named = "", "", {}
    if chart.get("chart"):
        name = _chart_name(chart["chart"])
        source = named = lookups.mapping(chart.get("sourceRef"))
        url = _url(
            _find(
                items,
                str(source.get("kind") or "HelmRepository"),
                source.get("name"),
                str(source.get("namespace") or namespace),
                read,
            )
        )
    elif reference.get("name"):
        named = reference
        kind = str(reference.get("kind") or "")
        found = (
            _find(items, kind, reference["name"], str(reference.get("namespace") or namespace), read)
            if kind in ("OCIRepository", "HelmChart")
            else None
        )
        name = _chart_name(reference["name"])
        if found is not None and kind == "OCIRepository":
            url = _url(found)
            name = _chart_name(url) or name
        elif found is not None:
            helm_chart = lookups.mapping(lookups.mapping(found.data).get("spec"))
            name = _chart_name(helm_chart.get("chart")) or name
            source = lookups.mapping(helm_chart.get("sourceRef"))
            url = _url(
                _find(
                    items,
                    str(source.get("kind") or "HelmRepository"),
                    source.get("name"),
                    found.namespace or namespace,
                    read,
                )
            )
    values = [
        _values_from(entry, ("spec", "valuesFrom", index), items, namespace, read)
        for index, entry in enumerate(lookups.as_list(spec.get("valuesFrom")))
        if isinstance(entry, dict)
    ]
    values.append(_own("inline", item, ("spec", "values")))
    where = ("spec", "chart") if chart else ("spec", "chartRef")
    return Release(item, name, url, tuple(values), where, _source_ref(named, namespace))


def _source_ref(reference: dict[str, Any], namespace: str) -> str:
    """How messages name a Flux `sourceRef` or `chartRef`: its kind, namespace and name."""
    if not reference.get("name"):
        return ""
    kind = str(reference.get("kind") or "HelmRepository")
    parts = (str(reference.get("namespace") or namespace), str(reference["name"]))
    return f"{kind} {'/'.join(part for part in parts if part)}"


def _values_from(entry: dict[str, Any], where: Path, items: list[Item], namespace: str, read: list[Item]) -> Values:
    """A Flux `valuesFrom` entry: a ConfigMap among the items can be edited, anything else cannot."""
    kind, name = str(entry.get("kind") or ""), str(entry.get("name") or "")
    key = str(entry.get("valuesKey") or VALUES_KEY)
    target = str(entry.get("targetPath") or "")
    label = f"{kind} {name} key `{key}`" + (f" (targetPath `{target}`)" if target else "")
    found = _find(items, kind, name, namespace, read) if kind == "ConfigMap" else None
    if found is None or target or not isinstance(lookups.get(found.data, ("data", key)), str):
        return Values("external", label, None, (), where, target)
    return Values("embedded", label, found, ("data", key), where)


def _own(kind: str, item: Item, path: Path) -> Values:
    """Values the release holds itself."""
    return Values(kind, f"`{format_path(path)}`", item, path, path)


def _url(source: Item | None) -> str:
    return str(lookups.mapping(lookups.mapping(source.data).get("spec")).get("url") or "") if source is not None else ""


def _argo(item: Item) -> list[Release]:
    spec = lookups.mapping(lookups.mapping(item.data).get("spec"))
    sources: list[tuple[Path, Any]] = [(("spec", "source"), spec.get("source"))]
    sources += [
        (("spec", "sources", index), source) for index, source in enumerate(lookups.as_list(spec.get("sources")))
    ]
    found = []
    for where, source in sources:
        source = lookups.mapping(source)
        if not source.get("chart"):
            continue
        helm = lookups.mapping(source.get("helm"))
        base = (*where, "helm")
        values = [
            Values("external", f"value file `{file}`", None, (), (*base, "valueFiles", index))
            for index, file in enumerate(lookups.as_list(helm.get("valueFiles")))
        ]
        if "valuesObject" not in helm and isinstance(helm.get("values"), str):
            values.append(_own("embedded", item, (*base, "values")))
        values.append(_own("inline", item, (*base, "valuesObject")))
        values.append(_own("parameters", item, (*base, "parameters")))
        found.append(
            Release(item, _chart_name(source["chart"]), str(source.get("repoURL") or ""), tuple(values), where)
        )
    return found
