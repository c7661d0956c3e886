import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from require import REQUIRE_TOOLS

# CI (CI=true) draws the same examples on every run, so that a submission lands or fails for what it
# changed; runs by hand draw new ones, and `python3 fuzz/fuzz_reader.py` searches far wider.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """In CI (KRM_MULTUS_REQUIRE_TOOLS=1) any skip is a failure, whatever raised it: an empty
    parameter set, an `importorskip` or a `skipif` added later. An expected failure is not a skip."""
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_TOOLS and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may skip: {report.longrepr}"
