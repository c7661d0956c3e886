"""What the transforms need to know about a Multus DaemonSet: which one, thick or thin, which release.

Why one module: every transform asks the same questions, and the answers must agree (a DaemonSet
the install-binary transform takes for v3 must not get a v4-only fix from another).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Result
from krm_multus.sdk.yamledit import Path

MAIN_CONTAINER = "kube-multus"
INSTALL_CONTAINER = "install-multus-binary"
ARM64_SUFFIX = "-arm64"
POD_SPEC: Path = ("spec", "template", "spec")
_VERSION_TAG = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")
_MISSING: Any = object()


def daemonsets(items: list[Item], config: dict[str, Any]) -> list[Item]:
    """The Multus DaemonSets to change: the target, and the arm64 copy the image transform made of it."""
    target = config["target"]
    names = (target["name"], target["name"] + ARM64_SUFFIX)
    return [
        item
        for item in items
        if item.is_a("DaemonSet", "apps")
        and item.name in names
        and (not target["namespace"] or item.namespace == target["namespace"])
        and not item.is_local_config
    ]


def containers(item: Item, key: str = "containers") -> list[dict[str, Any]]:
    """The pod template's containers (or `initContainers`) that are mappings with a name."""
    spec = item.data.get("spec", {}).get("template", {}).get("spec", {}) if isinstance(item.data, dict) else {}
    found = spec.get(key) if isinstance(spec, dict) else None
    return [c for c in found or [] if isinstance(c, dict) and isinstance(c.get("name"), str)]


def container_path(name: str, key: str = "containers") -> Path:
    return (*POD_SPEC, key, {"name": name})


def image_of(item: Item) -> str:
    """The image of the main Multus container (the first container when none is called kube-multus)."""
    main = containers(item)
    chosen = next((c for c in main if c["name"] == MAIN_CONTAINER), main[0] if main else {})
    return str(chosen.get("image") or "")


def split_image(image: str) -> tuple[str, str]:
    """An image reference's repository and tag ("" when it has none); a digest is dropped."""
    reference = image.partition("@")[0]
    head, slash, last = reference.rpartition("/")
    name, _, tag = last.partition(":")
    return head + slash + name, tag


def image_version(image: str) -> tuple[int, int, int] | None:
    """The release an image tag names (`v4.2.4-thick` -> (4, 2, 4)); None for moving tags and digests."""
    found = _VERSION_TAG.match(split_image(image)[1])
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def _words(container: dict[str, Any]) -> str:
    parts = [*(container.get("command") or []), *(container.get("args") or [])]
    return " ".join(str(part) for part in parts)


def flavor(item: Item) -> str:
    """"thick" (multus-daemon plus a shim) or "thin" (the multus binary as the CNI plugin), by what runs."""
    main = " ".join(_words(c) for c in containers(item))
    if "multus-daemon" in main:
        return "thick"
    if "thin_entrypoint" in main or "entrypoint.sh" in main:
        return "thin"
    return "thick" if "thick" in image_of(item) else "thin"


def generation(item: Item) -> int:
    """The Multus major release: from a versioned image tag, else from what the manifest runs."""
    version = image_version(image_of(item))
    if version is not None:
        return version[0]
    words = " ".join(_words(c) for c in containers(item) + containers(item, "initContainers"))
    if "entrypoint.sh" in words or re.search(r"/bin/multus(?:\s|$)", words):
        return 3
    return 4


def describe(item: Item) -> str:
    version = image_version(image_of(item))
    release = "v" + ".".join(map(str, version)) if version else f"v{generation(item)}"
    return f"{flavor(item)} Multus {release}"


def set_value(item: Item, path: Path, value: Any, transform: str, why: str) -> Iterator[Result]:
    """Make one field equal `value` and report the change (nothing when it already is)."""
    current = item.doc.get(path, _MISSING)
    if item.doc.set(path, value):
        yield changed(item, path, None if current is _MISSING else current, value, transform, why)


def changed(item: Item, path: Path, current: Any, proposed: Any, transform: str, why: str) -> Result:
    return Result(why, "info", item, path, current, proposed, {"transform": transform})


def note(item: Item | None, message: str, transform: str, severity: str = "info", path: Path | None = None) -> Result:
    """A transform's word that it did not apply, and why."""
    return Result(message, severity, item, path, tags={"transform": transform})


def main_container(item: Item) -> str | None:
    """The container that runs Multus: `kube-multus`, else the only one with a Multus image."""
    found = containers(item)
    if any(c["name"] == MAIN_CONTAINER for c in found):
        return MAIN_CONTAINER
    running = [c["name"] for c in found if is_multus_image(str(c.get("image") or ""))]
    return running[0] if len(running) == 1 else None


def is_multus_image(image: str) -> bool:
    """Whether an image is a Multus build: `multus` in its repository path, not in its tag."""
    return "multus" in split_image(image)[0]
