"""Every upstream Multus release's manifests through the function, with the outcome FINDINGS.md predicts.

Reads ../shared/upstream/multus/<version>/ next to the repository; skipped where that folder is absent
(a user's clone has none), except in CI (KRM_MULTUS_REQUIRE_TOOLS=1), which has it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from golden import run
from require import require
from upstream import UPSTREAM, VERSIONS

NETNS = "spec.template.spec.volumes[name=host-run-netns].hostPath.path"
COMMAND = "spec.template.spec.initContainers[name=install-multus-binary].command"
ATOMIC = ["/usr/src/multus-cni/bin/install_multus", "-d", "/host/opt/cni/bin", "-t", "thick"]


def _release(version: str) -> tuple[int, ...]:
    return (99,) if version == "master" else tuple(int(part) for part in version.lstrip("v").split("."))


def _run(path: Path) -> tuple[str, list[dict]]:
    return run(path.read_text())


def _daemonset(text: str) -> dict:
    return next(doc for doc in yaml.safe_load_all(text) if doc and doc.get("kind") == "DaemonSet")


def _changes(results: list[dict], transform: str) -> list[str]:
    return [
        r["field"]["path"]
        for r in results
        if r.get("tags", {}).get("transform") == transform and "proposedValue" in r.get("field", {})
    ]


def test_the_upstream_manifests_are_there() -> None:
    """Where this fails (in CI) or skips, the parametrized tests below have no versions to run."""
    require(None if VERSIONS else f"no upstream manifests at {UPSTREAM}")
    assert {"v3.9.3", "v4.2.3", "v4.3.0", "master"} <= set(VERSIONS)


@pytest.mark.parametrize("version", VERSIONS)
def test_thick(version: str) -> None:
    path = next((UPSTREAM / version).glob("multus-daemonset-thick*.yml"))
    output, results = _run(path)
    pod = _daemonset(output)["spec"]["template"]["spec"]
    init = next(c for c in pod["initContainers"] if c["name"] == "install-multus-binary")
    volumes = {v["name"]: v for v in pod["volumes"]}
    main = next(c for c in pod["containers"] if c["name"] == "kube-multus")
    assert main["resources"] == {
        "requests": {"cpu": "200m", "memory": "100Mi"},
        "limits": {"cpu": "300m", "memory": "150Mi"},
    }
    assert not [r for r in results if r["severity"] == "error"]
    if _release(version) < (4,):
        assert "host-run-netns" not in volumes and _changes(results, "netns") == []
        assert init["command"][0] == "cp", "v3 images have no install_multus"
        assert any(r["severity"] == "warning" and r["tags"] == {"transform": "installBinary"} for r in results)
        return
    assert volumes["host-run-netns"]["hostPath"]["path"] == "/var/run/netns/"
    assert _changes(results, "netns") == [NETNS]
    assert init["command"] == ATOMIC and "args" not in init
    already_atomic = _release(version) >= (4, 2, 3)
    assert _changes(results, "installBinary") == ([] if already_atomic else [COMMAND])


@pytest.mark.parametrize("version", VERSIONS)
def test_thin(version: str) -> None:
    output, results = _run(UPSTREAM / version / "multus-daemonset.yml")
    pod = _daemonset(output)["spec"]["template"]["spec"]
    assert "host-run-netns" not in {v["name"] for v in pod["volumes"]}
    assert _changes(results, "netns") == [] and _changes(results, "installBinary") == []
    assert _changes(results, "resources") == [], "thin Multus runs no daemon: its resources stay (issue 12.12)"
    assert not [r for r in results if r["severity"] == "error"]


@pytest.mark.parametrize("version", VERSIONS)
def test_untouched_documents_stay_byte_for_byte(version: str) -> None:
    """Only the DaemonSet changes: the CRD, RBAC and ConfigMaps come out exactly as upstream wrote them."""
    path = next((UPSTREAM / version).glob("multus-daemonset-thick*.yml"))
    original = path.read_text()
    output, _ = _run(path)
    before = original.split("\n---")
    after = output.split("\n---")
    assert len(before) == len(after)
    changed = [b for b, a in zip(before, after, strict=True) if b != a]
    assert len(changed) == 1 and "kind: DaemonSet" in changed[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_second_run_changes_nothing(version: str) -> None:
    for path in (UPSTREAM / version).glob("*.yml"):
        once, _ = _run(path)
        twice, results = run(once)
        assert twice == once
        assert not [r for r in results if "proposedValue" in r.get("field", {})]


def test_ci_fetches_the_releases_the_tests_read() -> None:
    """.ci/upstream.sh (what CI fetches where the folder is missing) lists the versions and commits here."""
    require(None if VERSIONS else f"no upstream manifests at {UPSTREAM}")
    script = (Path(__file__).resolve().parents[1] / ".ci" / "upstream.sh").read_text()
    listed = dict(re.findall(r"^(v[\d.]+|master) ([0-9a-f]{40}) ", script, re.M))
    assert listed == {version: (UPSTREAM / version / "COMMIT").read_text().strip() for version in VERSIONS}
