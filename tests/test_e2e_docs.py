"""The README's commands are the ones CI and the example job run (the e2e tests run the others)."""

from __future__ import annotations

import re

import yaml
from e2e_helpers import ROOT, readme

CI_RUN = (ROOT / ".ci" / "run").read_text()


def test_ci_runs_the_readme_test_command() -> None:
    test_command = re.search(r"python3 -m pytest[^`\n]*", (ROOT / "README.md").read_text())
    assert test_command, "README.md shows no test command"
    assert test_command.group() in CI_RUN.splitlines()


def test_ci_builds_the_image_as_the_readme_says_and_requires_every_tool() -> None:
    build = readme("container-build").strip()
    assert any(line.startswith(build) for line in CI_RUN.splitlines()), f"`{build}` is not in .ci/run"
    assert "export KRM_MULTUS_REQUIRE_TOOLS=1" in CI_RUN.splitlines()


def test_github_actions_job_runs_the_readme_pipe_with_pipefail() -> None:
    workflow = yaml.safe_load(readme("github-actions"))
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    [render] = [step for step in steps if readme("ci-pipe").strip() in step.get("run", "")]
    assert render["shell"] == "bash", "without `shell: bash` a failing function does not fail the step"
    assert steps.index(render) > steps.index({"run": "python3 -m pip install ."})
