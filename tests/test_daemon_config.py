"""The daemon config's JSON keeps its layout when a key is set, and integer options come from ConfigMaps."""

from __future__ import annotations

import json

import pytest

from krm_multus import daemon_config
from krm_multus.sdk import config
from krm_multus.sdk.yamledit import YamlError

UPSTREAM_SHAPED = '{\n    "chrootDir": "/hostroot",\n    "socketDir": "/host/run/multus/"\n}\n'


@pytest.mark.parametrize(
    ("text", "key", "value", "expected"),
    [
        (UPSTREAM_SHAPED, "connectionLimit", 8, UPSTREAM_SHAPED.replace('/"\n}', '/",\n    "connectionLimit": 8\n}')),
        (UPSTREAM_SHAPED, "socketDir", "/run/x/", UPSTREAM_SHAPED.replace("/host/run/multus/", "/run/x/")),
        ('{"a": 1}', "b", 2, '{"a": 1, "b": 2}'),
        ("{}", "b", "x", '{"b": "x"}'),
        ('  {\n\t"a": 1\n  }\n', "b", True, '  {\n\t"a": 1,\n\t"b": true\n  }\n'),
    ],
)
def test_a_key_is_set_in_the_layout_it_has(text: str, key: str, value: object, expected: str) -> None:
    edited = daemon_config.with_key(text, key, value)
    assert edited == expected
    assert json.loads(edited) == {**json.loads(text), key: value}


def test_json_that_cannot_be_edited_in_place_is_refused() -> None:
    with pytest.raises(YamlError):
        daemon_config.with_key('{"a": 1, "a": 2}', "a", 3)


@pytest.mark.parametrize(("text", "value"), [("12", 12), (" 3 ", 3)])
def test_integer_options_are_read_from_configmap_text(text: str, value: int) -> None:
    bound, problems = config.bind({"apiVersion": "v1", "kind": "ConfigMap", "data": {"connection-limit": text}})
    assert problems == [] and bound is not None
    assert bound["resources"]["connectionLimit"] == value


@pytest.mark.parametrize("text", ["0", "-1", "eight", "1.5"])
def test_an_integer_option_below_its_minimum_or_not_a_number_is_refused(text: str) -> None:
    bound, problems = config.bind({"apiVersion": "v1", "kind": "ConfigMap", "data": {"connection-limit": text}})
    assert bound is None
    assert [problem.field for problem in problems] == ["data.connection-limit"]
