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
    for style in (None, '"', "'", None):  # the second plain one as decided before (a known text)
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
    "an alias after the edit repeats a node": (
        "b: 2\na: &x {p: 1, q: [r]}\nc: *x\nd: end\n",
        [(("b",), "longer"), (("d",), 1), (("b",), 0)],
    ),
    "an anchor defined twice (read by the Python parser)": (
        "a: &x 1\nb: &x {p: 2}\nc: *x\nd: 5\n",
        [(("a",), "longer"), (("d",), "six")],
    ),
    "scalars replaced around edits that splice": (
        "a:\n  cpu: 1\n  memory: '5'\nb: {c: x}\nl: [p]\n",
        [(("a", "cpu"), "2000m"), (("a", "new"), "k"), (("a", "memory"), 9), (("b", "c"), "yy"), (("l",), ["p", "q"])],
    ),
}


def test_an_edit_refused_after_replaced_scalars_keeps_them() -> None:
    """A refused edit is undone alone: the scalars replaced before it, not yet written into the
    text, are still made and checked."""
    document = Document("a: 1\nb: 2\nc: [x]\n", check_later=True)
    assert document.set(("a",), 5)
    with pytest.raises(YamlError, match="not a mapping"):
        document.set(("b", "d"), 1)
    assert document.set(("c",), ["x", "y"])  # a splice: the replaced scalar is written first
    document.verify()
    assert yamledit.load(document.text) == {"a": 5, "b": 2, "c": ["x", "y"]}


# Replacements that read as one scalar on their own but as something else where they stand: in a
# flow collection, or where the parser's positions are off (a mark it does not count).
MISREAD_IN_PLACE = {
    "a comma in a flow mapping": ("r: {cpu: 100m, m: 1}\n", ("r", "cpu"), "a,b"),
    "a comma in a flow sequence": ("a: [x, y]\n", ("a", 0), "p,q"),
    "a bracket that closes the flow mapping": ("- {name: n, v: a}\n", (0, "v"), "b]"),
    "positions one off": (
        "\ufeffspec:\n  hostPath:\n    path: /run/netns/\n  other: kept\n",
        ("spec", "hostPath", "path"),
        "/x/",
    ),
}


@pytest.mark.parametrize("check_later", [False, True], ids=["at once", "later"])
@pytest.mark.parametrize("case", MISREAD_IN_PLACE)
def test_a_replacement_that_reads_otherwise_in_its_place_is_refused(case: str, check_later: bool) -> None:
    """What is checked is the text read again, not the nodes the editor patched: an edit checked
    later is refused as one checked at once is, and the text is left as it was."""
    text, path, value = MISREAD_IN_PLACE[case]
    document = Document(text, check_later=check_later)
    with pytest.raises(YamlError, match="cannot be edited safely"):
        document.set(path, value)
        document.verify()
    assert document.text == text


# A value the text may hold after an edit, next to one it must not be taken for.
TOLD_APART = {
    "numbers that share a hash": ("a: -1\n", "a: -2\n"),
    "an integer and a float": ("a: 1\n", "a: 1.0\n"),
    "an integer and a boolean": ("a: 1\n", "a: true\n"),
    "a string key and an integer key": ("'1': a\n", "1: a\n"),
    "a long string and another": ("a: " + "x" * 5000 + "\n", "a: " + "x" * 4999 + "y\n"),
}


@pytest.mark.parametrize("case", TOLD_APART)
def test_verify_tells_the_value_meant_from_one_that_only_looks_alike(case: str) -> None:
    """An edit that lands wrong (here: the text changed behind the editor's back) is refused even
    where the wrong value hashes like the right one, or differs in type alone."""
    meant, wrong = TOLD_APART[case]
    document = Document(meant + "b: 1\n", check_later=True)
    assert document.set(("b",), 2)
    document.verify()  # the edit as made reads back right
    assert document.set(("b",), 3)
    document.text = wrong + "b: 3\n"
    with pytest.raises(YamlError, match="cannot be edited safely"):
        document.verify()


def test_verify_accepts_what_equals_itself_only_by_type_nan_and_long_strings() -> None:
    document = Document("a: .nan\nlong: " + "x" * 5000 + "\nb: 1\n", check_later=True)
    assert document.set(("b",), 2)
    document.verify()
    assert document.text.endswith("b: 2\n")


@pytest.mark.parametrize("case", PATCHED_EDITS)
def test_edits_checked_later_land_where_checked_at_once_land(case: str) -> None:
    """In an item's document the edits of one transform are checked together, and a scalar that stays
    on its line is replaced without composing the text again: every later edit must still land right."""
    text, edits = PATCHED_EDITS[case]
    at_once, later = Document(text), Document(text, check_later=True)
    for path, value in edits:
        assert at_once.set(path, value) and later.set(path, value)
        assert later.get(path) == value  # read from the replaced nodes, before the check
        assert later.text == at_once.text  # the replaced scalars in their places, and splices after them
    later.verify()
    assert later.text == at_once.text
    expected = yamledit.load(text)  # as YAML reads it: a later anchor of the same name wins
    for path, value in edits:
        target = expected
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    assert yamledit.load(later.text) == expected
