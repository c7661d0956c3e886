"""Byte forms through `kpt fn eval --exec` (issue 13): kpt reads the files, hands the function a
ResourceList, and writes back what it returns. Where kpt itself cannot carry a form (its identity
run through `cat` fails or drops the form), the case is skipped with the reason."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from require import missing_tools, require
from test_hostile import CONFIGMAP, DAEMONSET

pytestmark = pytest.mark.e2e

FORMS = {
    "bom": lambda text: "\ufeff" + text,
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "yaml directive": lambda text: "%YAML 1.1\n---\n" + text,
    "document end": lambda text: text + "...\n",
    "separator comment": lambda text: "--- # the DaemonSet\n" + text,
}


@pytest.fixture(autouse=True)
def tools() -> None:
    require(missing_tools("kpt", "krm-multus"))


def kpt_eval(package: Path, function: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["kpt", "fn", "eval", str(package), "--exec", function], capture_output=True, text=True, timeout=120
    )


def package_with(root: Path, form: str) -> Path:
    package = root / "package"
    package.mkdir()
    (package / "daemonset.yaml").write_bytes(FORMS[form](DAEMONSET).encode())
    (package / "configmap.yaml").write_text(CONFIGMAP)
    return package


def netns_path(package: Path) -> object:
    text = (package / "daemonset.yaml").read_bytes().decode("utf-8-sig")
    daemonset = next(document for document in yaml.safe_load_all(text) if document)
    return daemonset["spec"]["template"]["spec"]["volumes"][0]["hostPath"]["path"]


@pytest.mark.parametrize("form", FORMS)
def test_kpt_fn_eval_fixes_the_daemonset_in_every_byte_form(tmp_path: Path, form: str) -> None:
    (tmp_path / "identity").mkdir()
    carried = kpt_eval(package_with(tmp_path / "identity", form), "cat")
    if carried.returncode != 0:
        pytest.skip(f"kpt cannot read this form itself: {carried.stderr.strip()[:200]}")
    package = package_with(tmp_path, form)
    first = kpt_eval(package, "krm-multus")
    assert first.returncode == 0, first.stderr
    assert netns_path(package) == "/var/run/netns/"
    after_first = (package / "daemonset.yaml").read_bytes()
    second = kpt_eval(package, "krm-multus")
    assert second.returncode == 0, second.stderr
    assert (package / "daemonset.yaml").read_bytes() == after_first
