"""The function config: the schema file is the only declaration, and our small validator agrees with a
full JSON Schema validator on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krm_multus.sdk import config

ROOT = Path(__file__).resolve().parent.parent
TYPED = {**config.typed_header(), "metadata": {"name": "x"}}


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(config.schema())


def test_repository_root_schema_is_the_package_schema() -> None:
    assert (ROOT / "fn-config.schema.json").read_text() == Path(config.SCHEMA_FILE).read_text()


def test_configmap_keys() -> None:
    assert sorted(config.configmap_keys()) == sorted(
        [
            "target-name",
            "target-namespace",
            "target-match",
            "talos-version",
            "netns",
            "netns-path",
            "install-binary",
            "resources",
            "connection-limit",
            "delegate-memory",
            "resources-qos",
            "fail-closed",
            "fail-closed-directory",
            "multus-image",
            "arm64-image",
            "cilium",
            "install-cni",
            "install-cni-image",
            "cni-exclusive",
            "ipam-data-dir",
            "ipam-data-dir-path",
            "checks",
            "checks-severity",
            "image",
            "helm-values",
            "multus-chart",
            *(
                f"{name}-severity"
                for name in (
                    "netns",
                    "install-binary",
                    "resources",
                    "image",
                    "cilium",
                    "helm-values",
                    "fail-closed",
                    "ipam-data-dir",
                )
            ),
            *(
                key
                for check in (
                    "network-attachment",
                    "network-selection",
                    "kubevirt",
                    "talos-plugins",
                    "multus-daemon",
                    "host-local-ranges",
                    "host-local-data-dir",
                    "dhcp-daemon",
                    "cilium-node-config",
                    "network-lookup",
                    "cilium-datapath",
                )
                for key in (check, f"{check}-severity")
            ),
        ]
    )


def test_defaults() -> None:
    spec = config.defaults()
    assert spec["netns"] == {"enabled": True, "severity": "error", "path": "/var/run/netns/"}
    assert spec["resources"]["limits"] == {"cpu": "300m", "memory": "150Mi"}
    assert spec["cilium"] == {
        "enabled": "auto",
        "severity": "error",
        "installCNI": {"enabled": True, "image": ""},
        "exclusive": False,
    }
    assert jsonschema.validate({**TYPED, "spec": spec}, config.schema()) is None


@pytest.mark.parametrize(
    ("function_config", "field"),
    [
        ({"kind": "SetNamespace"}, "kind"),
        ({**TYPED, "spec": {"netns": {"path": 3}}}, "spec.netns.path"),
        ({**TYPED, "spec": {"resources": {"requests": {"memory": "1 GB"}}}}, "spec.resources.requests.memory"),
        ({**TYPED, "spec": {"image": {"multus": "UPPER/case:tag"}}}, "spec.image.multus"),
        ({**TYPED, "spec": {"cilium": {"enabled": "yes"}}}, "spec.cilium.enabled"),
        ({**TYPED, "spec": {"nope": {}}}, "spec.nope"),
        ({"apiVersion": "v1", "kind": "ConfigMap", "data": {"netns": "maybe"}}, "data.netns"),
        ({"apiVersion": "v1", "kind": "ConfigMap", "data": {"unknown": "1"}}, "data.unknown"),
    ],
)
def test_problems_name_the_field(function_config: dict, field: str) -> None:
    spec, problems = config.bind(function_config)
    assert spec is None
    assert [problem.field for problem in problems] == [field]
    assert f"`{field}`" in problems[0].message or f"data.{field}" in problems[0].message


@pytest.mark.parametrize(
    "empty", [None, {}, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "function-input"}}]
)
def test_empty_config_means_defaults(empty: object) -> None:
    assert config.bind(empty) == (config.defaults(), [])


def test_configmap_strings_become_typed_values() -> None:
    spec, problems = config.bind(
        {"kind": "ConfigMap", "data": {"netns": "False", "cilium": "auto", "talos-version": "v1.9"}}
    )
    assert problems == []
    assert spec["netns"]["enabled"] is False and spec["cilium"]["enabled"] == "auto"
    assert spec["talos"]["version"] == "v1.9"


leaf = st.one_of(
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from(
        [
            "",
            "auto",
            "error",
            "fatal",
            "100Mi",
            "1.5Gi",
            "1 GB",
            "/var/run/netns/",
            "relative",
            "kube-multus-ds",
            "Bad_Name",
            "v1.9.0",
            "1.9",
            "ghcr.io/x/multus-cni:v4.2.4-thick",
            "not an image",
        ]
    ),
)
spec_fields = st.fixed_dictionaries(
    {},
    optional={
        "target": st.dictionaries(st.sampled_from(["name", "namespace", "other"]), leaf, max_size=2),
        "talos": st.dictionaries(st.sampled_from(["version"]), leaf, max_size=1),
        "netns": st.dictionaries(st.sampled_from(["enabled", "path"]), leaf, max_size=2),
        "resources": st.dictionaries(
            st.sampled_from(["enabled", "requests", "limits"]),
            leaf | st.dictionaries(st.sampled_from(["cpu", "memory", "gpu"]), leaf, max_size=2),
            max_size=3,
        ),
        "image": st.dictionaries(st.sampled_from(["multus", "arm64"]), leaf, max_size=2),
        "cilium": st.dictionaries(
            st.sampled_from(["enabled", "exclusive", "installCNI"]),
            leaf | st.dictionaries(st.sampled_from(["enabled", "image"]), leaf, max_size=2),
            max_size=3,
        ),
        "checks": st.dictionaries(st.sampled_from(["enabled", "severity"]), leaf, max_size=2),
    },
)


@settings(max_examples=300, deadline=None)
@given(spec_fields)
def test_small_validator_agrees_with_jsonschema(spec: dict) -> None:
    document = {**TYPED, "spec": spec}
    assert {problem.field for problem in config.check(document)} == _their_paths(document)


def _schema_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema object in the file (the values of `properties` and `$defs` are schemas, not keywords)."""
    if not isinstance(node, dict):
        return
    yield node
    for keyword in ("properties", "$defs"):
        for child in node.get(keyword, {}).values():
            yield from _schema_nodes(child)


