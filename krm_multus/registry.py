"""The transforms and checks, in the order they run. Nothing is discovered: add a module here."""

from krm_multus.checks import (
    cilium_datapath,
    cilium_node_config,
    dhcp_daemon,
    host_local_data_dir,
    host_local_ranges,
    kubevirt,
    network_attachment,
    network_lookup,
    network_selection,
    talos_plugins,
)
from krm_multus.transforms import cilium, helm_values, image, install_binary, ipam_data_dir, netns, resources

# image runs first: the ARM64 copy it adds then gets every other fix, and the install-binary
# fix is chosen for the image that will actually run.
TRANSFORMS = (image, netns, install_binary, resources, cilium, helm_values, ipam_data_dir)
CHECKS = (
    network_attachment,
    network_selection,
    kubevirt,
    talos_plugins,
    host_local_ranges,
    host_local_data_dir,
    dhcp_daemon,
    cilium_node_config,
    network_lookup,
    cilium_datapath,
)
