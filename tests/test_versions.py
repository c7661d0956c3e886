"""Versions in image tags and `spec.talos.version`, and the thin v3 binary, are read by string tests;
they read what the patterns they replaced (a compile cost every run) read."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krm_multus import multus, talos
from krm_multus.sdk import resourcelist

# The patterns multus.image_version, talos.release and multus.generation used.
VERSION_TAG = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")
RELEASE = re.compile(r"v?(\d+)\.(\d+)")
THIN_V3_BINARY = re.compile(r"/bin/multus(?:\s|$)")

TAGS = ["v4.2.4-thick", "4.2.4", "v4.2", "v4.2.", "v4..2.4", "vv4.2.4", "v4.2.4.5", "v1.9.2-rc.1", "latest", ""]
TAGS += [
    "v",
    "v٤.2.4",
    "v4.2.4²",
    "v4.2².4",
    "1.9",
    "1.9x",
    "v01.002.0003",
    "v4.2.4 ",
    " v4.2.4",
    "snapshot-thick",
    "4.2.4\n",
]


def expected(pattern: re.Pattern[str], text: str) -> tuple[int, ...] | None:
    found = pattern.match(text)
    return tuple(int(number) for number in found.groups()) if found else None


@pytest.mark.parametrize("text", TAGS)
def test_versions_read_as_the_patterns_read_them(text: str) -> None:
    assert multus.image_version(f"ghcr.io/k8snetworkplumbingwg/multus-cni:{text}") == expected(VERSION_TAG, text)
    assert talos.release(text) == expected(RELEASE, text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["v", "1", "0", "٤", "²", ".", "-", "x", " "]), max_size=10).map("".join))
def test_any_version_reads_as_the_patterns_read_it(text: str) -> None:
    assert multus.version_numbers(text, 3) == expected(VERSION_TAG, text)
    assert multus.version_numbers(text, 2) == expected(RELEASE, text)


def daemonset(command: list[str]) -> resourcelist.Item:
    return resourcelist.Item(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: kube-multus-ds}\nspec:\n  template:\n    spec:\n"
        f"      containers: [{{name: kube-multus, image: 'ghcr.io/k8snetworkplumbingwg/multus-cni:latest', "
        f"command: {json.dumps(command)}}}]\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["/usr/src/multus-cni/bin/multus", "-d", "/host/etc/cni/net.d"],
        ["/usr/src/multus-cni/bin/multus"],
        ["/usr/src/multus-cni/bin/multus\t-d"],
        ["/usr/src/multus-cni/bin/multus\u2028"],
        ["/usr/src/multus-cni/bin/multus-daemon"],
        ["/usr/src/multus-cni/bin/multus-shim", "/host/bin/multus"],
        ["cp", "/bin/multusx", "/host"],
        ["/thin_entrypoint"],
    ],
)
def test_the_thin_v3_binary_is_told_as_the_pattern_told_it(command: list[str]) -> None:
    item = daemonset(command)
    runs = " ".join(command)
    assert multus.generation(item) == (3 if THIN_V3_BINARY.search(runs) else 4)
