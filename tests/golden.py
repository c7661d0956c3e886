"""Golden cases: testdata/<transform-or-check>/<case>/ holds input.yaml, an optional config.yaml,
the expected output (expected.yaml, results left out) and the expected results (results.yaml).

Set KRM_MULTUS_UPDATE_GOLDEN=1 to write the expectations from what the code does now; read the
diff before committing it. Without it a case whose expectation is missing fails: a new case cannot
pass by writing down whatever the code happens to do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from krm_multus import pipeline, registry
from krm_multus.sdk import resourcelist
from krm_multus.transforms import target

TESTDATA = Path(__file__).resolve().parent.parent / "testdata"
UPDATE = os.environ.get("KRM_MULTUS_UPDATE_GOLDEN") == "1"


REPOSITORY_CORPUS = "repos"  # whole repositories run through every module: tests/test_repos.py
REPOS = TESTDATA / REPOSITORY_CORPUS


def cases() -> list[Path]:
    return sorted(
        path.parent for path in TESTDATA.glob("*/*/input.yaml") if path.parent.parent.name != REPOSITORY_CORPUS
    )


def case_id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


def run(
    text: str, config: Any = None, only: set[str] | None = None, full_parse: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """The output (results left out) and the results of a run on `text`."""
    resource_list = resourcelist.read(text, full_parse=full_parse)
    results = [result.to_dict() for result in pipeline.run(resource_list, config, only=only)]
    return resourcelist.write(resource_list, []), results


def run_case(text: str, case: Path, full_parse: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Run the case's transform or check alone ("pipeline" runs everything) on `text`."""
    config_file = case / "config.yaml"
    config = yaml.safe_load(config_file.read_text()) if config_file.exists() else None
    only = None if case.parent.name == "pipeline" else _modules(case.parent.name)
    return run(text, config, only, full_parse)


def expect(path: Path, actual: str | None) -> str:
    """The expectation in `path`; only KRM_MULTUS_UPDATE_GOLDEN=1 writes it, from `actual` (a missing one
    fails the case). With `actual` None it is written by hand, never from the code's output."""
    if UPDATE and actual is not None:
        path.write_text(actual)
    if not path.exists():
        how = "by hand" if actual is None else "with KRM_MULTUS_UPDATE_GOLDEN=1 and read it before committing"
        pytest.fail(f"{path} is missing: write it {how}")
    return path.read_text()


def changes(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results that propose a change (a second run must have none)."""
    return [
        r
        for r in results
        if "proposedValue" in r.get("field", {}) and r["field"]["proposedValue"] != r["field"].get("currentValue")
    ]


def _modules(name: str) -> set[str]:
    """A transform runs with the target note, as every DaemonSet transform reads it; a check runs alone."""
    is_transform = any(module.name == name for module in registry.TRANSFORMS)
    return {target.NAME, name} if is_transform else {name}
