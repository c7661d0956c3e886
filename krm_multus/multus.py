"""What the transforms need to know about a Multus DaemonSet: which one, thick or thin, which release.

Why one module: every transform asks the same questions, and the answers must agree (a DaemonSet
the install-binary transform takes for v3 must not get a v4-only fix from another).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import Any, NamedTuple

from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.yamledit import Path

MAIN_CONTAINER = "kube-multus"
MULTUS_REPOSITORY = "multus-cni"
DEFAULT_BIN_DIR = "/host/opt/cni/bin"
ARM64_SUFFIX = "-arm64"
# Community images that copy the reference CNI plugins into /host/opt/cni/bin, and the archived
# siderolabs one the Talos guide still names (siderolabs/pkgs#1399).
PLUGIN_IMAGES = ("cni-plugins", "install-cni")
ARCHIVED_PLUGIN_IMAGE = "ghcr.io/siderolabs/install-cni"
MAINTAINED_PLUGIN_IMAGES = (
    "ghcr.io/home-operations/cni-plugins",
    "ghcr.io/buroa/cni-plugins",
    "ghcr.io/angelnu/cni-plugins",
    "ghcr.io/skyssolutions/cni-plugins",
    "ghcr.io/d4rkfella/cni-plugins-install",
)
POD_SPEC: Path = ("spec", "template", "spec")
# Where Multus finds the primary CNI's config and writes its own: thin entrypoint and v3 thick daemon flags.
AUTOCONFIG_FLAG = "multus-autoconfig-dir"
CONF_DIR_FLAGS = ("cni-conf-dir", "cni-config-dir")  # thin entrypoint; v3 thick daemon
DEFAULT_CONF_DIR = "/host/etc/cni/net.d"  # both, as the container sees it, where nothing says otherwise
_VERSION_TAG = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


def daemonsets(items: list[Item], config: Config) -> list[Item]:
    """The Multus DaemonSets to change: by `spec.target.match`, those with the configured name (and the
    arm64 copy the image transform made), those running a Multus image, or (`auto`) either."""
    target = config.target
    names = (target.name, target.name + ARM64_SUFFIX)
    match = target.match
    return [
        item
        for item in items
        if item.is_a("DaemonSet", "apps")
        and not item.is_local_config
        and (not target.namespace or item.namespace == target.namespace)
        and ((match != "image" and item.name in names) or (match != "name" and runs_multus(item)))
    ]


def target_description(config: Config) -> str:
    """How `daemonsets` looks for the Multus DaemonSet, for messages that found none."""
    target = config.target
    by_name = f"named {target.name}"
    by_image = f"running a `{MULTUS_REPOSITORY}` image"
    found = {"name": by_name, "image": by_image}.get(target.match, f"{by_name} or {by_image}")
    return found + (f" in namespace {target.namespace}" if target.namespace else "")


def runs_multus(item: Item) -> bool:
    """Whether one of the pod's containers or init containers runs a Multus image (text test first)."""
    if MULTUS_REPOSITORY not in item.source:
        return False
    return any(
        is_multus_image(str(container.get("image") or ""))
        for key in ("containers", "initContainers")
        for container in containers(item, key)
    )


def pod_spec(item: Item) -> dict[str, Any]:
    """The pod template's spec, read-only ({} where the item has none)."""
    return lookups.mapping(lookups.get(item.data, POD_SPEC))


def containers(item: Item, key: str = "containers") -> list[dict[str, Any]]:
    """The pod template's containers (or `initContainers`) that are mappings with a name."""
    found = pod_spec(item).get(key)
    if not isinstance(found, list):
        return []
    return [c for c in found if isinstance(c, dict) and isinstance(c.get("name"), str)]


def volumes(item: Item) -> list[dict[str, Any]]:
    """The pod template's volumes that are mappings (odd shapes are left to the API server to refuse)."""
    return [volume for volume in lookups.as_list(pod_spec(item).get("volumes")) if isinstance(volume, dict)]


def container_path(name: str, key: str = "containers") -> Path:
    return (*POD_SPEC, key, {"name": name})


def image_of(item: Item) -> str:
    """The image of the main Multus container (see `main_container`; else the first container)."""
    main = containers(item)
    name = main_container(item)
    chosen = next((c for c in main if c["name"] == name), main[0] if main else {})
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


def main_args(item: Item) -> list[str]:
    """The main Multus container's args as text."""
    main = lookups.by_name(containers(item)).get(main_container(item) or "", {})
    return [str(arg) for arg in lookups.as_list(main.get("args"))]


