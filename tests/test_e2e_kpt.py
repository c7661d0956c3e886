"""kpt runs the installed command (`exec`): the documented `kpt fn eval` and `kpt fn render` commands on
the example packages, each twice, and each with a bad config; the Flux tree with and without its
`.krmignore`."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import (
    PACKAGE,
    ROOT,
    check_kpt_bad_config,
    check_kpt_package,
    kpt_pipeline,
    readme,
    workspace,
)
from require import missing_tools, require

pytestmark = pytest.mark.e2e

# id: (documented command, Kptfile mutator or None for the Kptfile as shipped, expected files in
# tests/e2e_expected)
CASES: dict[str, tuple[str, dict[str, Any] | None, str]] = {
    "eval --fn-config": ("kpt-eval-exec", None, "package"),
    "eval key=value": ("kpt-eval-exec-args", None, "package"),
    "eval arm64 copy": ("kpt-eval-exec-arm64", None, "arm64"),
    "render configPath": ("kpt-render-exec", kpt_pipeline("exec", "configPath"), "package"),
    "render configMap": ("kpt-render-exec", kpt_pipeline("exec", "configMap"), "package"),
}
# id: (documented command, the folder it runs on, expected files): Helm values in GitOps trees
TREES = {"flux": ("flux-eval", "examples/flux", "flux"), "argocd": ("argocd-eval", "examples/argocd", "argocd")}


@pytest.fixture(autouse=True)
def tools() -> None:
    require(missing_tools("kpt", "krm-multus"))


@pytest.mark.parametrize(("command_id", "mutator", "expected"), CASES.values(), ids=CASES.keys())
def test_changes_exactly_the_intended_lines_once(
    tmp_path: Path, command_id: str, mutator: dict | None, expected: str
) -> None:
    check_kpt_package(tmp_path, command_id, "krm-multus", mutator, expected)


@pytest.mark.parametrize(("command_id", "mutator"), [case[:2] for case in CASES.values()], ids=CASES.keys())
def test_bad_config_fails_and_changes_nothing(tmp_path: Path, command_id: str, mutator: dict | None) -> None:
    check_kpt_bad_config(tmp_path, command_id, "krm-multus", mutator)


@pytest.mark.parametrize(("command_id", "tree", "expected"), TREES.values(), ids=TREES.keys())
def test_gitops_tree_changes_exactly_the_intended_lines_once(
    tmp_path: Path, command_id: str, tree: str, expected: str
) -> None:
    assert readme(command_id).split()[3] == tree or readme(command_id).split()[3].startswith(tree + "/")
    check_kpt_package(tmp_path, command_id, "krm-multus", None, expected, package_path=tree)


def test_flux_tree_needs_its_krmignore(tmp_path: Path) -> None:
    """The README's `.krmignore` is the example's, and without it kpt refuses the tree."""
    krmignore = ROOT / "examples" / "flux" / ".krmignore"
    patterns = [line for line in krmignore.read_text().splitlines() if line and not line.startswith("#")]
    assert patterns == readme("flux-krmignore").splitlines()
    work = workspace(tmp_path)
    (work / "examples" / "flux" / ".krmignore").unlink()
    run = subprocess.run(
        readme("flux-eval").split(), cwd=work, capture_output=True, text=True, check=False, timeout=120
    )
    assert run.returncode != 0 and "helm-values.yaml" in run.stderr


def test_the_example_package_is_where_the_docs_say() -> None:
    assert (ROOT / PACKAGE / "Kptfile").is_file()
