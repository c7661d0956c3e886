"""The upstream Multus release manifests the upstream tests read: ../shared/upstream/multus/<version>/
next to the repository. A user's clone has none: those tests skip, except in CI
(KRM_MULTUS_REQUIRE_TOOLS=1), where a missing folder fails them."""

from __future__ import annotations

from pathlib import Path

UPSTREAM = Path(__file__).resolve().parents[2] / "shared" / "upstream" / "multus"
VERSIONS = sorted(path.name for path in UPSTREAM.iterdir()) if UPSTREAM.is_dir() else []
