"""hadolint on the Dockerfile, at the threshold `.ci/container.sh lint` uses: warnings fail."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from e2e_helpers import ROOT
from require import extra_binary


@pytest.fixture(scope="module")
def hadolint() -> str:
    return extra_binary("hadolint")


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
