"""The container image as kpt and kustomize run it: `kpt fn eval --image`, `kpt fn render` with an
`image:` pipeline, a kustomize transformer naming the image, `kpt fn doc`, and `docker run` locked down.

The image must already be built (`.ci/container.sh build`; KRM_MULTUS_IMAGE names another one):
these tests never build or pull it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_helpers import (
    IMAGE,
    PACKAGE,
    ROOT,
    assert_expected,
    check_kpt_bad_config,
    check_kpt_package,
    check_stream,
    check_stream_bad_config,
    diff,
    kpt_pipeline,
    readme,
    shell,
    snapshot,
    spoil_config,
    workspace,
)
from require import missing_tools, require

from krm_multus import __version__

pytestmark = [pytest.mark.container, pytest.mark.e2e]

# id: (README command, Kptfile mutator or None for the Kptfile as shipped)
KPT_CASES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "eval --image": ("kpt-eval-image", None),
    "render configPath": ("kpt-render-image", kpt_pipeline("image", "configPath")),
    "render configMap": ("kpt-render-image", kpt_pipeline("image", "configMap")),
}


def _problem(*command: str) -> str | None:
    run = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    return None if run.returncode == 0 else (run.stderr.strip().splitlines() or ["no output"])[-1]


@pytest.fixture(scope="module", autouse=True)
def engine() -> None:
    require(missing_tools("docker", "kpt", "kubectl"))
    problem = _problem("docker", "info")
    require(problem and f"no container engine (`docker info`: {problem}); start one with `.ci/container.sh start`")
    problem = _problem("docker", "image", "inspect", IMAGE)
    require(problem and f"image {IMAGE} is not built; build it with `.ci/container.sh build`")


@pytest.mark.parametrize(("command_id", "mutator"), KPT_CASES.values(), ids=KPT_CASES.keys())
def test_kpt_changes_exactly_the_intended_lines_once(tmp_path: Path, command_id: str, mutator: dict | None) -> None:
    check_kpt_package(tmp_path, command_id, IMAGE, mutator)


@pytest.mark.parametrize(("command_id", "mutator"), KPT_CASES.values(), ids=KPT_CASES.keys())
def test_kpt_bad_config_fails_and_changes_nothing(tmp_path: Path, command_id: str, mutator: dict | None) -> None:
    check_kpt_bad_config(tmp_path, command_id, IMAGE, mutator)


def add_transformer(kustomization_dir: Path) -> None:
    """The README's transformer config, listed in the kustomization as the README says."""
    listing = readme("kustomization-transformers")
    [name] = yaml.safe_load(listing)["transformers"]
    (kustomization_dir / name).write_text(readme("kustomize-transformer"))
    kustomization = kustomization_dir / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + listing)


def test_kustomize_transformer_changes_exactly_the_intended_lines_once(tmp_path: Path) -> None:
    work = workspace(tmp_path)
    baseline = shell(f"kubectl kustomize {PACKAGE}", work)  # the same build without the function
    assert baseline.returncode == 0, baseline.stderr
    add_transformer(work / PACKAGE)
    command = readme("kustomize-build")

    run = shell(command, work)
    assert run.returncode == 0, run.stderr
    assert_expected("kustomize-transformer.diff", diff({"stdout": baseline.stdout}, {"stdout": run.stdout}))
    assert_expected("package.stderr.txt", run.stderr)

    rendered = tmp_path / "rendered"  # a kustomization of the output, with the same transformer
    rendered.mkdir()
    (rendered / "rendered.yaml").write_text(run.stdout)
    (rendered / "kustomization.yaml").write_text("resources:\n  - rendered.yaml\n")
    add_transformer(rendered)
    again = shell(command.replace(PACKAGE, str(rendered)), work)
    assert (again.returncode, again.stdout) == (0, run.stdout), "a second run changed the output"
    # What stays true of the output (a warning about the Multus release in use) is said again; nothing new.
    assert set(again.stderr.splitlines()) <= set(run.stderr.splitlines()), "a second run found more"


def test_kustomize_bad_config_fails_and_writes_nothing(tmp_path: Path) -> None:
    work = workspace(tmp_path)
    package = work / PACKAGE
    add_transformer(package)
    command = spoil_config(package, readme("kustomize-build"))
    before = snapshot(package)
    run = shell(command, work)
    assert run.returncode != 0
    assert run.stdout == ""
    assert "[error]" in run.stderr and "spec.talos.version" in run.stderr
    assert snapshot(package) == before


def test_docker_run_read_only_without_network_changes_exactly_the_intended_lines(tmp_path: Path) -> None:
    check_stream(tmp_path, "docker-run", "kustomize-stream.diff")


def test_docker_run_bad_config_fails_and_writes_nothing(tmp_path: Path) -> None:
    check_stream_bad_config(tmp_path, "docker-run")


def test_kpt_fn_doc_shows_the_help_of_the_command() -> None:
    doc = shell(readme("kpt-fn-doc"), ROOT)
    help_text = subprocess.run(
        [sys.executable, "-m", "krm_multus", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert doc.returncode == 0
    assert doc.stdout.rstrip("\n") == help_text.rstrip("\n")  # kpt adds a blank line


def test_image_runs_as_nobody_read_only_without_pip_at_the_package_version() -> None:
    def docker(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["docker", *args], capture_output=True, text=True, check=False, timeout=60)

    assert docker("image", "inspect", "--format", "{{.Config.User}}", IMAGE).stdout.strip() == "65534:65534"
    version = docker("run", "--rm", "--read-only", "--network", "none", IMAGE, "--version")
    assert (version.returncode, version.stdout) == (0, f"krm-multus {__version__}\n")
    no_pip = "import importlib.util, sys; sys.exit(importlib.util.find_spec('pip') is not None)"
    assert docker("run", "--rm", "--network", "none", "--entrypoint", "python3", IMAGE, "-c", no_pip).returncode == 0
