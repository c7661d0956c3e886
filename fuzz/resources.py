"""Hypothesis strategies: ResourceLists and streams of generated resources with Multus DaemonSets
among them (missing and odd fields included), and text mutations that break them the way files break.

A `Generated` input knows which of its documents the function may change (Multus DaemonSets and
the Cilium items the cilium transform edits); every other document must come out byte for byte.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import yaml
from hypothesis import strategies as st

RESOURCE_LIST_HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
MULTUS = "ghcr.io/k8snetworkplumbingwg/multus-cni"
POD_SPEC = ("spec", "template", "spec")

names = st.from_regex(r"[a-z]([a-z0-9-]{0,12}[a-z0-9])?", fullmatch=True)
_characters = st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")) | st.sampled_from(
    list("\n\t:#-'\"{}[]&*!|>%@`,? ")
)
strings = st.text(_characters, max_size=24)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    strings,
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names | strings, inner, max_size=4),
    max_leaves=12,
)
# Values a field of a DaemonSet should not have: the transforms must report them or leave them.
odd_values = st.sampled_from([None, 0, "", "text", [], {}, [1, "a"], {"x": 1}, True, "200m", "-1Gi"]) | values

KINDS = {
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "ServiceAccount": "v1",
    "Namespace": "v1",
    "Deployment": "apps/v1",
    "Role": "rbac.authorization.k8s.io/v1",
    "Widget": "example.com/v1",
    "NetworkAttachmentDefinition": "k8s.cni.cncf.io/v1",
}
NETWORKS = "k8s.v1.cni.cncf.io/networks"


class Generated(NamedTuple):
    text: str
    documents: list[dict[str, Any]]
    may_change: list[bool]
    is_list: bool
    function_config: dict[str, Any] | None  # for a stream: what --config would give


@st.composite
def generic_resource(draw: st.DrawFn) -> dict[str, Any]:
    """Any resource the function must leave alone (the checks may read it, never change it)."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    metadata: dict[str, Any] = {"name": "res-" + draw(names)}
    if draw(st.booleans()):
        metadata["namespace"] = draw(names)
    if draw(st.booleans()):
        metadata["labels"] = draw(st.dictionaries(names, strings, max_size=3))
    if draw(st.booleans()):
        annotations = draw(st.dictionaries(names, strings, max_size=2))
        if kind == "Deployment" and draw(st.booleans()):
            annotations[NETWORKS] = draw(st.sampled_from(["macvlan", "a, b", '[{"name": "x"}]', "[", ""]) | strings)
        metadata["annotations"] = annotations
    document: dict[str, Any] = {"apiVersion": KINDS[kind], "kind": kind, "metadata": metadata}
    if kind == "NetworkAttachmentDefinition":
        config = draw(
            st.one_of(
                values.map(json.dumps),
                strings,
                st.just('{"cniVersion": "0.3.1", "type": "macvlan", "master": "eth0", "ipam": {"type": "host-local"}}'),
            )
        )
        document["spec"] = {"config": config}
    else:
        document.update(
            draw(st.dictionaries(st.sampled_from(["data", "spec", "stringData", "rules"]), values, max_size=3))
        )
    return document


def _thick(image: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "kube-multus-ds", "namespace": "kube-system", "labels": {"app": "multus"}},
        "spec": {
            "selector": {"matchLabels": {"name": "multus"}},
            "template": {
                "metadata": {"labels": {"name": "multus"}},
                "spec": {
                    "hostNetwork": True,
                    "containers": [
                        {
                            "name": "kube-multus",
                            "image": image,
                            "command": ["/usr/src/multus-cni/bin/multus-daemon"],
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "50Mi"},
                                "limits": {"cpu": "100m", "memory": "50Mi"},
                            },
                            "volumeMounts": [
                                {"name": "cnibin", "mountPath": "/opt/cni/bin"},
                                {
                                    "name": "host-run-netns",
                                    "mountPath": "/run/netns",
                                    "mountPropagation": "HostToContainer",
                                },
                            ],
                        }
                    ],
                    "initContainers": [
                        {
                            "name": "install-multus-binary",
                            "image": image,
                            "command": [
                                "sh",
                                "-c",
                                "cp /usr/src/multus-cni/bin/multus-shim /host/opt/cni/bin/multus-shim"
                                " && cp /usr/src/multus-cni/bin/passthru /host/opt/cni/bin/passthru",
                            ],
                            "volumeMounts": [{"name": "cnibin", "mountPath": "/host/opt/cni/bin"}],
                        }
                    ],
                    "volumes": [
                        {"name": "cni", "hostPath": {"path": "/etc/cni/net.d"}},
                        {"name": "cnibin", "hostPath": {"path": "/opt/cni/bin"}},
                        {"name": "host-run-netns", "hostPath": {"path": "/run/netns/"}},
                    ],
                },
            },
        },
    }


