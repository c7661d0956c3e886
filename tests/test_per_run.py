"""The Helm releases and the parts of Cilium are read once for the modules of a run, and never outlive an
edit of an item they were read from (as the NAD index: tests/test_nad_index.py)."""

from __future__ import annotations

from krm_multus import attachments, cilium, helm, selection
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


PODS = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: apps
  annotations:
    k8s.v1.cni.cncf.io/networks: infra/lan
    note: %s
spec:
  containers: [{name: web, image: nginx}]
"""


def test_the_network_references_are_read_once_and_again_after_an_edit() -> None:
    items = resourcelist.read(PODS % "short").items
    first = attachments.attachments(items)
    assert [(found.namespace, found.name) for found in first] == [("infra", "lan")]
    assert attachments.attachments(items) is first
    items[0].doc.set(("metadata", "annotations", selection.ANNOTATION), "infra/lan,san")
    assert [found.name for found in attachments.attachments(items)] == ["lan", "san"]


def test_annotations_over_the_api_servers_limit_attach_nothing() -> None:
    items = resourcelist.read(PODS % ("x" * selection.ANNOTATIONS_LIMIT)).items
    assert attachments.attachments(items) == ()
