"""Run the transforms and checks over a ResourceList: config in, changed items and results out."""

from __future__ import annotations

from collections.abc import Collection

from krm_multus import registry
from krm_multus.sdk import config as fn_config
from krm_multus.sdk import lookups
from krm_multus.sdk.resourcelist import Item, ItemError, ResourceList, of_kind, snapshots, verify_edits
from krm_multus.sdk.results import SEVERITIES, Reporter, Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def run(resource_list: ResourceList, function_config: Any = None, only: Collection[str] | None = None) -> list[Result]:
    """Bind the config, then run every module the registry lists and the config leaves on; one run
    reports every problem it finds.

    `only` names the transforms and checks to run alone (the golden tests use it).
    """
    if resource_list.problems and function_config is None:
        return [Result(f"{problem}. Nothing was changed.", "error") for problem in resource_list.problems]
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
    present = _Present(items)
    for module in (*registry.TRANSFORMS, *registry.CHECKS):
        if not ((only is None or module.name in only) and _switched_on(module, config)):
            continue
        if not present.lets_act(module):
            continue  # nothing among the items it could act on: it is not even imported
        results.extend(_guarded(module, items, config))
        if module.kind == "transform":
            present = _Present(items)  # its edits may have added what a later module looks for
    return results


class _Present:
    """What is among the items, for the modules' `kinds` and `words`: the kinds from the one index
    of them (`of_kind`), each word looked for once, however many modules need it."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.words: dict[str, bool] = {}

    def lets_act(self, module: registry.Module) -> bool:
        """Whether one of the kinds the module acts on, or one of its words, is among the items."""
        if not (module.kinds or module.words):
            return True
        return any(of_kind(self.items, kind) for kind in module.kinds) or any(self._has(word) for word in module.words)

    def _has(self, word: str) -> bool:
        """Whether an item's text, as read or as edited, holds `word`."""
        if word not in self.words:
            self.words[word] = any(word in item.source or word in (item.snapshot() or "") for item in self.items)
        return self.words[word]


def _switched_on(module: registry.Module, config: fn_config.Config) -> bool:
    return all(lookups.get(config, (*section, "enabled")) is not False for section in module.sections)


def _severity(module: registry.Module, config: fn_config.Config) -> str:
    """The lowest severity the module's sections configure: its results go no higher."""
    configured = [lookups.get(config, (*section, "severity"), "error") for section in module.sections]
    return min(configured, key=SEVERITIES.index, default="error")


def _check_items(items: list[Item]) -> list[Result]:
    """Every item must be a resource: a mapping with apiVersion, kind and metadata.name (or generateName).

    A DaemonSet must also be readable: any one may be the Multus DaemonSet, and one that cannot be
    read cannot be told apart from it (passing it over would leave it unfixed without a word).
    """
    problems = []
    for index, item in enumerate(items):
        plain = item.looks_like_resource()  # first: the match that tells also reads the kind
        daemonset = item.is_a("DaemonSet", "apps")
        if plain and not daemonset:
            continue
        try:
            # The item as it stands in the input (a list entry with what follows it); a DaemonSet the
            # transforms may edit, from the nodes they edit where those read the same.
            data = item.read_to_edit() if daemonset else item.data
        except ItemError as error:
            what = "is a DaemonSet that cannot be read" if daemonset else "is not valid YAML"
            problems.append(Result(f"item {index} {what}: {error.message}", "error", item if daemonset else None))
            continue
        if not isinstance(data, dict):
            problems.append(Result(f"item {index} is not a mapping but {type(data).__name__}", "error"))
            continue
        # `generateName` (for `kubectl create`) names it well enough to pass it through; a module that
        # needs the name says so where it does.
        named = item.name or item.metadata.get("generateName") or _is_kustomization(data)
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


def _guarded(module: registry.Module, items: list[Item], config: fn_config.Config) -> list[Result]:
    """A module's results; a module that raises becomes one error result, and the run goes on.

    An item it cannot read or edit is named in that result; any other failure is a bug, reported
    the same way: the output carries it and exits 1, and the other modules still report what they
    find. Either way the items are put back as they were before the module ran, and a transform's
    results go with its edits: a half-made edit must not reach the output.
    """
    report = Reporter(module.kind, module.name, _severity(module, config))
    before = list(items)
    edited = snapshots(items)
    results: list[Result] = []
    try:
        results.extend(module.code.apply(items, config, report))
        if module.kind == "transform":
            verify_edits(items)  # one check of all its edits to each item
    except Exception as error:  # a bug must not cost the user the other modules' findings
        touched = _restore(items, before, edited)
        kept = results if module.kind == "check" else []
        return [*kept, _failure(module, items, error, touched)]
    return results


def _failure(module: registry.Module, items: list[Item], error: Exception, touched: list[Item]) -> Result:
    tags = {module.kind: module.name}
    if isinstance(error, ItemError):
        index = items.index(error.item) if error.item in items else "?"
        return Result(f"item {index} cannot be edited safely: {error.message}", "error", error.item, tags=tags)
    undone = "; its edits were undone" if touched else ""
    what = "changes" if module.kind == "transform" else "findings"
    return Result(
        f"{module.kind} {module.name} failed ({type(error).__name__}: {' '.join(str(error).split())}){undone}; "
        f"its {what} may be incomplete, please report this",
        "error",
        touched[0] if touched else None,
        tags=tags,
    )


def _restore(items: list[Item], before: list[Item], edited: dict[Item, str]) -> list[Item]:
    """Put the items back as they were before a module ran (`edited`: the snapshots then); the ones
    it had edited, first to last."""
    touched = [item for item in before if item.snapshot() != edited.get(item)]
    items[:] = before
    for item in before:
        item.restore(edited.get(item))
    return touched