def _thin(image: str) -> dict[str, Any]:
    document = _thick(image)
    spec = document["spec"]["template"]["spec"]
    spec["containers"][0]["command"] = ["/thin_entrypoint"]
    spec["containers"][0]["args"] = ["--multus-conf-file=auto", "--cleanup-config-on-exit=true"]
    spec["initContainers"][0]["command"] = ["cp", "/usr/src/multus-cni/bin/multus", "/host/opt/cni/bin/multus"]
    spec["volumes"] = spec["volumes"][:2]
    return document


DAEMONSET_PATHS: list[tuple[Any, ...]] = [
    ("metadata", "namespace"),
    ("metadata", "name"),
    ("metadata", "annotations"),
    ("spec",),
    ("spec", "template"),
    POD_SPEC,
    (*POD_SPEC, "containers"),
    (*POD_SPEC, "containers", 0),
    (*POD_SPEC, "containers", 0, "name"),
    (*POD_SPEC, "containers", 0, "image"),
    (*POD_SPEC, "containers", 0, "command"),
    (*POD_SPEC, "containers", 0, "args"),
    (*POD_SPEC, "containers", 0, "resources"),
    (*POD_SPEC, "containers", 0, "resources", "requests"),
    (*POD_SPEC, "containers", 0, "resources", "limits", "cpu"),
    (*POD_SPEC, "containers", 0, "volumeMounts"),
    (*POD_SPEC, "containers", 0, "volumeMounts", 1),
    (*POD_SPEC, "initContainers"),
    (*POD_SPEC, "initContainers", 0, "command"),
    (*POD_SPEC, "initContainers", 0, "command", 2),
    (*POD_SPEC, "initContainers", 0, "image"),
    (*POD_SPEC, "volumes"),
    (*POD_SPEC, "volumes", -1),
    (*POD_SPEC, "volumes", -1, "hostPath"),
    (*POD_SPEC, "volumes", -1, "hostPath", "path"),
    (*POD_SPEC, "volumes", 0, "name"),
    ("spec", "template", "metadata"),
    ("spec", "selector", "matchLabels"),
]
IMAGES = [
    f"{MULTUS}:v4.2.2-thick",
    f"{MULTUS}:v4.2.4-thick",
    f"{MULTUS}:v4.2.2",
    f"{MULTUS}:v4.0.2-thick",
    f"{MULTUS}:v3.9.3",
    f"{MULTUS}:snapshot-thick",
    f"{MULTUS}:latest",
    f"{MULTUS}@sha256:{'a' * 64}",
    "docker.io/bitnami/multus-cni:4.1.0",
    "example.com/other:1.0",
    "",
]


def _change(document: Any, path: tuple[Any, ...], delete: bool, value: Any) -> None:
    """Delete or set the value at `path` when every step up to it exists; otherwise nothing."""
    parent = document
    for step in path[:-1]:
        if not _has(parent, step):
            return
        parent = parent[step]
    last = path[-1]
    if delete and _has(parent, last):
        del parent[last]
    elif not delete and (_has(parent, last) or (isinstance(parent, dict) and isinstance(last, str))):
        parent[last] = value


