"""The documented commands are the ones CI, the workflows and the example job run (the e2e tests run the
others), and no command in the README or the usage page is left out of the e2e tests."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml
from e2e_helpers import ROOT, readme, readme_blocks
from test_release import actionlint, lint  # noqa: F401  (the fixture, and how it runs)

import krm_multus

CI_RUN = (ROOT / ".ci" / "run").read_text()
CI_LINES = [line.strip() for line in CI_RUN.splitlines()]
README = (ROOT / "README.md").read_text()


def test_ci_runs_the_readme_test_command() -> None:
    test_command = re.search(r"python3 -m pytest[^`\n]*", README)
    assert test_command, "README.md shows no test command"
    assert test_command.group() in CI_LINES


def test_the_ci_workflow_runs_the_readme_test_setup_and_command() -> None:
    [setup_and_test] = [line for line in re.findall(r"^python3 -m venv .*$", README, re.M) if "pytest" in line]
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    runs = [step.get("run") for step in workflow["jobs"]["test"]["steps"]]
    assert setup_and_test in runs


def test_ci_builds_the_image_as_the_docs_say_and_requires_every_tool() -> None:
    build = readme("container-build").strip()
    assert any(line.startswith(build) for line in CI_LINES), f"`{build}` is not in .ci/run"
    assert "export KRM_MULTUS_REQUIRE_TOOLS=1" in CI_LINES


def test_github_actions_job_runs_the_readme_pipe_with_pipefail() -> None:
    workflow = yaml.safe_load(readme("github-actions"))
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    [render] = [step for step in steps if readme("ci-pipe").strip() in step.get("run", "")]
    assert render["shell"] == "bash", "without `shell: bash` a failing function does not fail the step"
    install = {"run": f"python3 -m pip install krm-multus=={krm_multus.__version__}"}
    assert steps.index(render) > steps.index(install), "the job installs the released version first"


def test_github_actions_job_passes_actionlint(actionlint: str, tmp_path: Path) -> None:  # noqa: F811
    job = tmp_path / "manifests.yml"
    job.write_text(readme("github-actions"))
    run: subprocess.CompletedProcess[str] = lint(actionlint, job)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_command_in_the_readme_and_usage_is_run_by_the_e2e_tests() -> None:
    documented = set(readme_blocks().values())
    for page in (ROOT / "README.md", ROOT / "docs" / "usage.md"):
        commands = re.findall(r"^```sh\n(.*?)^```$", page.read_text(), re.M | re.S)
        setup = [command for command in commands if "python3 -m pytest" in command]  # CI runs it
        missing = [command for command in commands if command not in documented and command not in setup]
        assert not missing, f"{page.name}: commands no e2e block holds: {missing}"
