"""The daemon config's JSON keeps its layout when a key is set, and integer options come from ConfigMaps."""

from __future__ import annotations

import json

import pytest
import yaml

from krm_multus import daemon_config
from krm_multus.sdk import config, resourcelist
from krm_multus.sdk.results import Reporter

UPSTREAM_SHAPED = '{\n    "chrootDir": "/hostroot",\n    "socketDir": "/host/run/multus/"\n}\n'


def _config_map(json_text: str) -> resourcelist.Item:
    text = yaml.safe_dump(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "multus-daemon-config"}, "data": {}}
    )
    item = resourcelist.read(text).items[0]
    item.doc.set(daemon_config.PATH, json_text)
    return resourcelist.read(item.current_text).items[0]


def _ensure(json_text: str, key: str, value: object) -> tuple[str, list]:
    item = _config_map(json_text)
    (found,) = daemon_config.everywhere([item])
    results = list(daemon_config.ensure(Reporter("transform", "test"), found, key, value, "why"))
    return item.data["data"][daemon_config.KEY], results


@pytest.mark.parametrize(
    ("text", "key", "value", "expected"),
    [
        (UPSTREAM_SHAPED, "connectionLimit", 8, UPSTREAM_SHAPED.replace('/"\n}', '/",\n    "connectionLimit": 8\n}')),
        (UPSTREAM_SHAPED, "socketDir", "/run/x/", UPSTREAM_SHAPED.replace("/host/run/multus/", "/run/x/")),
        ('{"a": 1}', "b", 2, '{"a": 1, "b": 2}'),
    ],
)
def test_a_key_is_set_in_the_layout_it_has(text: str, key: str, value: object, expected: str) -> None:
    edited, results = _ensure(text, key, value)
    assert edited == expected
    assert json.loads(edited) == {**json.loads(text), key: value}
    assert [(result.severity, result.field_path) for result in results] == [("info", f"data[daemon-config.json].{key}")]


def test_a_value_already_there_is_no_change() -> None:
    assert _ensure(UPSTREAM_SHAPED, "chrootDir", "/hostroot") == (UPSTREAM_SHAPED, [])


@pytest.mark.parametrize("text", ['{"a": 1, "a": 2}', "[1]", "{"])
def test_json_that_cannot_be_edited_in_place_is_left_with_a_warning(text: str) -> None:
    edited, results = _ensure(text, "a", 3)
    assert edited == text
    assert [result.severity for result in results] == ["warning"]


@pytest.mark.parametrize(("text", "value"), [("12", 12), (" 3 ", 3)])
def test_integer_options_are_read_from_configmap_text(text: str, value: int) -> None:
    bound, problems = config.bind({"apiVersion": "v1", "kind": "ConfigMap", "data": {"connection-limit": text}})
    assert problems == [] and bound is not None
    assert bound.resources.connectionLimit == value


@pytest.mark.parametrize("text", ["0", "-1", "eight", "1.5"])
def test_an_integer_option_below_its_minimum_or_not_a_number_is_refused(text: str) -> None:
    bound, problems = config.bind({"apiVersion": "v1", "kind": "ConfigMap", "data": {"connection-limit": text}})
    assert bound is None
    assert [problem.field for problem in problems] == ["data.connection-limit"]


@pytest.mark.parametrize("text", ["[" * 100_000, "not json", '["a list"]', None])
def test_what_is_not_a_json_object_reads_as_no_settings(text: object) -> None:
    assert daemon_config.parse(text) is None