def _has(container: Any, step: Any) -> bool:
    if isinstance(container, dict):
        return step in container
    return isinstance(container, list) and isinstance(step, int) and -len(container) <= step < len(container)


@st.composite
def multus_daemonset(draw: st.DrawFn) -> dict[str, Any]:
    """An upstream-shaped Multus DaemonSet, then a few fields deleted or set to odd values."""
    image = draw(st.sampled_from(IMAGES))
    document = (_thin if draw(st.booleans()) else _thick)(image)
    document["metadata"]["name"] = draw(st.sampled_from(["kube-multus-ds", "kube-multus-ds-arm64", "multus"]) | names)
    for _ in range(draw(st.integers(0, 4))):
        path = draw(st.sampled_from(DAEMONSET_PATHS))
        _change(document, path, draw(st.booleans()), draw(odd_values))
    return document


@st.composite
def cilium_item(draw: st.DrawFn) -> dict[str, Any]:
    """The Cilium ConfigMap or agent DaemonSet, which the cilium transform reads and may change."""
    if draw(st.booleans()):
        data = {"cni-exclusive": draw(st.sampled_from(["true", "false", "maybe"]))} if draw(st.booleans()) else {}
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cilium-config", "namespace": "kube-system"},
            "data": data,
        }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "cilium", "namespace": "kube-system"},
        "spec": {
            "template": {"spec": {"containers": [{"name": "cilium-agent", "image": "quay.io/cilium/cilium:v1.16.0"}]}}
        },
    }


@st.composite
def document_text(draw: st.DrawFn, document: dict[str, Any]) -> str:
    """The document as YAML in one of the block styles people write, with comment lines here and there."""
    text = yaml.safe_dump(
        document,
        sort_keys=False,
        default_flow_style=draw(st.sampled_from([False, None])),
        indent=draw(st.sampled_from([2, 4])),
        allow_unicode=draw(st.booleans()),
        width=1 << 20,
    )
    lines = text.split("\n")[:-1]
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(1, len(lines)))
        lines.insert(at, draw(st.sampled_from(["# a comment", "", "    # indented: comment", "#"])))
    return "\n".join(lines) + "\n"


function_configs = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "netns": st.fixed_dictionaries(
            {}, optional={"enabled": st.booleans(), "path": st.sampled_from(["/var/run/netns/", "/run/netns/"])}
        ),
        "resources": st.fixed_dictionaries({}, optional={"enabled": st.booleans()}),
        "installBinary": st.fixed_dictionaries({}, optional={"enabled": st.booleans()}),
        "checks": st.fixed_dictionaries(
            {}, optional={"enabled": st.booleans(), "severity": st.sampled_from(["error", "warning", "info"])}
        ),
        "talos": st.fixed_dictionaries({}, optional={"version": st.sampled_from(["", "v1.9.0", "v1.10.2"])}),
        "cilium": st.fixed_dictionaries(
            {}, optional={"enabled": st.sampled_from([True, False, "auto"]), "exclusive": st.booleans()}
        ),
        "target": st.fixed_dictionaries({}, optional={"match": st.sampled_from(["name", "image", "auto"])}),
    },
).map(
    lambda spec: {
        "apiVersion": "krm-multus.dev/v1alpha1",
        "kind": "MultusTalos",
        "metadata": {"name": "multus-talos"},
        "spec": spec,
    }
)


def as_entry(text: str, indent: int) -> str:
    """A document as an `items` entry at `indent`."""
    lines = text.split("\n")
    pad = " " * indent
    return "\n".join([pad + "- " + lines[0], *(pad + "  " + line if line else line for line in lines[1:])])


