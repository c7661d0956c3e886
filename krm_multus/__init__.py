"""krm-multus: a KRM function that makes Multus CNI work on Talos Linux and checks secondary networks."""

from krm_multus.sdk.pyyaml import import_json, import_yaml

__version__ = "0.1.0"

import_yaml()  # first, before a module of the package imports yaml (see sdk/pyyaml.py)
import_json()  # and json
