"""networkLookup: where Multus may look a network up, and which of its flags it ignores.

Why: a network reference that names a NetworkAttachmentDefinition the items do hold can still
miss it in the cluster, and Multus says so only in the events of a pod stuck in `ContainerCreating`.
(A reference without a namespace that finds its NAD only in other namespaces is the networkSelection
and kubevirt checks' finding: they name the qualified reference to write.)

For every network reference of a pod, pod template or KubeVirt VM among the items (the
`k8s.v1.cni.cncf.io/networks` annotation, `multus.networkName`):
- with Multus namespace isolation on, a reference to another namespace is refused unless that
  namespace is in `globalNamespaces` (without `globalNamespaces`, only `default` is allowed;
  multus-cni #567, PR #574): an error, with the two fixes. The setting is read from the Multus
  DaemonSet among the items: `namespaceIsolation` and `globalNamespaces` in a JSON config of a
  ConfigMap it mounts (`daemon-config.json` of thick Multus, `cni-conf.json` of thin), or the thin
  entrypoint's `--namespace-isolation` and `--global-namespaces` flags. Without them nothing is said.
A workload without a namespace is left alone: its namespace is set when it is applied.

And for the Multus DaemonSet itself: `--multus-master-cni-file-name` is not read by thick Multus
(multus-cni #1224, #1237), and thin v4.0 reads it but ignores it (#1226): a warning naming what to
use instead (`multusMasterCNI` in the daemon config; thin v4.1 or later).

Passing: a pod in `apps` with `k8s.v1.cni.cncf.io/networks: infra/lan`, and Multus with
`"namespaceIsolation": true, "globalNamespaces": "infra"`.

Failing (the same without `globalNamespaces`):

    network 1 (`infra/lan`) refers to namespace `infra` from the Pod's namespace `apps`, and Multus
    isolates namespaces (...): it refuses the pod; create the NetworkAttachmentDefinition in `apps`,
    or add `infra` to `globalNamespaces`
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from typing import Any, NamedTuple

from krm_multus import multus
from krm_multus.attachments import Attachment, attachments
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item, of_kind
from krm_multus.sdk.results import Reporter, Result

NAME = "networkLookup"
MASTER_FLAG = "--multus-master-cni-file-name"
ALWAYS_GLOBAL = "default"  # what Multus allows across namespaces when `globalNamespaces` is not set


class Isolation(NamedTuple):
    """Multus's namespace isolation as the items configure it."""

    where: str  # how messages name the setting
    global_namespaces: tuple[str, ...]

    def refuses(self, attachment: Attachment) -> bool:
        """Whether Multus refuses a reference: to another namespace, not a global one (a workload without a
        namespace is left alone: its namespace is set when it is applied)."""
        home, namespace = attachment.item.namespace, attachment.namespace
        return bool(home and namespace and namespace != home) and namespace not in (
            self.global_namespaces or (ALWAYS_GLOBAL,)
        )


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    daemonsets = multus.daemonsets(items, config)
    for daemonset in daemonsets:
        yield from _ignored_flags(daemonset, report)
    isolation = _isolation(items, daemonsets)
    if isolation is None:
        return
    for attachment in attachments(items):
        if isolation.refuses(attachment):
            yield _refused(attachment, isolation, report)


def _refused(attachment: Attachment, isolation: Isolation, report: Reporter) -> Result:
    home = attachment.item.namespace
    return report(
        attachment.item,
        attachment.path,
        (
            f"{attachment.label} refers to namespace `{attachment.namespace}` from the {attachment.item.kind}'s "
            f"namespace `{home}`, and Multus isolates namespaces ({isolation.where}): it refuses the pod; create the "
            f"NetworkAttachmentDefinition in `{home}`, or add `{attachment.namespace}` to `globalNamespaces`"
        ),
    )


def _isolation(items: list[Item], daemonsets: list[Item]) -> Isolation | None:
    """Namespace isolation as the Multus DaemonSets' flags or mounted ConfigMaps turn it on; None when off."""
    mounted = {
        (daemonset.namespace, str(volume["configMap"].get("name")))
        for daemonset in daemonsets
        for volume in multus.volumes(daemonset)
        if isinstance(volume.get("configMap"), dict)
    }
    for daemonset in daemonsets:
        for container in multus.containers(daemonset):
            flags = _flags(container)
            if flags.get("--namespace-isolation") in ("", "true"):
                where = f"`--namespace-isolation` in DaemonSet `{daemonset.name}`"
                return Isolation(where, _names(flags.get("--global-namespaces", "")))
    if not mounted:
        return None
    for item in of_kind(items, "ConfigMap"):
        if "namespaceIsolation" not in item.source:
            continue
        if (item.namespace, item.name) not in mounted or not isinstance(item.data.get("data"), dict):
            continue
        for key, text in item.data["data"].items():
            settings = _json_object(text)
            if settings.get("namespaceIsolation") is True:
                where = f"`namespaceIsolation: true` in ConfigMap `{item.name}` key `{key}`"
                return Isolation(where, _names(settings.get("globalNamespaces")))
    return None


def _ignored_flags(daemonset: Item, report: Reporter) -> Iterator[Result]:
    flavor = multus.flavor(daemonset)
    version = multus.image_version(multus.image_of(daemonset))
    if flavor == "thick":
        instead = (
            "thick Multus does not read it (multus-cni #1224, #1237): set `multusMasterCNI` to the primary CNI's "
            "config file name in the daemon config (`daemon-config.json`) instead"
        )
    elif version is not None and version[:2] == (4, 0):
        instead = (
            "thin Multus v4.0 reads it but ignores it (multus-cni #1226) and takes the first config in "
            "`--multus-autoconfig-dir`: use v4.1 or later, where it takes effect"
        )
    else:
        return
    for container in multus.containers(daemonset):
        for key in ("command", "args"):
            if any(str(word).split("=")[0] == MASTER_FLAG for word in lookups.as_list(container.get(key))):
                yield report(
                    daemonset,
                    (*multus.container_path(container["name"]), key),
                    f"`{MASTER_FLAG}` has no effect: {instead}",
                    "warning",
                )


def _flags(container: dict[str, Any]) -> dict[str, str]:
    """`--name=value` and `--name value` flags of a container's command and args ("" for a bare flag)."""
    words = [str(word) for key in ("command", "args") for word in lookups.as_list(container.get(key))]
    try:
        tokens = [token for word in words for token in shlex.split(word)]
    except ValueError:
        tokens = [token for word in words for token in word.split()]
    flags: dict[str, str] = {}
    for position, token in enumerate(tokens):
        if not token.startswith("-"):
            continue
        name, equals, value = token.partition("=")
        following = tokens[position + 1] if position + 1 < len(tokens) else ""
        if not equals and following and not following.startswith("-"):
            value = following
        flags["--" + name.lstrip("-")] = value.lower() if name.lstrip("-") == "namespace-isolation" else value
    return flags


def _json_object(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _names(value: Any) -> tuple[str, ...]:
    """`globalNamespaces` as Multus reads it: a comma-separated list, spaces trimmed."""
    return tuple(name.strip() for name in value.split(",") if name.strip()) if isinstance(value, str) else ()
