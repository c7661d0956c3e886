"""The secondary-networks example package: clean as shipped, and caught by the checks when it is not."""

from __future__ import annotations

from pathlib import Path

import yaml

from krm_multus import pipeline
from krm_multus.sdk import resourcelist
from krm_multus.sdk.results import Result

PACKAGE = Path(__file__).resolve().parent.parent / "examples" / "secondary-networks"
CONFIG = yaml.safe_load((PACKAGE / "fn-config.yaml").read_text())


def package_stream() -> str:
    """Every file of the package as one YAML stream, the way `kpt fn eval` or a pipe hands it over."""
    files = [*sorted(PACKAGE.glob("*.yaml")), PACKAGE / "Kptfile"]
    return "---\n".join(path.read_text() for path in files)


def run(text: str) -> tuple[str, list[Result]]:
    resource_list = resourcelist.read(text)
    results = pipeline.run(resource_list, CONFIG)
    return resourcelist.write(resource_list, []), results


def test_example_runs_clean_and_unchanged() -> None:
    text = package_stream()
    output, results = run(text)
    assert [result.summary() for result in results if result.severity != "info"] == []
    assert output == text
    # The checks did run (with the package's Talos version): the bridge NAD gets its host-bridge hint.
    hints = [result for result in results if result.tags == {"check": "talosPlugins"}]
    assert len(hints) == 1 and "BridgeConfig" not in hints[0].message and "`br0`" in hints[0].message


def test_example_vm_on_macvlan_fails() -> None:
    text = package_stream().replace('"type": "bridge",', '"type": "macvlan", "master": "eth1",')
    _, results = run(text)
    errors = [result for result in results if result.severity == "error"]
    assert [(result.tags, result.item.name) for result in errors] == [({"check": "kubevirt"}, "router")]


def test_example_without_plugin_installer_warns() -> None:
    text = package_stream().replace("name: install-cni", "name: sleep").replace("siderolabs/install-cni", "busybox")
    _, results = run(text)
    warnings = [result for result in results if result.severity == "warning"]
    assert [(result.tags, result.item.name) for result in warnings] == [
        ({"check": "talosPlugins"}, "lan"),
        ({"check": "talosPlugins"}, "lan-static"),
    ]
    assert "`macvlan`, `static`, `tuning`" in warnings[1].message
