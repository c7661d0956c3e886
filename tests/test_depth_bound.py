"""The cheap nesting bound that lets most documents skip the event scan never undercounts."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from krm_multus.sdk import yamledit

LOADER = yaml.CSafeLoader
LEADS = ["", "- ", "? ", ": ", "--- ", "\t", "  ", "- - "]


def depth(text: str) -> int:
    """How deep the collections of `text` nest, from the parser's events."""
    level = deepest = 0
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            level += 1
            deepest = max(deepest, level)
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            level -= 1
    return deepest


def nest(kinds: list[str], leaf: Any) -> Any:
    """A chain of collections, innermost last in `kinds`; a mapping gets a sibling key now and then."""
    value = leaf
    for index, kind in enumerate(reversed(kinds)):
        value = [value] if kind == "seq" else {"k": value, **({"s": index} if index % 7 == 0 else {})}
    return value


@settings(max_examples=300, deadline=None)
@given(
    # a pattern of kinds repeated past MAX_DEPTH levels: there the bound must come from the columns
    kinds=st.lists(st.sampled_from(["seq", "map"]), min_size=1, max_size=40).map(lambda k: k * (1 + 200 // len(k))),
    leaf=st.sampled_from(["x", 1, None, "- y", "k: v", "[z]"]),
    flow=st.sampled_from([False, None, True]),
    indent=st.sampled_from([2, 3, 4]),
    indentless=st.booleans(),
    leads=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(LEADS)), max_size=3),
)
def test_the_bound_is_never_below_the_depth(
    kinds: list[str], leaf: Any, flow: bool | None, indent: int, indentless: bool, leads: list[tuple[int, str]]
) -> None:
    text = yaml.dump(nest(kinds, leaf), Dumper=yaml.CSafeDumper, default_flow_style=flow, indent=indent, width=60)
    if indentless:
        text = text.replace("\n  - ", "\n- ")
    lines = text.split("\n")
    for where, lead in leads:  # compact indicators and odd leads in front of some lines
        lines[where % len(lines)] = lead + lines[where % len(lines)]
    text = "\n".join(lines)
    try:
        deepest = depth(text)
    except yaml.YAMLError:
        return
    assert yamledit._depth_bound(text) >= deepest


@settings(max_examples=50, deadline=None)
@given(levels=st.integers(1, 160), block=st.integers(0, 40))
def test_one_pair_mappings_in_flow_sequences_count_twice(levels: int, block: int) -> None:
    """`[a: [a: x]]`: each `[` opens a sequence and a mapping, under `block` levels of block mappings."""
    keys = "".join(f"{'  ' * level}k{level}:\n" for level in range(block))
    text = keys + "  " * block + "[a: " * levels + "x" + "]" * levels + "\n"
    assert yamledit._depth_bound(text) >= depth(text)


def test_a_manifest_with_many_marks_gets_a_bound_below_the_limit() -> None:
    """The point of the bound: an ordinary DaemonSet skips the event scan."""
    containers = "".join(
        f"        - name: c{index}\n          image: example.com/c:{index}\n          args: [--a=1, --b=2]\n"
        for index in range(40)
    )
    text = f"apiVersion: apps/v1\nkind: DaemonSet\nspec:\n  template:\n    spec:\n      containers:\n{containers}"
    assert sum(text.count(mark) for mark in "[{-?:") > yamledit.MAX_DEPTH
    assert depth(text) <= yamledit._depth_bound(text) <= yamledit.MAX_DEPTH


@settings(max_examples=200, deadline=None)
@given(
    levels=st.integers(1, 120),
    indent=st.sampled_from([1, 2]),
    first=st.sampled_from(["", "- ", "? ", " " * 63, "- " * 32, "\t" * 64]),
    flow=st.integers(0, 80),
)
def test_the_bound_without_a_long_line_start_is_never_below_the_depth(
    levels: int, indent: int, first: str, flow: int
) -> None:
    """Nests near the limit, where the bound may come from the absence of a line start of 64
    characters or more (on the first line too), and not from matching every line start."""
    lines = [f"{' ' * (indent * level)}k{level}:" for level in range(levels)]
    text = first + "\n".join(lines) + " [" * flow + "x" + "]" * flow + "\n"
    try:
        deepest = depth(text)
    except yaml.YAMLError:
        return
    assert yamledit._depth_bound(text) >= deepest
