"""The engine: every module switched and capped by name, and a module that raises leaves no trace."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from krm_multus import pipeline, registry
from krm_multus.sdk import config as fn_config
from krm_multus.sdk import lookups, resourcelist
from krm_multus.sdk.results import SEVERITIES, Result, exit_code

TESTDATA = Path(__file__).resolve().parent.parent / "testdata"
SWITCHED = [module for module in (*registry.TRANSFORMS, *registry.CHECKS) if module.sections]
# Inputs on which every switchable module has something to say.
INPUTS = sorted(TESTDATA.glob("*/*/input.yaml"))
# Opt-in modules (off by default) are switched on, so that they too have something to say.
OPT_IN = {
    key: "true"
    for key, path in fn_config.configmap_keys().items()
    if path[-1] == "enabled" and lookups.get(fn_config.defaults(), path) is False
}
BASE = {"talos-version": "v1.9.0", **OPT_IN}
# Checks whose every finding a transform fixes by default, and the config that leaves them one.
UNFIXED = {"ciliumNodeConfig": {"cilium": "false"}}


def _results(text: str, config: Any) -> list[Result]:
    return pipeline.run(resourcelist.read(text), config)


def _tagged(results: list[Result], module: registry.Module) -> list[Result]:
    return [result for result in results if result.tags.get(module.kind) == module.name]


def _key(section: tuple[str, ...], field: str) -> str:
    keys = {path: key for key, path in fn_config.configmap_keys().items()}
    return keys[(*section, field)]


def _configmap(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {**BASE, **data}}


@cache
def _speakers(**unfixed: str) -> list[tuple[str, set[str]]]:
    """Each golden input, and the names of the modules that report something on it."""
    found = []
    for path in INPUTS:
        text = path.read_text()
        results = _results(text, _configmap(**unfixed))
        found.append((text, {name for result in results for name in result.tags.values()}))
    return found


def _speaking(module: registry.Module) -> list[str]:
    return [text for text, names in _speakers(**UNFIXED.get(module.name, {})) if module.name in names][:3]


@pytest.mark.parametrize("module", SWITCHED, ids=lambda module: f"{module.kind}-{module.code.__name__}")
def test_every_module_has_its_switch_and_severity_in_the_schema(module: registry.Module) -> None:
    for section in module.sections:
        assert _key(section, "enabled")
        if section != ("cilium", "installCNI"):  # its part obeys the `cilium` severity
            assert _key(section, "severity")


@pytest.mark.parametrize("module", SWITCHED, ids=lambda module: f"{module.kind}-{module.code.__name__}")
def test_every_module_can_be_switched_off_and_capped_by_name(module: registry.Module) -> None:
    inputs = _speaking(module)
    assert inputs, f"no golden input makes {module.name} report anything"
    section = next(section for section in module.sections if section[-1] == module.name)
    enabled, severity = _key(section, "enabled"), _key(section, "severity")
    typed_off: dict[str, Any] = {"enabled": False}
    for part in reversed(section):
        typed_off = {part: typed_off}
    for text in inputs:
        for config in (
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {enabled: "false"}},
            {**fn_config.typed_header(), "spec": typed_off},
        ):
            assert _tagged(_results(text, config), module) == []
        results = _tagged(_results(text, _configmap(**UNFIXED.get(module.name, {}), **{severity: "info"})), module)
        assert results and {result.severity for result in results} == {"info"}


def test_the_old_switches_still_work() -> None:
    """`checks: "false"` turns every check off; `checks-severity` caps every check."""
    text = (TESTDATA / "networkAttachment" / "config-unreadable" / "input.yaml").read_text()
    on = _results(text, None)
    assert any("check" in result.tags and result.severity == "error" for result in on)
    off = _results(
        text, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"checks": "false"}}
    )
    assert not any("check" in result.tags for result in off)
    warned = _results(
        text,
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"checks-severity": "warning"}},
    )
    checked = [result for result in warned if "check" in result.tags]
    assert checked and max(SEVERITIES.index(result.severity) for result in checked) == SEVERITIES.index("warning")


class HalfEdit:
    """A transform that edits every DaemonSet, adds an item, and then fails."""

    NAME = "halfEdit"

    @staticmethod
    def apply(items: list[resourcelist.Item], config: Any, report: Any) -> Iterator[Result]:
        for item in list(items):
            if item.is_a("DaemonSet", "apps"):
                item.doc.set(("metadata", "labels"), {"half": "done"})
                yield report.change(item, ("metadata", "labels"), None, {"half": "done"}, "half way")
                items.append(resourcelist.Item(item.current_text))
        raise RuntimeError("boom")


def test_a_module_that_raises_leaves_its_items_byte_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (TESTDATA / "pipeline" / "upstream-like" / "input.yaml").read_text()
    monkeypatch.setitem(sys.modules, "half_edit", HalfEdit)  # where the engine imports it from
    monkeypatch.setattr(registry, "TRANSFORMS", (registry.Module("transform", "halfEdit", "half_edit", ()),))
    monkeypatch.setattr(registry, "CHECKS", ())
    resource_list = resourcelist.read(text)
    results = pipeline.run(resource_list)
    assert resourcelist.write(resource_list, []) == resourcelist.write(resourcelist.read(text), [])
    assert len(results) == 1 and exit_code(results) == 1
    (failure,) = results
    assert failure.tags == {"transform": "halfEdit"} and "boom" in failure.message
    assert failure.item is not None and failure.item.is_a("DaemonSet", "apps")


@pytest.mark.parametrize("module", (*registry.TRANSFORMS, *registry.CHECKS), ids=lambda module: module.path)
def test_the_registry_names_each_module_as_it_names_itself(module: registry.Module) -> None:
    assert module.name == module.code.NAME


@pytest.mark.parametrize(
    ("needs", "absent", "present"),
    [
        ({"kinds": ("NetworkAttachmentDefinition",)}, "data: {about: NetworkAttachmentDefinition}", None),
        (
            {"words": ("k8s.v1.cni.cncf.io/networks",)},
            "data: {about: networks}",
            "data: {k8s.v1.cni.cncf.io/networks: a}",
        ),
    ],
)
def test_a_module_with_nothing_among_the_items_is_not_imported(
    monkeypatch: pytest.MonkeyPatch, needs: dict[str, tuple[str, ...]], absent: str, present: str | None
) -> None:
    """The engine skips a module whose kinds and words are not among the items, and runs it when one is."""
    monkeypatch.setitem(sys.modules, "needing_check", None)  # importing it fails: an error result names it
    monkeypatch.setattr(registry, "TRANSFORMS", ())
    monkeypatch.setattr(registry, "CHECKS", (registry.Module("check", "needing", "needing_check", (), **needs),))
    configmap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    assert pipeline.run(resourcelist.read(configmap + absent + "\n")) == []
    nad = "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: n}\n"
    (failure,) = pipeline.run(resourcelist.read(nad if present is None else configmap + present + "\n"))
    assert failure.tags == {"check": "needing"} and failure.severity == "error"


ROOT = TESTDATA.parent
PLAIN_INSTALL = "---\n".join(
    path.read_text() for path in sorted((ROOT / "examples" / "talos-multus").glob("multus-*.yaml"))
)


@pytest.mark.parametrize(
    ("path", "acting"),
    [("krm_multus.transforms.helm_values", TESTDATA / "helmValues" / "flux-inline" / "input.yaml")],
    ids=lambda value: value if isinstance(value, str) else value.parent.name,
)
def test_a_gated_module_is_not_imported_for_a_plain_install_and_acts_where_it_can(
    monkeypatch: pytest.MonkeyPatch, path: str, acting: Path
) -> None:
    """The registry's kinds and words of a real module: a plain Multus install has none of them (the
    module is skipped), and an input it acts on has them (the module still runs and acts)."""
    (module,) = [module for module in (*registry.TRANSFORMS, *registry.CHECKS) if module.path == path]
    with monkeypatch.context() as patched:
        patched.setitem(sys.modules, path, None)  # importing it fails: an error result would name it
        results = pipeline.run(resourcelist.read(PLAIN_INSTALL))
    assert "transform" in {key for result in results for key in result.tags}  # the transforms did run
    assert not _tagged(results, module) and exit_code(results) == 0
    assert _tagged(pipeline.run(resourcelist.read(acting.read_text())), module)
