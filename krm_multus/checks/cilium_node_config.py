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

from krm_multus import cilium
from krm_multus.sdk import lookups
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "ciliumNodeConfig"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    for item in cilium.node_configs(items):
        value = lookups.get(item.data, cilium.NODE_EXCLUSIVE)
        if str(value).strip().lower() != "true":
            continue
        yield report(
            item,
            cilium.NODE_EXCLUSIVE,
            (
                f'CiliumNodeConfig sets `cni-exclusive: "true"` for {selected_nodes(item)}: it '
                "overrides `cilium-config` there, and Cilium renames the Multus CNI config to `*.cilium_bak`, so pods "
                'on those nodes lose their secondary networks; set it to "false" (the cilium transform does with '
                "`spec.cilium.exclusive: false`) or remove the key"
            ),
            "warning",
        )


def selected_nodes(item: Item) -> str:
    """The nodes `spec.nodeSelector` picks, its labels written as kubectl writes a selector."""
    selector = lookups.get(item.data, ("spec", "nodeSelector"))
    if not isinstance(selector, dict):
        return "every node (no `spec.nodeSelector`)"
    labels = selector.get("matchLabels")
    parts = [f"{key}={value}" for key, value in labels.items()] if isinstance(labels, dict) else []
    for expression in lookups.as_list(selector.get("matchExpressions")):
        if isinstance(expression, dict):
            values = ",".join(str(value) for value in lookups.as_list(expression.get("values")))
            operator = str(expression.get("operator") or "")
            key = expression.get("key")
            parts.append(
                f"{key} {operator.lower()} ({values})"
                if values
                else ("!" if operator == "DoesNotExist" else "") + str(key)
            )
    return f"the nodes matching `{','.join(parts)}`" if parts else "every node (an empty `spec.nodeSelector`)"
