"""Recognising Multus as charts deliver it: installers by what they run, plugin installers by image,
DaemonSets by name or image, and Helm releases by chart."""

from __future__ import annotations

import pytest
import yaml

from krm_multus import helm, multus
from krm_multus.sdk import config
from krm_multus.sdk.resourcelist import Item

SHIM = "/usr/src/multus-cni/bin/multus-shim"


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        ({"command": ["cp", SHIM, "/host/opt/cni/bin/multus-shim"]}, ("multus-shim", "cp", "/host/opt/cni/bin")),
        ({"command": ["cp"], "args": [SHIM, "/host/opt/cni/bin/"]}, ("multus-shim", "cp", "/host/opt/cni/bin")),
        (
            {"command": ["/bin/sh", "-c", f"cp -f {SHIM} /host/bin/multus-shim && cp -f /a/passthru /host/bin/"]},
            ("multus-shim", "cp -f", "/host/bin"),
        ),
        ({"command": ["sh", "-c", f"cp --force {SHIM} /h/"]}, ("multus-shim", "cp -f", "/h")),
        (
            {"command": ["cp", "-r", "/usr/src/multus-cni/bin/multus", "/b/opt/cni/bin/"]},
            ("multus", "cp", "/b/opt/cni/bin"),
        ),
        (
            {"command": ["/usr/src/multus-cni/bin/install_multus", "-d", "/x", "-t", "thick"]},
            ("multus-shim", "install_multus", "/x"),
        ),
        (
            {"command": ["/install_multus"], "args": ["--type", "thin"]},
            ("multus", "install_multus", "/host/opt/cni/bin"),
        ),
        ({"command": ["cp", "/opt/cni/bin/macvlan", "/host/opt/cni/bin/"]}, None),
        ({"command": ["/install-cni.sh"]}, None),
        ({"command": ["sh", "-c", "cp 'unbalanced"]}, None),
        ({"command": ["sh", "-c", f"set -e;cp {SHIM} /h/d||exit 1"]}, ("multus-shim", "cp", "/h/d")),
    ],
    ids=[
        "upstream-v4.0",
        "cp-args",
        "angelnu-cp-f",
        "cp-force",
        "bitnami-thin",
        "install-multus-thick",
        "install-multus-thin",
        "plugin-copy",
        "install-cni",
        "bad-quoting",
        "operators-without-spaces",
    ],
)
def test_binary_install_is_read_from_what_runs(container: dict, expected: tuple | None) -> None:
    assert multus.binary_install({"name": "any", **container}) == (expected and multus.BinaryInstall(*expected))


@pytest.mark.parametrize(
    ("container", "installs"),
    [
        ({"name": "install-cni", "image": "registry.local/plugins:1"}, True),
        ({"name": "cni-plugins", "image": "ghcr.io/home-operations/cni-plugins:1.7.1"}, True),
        ({"name": "cni-installer", "image": "ghcr.io/angelnu/cni-plugins:1.7.1"}, True),
        ({"name": "plugins", "image": "ghcr.io/d4rkfella/cni-plugins-install:v1"}, True),
        ({"name": "x", "image": "ghcr.io/siderolabs/install-cni:v1.7.0"}, True),
        ({"name": "install-multus-binary", "image": "ghcr.io/k8snetworkplumbingwg/multus-cni:v4.2.2-thick"}, False),
        ({"name": "tag-only", "image": "docker.io/library/busybox:cni-plugins"}, False),
    ],
)
def test_plugin_installers(container: dict, installs: bool) -> None:
    assert multus.is_plugin_installer(container) is installs


def _daemonset(name: str, image: str) -> Item:
    return Item(
        yaml.safe_dump(
            {
                "apiVersion": "apps/v1",
                "kind": "DaemonSet",
                "metadata": {"name": name, "namespace": "network"},
                "spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}},
            }
        )
    )


@pytest.mark.parametrize(
    ("match", "found"),
    [("auto", ["kube-multus-ds", "multus"]), ("name", ["kube-multus-ds"]), ("image", ["multus"])],
)
def test_daemonsets_by_name_or_image(match: str, found: list[str]) -> None:
    items = [
        _daemonset("kube-multus-ds", "registry.local/self-built:thick"),
        _daemonset("multus", "ghcr.io/k8snetworkplumbingwg/multus-cni:v4.2.2"),
        _daemonset("dynamic", "ghcr.io/k8snetworkplumbingwg/multus-dynamic-networks-controller:v0.3.7"),
    ]
    settings, _ = config.bind({**config.typed_header(), "spec": {"target": {"match": match}}})
    assert settings is not None
    assert [item.name for item in multus.daemonsets(items, settings)] == found


def _items(text: str) -> list[Item]:
    return [Item(yaml.safe_dump(document)) for document in yaml.safe_load_all(text)]


def test_chart_ref_to_a_helm_chart_among_the_items() -> None:
    items = _items("""
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata: {name: network-multus, namespace: network}
spec:
  chart: multus
  sourceRef: {kind: HelmRepository, name: angelnu}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: angelnu, namespace: network}
spec: {url: https://angelnu.github.io/helm-charts}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: multus, namespace: network}
spec:
  chartRef: {kind: HelmChart, name: network-multus}
""")
    [release] = helm.releases(items)
    assert (release.chart, release.repository) == ("multus", "https://angelnu.github.io/helm-charts")


def test_other_kinds_and_groups_are_not_releases() -> None:
    items = _items("""
apiVersion: example.com/v1
kind: HelmRelease
metadata: {name: cilium}
spec: {chart: {spec: {chart: cilium}}}
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: cilium}
spec: {template: {spec: {source: {chart: cilium}}}}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: from-git}
spec: {source: {repoURL: https://github.com/example/ops.git, path: cilium}}
""")
    assert helm.releases(items) == []
