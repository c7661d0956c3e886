"""Recognising Multus as charts deliver it: installers by what they run, plugin installers by image,
DaemonSets by name or image, and Helm releases by chart."""

from __future__ import annotations

import pytest
import yaml

from krm_multus import charts, helm, installers, multus
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
        ({"name": "mirrored", "image": "registry.example.com/siderolabs/install-cni:v1.9.0"}, True),
        ({"name": "prefixed", "image": "ghcr.io/example/my-cni-plugins:1"}, False),
    ],
)
def test_plugin_installers(container: dict, installs: bool) -> None:
    assert multus.is_plugin_installer(container) is installs


@pytest.mark.parametrize(
    ("image", "multus_image", "archived"),
    [
        ("harbor.example.com/ghcr/k8snetworkplumbingwg/multus-cni:v4.2.4-thick", True, False),
        ("docker.io/bitnami/multus-cni:4.2.2@sha256:0123", True, False),
        ("ghcr.io/k8snetworkplumbingwg/multus-cni-fork:v4", False, False),
        ("ghcr.io/example/tools:multus-cni", False, False),
        ("registry.example.com/siderolabs/install-cni:v1.9.0", False, True),
        ("localhost:5000/siderolabs/install-cni", False, True),
        ("ghcr.io/notsiderolabs/install-cni:v1.9.0", False, False),
    ],
)
def test_images_by_repository_path_under_any_prefix(image: str, multus_image: bool, archived: bool) -> None:
    assert multus.is_multus_image(image) is multus_image
    assert multus.is_archived_plugin_image(image) is archived


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
    assert helm.releases(items) == ()


def _flux_multus(source: str, values: str = "{}") -> str:
    return f"""
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: multus, namespace: network}}
spec:
  chart: {{spec: {{chart: multus, sourceRef: {{kind: HelmRepository, name: {source}, namespace: flux-system}}}}}}
  values: {values}
"""


@pytest.mark.parametrize(
    ("text", "chart"),
    [
        (_flux_multus("angelnu-charts"), charts.ANGELNU),
        (_flux_multus("bjw-s-labs"), charts.BJW_S_LABS),
        (_flux_multus("charts", "{cni: {paths: {bin: /opt/cni/bin}}}"), charts.ANGELNU),
        (_flux_multus("charts", "{cni: {binPath: /opt/cni/bin}}"), charts.BJW_S_LABS),
        (_flux_multus("charts", "{cniPlugins: {image: {tag: 1.7.1}}}"), charts.HOME_OPERATIONS),
        (_flux_multus("charts", "{hostCNIBinDir: /opt/cni/bin}"), charts.BITNAMI),
        (_flux_multus("charts", "{tolerations: []}"), ""),
    ],
    ids=[
        "source-angelnu",
        "source-bjw-s",
        "values-angelnu",
        "values-bjw-s",
        "values-home-ops",
        "values-bitnami",
        "untold",
    ],
)
def test_multus_charts_by_source_name_then_values(text: str, chart: str) -> None:
    [release] = helm.releases(_items(text))
    assert release.source_ref.startswith("HelmRepository flux-system/")
    assert charts.identify(release) == chart


def test_an_untold_release_takes_the_configured_chart() -> None:
    settings, _ = config.bind({**config.typed_header(), "spec": {"helmValues": {"multusChart": charts.BITNAMI}}})
    assert settings is not None
    [found] = charts.releases(_items(_flux_multus("charts")), settings)
    assert (found.chart, found.flavor, found.installs_plugins) == (charts.BITNAMI, "thin", False)


@pytest.mark.parametrize(
    ("container", "plugins"),
    [
        ({"image": "harbor.example.com/ghcr/k8snetworkplumbingwg/whereabouts:v0.9.2"}, {"whereabouts"}),
        ({"image": "ghcr.io/example/whereabouts:v1"}, set()),
        ({"image": "quay.io/kubevirt/ovs-cni-plugin:v0.39.0"}, {"ovs"}),
        ({"image": "x", "command": ["sh", "-c", "cp /ovs /a /host/opt/cni/bin/ && sleep 1"]}, {"ovs", "a"}),
        ({"image": "x", "command": ["cp", "/ovs", "/tmp/"]}, set()),
        ({"image": "x", "command": ["/host/opt/cni/bin/dhcp", "daemon", "-hostprefix", "/hostfs"]}, {"dhcp"}),
        ({"image": "x", "command": ["/dhcp"], "args": ["--help"]}, set()),
    ],
)
def test_plugins_a_container_installs_itself(container: dict, plugins: set) -> None:
    assert installers.plugins_of({"name": "c", **container}) == plugins
