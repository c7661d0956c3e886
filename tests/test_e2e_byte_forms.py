"""Byte forms through `kpt fn eval --exec` (issue 13): kpt reads the files, hands the function a
ResourceList, and writes back what it returns. A form kpt itself cannot read (a `%YAML` directive)
is held to that: the day kpt reads it, the test says so and the form joins the others. The function's
own handling of every form is tested in-process (tests/test_byte_forms.py)."""

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
    "document end": lambda text: text + "...\n",
    "separator comment": lambda text: "--- # the DaemonSet\n" + text,
}
KPT_CANNOT_READ = {"yaml directive": lambda text: "%YAML 1.1\n---\n" + text}


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
    (package / "daemonset.yaml").write_bytes({**FORMS, **KPT_CANNOT_READ}[form](DAEMONSET).encode())
    (package / "configmap.yaml").write_text(CONFIGMAP)
    return package


def netns_path(package: Path) -> object:
    text = (package / "daemonset.yaml").read_bytes().decode("utf-8-sig")
    daemonset = next(document for document in yaml.safe_load_all(text) if document)
    return daemonset["spec"]["template"]["spec"]["volumes"][0]["hostPath"]["path"]


@pytest.mark.parametrize("form", FORMS)
def test_kpt_fn_eval_fixes_the_daemonset_in_every_byte_form(tmp_path: Path, form: str) -> None:
    package = package_with(tmp_path, form)
    first = kpt_eval(package, "krm-multus")
    assert first.returncode == 0, first.stderr
    assert netns_path(package) == "/var/run/netns/"
    after_first = (package / "daemonset.yaml").read_bytes()
    second = kpt_eval(package, "krm-multus")
    assert second.returncode == 0, second.stderr
    assert (package / "daemonset.yaml").read_bytes() == after_first


@pytest.mark.parametrize("form", KPT_CANNOT_READ)
def test_kpt_itself_refuses_what_it_cannot_read(tmp_path: Path, form: str) -> None:
    """Not the function's doing: kpt fails before any function runs, even the identity `cat`."""
    package = package_with(tmp_path, form)
    before = (package / "daemonset.yaml").read_bytes()
    carried = kpt_eval(package, "cat")
    assert carried.returncode != 0, f"kpt now reads the {form} form: move it to FORMS"
    assert (package / "daemonset.yaml").read_bytes() == before


def test_kpt_carries_a_string_that_looks_like_an_item_and_it_stays_a_string(tmp_path: Path) -> None:
    """Issue 13.11 through kpt: a ConfigMap string holding a DaemonSet item, after a stray quote in a
    comment. kpt hands it over re-quoted; the ConfigMap's value must come back as it was."""
    fake = "- " + DAEMONSET.replace('"', "'").replace("\n", "\n  ").rstrip() + "\n"
    configmap = CONFIGMAP.replace("  key: value\n", f'  note: x  # a "stray\n  key: "x\n{fake}  end"\n')
    package = tmp_path / "package"
    package.mkdir()
    (package / "configmap.yaml").write_text(configmap)
    (package / "daemonset.yaml").write_text(DAEMONSET)
    result = kpt_eval(package, "krm-multus")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((package / "configmap.yaml").read_text())["data"] == yaml.safe_load(configmap)["data"]
    assert netns_path(package) == "/var/run/netns/"
