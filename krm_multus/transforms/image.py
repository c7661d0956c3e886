"""image: pin the Multus image, and run a separate DaemonSet for ARM64 nodes.

Upstream manifests name moving tags (`snapshot-thick`), so a node that pulls later runs other code
than its neighbours, and a command written for newer images fails on an old cached one
(multus #1422). Thick images up to v4.0.2 were built for amd64 only; on ARM64 nodes they do not
start, and the thin image has no `cp` (multus #1251).

- `spec.image.multus` sets the image of every container and init container that runs a Multus
  image, so command and image stay consistent.
- `spec.image.arm64` splits the DaemonSet by architecture: the original gets node affinity
  `kubernetes.io/arch NotIn [arm64]` and keeps its selector (a DaemonSet's selector is immutable);
  a copy named `<name>-arm64`, placed right after it, runs the arm64 image on `In [arm64]` nodes,
  with its selector and pod labels changed so that neither DaemonSet selects the other's pods.
- With no image configured, a warning for a moving tag or an amd64-only thick image.
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import multus
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "image"
ARCH_LABEL = "kubernetes.io/arch"
MOVING_TAGS = ("", "latest", "snapshot", "snapshot-thick", "stable", "stable-thick")
TERMS = (
    *multus.POD_SPEC,
    "affinity",
    "nodeAffinity",
    "requiredDuringSchedulingIgnoredDuringExecution",
    "nodeSelectorTerms",
)
# Annotations that tie an item to one place in one file; the copy must not claim the original's.
PLACEMENT_ANNOTATIONS = (
    "config.k8s.io/id",
    "internal.config.kubernetes.io/index",
    "config.kubernetes.io/index",
    "internal.config.kubernetes.io/id",
)


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    images = config.image
    for daemonset in multus.daemonsets(items, config):
        if daemonset.name.endswith(multus.ARM64_SUFFIX):
            continue
        if images.multus:
            yield from _set_images(report, daemonset, images.multus)
        if images.arm64:
            yield from _split(report, items, daemonset, images.arm64, config)
        if not images.multus and not images.arm64:
            yield from _warn_unpinned(report, daemonset)


def _multus_containers(item: Item) -> Iterator[tuple[str, str, str]]:
    for key in ("initContainers", "containers"):
        for container in multus.containers(item, key):
            image = str(container.get("image") or "")
            if multus.is_multus_image(image):
                yield key, container["name"], image


def _set_images(report: Reporter, item: Item, image: str) -> Iterator[Result]:
    for key, name, _ in list(_multus_containers(item)):
        path = (*multus.container_path(name, key), "image")
        yield from report.set_value(item, path, image, "pinned: every Multus container runs the same image")
    if multus.flavor(item) == "thick" and multus.image_version(image) and "thick" not in image:
        yield report(
            item,
            None,
            f"{image} looks like a thin image, but this DaemonSet runs thick Multus (multus-daemon): "
            "use a `-thick` tag",
            "warning",
        )


def _warn_unpinned(report: Reporter, item: Item) -> Iterator[Result]:
    for key, name, image in _multus_containers(item):
        tag = multus.split_image(image)[1]
        version = multus.image_version(image)
        path = (*multus.container_path(name, key), "image")
        if tag in MOVING_TAGS or tag.startswith("snapshot"):
            yield report(
                item,
                path,
                f"{image} is a moving tag: nodes that pull at different times run different Multus code; "
                "set `spec.image.multus` to a release such as ghcr.io/k8snetworkplumbingwg/multus-cni:v4.2.4-thick",
                "warning",
            )
        elif "-amd64" in tag or (version and version <= (4, 0, 2) and "thick" in tag):
            yield report(
                item,
                path,
                f"{image} is built for amd64 only and does not start on ARM64 nodes (multus #1251): use "
                "v4.1.0-thick or later, or set `spec.image.arm64` for a separate ARM64 DaemonSet",
                "warning",
            )


def _split(report: Reporter, items: list[Item], original: Item, arm64_image: str, config: Config) -> Iterator[Result]:
    selector = original.doc.get(("spec", "selector")) or {}
    labels = selector.get("matchLabels") if isinstance(selector, dict) else None
    if not isinstance(labels, dict) or not labels or set(selector) - {"matchLabels"}:
        yield report(
            original,
            ("spec", "selector"),
            "the selector is not plain `matchLabels`: cannot give an ARM64 copy labels of its own; "
            "split the DaemonSet by hand",
            "warning",
        )
        return
    copy_name = original.name + multus.ARM64_SUFFIX
    copy = next((item for item in multus.daemonsets(items, config) if item.name == copy_name), None)
    if copy is None:
        copy = Item(original.current_text)
        items.insert(items.index(original) + 1, copy)
        for annotation in PLACEMENT_ANNOTATIONS:
            copy.doc.delete(("metadata", "annotations", annotation))
        copy.doc.set(("metadata", "name"), copy_name)
        for key, value in labels.items():
            own = f"{value}{multus.ARM64_SUFFIX}"
            copy.doc.set(("spec", "selector", "matchLabels", key), own)
            copy.doc.set(("spec", "template", "metadata", "labels", key), own)
        yield from _require_arch(report, copy, "In")
        yield report.change(
            copy,
            ("metadata", "name"),
            None,
            copy_name,
            f"added: a copy of {original.name} for ARM64 nodes, running {arm64_image}",
        )
    else:
        yield from _require_arch(report, copy, "In")
    yield from _require_arch(report, original, "NotIn")
    for key, name, _ in list(_multus_containers(copy)):
        path = (*multus.container_path(name, key), "image")
        yield from report.set_value(copy, path, arm64_image, "the ARM64 copy runs the ARM64 image")


def _require_arch(report: Reporter, item: Item, operator: str) -> Iterator[Result]:
    """Add `kubernetes.io/arch <operator> [arm64]` to every node selector term (terms are ORed)."""
    expression = {"key": ARCH_LABEL, "operator": operator, "values": ["arm64"]}
    terms = item.doc.get(TERMS)
    why = "only ARM64 nodes run this DaemonSet" if operator == "In" else "ARM64 nodes run the -arm64 copy instead"
    if not isinstance(terms, list) or not terms:
        yield from report.set_value(item, TERMS, [{"matchExpressions": [expression]}], why)
        return
    for index, term in enumerate(terms):
        expressions = term.get("matchExpressions") if isinstance(term, dict) else None
        arch = [e for e in lookups.as_list(expressions) if isinstance(e, dict) and e.get("key") == ARCH_LABEL]
        if arch == [expression]:
            continue
        if arch:
            yield report(
                item,
                (*TERMS, index),
                f"node selector term {index} already constrains {ARCH_LABEL}: left as it is",
                "warning",
            )
            continue
        path = (*TERMS, index, "matchExpressions")
        item.doc.append(path, expression)
        yield report.change(item, path, expressions, [*(expressions or []), expression], why)
