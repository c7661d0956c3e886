"""jsonedit.add_key: the new key lands in the right object, laid out like its neighbours, the rest unchanged."""

from __future__ import annotations

import json

import pytest

from krm_multus.sdk.jsonedit import add_key

MULTI_LINE = '{\n  "type": "macvlan",\n  "ipam": {\n    "type": "host-local",\n    "subnet": "10.0.0.0/24"\n  }\n}\n'


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        (
            MULTI_LINE,
            ("ipam",),
            MULTI_LINE.replace('"10.0.0.0/24"\n', '"10.0.0.0/24",\n    "dataDir": "/run/cni"\n'),
        ),
        ('{"ipam":{"type":"host-local"}}', ("ipam",), '{"ipam":{"type":"host-local","dataDir":"/run/cni"}}'),
        ('{"ipam": {"type": "x"}}', ("ipam",), '{"ipam": {"type": "x", "dataDir": "/run/cni"}}'),
        ('{"ipam": {\n\t"type": "x"\n}}', ("ipam",), '{"ipam": {\n\t"type": "x",\n\t"dataDir": "/run/cni"\n}}'),
        ('{"plugins": [{"ipam": {}}]}', ("plugins", 0, "ipam"), '{"plugins": [{"ipam": {"dataDir": "/run/cni"}}]}'),
    ],
)
def test_adds_the_key_in_the_layout_of_its_neighbours(text: str, path: tuple, expected: str) -> None:
    assert add_key(text, path, "dataDir", "/run/cni") == expected


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"ipam": {"dataDir": "/var/lib/x"}}', ("ipam",)),  # already there
        ('{"ipam": "host-local"}', ("ipam",)),  # not an object
        ('{"ipam": {"a": 1}, "ipam": {"b": 2}}', ("ipam",)),  # the parsers disagree on which one counts
        ("not json", ("ipam",)),
    ],
)
def test_refuses_what_it_cannot_place(text: str, path: tuple) -> None:
    assert add_key(text, path, "dataDir", "/run/cni") is None


def test_the_result_is_the_json_with_the_key_added() -> None:
    edited = add_key(MULTI_LINE, ("ipam",), "dataDir", "/run/cni")
    assert edited is not None
    assert json.loads(edited) == {
        **json.loads(MULTI_LINE),
        "ipam": {**json.loads(MULTI_LINE)["ipam"], "dataDir": "/run/cni"},
    }


@pytest.mark.parametrize("value", ["/run/cni-{x}", {"a": "}"}, "a}"], ids=["braces", "object", "closing"])
def test_a_value_with_braces_is_added_as_written(value: object) -> None:
    """JSON text is joined as text, never through a format string (a `{x}` once raised KeyError)."""
    edited = add_key('{\n  "a": 1\n}', (), "b", value)
    assert edited is not None and json.loads(edited) == {"a": 1, "b": value}
