"""Every upstream Multus release beside a Cilium HelmRelease, through failClosed, resources and multusDaemon.

Reads ../shared/upstream/multus/<version>/ next to the repository (the fixtures in testdata/ are our
own); skipped where that folder is absent, unless KRM_MULTUS_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from require import require

from krm_multus import pipeline
from krm_multus.sdk import resourcelist

UPSTREAM = Path(__file__).resolve().parents[2] / "shared" / "upstream" / "multus"
VERSIONS = sorted(path.name for path in UPSTREAM.iterdir()) if UPSTREAM.is_dir() else ["(none)"]
CILIUM_RELEASE = """---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: cilium
  namespace: kube-system
spec:
  chart:
    spec:
      chart: cilium
      sourceRef: {kind: HelmRepository, name: cilium}
  values:
    cni:
      exclusive: false
"""
FAIL_CLOSED = {
    "apiVersion": "krm-multus.dev/v1alpha1",
    "kind": "MultusTalos",
    "spec": {"failClosed": {"enabled": True}},
}
AUTOCONFIG = "/host/run/multus/cni/net.d"


def _manifests(version: str) -> list[Path]:
    if not UPSTREAM.is_dir():
        require(f"no upstream manifests at {UPSTREAM}")
    manifests = sorted((UPSTREAM / version).glob("multus-daemonset*.yml"))
    assert manifests, f"no Multus DaemonSet manifest in {UPSTREAM / version}"
    return manifests


def _run(text: str, config: dict | None) -> tuple[list[dict], list[dict]]:
    resource_list = resourcelist.read(text)
    results = [result.to_dict() for result in pipeline.run(resource_list, config)]
    return [doc for doc in yaml.safe_load_all(resourcelist.write(resource_list, [])) if doc], results


def _fails_open(results: list[dict]) -> list[dict]:
    return [r for r in results if r.get("tags") == {"check": "multusDaemon"} and "fails open" in r["message"]]


@pytest.mark.parametrize("version", VERSIONS)
def test_fail_closed_on_every_release(version: str) -> None:
    for manifest in _manifests(version):
        text = manifest.read_text() + "\n" + CILIUM_RELEASE
        _, before = _run(text, None)
        assert len(_fails_open(before)) == 1, manifest
        docs, results = _run(text, FAIL_CLOSED)
        assert not [r for r in results if r["severity"] == "error"], manifest
        assert _fails_open(results) == [], manifest
        release = next(doc for doc in docs if doc["kind"] == "HelmRelease")
        assert release["spec"]["values"]["cni"]["confPath"] == "/run/multus/cni/net.d"
        daemonset = next(doc for doc in docs if doc["kind"] == "DaemonSet")
        main = next(c for c in daemonset["spec"]["template"]["spec"]["containers"] if c["name"] == "kube-multus")
        config_maps = [
            doc for doc in docs if doc["kind"] == "ConfigMap" and "daemon-config.json" in doc.get("data", {})
        ]
        if config_maps:
            settings = yaml.safe_load(config_maps[0]["data"]["daemon-config.json"])
            assert settings["multusAutoconfigDir"] == AUTOCONFIG
            assert settings["cniConfigDir"] == "/host/etc/cni/net.d"
            assert "connectionLimit" not in settings, "upstream manifests run moving tags: no release to trust"
            assert main["resources"]["limits"]["memory"] == "512Mi"
        else:
            flags = [arg for arg in main["args"] if "multus-autoconfig-dir" in arg]
            assert flags and flags[0].endswith("=" + AUTOCONFIG), manifest


@pytest.mark.parametrize("version", VERSIONS)
def test_second_run_changes_nothing(version: str) -> None:
    for manifest in _manifests(version):
        resource_list = resourcelist.read(manifest.read_text() + "\n" + CILIUM_RELEASE)
        pipeline.run(resource_list, FAIL_CLOSED)
        first = resourcelist.write(resource_list, [])
        again = resourcelist.read(first)
        pipeline.run(again, FAIL_CLOSED)
        assert resourcelist.write(again, []) == first
