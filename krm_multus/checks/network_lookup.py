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
  ConfigMap it mounts (`daemon-config.json` of thick Multus, `cni-conf.json` of thin; in the
  DaemonSet's namespace, or either without one), or the thin entrypoint's `--namespace-isolation`
  and `--global-namespaces` flags. Without them nothing is said.
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

from collections.abc import Iterator

from krm_multus import daemon_config, multus
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.records import Record
from krm_multus.sdk.resourcelist import Item, of_kind
from krm_multus.sdk.results import Reporter, Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from krm_multus.attachments import Attachment

NAME = "networkLookup"
MASTER_FLAG = "--multus-master-cni-file-name"
TRUE = ("true", "t", "1")  # what Go reads as true in a boolean flag (lowercased)
ALWAYS_GLOBAL = "default"  # what Multus allows across namespaces when `globalNamespaces` is not set


class Isolation(Record):
    """Multus's namespace isolation as the items configure it."""

    __slots__ = ()

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
    # Here, not at the top: a plain install isolates no namespaces, and reading references imports their parser.
    from krm_multus.attachments import attachments

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
    for daemonset in daemonsets:
        for container in multus.containers(daemonset):
            words = multus.command_words(container)
            isolation = multus.flag_value(words, "namespace-isolation", boolean=True)
            if isolation is not None and isolation[1].lower() in TRUE:
                where = f"`--namespace-isolation` in DaemonSet `{daemonset.name}`"
                return Isolation(where, _names((multus.flag_value(words, "global-namespaces") or (0, ""))[1]))
    mounting = [daemonset for daemonset in daemonsets if daemon_config.mounted_names(daemonset)]
    if not mounting:
        return None
    for item in of_kind(items, "ConfigMap"):
        if "namespaceIsolation" not in item.source or item.is_local_config:
            continue
        if not any(daemon_config.mounts(daemonset, item) for daemonset in mounting):
            continue
        for key, text in lookups.mapping(lookups.get(item.data, ("data",))).items():
            settings = daemon_config.parse(text) or {}
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
            if multus.flag_index(multus.command_words(container, (key,)), MASTER_FLAG.lstrip("-")) is not None:
                yield report(
                    daemonset,
                    (*multus.container_path(container["name"]), key),
                    f"`{MASTER_FLAG}` has no effect: {instead}",
                    "warning",
                )


def _names(value: Any) -> tuple[str, ...]:
    """`globalNamespaces` as Multus reads it: a comma-separated list, spaces trimmed."""
    return tuple(name.strip() for name in value.split(",") if name.strip()) if isinstance(value, str) else ()
