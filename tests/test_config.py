"""The function config: the schema file is the only declaration, and our small validator agrees with a
full JSON Schema validator on it."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krm_multus.sdk import config

ROOT = Path(__file__).resolve().parent.parent
TYPED = {"apiVersion": config.API_VERSION, "kind": config.KIND, "metadata": {"name": "x"}}


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
            "multus-image",
            "arm64-image",
            "cilium",
            "install-cni",
            "install-cni-image",
            "cni-exclusive",
            "ipam-data-dir",
            "checks",
            "checks-severity",
        ]
    )


def test_defaults() -> None:
    spec = config.defaults()
    assert spec["netns"] == {"enabled": True, "path": "/var/run/netns/"}
    assert spec["resources"]["limits"] == {"cpu": "300m", "memory": "150Mi"}
    assert spec["cilium"] == {"enabled": "auto", "installCNI": {"enabled": True, "image": ""}, "exclusive": False}
    assert jsonschema.validate({**TYPED, "spec": spec}, config.schema()) is None


def test_readme_table_matches_the_schema() -> None:
    """The README's config table is documentation of the schema, not a second declaration."""
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `spec\.([\w.]+)` \| (`[\w-]+`|—) \|", readme, re.M)
    keys = {".".join(path): key for key, path in config.configmap_keys().items()}
    assert rows, "the README has no config table"
    for field, key in rows:
        assert key.strip("`") == keys.get(field, "—"), field
    documented = {field for field, _ in rows}
    assert set(keys) <= documented


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
    ours = config.check(document)
    theirs = list(jsonschema.Draft202012Validator(config.schema()).iter_errors(document))
    assert bool(ours) == bool(theirs), (ours and ours[0].message, theirs and theirs[0].message)
