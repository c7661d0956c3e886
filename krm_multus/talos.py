"""What the function knows about Talos Linux releases.

Why one module: the cilium transforms and the talosPlugins check both turn `spec.talos.version`
into a release, and must read it the same way.
"""

from __future__ import annotations

from krm_multus.multus import version_numbers

# From this release on, the basic CNI plugins (bridge, host-local, ...) come with Talos.
BUNDLED_PLUGINS = (1, 8)


def release(version: str) -> tuple[int, int] | None:
    """The (major, minor) release a Talos version names (`v1.9.2` -> (1, 9)); None when none is given."""
    found = version_numbers(version, 2)
    return (found[0], found[1]) if found else None


def patch(version: str) -> int:
    """The patch number of a Talos version (0 where it names none)."""
    return int(version.split(".")[2]) if version.count(".") == 2 else 0
