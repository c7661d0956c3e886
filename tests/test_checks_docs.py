"""The README's checks section stays true: a section per check, and every example line is a result a golden
case gives."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from krm_multus import registry

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = README[README.index("## What it checks") : README.index("\n## ", README.index("## What it checks") + 1)]


def golden_lines(check: str) -> set[str]:
    """Every result of the check's golden cases, written as the command prints it on stderr."""
    lines = set()
    for path in (ROOT / "testdata" / check).glob("*/results.yaml"):
        lines.update(
            stderr_line(result)
            for result in yaml.safe_load(path.read_text()) or []
            if result.get("tags") == {"check": check}
        )
    return lines


def stderr_line(result: dict[str, Any]) -> str:
    ref = result["resourceRef"]
    name = "/".join(part for part in (ref.get("namespace"), ref.get("name")) if part)
    return f"[{result['severity']}] {ref['kind']} {name} {result['field']['path']}: {result['message']}"


def sections() -> dict[str, str]:
    return dict(re.findall(r"^### `(\w+)`.*?\n(.*?)(?=^### |\Z)", DOCS, re.M | re.S))


def test_every_check_has_a_section() -> None:
    assert list(sections()) == [module.name for module in registry.CHECKS]


def test_every_example_is_a_golden_result() -> None:
    for check, text in sections().items():
        examples = re.findall(r"^\[(?:info|warning|error)\] .*$", text, re.M)
        assert examples, f"no example message for {check}"
        missing = set(examples) - golden_lines(check)
        assert not missing, f"{check}: not what a golden case gives: {missing}"
