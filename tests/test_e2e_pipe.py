"""The function in a pipe or on files, as a CI job runs it: the documented pipes into `krm-multus`, the
files-as-arguments form, and the README's quick start as a new user runs it (a venv, then the command)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from e2e_helpers import (
    ROOT,
    check_stream,
    check_stream_bad_config,
    check_stream_output,
    readme,
    shell,
    workspace,
)
from require import missing_tools, require

pytestmark = pytest.mark.e2e

# documented command: (expected diff of the stream, expected stderr)
CASES = {
    "ci-pipe": ("kustomize-stream.diff", "package.stderr.txt"),
    "flux-build-pipe": ("flux-build.diff", "flux-build.stderr.txt"),
}
WITH_CONFIG = ("ci-pipe", "plain-stream")


@pytest.fixture(autouse=True)
def tools() -> None:
    require(missing_tools("kubectl", "krm-multus"))


@pytest.mark.parametrize(("command_id", "expected"), CASES.items(), ids=CASES.keys())
def test_changes_exactly_the_intended_lines_once(tmp_path: Path, command_id: str, expected: tuple[str, str]) -> None:
    check_stream(tmp_path, command_id, *expected)


def test_files_as_arguments_change_exactly_the_intended_lines_once(tmp_path: Path) -> None:
    """The files read as one stream: the same as putting a document separator before each (GNU sed)."""
    work = workspace(tmp_path)
    command = readme("plain-stream")
    files = " ".join(word for word in command.split() if word.startswith("examples/") and "fn-config" not in word)
    check_stream_output(work, command, shell(f"sed -s '1i ---' {files}", work), "plain-stream.diff")


@pytest.mark.parametrize("command_id", WITH_CONFIG)
def test_bad_config_fails_and_writes_nothing(tmp_path: Path, command_id: str) -> None:
    check_stream_bad_config(tmp_path, command_id)


def test_quick_start_installs_and_runs_the_function(tmp_path: Path) -> None:
    """The README's first command, as written, in a copy of the repository: a venv, pip, the run."""
    work = workspace(tmp_path)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, work / name)
    shutil.copytree(ROOT / "krm_multus", work / "krm_multus", ignore=shutil.ignore_patterns("__pycache__"))
    command = readme("quick-start").strip()
    assert command.endswith(readme("plain-stream").strip()), "the quick start runs the documented file command"
    run = shell(command, work)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "path: /var/run/netns/" in run.stdout and 'cni-exclusive: "false"' in run.stdout
    assert (work / ".venv" / "bin" / "krm-multus").exists()
