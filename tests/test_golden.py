"""Every golden case: exact output and results, then a second run that must change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from golden import case_id, cases, changes, expect, run_case

from krm_multus.sdk import resourcelist


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_golden(case: Path) -> None:
    output, results = run_case((case / "input.yaml").read_text(), case)
    assert output == expect(case / "expected.yaml", output)
    dumped = yaml.safe_dump(results, sort_keys=False, width=1 << 20) if results else "[]\n"
    assert results == yaml.safe_load(expect(case / "results.yaml", dumped))


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_second_run_changes_nothing(case: Path) -> None:
    first, _ = run_case((case / "input.yaml").read_text(), case)
    second, results = run_case(first, case)
    assert second == first
    assert changes(results) == []


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_full_parse_path_agrees(case: Path) -> None:
    """The text-splitting path and the parse-everything path give the same items and results."""
    text = (case / "input.yaml").read_text()
    fast_output, fast_results = run_case(text, case)
    full_output, full_results = run_case(text, case, full_parse=True)
    assert _items(full_output) == _items(fast_output)
    assert full_results == fast_results


def _items(text: str) -> list:
    parsed = list(yaml.safe_load_all(text))
    if len(parsed) == 1 and isinstance(parsed[0], dict) and parsed[0].get("kind") == "ResourceList":
        return parsed[0].get("items") or []
    return [doc for doc in parsed if doc is not None]


def test_there_are_cases() -> None:
    assert len(cases()) >= 10, "golden cases are missing"


def test_read_is_lazy() -> None:
    """Items nobody asks about are never parsed (the byte-for-byte and speed guarantee rests on it)."""
    text = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Secret\n"
    text += "  metadata: {name: s}\n"
    resource_list = resourcelist.read(text)
    assert resource_list.items[0]._data is resourcelist._UNSET
