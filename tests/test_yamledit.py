"""The surgical editor: each edit changes only the text of what changes, and the result parses to the
value asked for."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import ScalarNode

from krm_multus.sdk import emit, yamledit
from krm_multus.sdk.yamledit import Document, YamlError, format_path

POD = """\
spec:
  containers:
    - name: a  # first
      image: "x:1"
      args: ['--v', "2"]
    - args: [z]
      name: b
  volumes: []
  empty:
"""


def test_set_scalar_keeps_quoting_and_comments() -> None:
    doc = Document(POD)
    assert doc.set(("spec", "containers", {"name": "a"}, "image"), "x:2")
    assert '      image: "x:2"\n' in doc.text
    assert "- name: a  # first\n" in doc.text
    assert doc.text.replace('"x:2"', '"x:1"') == POD


def test_set_same_value_changes_nothing() -> None:
    doc = Document(POD)
    assert not doc.set(("spec", "containers", {"name": "a"}, "image"), "x:1")
    assert doc.text == POD


def test_set_creates_missing_mappings_in_block_style() -> None:
    doc = Document(POD)
    assert doc.set(("spec", "containers", {"name": "a"}, "resources", "limits", "memory"), "150Mi")
    assert yaml.safe_load(doc.text)["spec"]["containers"][0]["resources"] == {"limits": {"memory": "150Mi"}}
    assert "      resources:\n        limits:\n          memory: 150Mi\n" in doc.text


def test_set_fills_a_null_value() -> None:
    doc = Document(POD)
    assert doc.set(("spec", "empty", "key"), "v")
    assert yaml.safe_load(doc.text)["spec"]["empty"] == {"key": "v"}


def test_set_string_that_looks_like_a_boolean_is_quoted() -> None:
    doc = Document("data:\n  flag: x\n")
    doc.set(("data", "flag"), "false")
    assert yaml.safe_load(doc.text) == {"data": {"flag": "false"}}


def test_delete_first_key_of_a_list_entry_pulls_the_next_key_up() -> None:
    doc = Document(POD)
    assert doc.delete(("spec", "containers", {"name": "b"}, "args"))
    assert "    - name: b\n" in doc.text
    assert yaml.safe_load(doc.text)["spec"]["containers"][1] == {"name": "b"}


def test_delete_inner_key_removes_its_lines_only() -> None:
    doc = Document(POD)
    assert doc.delete(("spec", "containers", {"name": "a"}, "args"))
    assert doc.text == POD.replace("      args: ['--v', \"2\"]\n", "")


def test_delete_missing_key_is_a_no_op() -> None:
    doc = Document(POD)
    assert not doc.delete(("spec", "nothing"))
    assert doc.text == POD


def test_append_to_block_list_and_to_empty_flow_list() -> None:
    doc = Document(POD)
    doc.append(("spec", "containers"), {"name": "c", "image": "y"})
    doc.append(("spec", "volumes"), {"name": "v", "hostPath": {"path": "/x"}})
    data = yaml.safe_load(doc.text)["spec"]
    assert [c["name"] for c in data["containers"]] == ["a", "b", "c"]
    assert data["volumes"] == [{"name": "v", "hostPath": {"path": "/x"}}]
    assert "    - name: c\n      image: y\n" in doc.text


def test_selector_path_creates_a_list_entry() -> None:
    doc = Document("spec: {}\n")
    doc.set(("spec", "volumes", {"name": "cnibin"}, "hostPath", "path"), "/opt/cni/bin")
    assert yaml.safe_load(doc.text) == {"spec": {"volumes": [{"name": "cnibin", "hostPath": {"path": "/opt/cni/bin"}}]}}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: &x {b: 1}\nc: *x\n", "alias"),
        ("a: !!python/object:os.system {}\n", "not allowed"),
        ("a: [\n", "line"),
    ],
)
def test_refuses_what_an_edit_could_damage(text: str, problem: str) -> None:
    with pytest.raises(YamlError, match=problem):
        Document(text).set(("a",), 3)


def test_format_path() -> None:
    path = ("metadata", "annotations", "k8s.v1.cni.cncf.io/networks")
    assert format_path(path) == "metadata.annotations[k8s.v1.cni.cncf.io/networks]"
    assert format_path(("spec", "volumes", {"name": "x"}, 0)) == "spec.volumes[name=x][0]"


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_emitted_scalars_read_back_as_the_same_string(value: str) -> None:
    for style in (None, '"', "'"):
        assert yaml.safe_load("key: " + emit.scalar(value, style) + "\n") == {"key": value}


# The pattern emit told plain scalars with before its string tests (a compile cost every run 1 M instructions).
PLAIN_SAFE_PATTERN = re.compile(
    r"(?:[A-Za-z0-9_./]|-(?=[^\s]))(?:[^\s:#\x00-\x1f\x7f]|:(?=[^\s])|(?<=[^\s])#| (?=[^\s#]))*"
)
TRICKY = st.sampled_from(
    ["a", "Z", "0", "_", ".", "/", "-", ":", "#", " ", "  ", "\t", "\n", "\x7f", "\xa0", "\u3000", "é"]
)


def told_as_the_pattern_told(text: str) -> bool:
    told = text.isprintable() and PLAIN_SAFE_PATTERN.fullmatch(text) is not None
    expected = told and emit._RESOLVER.resolve(ScalarNode, text, (True, False)) == emit._STR_TAG
    return emit._is_plain_safe(text) == expected


@pytest.mark.parametrize(
    "text", ["a #", "a#b", "a: b", "a:b", "a:", "a ", "a  b", "a b", "- a", "-a", "-", ":a", "#a", " a", "", "a\tb"]
)
def test_plain_scalars_are_told_as_the_pattern_told_them(text: str) -> None:
    assert told_as_the_pattern_told(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(TRICKY | st.characters(blacklist_categories=("Cs",)), max_size=8).map("".join))
def test_any_scalar_is_told_as_the_pattern_told_it(text: str) -> None:
    assert told_as_the_pattern_told(text)


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(values, st.booleans())
def test_emitted_blocks_read_back_as_the_same_value(value: object, indent_sequences: bool) -> None:
    text = (
        "root:\n  " + emit.block(value, 2, indent_sequences) + "\n"
        if isinstance(value, dict | list) and value
        else "root: " + emit.block(value, 2, indent_sequences) + "\n"
    )
    assert yaml.safe_load(text) == {"root": value}


@settings(max_examples=200, deadline=None)
@given(values)
def test_set_then_get_gives_the_value(value: object) -> None:
    doc = Document(POD)
    doc.set(("spec", "containers", {"name": "a"}, "extra"), value)
    assert yaml.safe_load(doc.text)["spec"]["containers"][0]["extra"] == value
    assert yaml.safe_load(doc.text)["spec"]["containers"][1] == {"args": ["z"], "name": "b"}


@pytest.mark.parametrize(
    "first", ["? ''\n    : x\n", "?   k\n    : x\n", "k: x\n"], ids=["explicit", "spaced", "plain"]
)
def test_a_new_entry_lines_up_with_the_mapping_also_after_an_explicit_key(first: str) -> None:
    """An explicit key's mark is past its `? `: the new entry goes where the `?` is (found by hypothesis)."""
    text = "spec:\n  template:\n    " + first
    doc = Document(text)
    assert doc.set(("spec", "template", "spec", "x"), 1)
    assert doc.text.startswith(text)
    assert yaml.safe_load(doc.text)["spec"]["template"]["spec"] == {"x": 1}


