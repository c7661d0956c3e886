"""krm-multus: a KRM function that makes Multus CNI work on Talos Linux and checks secondary networks."""

__version__ = "0.1.0"
