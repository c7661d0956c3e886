"""Every upstream Multus release beside a Cilium HelmRelease, through failClosed, resources and multusDaemon.

Reads ../shared/upstream/multus/<version>/ next to the repository (the fixtures in testdata/ are our
own); skipped where that folder is absent, unless KRM_MULTUS_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from golden import run
from upstream import UPSTREAM, VERSIONS

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
    manifests = sorted((UPSTREAM / version).glob("multus-daemonset*.yml"))
    assert manifests, f"no Multus DaemonSet manifest in {UPSTREAM / version}"
    return manifests


def _run(text: str, config: dict | None) -> tuple[list[dict], list[dict]]:
    output, results = run(text, config)
    return [doc for doc in yaml.safe_load_all(output) if doc], results


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
        first, _ = run(manifest.read_text() + "\n" + CILIUM_RELEASE, FAIL_CLOSED)
        assert run(first, FAIL_CLOSED)[0] == first