LOAD_FORMS = {
    "plain manifest": "a: 1\nb: [x, 0x1F, 1_000, 1.5e3, .inf, yes, ~]\nc: {d: 'q', e: \"w\"}\n",
    "merge key": "base: &b {x: 1, y: 2}\nmerged: {<<: *b, y: 3}\n",
    "date and timestamp": "d: 2024-02-28\nt: 2001-12-14t21:59:43.10-05:00\n",
    "binary": "b: !!binary aGVsbG8=\n",
    "set and ordered map": "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\n",
    "aliases": "a: &x [1, {k: v}]\nb: *x\n",
}


@pytest.mark.parametrize("key", ["? {a: 1}\n: x\n", "? [a]\n: x\n", "? labels:\n    app: x\n: y\n"])
def test_a_collection_as_a_key_is_refused_as_pyyaml_refuses_it(key: str) -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(key)
    with pytest.raises(YamlError, match="line 1"):
        yamledit.load(key)
    with pytest.raises(YamlError):
        Document(key).get(())


@pytest.mark.parametrize("form", LOAD_FORMS)
def test_load_builds_what_pyyaml_builds(form: str) -> None:
    """`load` builds plain manifests itself and leaves other tags to PyYAML: the values and their types agree."""
    text = LOAD_FORMS[form]
    expected = yaml.safe_load(text)
    loaded = yamledit.load(text)
    assert loaded == expected
    assert repr(loaded) == repr(expected)  # types too: 1 and True and 1.0 are equal in Python


PATCHED_EDITS = {
    "one line, flow": (
        "r: {cpu: 100m, memory: 50Mi, x: [a, 1]}\n",
        [(("r", "cpu"), "1500m"), (("r", "memory"), "1Gi")],
    ),
    "block, then flow after": (
        "a:\n  cpu: 1\n  memory: '5'\nb: {c: x, d: 2}\n",
        [(("a", "cpu"), "longer text"), (("a", "memory"), 7), (("b", "c"), "y"), (("b", "d"), "true")],
    ),
    "shrinking then growing on one line": (
        "- {name: n, v: aaaaaaaa, w: b}\n",
        [((0, "v"), "a"), ((0, "w"), "bbbbbbbbbbbb"), ((0, "name"), "m")],
    ),
    "the same scalar twice, last in its mapping": (
        "m: {a: 1, b: xx}\nn: 2\n",
        [(("m", "b"), "y" * 12), (("m", "b"), "z")],
    ),
}


def marks(node: object) -> list[tuple[int, int, int, int, int, int]]:
    """Where every node starts and ends (index, line, column), in document order."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        start, end = current.start_mark, current.end_mark
        found.append((start.index, start.line, start.column, end.index, end.line, end.column))
        children = current.value if isinstance(current.value, list) else []
        for child in reversed(children):
            stack.extend(reversed(child) if isinstance(child, tuple) else [child])
    return found


@pytest.mark.parametrize("case", PATCHED_EDITS)
def test_edits_checked_later_land_where_checked_at_once_land(case: str) -> None:
    """In an item's document the edits of one transform are checked together, and a scalar that stays
    on its line is replaced without composing the text again: every later edit must still land right."""
    text, edits = PATCHED_EDITS[case]
    at_once, later = Document(text), Document(text, check_later=True)
    for path, value in edits:
        assert at_once.set(path, value) and later.set(path, value)
        assert later.get(path) == value  # read from the moved nodes, before the check
        assert marks(later.root) == marks(yamledit.compose(later.text))  # moved where a parse puts them
    later.verify()
    assert later.text == at_once.text
    expected = yaml.safe_load(text)
    for path, value in edits:
        target = expected
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    assert yaml.safe_load(later.text) == expected
