"""The NAD index is built once for the checks of a run, and never outlives an edit of what it read."""

from __future__ import annotations

from krm_multus.nad import CONFIG_PATH, Index
from krm_multus.sdk import resourcelist

ITEMS = """\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: k8s.cni.cncf.io/v1
  kind: NetworkAttachmentDefinition
  metadata: {name: lan, namespace: apps}
  spec:
    config: '{"cniVersion": "1.0.0", "type": "macvlan", "master": "eth1"}'
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: other}
"""


def _items() -> list[resourcelist.Item]:
    return resourcelist.read(ITEMS).items


def test_one_index_serves_every_reader_of_the_same_items() -> None:
    items = _items()
    assert Index.of(items) is Index.of(items)


def test_an_edited_nad_or_another_list_gets_a_fresh_index() -> None:
    items = _items()
    first = Index.of(items)
    items[0].doc.set_text(CONFIG_PATH, '{"cniVersion": "1.0.0", "type": "ipvlan", "master": "eth1"}')
    edited = Index.of(items)
    assert edited is not first and edited.find("lan", "apps").types() == ["ipvlan"]
    items.append(resourcelist.read(ITEMS).items[0])
    assert Index.of(items) is not edited
    assert Index.of(_items()) is not Index.of(items)


def test_a_restored_nad_is_read_again() -> None:
    items = _items()
    snapshot = items[0].snapshot()
    items[0].doc.set_text(CONFIG_PATH, '{"cniVersion": "1.0.0", "type": "ipvlan", "master": "eth1"}')
    assert Index.of(items).find("lan", "apps").types() == ["ipvlan"]
    items[0].restore(snapshot)
    assert Index.of(items).find("lan", "apps").types() == ["macvlan"]
