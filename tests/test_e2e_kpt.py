"""kpt runs the installed command (`exec`): the README's `kpt fn eval` and `kpt fn render` commands on
the example package, each twice, and each with a bad config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import check_kpt_bad_config, check_kpt_package, kpt_pipeline
from require import missing_tools, require

pytestmark = pytest.mark.e2e

# id: (README command, Kptfile mutator or None for the Kptfile as shipped, expected files in tests/e2e_expected)
CASES: dict[str, tuple[str, dict[str, Any] | None, str]] = {
    "eval --fn-config": ("kpt-eval-exec", None, "package"),
    "eval key=value": ("kpt-eval-exec-args", None, "package"),
    "eval arm64 copy": ("kpt-eval-exec-arm64", None, "arm64"),
    "render configPath": ("kpt-render-exec", kpt_pipeline("exec", "configPath"), "package"),
    "render configMap": ("kpt-render-exec", kpt_pipeline("exec", "configMap"), "package"),
}


@pytest.fixture(autouse=True)
def tools() -> None:
    require(missing_tools("kpt", "krm-multus"))


@pytest.mark.parametrize(("command_id", "mutator", "expected"), CASES.values(), ids=CASES.keys())
def test_changes_exactly_the_intended_lines_once(
    tmp_path: Path, command_id: str, mutator: dict | None, expected: str
) -> None:
    check_kpt_package(tmp_path, command_id, "krm-multus", mutator, expected)


@pytest.mark.parametrize(("command_id", "mutator"), [case[:2] for case in CASES.values()], ids=CASES.keys())
def test_bad_config_fails_and_changes_nothing(tmp_path: Path, command_id: str, mutator: dict | None) -> None:
    check_kpt_bad_config(tmp_path, command_id, "krm-multus", mutator)
