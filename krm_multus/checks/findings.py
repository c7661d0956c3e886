"""How a check reports a finding: one Result shape, at a severity `spec.checks.severity` caps.

Why a cap: a rule violation means the pod or VM will not start, so it takes the configured severity
(`error` by default). A finding that may be fine in the cluster (a NetworkAttachmentDefinition that
is not among the items may already exist there) is a warning at most, and a hint is always info;
configuring `warning` or `info` lowers everything above it.
"""

from __future__ import annotations

import json
from typing import Any

from krm_multus.sdk.resourcelist import Item
from krm_multus.sdk.results import SEVERITIES, Result
from krm_multus.sdk.yamledit import Path

BROKEN = "error"  # fails in the cluster: the configured severity
DOUBTFUL = "warning"  # may work, depending on what the items do not show
HINT = "info"


class Reporter:
    """Makes the results of one check run: the check's tag, severities capped by the config."""

    def __init__(self, check: str, config: dict[str, Any]) -> None:
        self.check = check
        self.configured = config["checks"]["severity"]

    def __call__(self, item: Item, path: Path | str | None, message: str, weight: str = BROKEN) -> Result:
        severity = min(self.configured, weight, key=SEVERITIES.index)
        return Result(message, severity, item, path, tags={"check": self.check})


def show(value: Any) -> str:
    """A JSON value for a message: as the user wrote it, or its kind when it is a container."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return json.dumps(value)


def yaml_kind(value: Any) -> str:
    """What a YAML value is, in YAML's words."""
    return {dict: "mapping", list: "list", str: "string"}.get(type(value), type(value).__name__)
