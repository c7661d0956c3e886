"""Run the transforms and checks over a ResourceList: config in, changed items and results out."""

from __future__ import annotations

from typing import Any

from krm_multus import multus, registry
from krm_multus.sdk import config as fn_config
from krm_multus.sdk.resourcelist import Item, ItemError, ResourceList
from krm_multus.sdk.results import Reporter, Result


def run(resource_list: ResourceList, function_config: Any = None, only: str | None = None) -> list[Result]:
    """Apply every transform, then every check; one run reports every problem it finds.

    `only` names one transform or check to run alone (the golden tests use it).
    """
    source = function_config if function_config is not None else resource_list.function_config
    config, problems = fn_config.bind(source)
    if config is None:
        return [
            Result(
                f"{problem.message.rstrip('.')}. Nothing was changed.",
                "error",
                path=problem.field,
                tags={"config": "functionConfig"},
            )
            for problem in problems
        ]
    items = resource_list.items
    results = _check_items(items)
    if results:
        return results
    if not multus.daemonsets(items, config):
        explicit = bool(isinstance(source, dict) and (_explicit_target(source)))
        results.append(
            Result(
                f"no Multus DaemonSet {multus.target_description(config)} among the items: no DaemonSet to fix",
                "warning" if explicit else "info",
            )
        )
    modules = [*registry.TRANSFORMS, *(registry.CHECKS if config["checks"]["enabled"] else ())]
    for module in modules:
        if only in (None, module.NAME):
            results.extend(_guarded(module, items, config))
    return results


def _explicit_target(source: dict[str, Any]) -> bool:
    if source.get("kind") == "ConfigMap":
        return any(key.startswith("target-") for key in source.get("data") or {})
    return bool((source.get("spec") or {}).get("target"))


def _check_items(items: list[Item]) -> list[Result]:
    """Every item must be a resource: a mapping with apiVersion, kind and metadata.name.

    A DaemonSet must also be readable: any one may be the Multus DaemonSet, and one that cannot be
    read cannot be told apart from it (passing it over would leave it unfixed without a word).
    """
    problems = []
    for index, item in enumerate(items):
        daemonset = item.is_a("DaemonSet", "apps")
        if item.looks_like_resource() and not daemonset:
            continue
        try:
            data = item.data
        except ItemError as error:
            what = "is a DaemonSet that cannot be read" if daemonset else "is not valid YAML"
            problems.append(Result(f"item {index} {what}: {error.message}", "error", item if daemonset else None))
            continue
        if not isinstance(data, dict):
            problems.append(Result(f"item {index} is not a mapping but {type(data).__name__}", "error"))
            continue
        named = item.name or _is_kustomization(data)
        missing = [
            field
            for field, value in (
                ("apiVersion", data.get("apiVersion")),
                ("kind", data.get("kind")),
                ("metadata.name", named),
            )
            if not value
        ]
        if missing:
            problems.append(
                Result(
                    f"item {index} has no {', '.join(missing)}: every item must be a resource",
                    "error",
                    item if item.kind else None,
                )
            )
    return problems


def _is_kustomization(data: dict[str, Any]) -> bool:
    """kpt hands over `kustomization.yaml` files too; they are config, and need no name."""
    return str(data.get("apiVersion", "")).startswith("kustomize.config.k8s.io/")


def _guarded(module: Any, items: list[Item], config: dict[str, Any]) -> list[Result]:
    """A module's results; an item it cannot read becomes an error result, and the run goes on.

    A module that fails in any other way is an error result as well: the output then carries the
    failure in its results and exits 1, and the other modules still report what they find.
    """
    results: list[Result] = []
    tag = "transform" if module in registry.TRANSFORMS else "check"
    report = Reporter(tag, module.NAME, config["checks"]["severity"] if tag == "check" else "error")
    try:
        results.extend(module.apply(items, config, report))
    except ItemError as error:
        index = items.index(error.item) if error.item in items else "?"
        results.append(
            Result(
                f"item {index} cannot be edited safely: {error.message}",
                "error",
                error.item,
                tags={tag: module.NAME},
            )
        )
    except Exception as error:  # a bug must not cost the user the other modules' findings
        results.append(
            Result(
                f"{tag} {module.NAME} failed ({type(error).__name__}: {' '.join(str(error).split())}); its "
                f"{'changes' if tag == 'transform' else 'findings'} may be incomplete, please report this",
                "error",
                tags={tag: module.NAME},
            )
        )
    return results