def test_the_schema_uses_only_keywords_the_interpreter_implements() -> None:
    used = {keyword for node in _schema_nodes(config.schema()) for keyword in node}
    assert used <= config.KEYWORDS, used - config.KEYWORDS


def _their_paths(document: dict[str, Any]) -> set[str]:
    """jsonschema's errors as the field they are about (a missing or unknown key: the key's own path)."""
    paths = set()
    for error in jsonschema.Draft202012Validator(config.schema()).iter_errors(document):
        where = ".".join(str(part) for part in error.absolute_path)
        keys: list[str] = []
        if error.validator == "additionalProperties":
            keys = [key for key in error.instance if key not in error.schema.get("properties", {})]
        elif error.validator == "required":
            keys = [key for key in error.validator_value if key not in error.instance]
        paths |= {f"{where}.{key}" if where else key for key in keys} if keys else {where}
    return paths


def _invalid_variants(node: dict[str, Any], path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path below spec, a value the schema refuses there) for every field, and an unknown key per object."""
    node = config.resolve(node)
    if node.get("type") == "object":
        yield (*path, "notAField"), True
        for key, child in node.get("properties", {}).items():
            yield from _invalid_variants(child, (*path, key))
    if path:
        yield path, 12 if node.get("type") in ("string", "boolean", "object") or "enum" in node else "x"
        if node.get("type") == "string":
            yield path, "Not Valid \n"


INVALID = list(_invalid_variants(config.spec_schema(), ()))


@pytest.mark.parametrize(("path", "value"), INVALID, ids=[f"{'.'.join(p)}={v!r}" for p, v in INVALID])
def test_error_paths_agree_with_jsonschema(path: tuple[str, ...], value: Any) -> None:
    spec: dict[str, Any] = {}
    config_fields = spec
    for key in path[:-1]:
        config_fields = config_fields.setdefault(key, {})
    config_fields[path[-1]] = value
    document = {**TYPED, "spec": spec}
    assert {problem.field for problem in config.check(document)} == _their_paths(document)


def test_the_bound_config_is_read_only_and_read_by_attribute() -> None:
    bound, problems = config.bind({**TYPED, "spec": {"cilium": {"installCNI": {"image": "ghcr.io/x/plugins:1"}}}})
    assert bound is not None and problems == []
    assert bound.cilium.installCNI.image == "ghcr.io/x/plugins:1"
    assert bound.netns.path == "/var/run/netns/"
    assert bound.given == {"cilium": {"installCNI": {"image": "ghcr.io/x/plugins:1"}}}
    with pytest.raises(TypeError):
        bound.netns["path"] = "/elsewhere"
    with pytest.raises(TypeError):
        bound.netns.path = "/elsewhere"
    with pytest.raises(AttributeError):
        bound.netns.pth  # noqa: B018


def test_no_option_is_hidden_by_a_mapping_method() -> None:
    names = {key for node in _schema_nodes(config.spec_schema()) for key in node.get("properties", {})}
    assert not names & set(dir(dict))


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (r"^a[$]b$", "a$b", True),  # a `$` in a character class is the character
        (r"^a[$]b$", "a$b\n", False),  # the anchor after it is the end of the value
        (r"^\$x$", "$x", True),  # an escaped `\$` is the character
        (r"^\$x$", "$x\n", False),
        (r"^a\\$", "a\\", True),  # an escaped backslash, then the anchor
        (r"^a\\$", "a\\\n", False),
        (r"^[]$]+$", "]$", True),  # `]` first in a class is one of its characters
        (r"^[^]$]$", "$", False),
        (r"m$", "300m", True),  # found anywhere, as ECMA 262 searches
        (r"m$", "300m\n", False),
    ],
)
def test_patterns_read_dollar_as_the_end_of_the_value(pattern: str, value: str, expected: bool) -> None:
    assert config._matches(pattern, value) is expected
