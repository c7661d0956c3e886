"""One reader of a container's command line (multus.command_words, flag_value) serves every module that
asks what a container runs: the Multus flavor, its flags, the dhcp daemon, the binary install."""

from __future__ import annotations

from typing import Any

import pytest

from krm_multus import multus, pipeline
from krm_multus.sdk import resourcelist

THIN = "ghcr.io/k8snetworkplumbingwg/multus-cni:v4.2.4"


def _messages(text: str, check: str) -> list[str]:
    return [result.message for result in pipeline.run(resourcelist.read(text), only={check})]


def _thin_multus(container: dict[str, Any]) -> str:
    container = {"name": "kube-multus", "image": THIN, **container}
    return f"""\
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: kube-multus-ds, namespace: kube-system}}
spec:
  template:
    spec:
      containers: [{container}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: apps
  annotations: {{k8s.v1.cni.cncf.io/networks: infra/lan}}
spec:
  containers: [{{name: web, image: nginx}}]
"""


def test_the_words_of_a_shell_script_are_its_commands_words() -> None:
    container = {"command": ["sh", "-c"], "args": ["rm -f /run/cni/dhcp.sock; /opt/cni/bin/dhcp daemon&& wait"]}
    assert multus.command_words(container) == [
        "sh", "-c", "rm", "-f", "/run/cni/dhcp.sock", "/opt/cni/bin/dhcp", "daemon", "wait"
    ]  # fmt: skip
    assert multus.command_words(container, ("command",)) == ["sh", "-c"]


@pytest.mark.parametrize(
    ("args", "name", "boolean", "expected"),
    [
        (["--namespace-isolation"], "namespace-isolation", True, (0, "true")),
        (
            ["--namespace-isolation", "false"],
            "namespace-isolation",
            True,
            (0, "true"),
        ),  # pflag: a bool's value follows `=`
        (["-namespace-isolation=false"], "namespace-isolation", True, (0, "false")),
        (["--global-namespaces", "a,b"], "global-namespaces", False, (1, "a,b")),
        (["--global-namespaces"], "global-namespaces", False, None),
        (["--other=1", "namespace-isolation"], "namespace-isolation", True, None),
    ],
)
def test_flag_values(args: list[str], name: str, boolean: bool, expected: tuple[int, str] | None) -> None:
    assert multus.flag_value(args, name, boolean) == expected


def test_isolation_flags_inside_a_shell_script_and_go_true_values_are_read() -> None:
    script = {
        "command": ["sh", "-c"],
        "args": ["exec /thin_entrypoint --namespace-isolation=1 --global-namespaces shared"],
    }
    [message] = _messages(_thin_multus(script), "networkLookup")
    assert "`--namespace-isolation` in DaemonSet `kube-multus-ds`" in message and "`infra`" in message
    allowed = {"command": ["/thin_entrypoint"], "args": ["--namespace-isolation", "--global-namespaces=infra"]}
    assert _messages(_thin_multus(allowed), "networkLookup") == []


def test_a_dhcp_daemon_ended_by_an_operator_is_found() -> None:
    text = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: dhcp, namespace: kube-system}
spec:
  template:
    spec:
      containers:
      - name: dhcp
        image: example.com/dhcp:1
        command: ["/bin/sh", "-c", "/opt/cni/bin/dhcp daemon; sleep 1"]
        volumeMounts: [{name: run, mountPath: /run/cni}]
      volumes: [{name: run, hostPath: {path: /run/cni}}]
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: lan, namespace: apps}
spec:
  config: '{"cniVersion": "1.0.0", "type": "macvlan", "master": "eth1", "ipam": {"type": "dhcp"}}'
"""
    assert _messages(text, "dhcpDaemon") == []


def test_app_template_flavor_is_multus_flavor() -> None:
    spec = {"name": "multus", "image": THIN + "-thick", "command": ["/thin_entrypoint"]}
    assert multus.running([spec], spec["image"]) == "thin"
    assert multus.running([{"name": "multus", "image": THIN}], THIN + "-thick") == "thick"
