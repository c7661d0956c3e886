"""The Helm releases and the parts of Cilium are read once for the modules of a run, and never outlive an
edit of an item they were read from (as the NAD index: tests/test_nad_index.py)."""

from __future__ import annotations

from krm_multus import cilium, helm
from krm_multus.sdk import resourcelist

ITEMS = """\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: helm.toolkit.fluxcd.io/v2
  kind: HelmRelease
  metadata: {name: cilium, namespace: kube-system}
  spec:
    chart: {spec: {chart: cilium, sourceRef: {kind: HelmRepository, name: cilium}}}
    valuesFrom: [{kind: ConfigMap, name: cilium-values}]
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cilium-values, namespace: kube-system}
  data:
    values.yaml: |
      cni: {exclusive: true}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cilium-config, namespace: kube-system}
  data: {cni-exclusive: "true"}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: other}
"""


def _items() -> list[resourcelist.Item]:
    return resourcelist.read(ITEMS).items


def test_one_reading_serves_every_reader_of_the_same_items() -> None:
    items = _items()
    assert helm.releases(items) is helm.releases(items)
    assert cilium.Deployment.of(items) is cilium.Deployment.of(items)


def test_an_edited_values_config_map_gives_fresh_releases() -> None:
    items = _items()
    first = helm.releases(items)
    items[1].doc.set_text(("data", "values.yaml"), "cni: {exclusive: false}\n")
    again = helm.releases(items)
    assert again is not first
    [release] = again
    assert helm.lookup(release.values[0], ("cni", "exclusive")) is False


def test_an_edited_or_restored_config_map_or_another_list_gives_a_fresh_deployment() -> None:
    items = _items()
    first = cilium.Deployment.of(items)
    snapshot = items[2].snapshot()
    items[2].doc.set(cilium.EXCLUSIVE, "false")
    edited = cilium.Deployment.of(items)
    assert edited is not first
    items[2].restore(snapshot)
    assert cilium.Deployment.of(items) is not edited
    assert cilium.Deployment.of(_items()) is not cilium.Deployment.of(items)


def test_an_added_item_is_found() -> None:
    items = _items()
    assert [item.name for item in cilium.Deployment.of(items).agents] == []
    items.append(
        resourcelist.read(
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: cilium, namespace: kube-system}\nspec: {}\n"
        ).items[0]
    )
    assert [item.name for item in cilium.Deployment.of(items).agents] == ["cilium"]
