"""The checks parse only the items that can concern them: a cheap text test decides first."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krm_multus import registry
from krm_multus.sdk import config as fn_config
from krm_multus.sdk import resourcelist
from krm_multus.sdk.results import Reporter

HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
NAD = """\
- apiVersion: k8s.cni.cncf.io/v1
  kind: NetworkAttachmentDefinition
  metadata: {name: lan, namespace: apps}
  spec:
    config: '{"cniVersion": "1.0.0", "type": "macvlan", "master": "eth1"}'
"""


def deployment(name: str, annotated: bool) -> str:
    annotations = "\n      annotations: {k8s.v1.cni.cncf.io/networks: lan}" if annotated else ""
    return f"""\
- apiVersion: apps/v1
  kind: Deployment
  metadata: {{name: {name}, namespace: apps}}
  spec:
    selector: {{matchLabels: {{app: {name}}}}}
    template:
      metadata:
        labels: {{app: {name}}}{annotations}
      spec:
        containers: [{{name: c, image: nginx}}]
"""


def test_checks_leave_unrelated_items_unparsed() -> None:
    text = HEADER + NAD + "".join(deployment(f"d{number}", number % 50 == 0) for number in range(200))
    resource_list = resourcelist.read(text)
    config, problems = fn_config.bind({**fn_config.typed_header(), "spec": {"talos": {"version": "v1.9.0"}}})
    assert config is not None and problems == []
    results = [
        result
        for module in registry.CHECKS
        for result in module.code.apply(resource_list.items, config, Reporter("check", module.name))
    ]
    parsed = [item.name for item in resource_list.items if item._data is not resourcelist._UNSET]
    assert parsed == ["lan", "d0", "d50", "d100", "d150"]
    # The run did look at what it parsed: the macvlan plugin is missing on Talos 1.9.
    assert [result.tags["check"] for result in results] == ["talosPlugins"]


def test_the_index_of_kinds_follows_the_list() -> None:
    """`of_kind` answers from one index of the kinds; an item added to or taken from the list shows at once."""
    items = resourcelist.read(HEADER + NAD + deployment("a", False) + deployment("b", True)).items
    assert [item.name for item in resourcelist.of_kind(items, "Deployment")] == ["a", "b"]
    assert resourcelist.of_kind(items, "Deployment", "apps") == resourcelist.of_kind(items, "Deployment")
    assert resourcelist.of_kind(items, "Deployment", "extensions") == []
    copy = resourcelist.Item(items[1].current_text.replace("name: a,", "name: c,"))
    items.insert(2, copy)
    assert [item.name for item in resourcelist.of_kind(items, "Deployment")] == ["a", "c", "b"]
    items[:] = items[:1]
    assert resourcelist.of_kind(items, "Deployment") == []
    assert [item.name for item in resourcelist.of_kind(items, "NetworkAttachmentDefinition")] == ["lan"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kind: ResourceList\nitems: []\n", True),
        ("a: 1\n---\nkind: ResourceList\n", False),  # the second document's
        ("a: 1\n--- # two\nkind: ResourceList\n", False),
        ("a: 1\n...\nkind: ResourceList\n", False),
        ("a: |\n  x\n---x\nkind: ResourceList\n", True),  # `---x` is no document start
        ("---\nkind: ResourceList\n---\na: 1\n", True),
        ("a: 1\n---", False),
    ],
)
def test_only_the_first_document_tells_the_kind(text: str, expected: bool) -> None:
    assert resourcelist.first_document_is(text, "ResourceList") is expected


LINES = ["kind: ResourceList", "'kind': ResourceList", 'kind: "ResourceList"', "kind:  ResourceList # c"]
LINES += ["kind: ResourceListing", " kind: ResourceList", "kind: ResourceList ", "kind:\tResourceList"]
LINES += ["---", "--- # c", "...", "---x", "%YAML 1.1", "# c", "a: 1", "items: []", ""]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=6).map("\n".join), st.sampled_from(["", "\n", "\r\n"]))
def test_the_plain_kind_line_is_found_as_the_pattern_finds_it(text: str, end: str) -> None:
    """The usual `kind: ResourceList` line is found by a string search; what it finds the pattern finds."""
    text += end
    pattern = resourcelist._kind_line("ResourceList")
    expected = pattern.search(text, *resourcelist.first_document_span(text)) is not None
    assert resourcelist.first_document_is(text, "ResourceList") is expected
