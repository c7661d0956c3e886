"""Every dependency is bounded on both sides, and CI's oldest run pins exactly the lower bounds.

Why: an unbounded dependency lets a new release break a clean install without any change here, and a
lower bound nobody runs is a guess. CI installs `.ci/oldest-constraints.txt` for its second run.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)>=(?P<low>[\d.]+),<(?P<high>[\d.]+)(?:;.*)?$")


def requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *(req for extra in project["optional-dependencies"].values() for req in extra)]


def oldest() -> dict[str, str]:
    lines = (ROOT / ".ci" / "oldest-constraints.txt").read_text().splitlines()
    pins = [line.split("==") for line in lines if line and not line.startswith("#")]
    return {name.lower(): version for name, version in pins}


def test_every_dependency_has_a_lower_and_an_upper_bound() -> None:
    unbounded = [requirement for requirement in requirements() if not REQUIREMENT.match(requirement)]
    assert unbounded == []


def test_the_oldest_run_pins_each_lower_bound() -> None:
    bounds = {match["name"].lower(): match["low"] for match in map(REQUIREMENT.match, requirements()) if match}
    assert oldest() == {name: low + ".0" * (2 - low.count(".")) for name, low in bounds.items()}
