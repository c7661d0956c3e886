"""The kpt-catalog metadata: the fields the catalog reads, one version and one repository everywhere, and the
config schema published beside it."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

import krm_multus
from krm_multus.sdk import config

ROOT = Path(__file__).resolve().parent.parent
METADATA = yaml.safe_load((ROOT / "metadata.yaml").read_text())
SOURCE = re.compile(r"^https://github\.com/([\w.-]+/[\w.-]+)/tree/v(\S+)$")


def test_metadata_has_the_catalog_fields() -> None:
    assert set(METADATA) == {"image", "description", "tags", "sourceURL", "examplePackageURLs", "license"}
    assert {"mutator", "validator"} <= set(METADATA["tags"])
    assert METADATA["license"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]["text"]


def test_source_and_image_name_the_same_repository_and_version() -> None:
    match = SOURCE.match(METADATA["sourceURL"])
    assert match, METADATA["sourceURL"]
    repository, version = match.groups()
    assert version == krm_multus.__version__
    assert METADATA["image"] == f"ghcr.io/{repository}"  # what the release workflow pushes
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Source"] == f"https://github.com/{repository}"


def test_example_packages_ship_in_the_repository() -> None:
    for url in METADATA["examplePackageURLs"]:
        package = url.removeprefix(METADATA["sourceURL"] + "/")
        assert (ROOT / package / "Kptfile").is_file(), url


def test_the_schema_beside_the_metadata_is_the_one_the_function_uses() -> None:
    published = ROOT / "fn-config.schema.json"
    assert json.loads(published.read_text()) == config.schema()
    assert published.resolve() == (ROOT / "krm_multus" / "fn-config.schema.json").resolve()  # one file, not a copy