def flag_value(args: list[str], name: str) -> tuple[int, str] | None:
    """Where a Go or pflag flag (`--name=v`, `-name=v`, `--name v`) is given, and its value."""
    for index, arg in enumerate(args):
        flag, equals, value = arg.partition("=")
        if flag.lstrip("-") != name or not flag.startswith("-"):
            continue
        if equals:
            return index, value
        if index + 1 < len(args):
            return index + 1, args[index + 1]
    return None


def _words(container: dict[str, Any]) -> str:
    parts = [part for key in ("command", "args") if isinstance(found := container.get(key), list) for part in found]
    return " ".join(str(part) for part in parts)


def flavor(item: Item) -> str:
    """ "thick" (multus-daemon plus a shim) or "thin" (the multus binary as the CNI plugin), by what runs."""
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


def main_container(item: Item) -> str | None:
    """The container that runs Multus: `kube-multus`, else the only one with a Multus image."""
    found = containers(item)
    if any(c["name"] == MAIN_CONTAINER for c in found):
        return MAIN_CONTAINER
    running = [c["name"] for c in found if is_multus_image(str(c.get("image") or ""))]
    return running[0] if len(running) == 1 else None


def is_multus_image(image: str) -> bool:
    """Whether an image is a Multus build: `multus-cni` in its repository path, not in its tag.

    Not plain `multus`: the multus-dynamic-networks-controller and multus-networkpolicy DaemonSets
    are not Multus."""
    return MULTUS_REPOSITORY in split_image(image)[0]


def is_plugin_installer(container: dict[str, Any]) -> bool:
    """Whether a container installs the reference CNI plugins (macvlan, ipvlan, ...): one named
    `install-cni`, or one running a community `cni-plugins` image or an `install-cni` image."""
    repository = split_image(str(container.get("image") or ""))[0]
    return container.get("name") == "install-cni" or any(name in repository for name in PLUGIN_IMAGES)


def is_archived_plugin_image(image: str) -> bool:
    return split_image(image)[0] == ARCHIVED_PLUGIN_IMAGE


class BinaryInstall(NamedTuple):
    """What an init container does to put the Multus binary or shim on the host."""

    binary: str  # "multus-shim" (thick) or "multus" (thin)
    how: str  # "install_multus" (atomic), "cp -f" (replaces a busy file) or "cp" (fails on a busy file)
    directory: str  # where it installs, as the container sees it


def binary_install(container: dict[str, Any]) -> BinaryInstall | None:
    """How a container installs Multus, read from its command and args; None when it does not."""
    commands = _shell_commands(_words(container))
    words = [word for command in commands for word in command]
    if any(posixpath.basename(word) == "install_multus" for word in words):
        return _install_multus(words)
    return next((found for command in commands if (found := _copy(command)) is not None), None)


def _install_multus(words: list[str]) -> BinaryInstall:
    """`install_multus [-d <dir>] -t thick|thin`: atomic, into /host/opt/cni/bin unless told otherwise."""
    binary = "multus-shim" if any("thick" in word for word in words) else "multus"
    flag = next((index for index, word in enumerate(words) if word in ("-d", "--dest-dir")), None)
    directory = words[flag + 1] if flag is not None and flag + 1 < len(words) else DEFAULT_BIN_DIR
    return BinaryInstall(binary, "install_multus", directory)


def _copy(command: list[str]) -> BinaryInstall | None:
    """A `cp` of the Multus binary or shim (after any wrapper such as `exec`); None for other commands."""
    start = next((index for index, word in enumerate(command) if posixpath.basename(word) == "cp"), None)
    if start is None:
        return None
    flags = [word for word in command[start + 1 :] if word.startswith("-")]
    files = [word for word in command[start + 1 :] if not word.startswith("-")]
    binaries = {posixpath.basename(path) for path in files[:-1]} & {"multus-shim", "multus"}
    if not binaries or len(files) < 2:
        return None
    forced = any(flag == "--force" or (not flag.startswith("--") and "f" in flag) for flag in flags)
    binary = "multus-shim" if "multus-shim" in binaries else "multus"
    target = files[-1]
    directory = posixpath.dirname(target) if posixpath.basename(target) == binary else target.rstrip("/")
    return BinaryInstall(binary, "cp -f" if forced else "cp", directory or "/")


def _shell_commands(line: str) -> list[list[str]]:
    """The simple commands of a shell line, each as its words, cut at operators (`&&`, `;`, `|`, ...).

    `command` and `args` are joined first, so `sh -c "a && b"` is read as its script's commands.
    A line shlex cannot read (an unbalanced quote) is read as plain words.
    """
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:
        words = line.split()
    commands: list[list[str]] = [[]]
    for word in words:
        if word and all(char in lexer.punctuation_chars for char in word):
            commands.append([])
        else:
            commands[-1].append(word)
    return commands
