"""What the transforms need to know about a Multus DaemonSet: which one, thick or thin, which release.

Why one module: every transform asks the same questions, and the answers must agree (a DaemonSet
the install-binary transform takes for v3 must not get a v4-only fix from another).
"""

from __future__ import annotations

import posixpath
import shlex

from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item, of_kind
from krm_multus.sdk.yamledit import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAIN_CONTAINER = "kube-multus"
MULTUS_REPOSITORY = "multus-cni"
DEFAULT_BIN_DIR = "/host/opt/cni/bin"
ARM64_SUFFIX = "-arm64"
# Images that copy the reference CNI plugins into /host/opt/cni/bin, by the last part of their
# repository path: the community `cni-plugins` (and d4rkfella's `cni-plugins-install`) and the
# archived siderolabs `install-cni` the Talos guide still names (siderolabs/pkgs#1399).
PLUGIN_IMAGES = ("cni-plugins", "install-cni", "cni-plugins-install")
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


def daemonsets(items: list[Item], config: Config) -> list[Item]:
    """The Multus DaemonSets to change: by `spec.target.match`, those with the configured name (and the
    arm64 copy the image transform made), those running a Multus image, or (`auto`) either."""
    target = config.target
    names = (target.name, target.name + ARM64_SUFFIX)
    match = target.match
    return [
        item
        for item in of_kind(items, "DaemonSet", "apps")
        if not item.is_local_config
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


def repository_is(image: str, repository: str) -> bool:
    """Whether `image` comes from `repository` (`siderolabs/install-cni`, or a last part alone such as
    `multus-cni`) under any registry or proxy prefix: its repository path ends with those components.

    Why one rule: air-gapped and proxied clusters pull `harbor.example.com/ghcr/siderolabs/install-cni`;
    every recogniser must see the image it mirrors, and none may match a mere substring.
    """
    wanted = repository.split("/")
    return split_image(image)[0].split("/")[-len(wanted) :] == wanted


def image_version(image: str) -> tuple[int, int, int] | None:
    """The release an image tag names (`v4.2.4-thick` -> (4, 2, 4)); None for moving tags and digests."""
    found = version_numbers(split_image(image)[1], 3)
    return (found[0], found[1], found[2]) if found else None


def version_numbers(text: str, count: int) -> tuple[int, ...] | None:
    """The first `count` numbers of a version, after an optional `v` (`v4.2.4-thick`, 3 -> (4, 2, 4));
    None where the text does not start so. String tests: compiling a pattern cost every run more."""
    parts = text[text.startswith("v") :].split(".", count - 1)
    if len(parts) < count:
        return None
    last = parts[-1]
    parts[-1] = last[: next((at for at, char in enumerate(last) if not char.isdecimal()), len(last))]
    return tuple(int(part) for part in parts) if all(part.isdecimal() for part in parts) else None


def main_args(item: Item) -> list[str]:
    """The main Multus container's args as text."""
    main = lookups.by_name(containers(item)).get(main_container(item) or "", {})
    return [str(arg) for arg in lookups.as_list(main.get("args"))]


def flag_index(args: list[str], name: str) -> int | None:
    """Where a Go or pflag flag `name` is given (`--name`, `-name`, with or without `=value`)."""
    return next(
        (index for index, arg in enumerate(args) if arg.startswith("-") and arg.partition("=")[0].lstrip("-") == name),
        None,
    )


def flag_value(args: list[str], name: str, boolean: bool = False) -> tuple[int, str] | None:
    """Where a Go or pflag flag's value is given (`--name=v`, `-name=v`, `--name v`), and the value.

    A `boolean` flag takes a value only after `=`: given bare it is "true" (the next word is not its value).
    """
    index = flag_index(args, name)
    if index is None:
        return None
    _, equals, value = args[index].partition("=")
    if equals:
        return index, value
    if boolean:
        return index, "true"
    return (index + 1, args[index + 1]) if index + 1 < len(args) else None


def words(container: dict[str, Any], keys: tuple[str, ...] = ("command", "args")) -> str:
    """What a container runs: its command and args as one line (`keys` reads one of them alone)."""
    parts = [part for key in keys if isinstance(found := container.get(key), list) for part in found]
    return " ".join(str(part) for part in parts)


def flavor(item: Item) -> str:
    """ "thick" (multus-daemon plus a shim) or "thin" (the multus binary as the CNI plugin), by what runs."""
    return running(containers(item), image_of(item))


def running(main: list[dict[str, Any]], image: str) -> str:
    """The flavor the main containers run: by their command lines, else by the Multus `image` (a `-thick` tag)."""
    line = " ".join(words(c) for c in main)
    if "multus-daemon" in line:
        return "thick"
    if "thin_entrypoint" in line or "entrypoint.sh" in line:
        return "thin"
    return "thick" if "thick" in image else "thin"


def generation(item: Item) -> int:
    """The Multus major release: from a versioned image tag, else from what the manifest runs."""
    version = image_version(image_of(item))
    if version is not None:
        return version[0]
    runs = " ".join(words(c) for c in containers(item) + containers(item, "initContainers"))
    if "entrypoint.sh" in runs or any(word.endswith("/bin/multus") for word in runs.split()):  # thin v3, run as is
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
    """Whether an image is a Multus build: its repository path ends with `multus-cni` (any registry,
    mirror or organisation: bitnami's is `bitnami/multus-cni`), whatever its tag.

    Not plain `multus`: the multus-dynamic-networks-controller and multus-networkpolicy DaemonSets
    are not Multus."""
    return repository_is(image, MULTUS_REPOSITORY)


def is_plugin_installer(container: dict[str, Any]) -> bool:
    """Whether a container installs the reference CNI plugins (macvlan, ipvlan, ...): one named
    `install-cni`, or one running a plugin image (`PLUGIN_IMAGES`) from any registry or mirror."""
    return container.get("name") == "install-cni" or is_plugin_image(str(container.get("image") or ""))


def is_plugin_image(image: str) -> bool:
    return any(repository_is(image, name) for name in PLUGIN_IMAGES)


def is_archived_plugin_image(image: str) -> bool:
    """siderolabs/install-cni, from ghcr.io or a mirror of it (it runs `/install-cni.sh`)."""
    return repository_is(image, ARCHIVED_PLUGIN_IMAGE.partition("/")[2])


class BinaryInstall(Record):
    """What an init container does to put the Multus binary or shim on the host."""

    __slots__ = ()

    binary: str  # "multus-shim" (thick) or "multus" (thin)
    how: str  # "install_multus" (atomic), "cp -f" (replaces a busy file) or "cp" (fails on a busy file)
    directory: str  # where it installs, as the container sees it


def binary_install(container: dict[str, Any]) -> BinaryInstall | None:
    """How a container installs Multus, read from its command and args; None when it does not."""
    commands = shell_commands(container)
    run = command_words(container)
    if any(posixpath.basename(word) == "install_multus" for word in run):
        return _install_multus(run)
    return next((found for command in commands if (found := _copy(command)) is not None), None)


def _install_multus(words: list[str]) -> BinaryInstall:
    """`install_multus [-d <dir>] -t thick|thin`: atomic, into /host/opt/cni/bin unless told otherwise."""
    binary = "multus-shim" if any("thick" in word for word in words) else "multus"
    flag = next((index for index, word in enumerate(words) if word in ("-d", "--dest-dir")), None)
    directory = words[flag + 1] if flag is not None and flag + 1 < len(words) else DEFAULT_BIN_DIR
    return BinaryInstall(binary, "install_multus", directory)


class Copy(Record):
    """A `cp` command: its flags, the files it copies and where to."""

    __slots__ = ()

    flags: list[str]
    sources: list[str]
    target: str


def copy(command: list[str]) -> Copy | None:
    """A `cp` (after any wrapper such as `exec`) with at least one file and a target; None for other commands."""
    start = next((index for index, word in enumerate(command) if posixpath.basename(word) == "cp"), None)
    if start is None:
        return None
    flags = [word for word in command[start + 1 :] if word.startswith("-")]
    files = [word for word in command[start + 1 :] if not word.startswith("-")]
    return Copy(flags, files[:-1], files[-1]) if len(files) >= 2 else None


def _copy(command: list[str]) -> BinaryInstall | None:
    """A `cp` of the Multus binary or shim; None for other commands."""
    found = copy(command)
    if found is None:
        return None
    flags = found.flags
    binaries = {posixpath.basename(path) for path in found.sources} & {"multus-shim", "multus"}
    if not binaries:
        return None
    forced = any(flag == "--force" or (not flag.startswith("--") and "f" in flag) for flag in flags)
    binary = "multus-shim" if "multus-shim" in binaries else "multus"
    target = found.target
    directory = posixpath.dirname(target) if posixpath.basename(target) == binary else target.rstrip("/")
    return BinaryInstall(binary, "cp -f" if forced else "cp", directory or "/")


def shell_commands(container: dict[str, Any], keys: tuple[str, ...] = ("command", "args")) -> list[list[str]]:
    """The simple commands a container runs, each as its words, cut at operators (`&&`, `;`, `|`, ...).

    `command` and `args` are joined first, so `sh -c "a && b"` is read as its script's commands.
    A line shlex cannot read (an unbalanced quote) is read as plain words.
    """
    line = words(container, keys)
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        tokens = line.split()
    commands: list[list[str]] = [[]]
    for word in tokens:
        if word and all(char in lexer.punctuation_chars for char in word):
            commands.append([])
        else:
            commands[-1].append(word)
    return commands


def command_words(container: dict[str, Any], keys: tuple[str, ...] = ("command", "args")) -> list[str]:
    """The words of every simple command a container runs, in order, the operators between them left
    out (see `shell_commands`); `keys` reads the `command` or the `args` alone."""
    return [word for command in shell_commands(container, keys) for word in command]
