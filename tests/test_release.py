"""The release pipeline: the workflows pass actionlint, and the tag, the package version and the image tag
are one value (krm_multus.__version__), checked by the workflow itself before it builds anything."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_helpers import ROOT
from require import extra_binary

import krm_multus

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
RELEASE = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())


@pytest.fixture(scope="module")
def actionlint() -> str:
    return extra_binary("actionlint")


def lint(actionlint: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [actionlint, "-no-color", *map(str, paths)], capture_output=True, text=True, check=False, timeout=60
    )


def test_workflows_pass_actionlint(actionlint: str) -> None:
    assert WORKFLOWS, "no workflow under .github/workflows"
    run = lint(actionlint, *WORKFLOWS)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_fails_a_broken_workflow(actionlint: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope.x }}\n"
    )
    run = lint(actionlint, broken)
    assert run.returncode == 1 and "broken.yml:6" in run.stdout


def version_step() -> dict[str, Any]:
    [step] = [step for step in RELEASE["jobs"]["version"]["steps"] if step.get("id") == "version"]
    return step


def run_version_step(tag: str, tmp_path: Path) -> tuple[int, dict[str, str]]:
    """The release's version check as GitHub runs it (`bash -e`), from the repository root."""
    output = tmp_path / "github-output"
    output.write_text("")
    environment = {**os.environ, "TAG": tag, "REPOSITORY": "Krm-Multus/krm-multus", "GITHUB_OUTPUT": str(output)}
    run = subprocess.run(
        ["bash", "-e", "-c", version_step()["run"]], cwd=ROOT, env=environment, capture_output=True, check=False
    )
    return run.returncode, dict(line.split("=", 1) for line in output.read_text().splitlines())


def test_a_tag_of_the_package_version_releases_that_version(tmp_path: Path) -> None:
    code, outputs = run_version_step(f"v{krm_multus.__version__}", tmp_path)
    assert code == 0
    assert outputs == {"version": krm_multus.__version__, "image": "ghcr.io/krm-multus/krm-multus"}


def test_a_tag_of_another_version_stops_the_release(tmp_path: Path) -> None:
    code, outputs = run_version_step("v99.0.0", tmp_path)
    assert code == 1 and outputs == {}


def test_every_published_artifact_takes_the_checked_version() -> None:
    assert version_step()["env"]["TAG"] == "${{ github.ref_name }}"
    assert RELEASE[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as true
    jobs = RELEASE["jobs"]
    for name in ("test", "pypi", "image"):
        assert "version" in jobs[name]["needs"], f"job {name} runs before the version check"
    [build] = [step for step in jobs["pypi"]["steps"] if "python3 -m build" in step.get("run", "")]
    assert build["env"]["VERSION"] == "${{ needs.version.outputs.version }}"
    assert "dist/krm_multus-$VERSION.tar.gz" in build["run"] and "krm_multus-$VERSION-py3-none-any.whl" in build["run"]
    [push] = [step for step in jobs["image"]["steps"] if step.get("id") == "build"]
    assert push["with"]["tags"] == "${{ needs.version.outputs.image }}:${{ needs.version.outputs.version }}"
    assert push["with"]["platforms"] == "linux/amd64,linux/arm64"
    assert (push["with"]["sbom"], push["with"]["provenance"]) == (True, "mode=max")


def test_the_package_takes_its_version_from_the_module() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "krm_multus.__version__" }' in pyproject
    assert importlib.metadata.version("krm-multus") == krm_multus.__version__  # as installed


def test_the_changelog_has_an_entry_for_the_version() -> None:
    releases = re.findall(r"^## (\d+\.\d+\.\d+\S*)$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert releases and releases[0] == krm_multus.__version__


def test_the_release_waits_for_a_job_where_no_test_may_skip() -> None:
    """The README's test command skips what the runner lacks; the release must not rest on that alone."""
    jobs = RELEASE["jobs"]
    assert jobs["test"]["uses"] == "./.github/workflows/ci.yml"
    assert all("test" in jobs[name]["needs"] for name in ("pypi", "image"))
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    strict = [job for job in ci["jobs"].values() if job.get("env", {}).get("KRM_MULTUS_REQUIRE_TOOLS") == "1"]
    runs = [step.get("run", "") for job in strict for step in job["steps"]]
    assert "python3 -m pytest -q tests" in runs, "no job runs every test with KRM_MULTUS_REQUIRE_TOOLS=1"
    # what the skipping tests need: kpt, the image the tests run, the upstream manifests, the fuzz engine
    for needed in ("kpt version", "docker build -t example.com/krm/krm-multus:dev .", ".ci/upstream.sh", "[test,fuzz]"):
        assert any(needed in run for run in runs), f"the strict job lacks `{needed}`"
