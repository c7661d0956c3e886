"""target: say so when no Multus DaemonSet is among the items.

Every DaemonSet transform looks for the Multus DaemonSet as `spec.target` describes it; when none
matches, they have nothing to fix, and this note says why once (a warning when `spec.target` was
set explicitly, since the configured name or namespace is then likely wrong; else info).
"""

from __future__ import annotations

from collections.abc import Iterator

from krm_multus import multus
from krm_multus.sdk.config import Config
from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import Reporter, Result

NAME = "target"


def apply(items: list[Item], config: Config, report: Reporter) -> Iterator[Result]:
    if not multus.daemonsets(items, config):
        # Untagged, as a note about the run: it speaks for every DaemonSet transform at once.
        yield Result(
            f"no Multus DaemonSet {multus.target_description(config)} among the items: no DaemonSet to fix",
            "warning" if config.given.get("target") else "info",
        )
