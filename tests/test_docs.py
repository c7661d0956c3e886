"""The reference pages in docs/ are what tools/gendocs.py writes from the schema, the module docstrings and
the golden cases: every check, transform and option has its entry, and the example messages of a check are
results its golden cases give (they are taken from them)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from krm_multus import registry
from krm_multus.sdk import config, resourcelist
from krm_multus.sdk.results import Result

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import gendocs  # noqa: E402


@pytest.mark.parametrize("page", gendocs.PAGES)
def test_generated_page_is_up_to_date(page: str) -> None:
    written = (ROOT / "docs" / page).read_text()
    assert written == gendocs.PAGES[page](), f"docs/{page} is stale: run `python3 tools/gendocs.py`"


def test_check_mode_fails_on_a_stale_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "checks.md").write_text("stale\n")
    monkeypatch.setattr(gendocs, "ROOT", tmp_path)
    assert gendocs.main(["--check"]) == 1
    assert (tmp_path / "docs" / "checks.md").read_text() == "stale\n", "--check must not write"


def test_every_module_and_option_is_documented() -> None:
    checks, transforms = (ROOT / "docs" / "checks.md").read_text(), (ROOT / "docs" / "transforms.md").read_text()
    assert re.findall(r"^## `(\w+)`", checks, re.M) == [module.name for module in registry.CHECKS]
    assert re.findall(r"^## `(\w+)`", transforms, re.M) == [module.name for module in registry.TRANSFORMS]
    configuration = (ROOT / "docs" / "configuration.md").read_text()
    for key, path in config.configmap_keys().items():
        assert f"| `spec.{'.'.join(path)}` | `{key}` |" in configuration


def test_every_check_shows_golden_results() -> None:
    for module in registry.CHECKS:
        examples = gendocs.golden_examples(module.name)
        assert examples, f"{module.name} has no golden case with a result"


@pytest.mark.parametrize("path", [("metadata", "name"), None])
def test_the_examples_are_the_lines_the_command_prints(path: tuple[str, ...] | None) -> None:
    item = resourcelist.read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: apps}\n").items[0]
    result = Result("line one\nline two", "warning", item, path)
    assert gendocs.stderr_line(result.to_dict()) == result.summary()


@pytest.mark.parametrize("brk", ["\n", "\r", "\v", "\f", "\x1c", "\x85", "\u2028", "\u2029"])
def test_a_line_break_in_a_result_stays_on_its_stderr_line(brk: str) -> None:
    item = resourcelist.read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n").items[0]
    line = Result(f"one{brk}two\ttab", "warning", item, ("data", f"k{brk}")).summary()
    assert line.splitlines() == [line]
    assert brk not in line and line.endswith("two\ttab")
