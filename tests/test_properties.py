"""Invariants over generated ResourceLists and streams, Multus DaemonSets with missing or odd fields
among them (the README's Guarantees section). KRM_MULTUS_EXAMPLES raises the number of examples (default 150).

A transform or check that raises on an odd field fails the property: the command would make it an
error result, but the bug is the module's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz import invariants
from fuzz.resources import BYTE_FORMS, Generated, byte_forms, mutated, resource_inputs
from krm_multus import pipeline
from krm_multus.sdk import resourcelist, yamledit

EXAMPLES = settings(
    max_examples=int(os.environ.get("KRM_MULTUS_EXAMPLES", "150")),
    deadline=None,
    database=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def items_only(text: str, function_config: Any = None, full_parse: bool = False) -> tuple[str, list[dict]]:
    """The output without results (as the golden tests compare it) and the results."""
    resource_list = resourcelist.read(text, full_parse=full_parse)
    results = [result.to_dict() for result in pipeline.run(resource_list, function_config)]
    return resourcelist.write(resource_list, []), results


def parsed_items(text: str) -> list[Any]:
    documents = list(yaml.safe_load_all(text))
    if len(documents) == 1 and isinstance(documents[0], dict) and documents[0].get("kind") == "ResourceList":
        return documents[0].get("items") or []
    return [document for document in documents if document is not None]


def identity(document: dict) -> tuple[Any, Any]:
    return document.get("kind"), (document.get("metadata") or {}).get("name")


def stream_config(generated: Generated) -> Any:
    """The config a stream runs with (--config); a ResourceList carries its own."""
    return None if generated.is_list else generated.function_config


@EXAMPLES
@given(resource_inputs())
def test_items_keep_their_number_order_and_untouched_bytes(generated: Generated) -> None:
    outcome = invariants.check(generated.text.encode(), stream_config(generated))
    if generated.is_list or outcome.code == 0:
        output = parsed_items(outcome.stdout)
        assert [identity(item) for item in output] == [identity(document) for document in generated.documents]
        source = resourcelist.read(generated.text)
        # Text that cannot be cut safely (a `&&` and a `,*x` look like a shared anchor) takes the
        # full-parse path: items are then written from their parse, the same data in block style.
        as_text = invariants.read_as_text(source, generated.text)
        before = source.items
        after = resourcelist.read(outcome.stdout).items
        for index, may_change in enumerate(generated.may_change):
            if not may_change:
                if as_text:
                    assert after[index].source == before[index].source
                else:
                    assert output[index] == generated.documents[index]


@EXAMPLES
@given(resource_inputs())
def test_a_second_run_changes_nothing(generated: Generated) -> None:
    first, _ = items_only(generated.text, stream_config(generated))
    second, results = items_only(first, stream_config(generated))
    assert second == first
    assert [
        r for r in results if r.get("field", {}).get("proposedValue", r) != r.get("field", {}).get("currentValue", r)
    ] == []


@EXAMPLES
@given(resource_inputs())
def test_the_text_path_and_the_full_parse_path_agree(generated: Generated) -> None:
    # Where an edit reaches a value an alias shares, the two paths differ by design: the text path
    # refuses the edit (the alias would carry it elsewhere), the full-parse path has written the
    # values out in full and edits its copy. test_byte_forms covers the refusal.
    assume("*id0" not in generated.text)  # PyYAML's dump names the aliases of shared values id001, ...
    fast_output, fast_results = items_only(generated.text, stream_config(generated))
    full_output, full_results = items_only(generated.text, stream_config(generated), full_parse=True)
    assert parsed_items(full_output) == parsed_items(fast_output)
    assert full_results == fast_results


@EXAMPLES
@given(st.data())
def test_broken_and_hostile_edits_never_crash_or_lose_items(data: st.DataObject) -> None:
    generated = data.draw(resource_inputs(max_items=4))
    invariants.check(data.draw(mutated(generated.text)), stream_config(generated))


@EXAMPLES
@given(byte_forms())
def test_a_byte_form_is_read_like_its_plain_twin(drawn: tuple[Generated, str]) -> None:
    """BOM, CRLF, directives and document markers: the same items, the same results, and (where the
    form maps byte for byte) the same output in the form's own bytes."""
    generated, form = drawn
    write_in, map_output = BYTE_FORMS[form]
    plain = invariants.run(generated.text.encode(), stream_config(generated))
    shaped = invariants.run(write_in(generated.text).encode(), stream_config(generated))
    assert shaped.code == plain.code
    assert shaped.stderr == plain.stderr
    if map_output is not None and plain.code == 0:
        assert shaped.stdout == map_output(plain.stdout)
    elif plain.code == 0 or generated.is_list:
        assert parsed_items(shaped.stdout.replace("\ufeff", "")) == parsed_items(plain.stdout)


