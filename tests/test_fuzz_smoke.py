"""A short run of the fuzzer in CI (the README's Guarantees section has the long one): the same command, fewer seconds.

KRM_MULTUS_FUZZ_SECONDS sets the length (default 20). The engine is hypothesis, the one CI has
(it installs only the test extras); where atheris is installed, a few seconds of it prove it runs.
A transform or check that raises fails the run: the command would turn it into an error result,
but the bug is the module's, and this is how its owner hears of it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from require import require

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fuzz import fuzz_reader, invariants  # noqa: E402


@pytest.mark.parametrize("name", sorted(fuzz_reader.seeds()))
def test_every_seed_keeps_the_invariants(name: str) -> None:
    invariants.check(fuzz_reader.seeds()[name])


def test_the_invariants_catch_a_broken_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker itself can fail: a run that loses an item does not pass it."""

    def losing(data: bytes, function_config: object = None) -> invariants.Outcome:
        return invariants.Outcome(0, "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n", "")

    monkeypatch.setattr(invariants, "run", losing)
    with pytest.raises(AssertionError, match="1 items in, 0 out"):
        invariants.check(fuzz_reader.seeds()["json"])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("path: /var/run/netns/", "path: /var/run/netns-elsewhere/"),  # a reported field, another value
        ("name: cnibin", "name: cni-bin"),  # a field no result names
    ],
    ids=["reported-value", "unreported-field"],
)
def test_the_invariants_catch_a_change_that_is_not_as_reported(
    monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    """The checker itself can fail: an output that differs from the reported changes does not pass."""
    data = fuzz_reader.seeds()["netns-applies"]
    real = invariants.run(data)
    assert old in real.stdout

    def spoiled(data: bytes, function_config: object = None) -> invariants.Outcome:
        return real._replace(stdout=real.stdout.replace(old, new))

    monkeypatch.setattr(invariants, "run", spoiled)
    with pytest.raises(AssertionError, match="not the input with the reported changes"):
        invariants.check(data)


def fuzz(*args: str, seconds: int) -> None:
    command = [sys.executable, "fuzz/fuzz_reader.py", "--seconds", str(seconds), *args]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]


def test_a_short_fuzz_run_is_clean() -> None:
    fuzz("--engine", "hypothesis", seconds=int(os.environ.get("KRM_MULTUS_FUZZ_SECONDS", "20")))


def test_the_coverage_guided_engine_runs(tmp_path: Path) -> None:
    require(None if importlib.util.find_spec("atheris") else "atheris is not installed: `pip install '.[test,fuzz]'`")
    fuzz("--engine", "atheris", "--workdir", str(tmp_path), seconds=5)
