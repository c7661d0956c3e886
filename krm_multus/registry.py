"""The transforms and checks, in the order they run, and where each one's switch and severity live.

Nothing is discovered: add a module here, and its `enabled` and `severity` (with their ConfigMap
keys) to fn-config.schema.json under the spec section named here.
"""

from __future__ import annotations

from types import ModuleType
from typing import NamedTuple

from krm_multus.checks import (
    cilium_datapath,
    cilium_node_config,
    dhcp_daemon,
    host_local_data_dir,
    host_local_ranges,
    kubevirt,
    multus_daemon,
    network_attachment,
    network_lookup,
    network_selection,
    talos_plugins,
)
from krm_multus.transforms import (
    archived_plugin_image,
    cilium_exclusive,
    cilium_plugins,
    fail_closed,
    helm_values,
    image,
    install_binary,
    ipam_data_dir,
    netns,
    resources,
    target,
)


class Module(NamedTuple):
    """One transform or check as the engine runs it."""

    kind: str  # "transform" or "check": the tag its results carry, with its NAME
    code: ModuleType  # has NAME and apply(items, config, report)
    # The spec sections that switch it: each one's `enabled: false` turns it off, each one's
    # `severity` caps its results (a check obeys `checks` and its own section alike).
    sections: tuple[tuple[str, ...], ...]

    @property
    def name(self) -> str:
        return self.code.NAME


def _transform(code: ModuleType, *sections: tuple[str, ...]) -> Module:
    return Module("transform", code, sections or ((code.NAME,),))


def _check(code: ModuleType) -> Module:
    return Module("check", code, (("checks",), ("checks", code.NAME)))


# image runs first: the ARM64 copy it adds then gets every other fix, and the install-binary
# fix is chosen for the image that will actually run. The three cilium parts share its name.
TRANSFORMS = (
    Module("transform", target, ()),
    _transform(image),
    _transform(netns),
    _transform(install_binary),
    _transform(resources),
    _transform(cilium_plugins, ("cilium",), ("cilium", "installCNI")),
    _transform(cilium_exclusive),
    _transform(archived_plugin_image),
    _transform(helm_values),
    _transform(fail_closed),
    _transform(ipam_data_dir),
)
CHECKS = tuple(
    _check(code)
    for code in (
        network_attachment,
        network_selection,
        kubevirt,
        talos_plugins,
        multus_daemon,
        host_local_ranges,
        host_local_data_dir,
        dhcp_daemon,
        cilium_node_config,
        network_lookup,
        cilium_datapath,
    )
)