# Pieces of YAML that quotes hide among: indicators, comments, escapes, tags, anchors, line breaks.
QUOTE_PIECES = [
    '"',
    "'",
    "''",
    "\\",
    '\\"',
    "# ",
    "key: ",
    "- ",
    "? ",
    "[",
    "{",
    ", ",
    "!!str ",
    "&a ",
    "a",
    " ",
    "\t",
    "\xa0",  # a space to Python, not to YAML
    "\n",
    "\r\n",
    "\r",
    "\x85",
]


@settings(EXAMPLES, max_examples=EXAMPLES.max_examples * 20)
@given(st.lists(st.sampled_from(QUOTE_PIECES), max_size=30).map("".join))
def test_the_quick_string_test_never_misses_an_item_that_ends_inside_a_string(text: str) -> None:
    """The text cutter parses an item only when the quick test says it may end inside a quoted
    string (issue 13.11): where the parser says it does, the quick test must have said so."""
    quick = resourcelist._may_end_inside_a_string(text, resourcelist._plain_breaks(text))
    if yamledit.ends_inside_a_string(text):
        assert quick


# The body of a list entry: a mapping as PyYAML writes it in every style, its strings made of what
# YAML reads at a line start whatever the indentation (markers, directives, a byte order mark, other
# line breaks) and what it reads by indentation; or lines of such pieces, mostly not YAML at all.
ENTRY_PIECES = ["a", " ", "  ", "\n", "\n  ", "\t", "---", "...", "%", "#", ": ", "- ", "'", '"', "\\", "|", ">"]
ENTRY_PIECES += ["\ufeff", "\r", "\x85", "\u2028"]
ENTRY_LINES = ["k: v", "k:", "- v", "- k: v", "k: |", "k: |2", "k: >-", 'k: "a', 'b"', "k: [a,", "b]", "? k", ": v"]
ENTRY_LINES += ["# c", "", "\t", "---", "--- k: v", "...", "... k", "%YAML 1.1", "%k", "|2", "{k: v,", "}"]
ENTRY_LINES += ["\ufeffk: v", "\ufeff- v", "\ufeff  k: v", "k: a\rb: c", "k: a\x85b: c", "k: a\u2028b: c", "k:\tv"]
_entry_scalars = st.one_of(
    st.lists(st.sampled_from(ENTRY_PIECES), max_size=6).map("".join), st.integers(-5, 5), st.booleans(), st.none()
)
_entry_values = st.recursive(
    _entry_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "- b", "?"]), inner)),
    max_leaves=10,
)
_dumped_bodies = st.builds(
    lambda value, style, flow, width: yaml.dump(
        value, default_style=style, default_flow_style=flow, width=width, allow_unicode=True, sort_keys=False
    ),
    st.dictionaries(st.sampled_from(["kind", "spec", "x y"]), _entry_values, min_size=1, max_size=3),
    st.sampled_from([None, "'", '"', "|", ">"]),
    st.sampled_from([False, None]),
    st.sampled_from([4, 80]),
)
_line_bodies = st.lists(
    st.builds(
        lambda indent, line, n: " " * indent + line.replace("k", f"k{n}", 1),
        st.integers(0, 6),
        st.sampled_from(ENTRY_LINES),
        st.integers(0, 99),
    ),
    min_size=1,
    max_size=8,
).map(lambda lines: "\n".join(lines) + "\n")


@settings(EXAMPLES, max_examples=EXAMPLES.max_examples * 5)
@given(st.one_of(_dumped_bodies, _line_bodies), st.sampled_from([0, 2]), st.sampled_from(["", "\n", "\t", "# c\n"]))
def test_an_entry_read_to_edit_reads_as_it_stands(body: str, indent: int, after: str) -> None:
    """Where the engine reads a list entry from the nodes made for editing its text (a DaemonSet),
    the entry as it stands in the list reads the same; elsewhere it reads the entry (and its error)."""
    source = resourcelist._as_entry(body, indent) + after
    try:
        as_it_stands = yamledit.load(source)
    except yamledit.YamlError:
        as_it_stands = None
    try:
        read = resourcelist.Item(source, indent).read_to_edit()
    except resourcelist.ItemError:
        assert as_it_stands is None
        return
    assert as_it_stands is not None
    assert repr(read) == repr(as_it_stands[0])