@st.composite
def resource_inputs(draw: st.DrawFn, max_items: int = 6) -> Generated:
    """A ResourceList or a stream of generated resources."""
    entries = draw(
        st.lists(
            st.one_of(
                generic_resource().map(lambda d: (d, False)),
                multus_daemonset().map(lambda d: (d, True)),
                cilium_item().map(lambda d: (d, True)),
            ),
            max_size=max_items,
        )
    )
    documents = [document for document, _ in entries]
    texts = [draw(document_text(document)) for document in documents]
    config = draw(function_configs)
    is_list = draw(st.booleans())
    if is_list:
        indent = draw(st.sampled_from([0, 2]))
        items = "items:\n" + "".join(as_entry(text, indent) for text in texts) if texts else "items: []\n"
        function_config = yaml.safe_dump({"functionConfig": config}, sort_keys=False) if config else ""
        body = function_config + items if draw(st.booleans()) else items + function_config
        text = RESOURCE_LIST_HEADER + body
    else:
        separators = [
            draw(st.sampled_from(["---\n", "---\n# next\n", "\n---\n", "--- # separator\n"])) for _ in texts[1:]
        ]
        text = draw(st.sampled_from(["", "---\n", "# leading comment\n---\n"])) if texts else ""
        text += "".join(separator + document for separator, document in zip(["", *separators], texts, strict=False))
    return Generated(text, documents, [change for _, change in entries], is_list, config)


SNIPPETS = [
    "!!python/object/apply:os.system ['true'] ",
    "!custom ",
    "&a ",
    "*a ",
    "<<: *a\n",
    "[" * 60,
    "]",
    "{",
    "}",
    "---\n",
    "...\n",
    "- ",
    ": ",
    "#",
    "\t",
    "\r\n",
    "\r",
    "\ufeff",
    "\x00",
    "'",
    '"',
    "|\n",
    ">-\n",
    "%YAML 1.1\n",
    "%TAG ! tag:example.com,2000:\n",
    "? ",
    "kind: ResourceList\n",
    "items:\n",
    "items: 5\n",
    "apiVersion: apps/v1\nkind: DaemonSet\n",
    "metadata:\n  name: kube-multus-ds\n",
    "key: 1\nkey: 2\n",
    "\\",
    "\u2028",
    "\x85",
    "é",
    "\U0001f600",
    "- - - - - - x\n",
    "a: &x [*x]\n",
]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """`text` after a few edits of the kinds that break files: snippets in, spans out, lines moved."""
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "indent", "crlf"]))
        at = draw(st.integers(0, len(text)))
        if operation == "insert":
            text = text[:at] + draw(st.sampled_from(SNIPPETS) | st.text(max_size=8)) + text[at:]
        elif operation == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif operation == "crlf":
            text = text.replace("\n", "\r\n")
        else:
            lines = text.split("\n")
            index = draw(st.integers(0, max(len(lines) - 1, 0)))
            if operation == "duplicate":
                lines.insert(index, lines[index])
            elif operation == "swap" and index + 1 < len(lines):
                lines[index], lines[index + 1] = lines[index + 1], lines[index]
            elif operation == "indent":
                lines[index] = draw(st.sampled_from([" ", "  ", "\t", "-"])) + lines[index]
            text = "\n".join(lines)
    data = text.encode()
    if draw(st.integers(0, 9)) == 0:  # now and then, bytes that are not UTF-8
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\xe2\x82"])) + data[at:]
    return data


# Byte forms that editors and tools write, each with how the plain output maps onto the form's output
# (None where the function may write the form's bytes differently, but must read the same items).
BYTE_FORMS: dict[str, Any] = {
    "bom": (lambda text: "\ufeff" + text, lambda output: "\ufeff" + output),
    "crlf": (lambda text: text.replace("\n", "\r\n"), lambda output: output.replace("\n", "\r\n")),
    "yaml directive": (lambda text: "%YAML 1.1\n---\n" + text, None),
    "separator comment": (lambda text: text.replace("---\n", "--- # from a file\n"), None),
    "document end": (lambda text: text + "...\n" if text.strip() else text, None),
    "bom after a separator": (lambda text: text.replace("---\n", "---\n\ufeff", 1), None),
}


@st.composite
def byte_forms(draw: st.DrawFn) -> tuple[Generated, str]:
    """A generated input and the name of a byte form (in BYTE_FORMS) to write it in."""
    return draw(resource_inputs(max_items=4)), draw(st.sampled_from(sorted(BYTE_FORMS)))
