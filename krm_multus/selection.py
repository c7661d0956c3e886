"""The `k8s.v1.cni.cncf.io/networks` annotation: the networks a pod asks for, as Multus reads them.

Why one module: the networkSelection check judges what the annotation says, and the checks that ask
which workloads use a network (through `attachments`) must read the same networks from it.

The value is JSON when it contains `[`, `{` or `"` (as Multus decides), else a comma list of
`[namespace/]name[@interface]`. Flux `postBuild` placeholders (`${VAR}`) are not values yet: they
do not make the value JSON, a value that is JSON once they are filled in is not a problem, and a
JSON key holding one is left out of the request (nothing can judge it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from krm_multus import netvalues
from krm_multus.registry import NETWORKS_ANNOTATION
from krm_multus.sdk.records import Record
from krm_multus.wording import show, yaml_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ANNOTATION = NETWORKS_ANNOTATION  # the registry names it too, without importing this module
ANNOTATIONS = ("metadata", "annotations")
ANNOTATIONS_LIMIT = 256 * 1024  # Kubernetes' total size of an object's annotations (keys and values)
JSON_MARKS = '[{"'

# A finding inside the annotation: (what is wrong and what to do, weight).
Problem = tuple[str, str]


class Selection(Record):
    """One network the annotation asks for."""

    __slots__ = ()

    label: str  # how messages name it: network 2 (`storage/san@lan0`)
    name: str
    namespace: str  # as written; "" means the pod's
    interface: str  # as written; "" means automatic
    request: dict[str, Any]  # the JSON object (empty for the comma form)


def oversize(annotations: dict[Any, Any]) -> int | None:
    """The size of annotations over Kubernetes' limit, None within it: the API server refuses such an
    object, so its networks are not worth reading (nor their memory)."""
    size = sum(len(str(key)) + len(str(value)) for key, value in annotations.items())
    return size if size > ANNOTATIONS_LIMIT else None


def parse(value: Any) -> Iterator[Problem | Selection]:
    """The annotation's problems of form, and the networks it selects, in the order they are written."""
    if not isinstance(value, str):
        yield (
            f"the value is a YAML {yaml_kind(value)}, not a string: annotation values are strings; quote it "
            '(`\'[{"name": "..."}]\'`)',
            "error",
        )
        return
    if not value.strip():
        yield (
            "the value is empty: Multus refuses an empty list of networks; name a network or remove the annotation",
            "error",
        )
    elif any(mark in netvalues.fill(value) for mark in JSON_MARKS):
        yield from _json_form(value)
    else:
        yield from _comma_form(value)


def _comma_form(value: str) -> Iterator[Problem | Selection]:
    for position, raw in enumerate(value.split(","), 1):
        entry = raw.strip()
        label = f"network {position} (`{entry}`)"
        if not entry:
            yield (f"network {position} is empty: remove the extra comma", "error")
            continue
        for mark, form in (("/", "one `/` after the namespace"), ("@", "one `@` before the interface")):
            if entry.count(mark) > 1:
                yield (f"{label} has more than {form}: write `[namespace/]name[@interface]`", "error")
                break
        else:
            namespace, _, rest = entry.rpartition("/")
            name, _, interface = rest.partition("@")
            selection = Selection(label, name.strip(), namespace.strip(), interface.strip(), {})
            if not selection.name:
                yield (f"{label} has no network name: write `[namespace/]name[@interface]`", "error")
            yield selection


def _json_form(value: str) -> Iterator[Problem | Selection]:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        if netvalues.placeholders(value) and _is_json(netvalues.fill(value, "0")):
            return  # JSON once Flux fills in its variables (`"vlan": ${VLAN}`)
        yield (
            f"the value is not valid JSON (line {error.lineno} column {error.colno}: {error.msg}): fix it, or "
            "use the comma form `name,namespace/name@interface`",
            "error",
        )
        return
    except RecursionError:
        yield ("the value is nested too deeply to be a list of networks: use a flat JSON list of objects", "error")
        return
    if not isinstance(parsed, list):
        yield (f"the value is {show(parsed)}, not a JSON list: wrap the network objects in `[...]`", "error")
        return
    for position, element in enumerate(parsed, 1):
        if not isinstance(element, dict):
            yield (f'network {position} is {show(element)}, not an object: write `{{"name": "..."}}`', "error")
            continue
        name = element.get("name")
        label = f"network {position} (`{name}`)" if isinstance(name, str) and name else f"network {position}"
        if name in (None, ""):
            yield (f"{label} has no `name`: name the NetworkAttachmentDefinition to attach", "error")
        judged = {key: value for key, value in element.items() if not netvalues.placeholders(value)}
        yield Selection(label, *(_text(element, key) for key in ("name", "namespace", "interface")), judged)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def _text(element: dict[str, Any], key: str) -> str:
    value = element.get(key)
    return value if isinstance(value, str) else ""
