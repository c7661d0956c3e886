"""ciliumNodeConfig: a CiliumNodeConfig must not make Cilium the exclusive CNI on the nodes it selects.

Why: a `CiliumNodeConfig` (`cilium.io/v2`, and `v2alpha1` before it) overrides the agent's
settings from `cilium-config` on the nodes its `spec.nodeSelector` picks, key by key from
`spec.defaults`. One that sets `cni-exclusive: "true"` brings back, on those nodes only, what the
cluster-wide `cni-exclusive: "false"` turned off: the agent renames every other CNI config in
/etc/cni/net.d, Multus's included, to `*.cilium_bak`, and pods there lose their secondary networks
at the next agent restart (Cray-HPE/csm PR #4109 met it).

- `spec.defaults.cni-exclusive` `"true"` is a warning naming the nodes' selector, with the fix
  (`"false"`, or removing the key). The cilium transform sets it to `spec.cilium.exclusive`
  (`"false"` by default) wherever a CiliumNodeConfig sets it, as it does in `cilium-config`.
- A CiliumNodeConfig without the key passes: the cluster value holds there.

Passing: `spec: {nodeSelector: {matchLabels: {role: storage}}, defaults: {cni-exclusive: "false"}}`.

Failing:

    CiliumNodeConfig sets `cni-exclusive: "true"` for the nodes matching `role=storage`: it overrides
    `cilium-config` there, and Cilium renames the Multus CNI config to `*.cilium_bak`, ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from krm_multus.checks.findings import DOUBTFUL, Reporter
from krm_multus.checks.workloads import dig
from krm_multus.multus import as_list
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Result

NAME = "ciliumNodeConfig"
KIND = "CiliumNodeConfig"
GROUP = "cilium.io"
EXCLUSIVE = ("spec", "defaults", "cni-exclusive")


def node_configs(items: list[Item]) -> list[Item]:
    """The CiliumNodeConfigs among the items (local-config ones left out)."""
    return [item for item in items if item.is_a(KIND, GROUP) and not item.is_local_config]


def sets_exclusive(item: Item) -> bool:
    """Whether a CiliumNodeConfig sets `cni-exclusive` at all (then it overrides the cluster value)."""
    return isinstance(dig(item.data, EXCLUSIVE[:-1]), dict) and EXCLUSIVE[-1] in item.data["spec"]["defaults"]


def apply(items: list[Item], config: dict[str, Any]) -> Iterator[Result]:
    report = Reporter(NAME, config)
    for item in node_configs(items):
        value = dig(item.data, EXCLUSIVE)
        if str(value).strip().lower() != "true":
            continue
        yield report(
            item,
            EXCLUSIVE,
            (
                f'CiliumNodeConfig sets `cni-exclusive: "true"` for {selected_nodes(item)}: it '
                "overrides `cilium-config` there, and Cilium renames the Multus CNI config to `*.cilium_bak`, so pods "
                'on those nodes lose their secondary networks; set it to "false" (the cilium transform does with '
                "`spec.cilium.exclusive: false`) or remove the key"
            ),
            DOUBTFUL,
        )


def selected_nodes(item: Item) -> str:
    """The nodes `spec.nodeSelector` picks, its labels written as kubectl writes a selector."""
    selector = dig(item.data, ("spec", "nodeSelector"))
    if not isinstance(selector, dict):
        return "every node (no `spec.nodeSelector`)"
    labels = selector.get("matchLabels")
    parts = [f"{key}={value}" for key, value in labels.items()] if isinstance(labels, dict) else []
    for expression in as_list(selector.get("matchExpressions")):
        if isinstance(expression, dict):
            values = ",".join(str(value) for value in as_list(expression.get("values")))
            operator = str(expression.get("operator") or "")
            key = expression.get("key")
            parts.append(
                f"{key} {operator.lower()} ({values})"
                if values
                else ("!" if operator == "DoesNotExist" else "") + str(key)
            )
    return f"the nodes matching `{','.join(parts)}`" if parts else "every node (an empty `spec.nodeSelector`)"
