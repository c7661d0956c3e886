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


def cases() -> list[Path]:
    return sorted(
        path.parent for path in TESTDATA.glob("*/*/input.yaml") if path.parent.parent.name != REPOSITORY_CORPUS
    )


def case_id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


def run_case(text: str, case: Path, full_parse: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Run the case's transform or check alone ("pipeline" runs everything) on `text`."""
    config_file = case / "config.yaml"
    config = yaml.safe_load(config_file.read_text()) if config_file.exists() else None
    only = None if case.parent.name == "pipeline" else _modules(case.parent.name)
    resource_list = resourcelist.read(text, full_parse=full_parse)
    results = [result.to_dict() for result in pipeline.run(resource_list, config, only=only)]
    return resourcelist.write(resource_list, []), results


def expect(path: Path, actual: str) -> str:
    """The expectation in `path`; only KRM_MULTUS_UPDATE_GOLDEN=1 writes it (a missing one fails the case)."""
    if UPDATE:
        path.write_text(actual)
    if not path.exists():
        pytest.fail(f"{path} is missing: write it with KRM_MULTUS_UPDATE_GOLDEN=1 and read it before committing")
    return path.read_text()


def _modules(name: str) -> set[str]:
    """A transform runs with the target note, as every DaemonSet transform reads it; a check runs alone."""
    is_transform = any(module.name == name for module in registry.TRANSFORMS)
    return {target.NAME, name} if is_transform else {name}
