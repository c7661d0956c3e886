"""The function in a pipe, as a CI job runs it: the README's pipes into `krm-multus --config`."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_helpers import check_stream, check_stream_bad_config
from require import missing_tools, require

pytestmark = pytest.mark.e2e

# README command: expected diff of the stream
CASES = {"ci-pipe": "kustomize-stream.diff", "plain-stream": "plain-stream.diff"}


@pytest.fixture(autouse=True)
def tools() -> None:
    require(missing_tools("kubectl", "krm-multus"))


@pytest.mark.parametrize(("command_id", "expected_diff"), CASES.items(), ids=CASES.keys())
def test_changes_exactly_the_intended_lines_once(tmp_path: Path, command_id: str, expected_diff: str) -> None:
    check_stream(tmp_path, command_id, expected_diff)


@pytest.mark.parametrize("command_id", CASES)
def test_bad_config_fails_and_writes_nothing(tmp_path: Path, command_id: str) -> None:
    check_stream_bad_config(tmp_path, command_id)
