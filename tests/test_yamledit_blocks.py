"""Replacing the content of a string that holds a document (Helm values in a ConfigMap or an Argo CD
`helm.values`): a literal block stays a literal block, and the string always reads back as asked."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from krm_multus.sdk.yamledit import Document

VALUES = """\
data:
  values.yaml: |  # rendered by configMapGenerator
    cni:
      exclusive: true   # Cilium owns net.d

    socketLB:
      hostNamespaceOnly: true
  other: x
"""
PATH = ("data", "values.yaml")


def _edited(text: str) -> str:
    inner = Document(yaml.safe_load(text)["data"]["values.yaml"])
    inner.set(("cni", "exclusive"), False)
    return inner.text


def test_only_the_changed_line_changes() -> None:
    doc = Document(VALUES)
    assert doc.set_text(PATH, _edited(VALUES))
    assert doc.text == VALUES.replace("exclusive: true", "exclusive: false")
    assert yaml.safe_load(doc.text)["data"]["values.yaml"] == _edited(VALUES)


def test_added_lines_take_the_block_indentation() -> None:
    doc = Document(VALUES)
    text = "cni:\n  exclusive: false\n  chainingMode: none\n"
    assert doc.set_text(PATH, text)
    assert "  values.yaml: |  # rendered by configMapGenerator\n    cni:\n      exclusive: false\n" in doc.text
    assert "      chainingMode: none\n  other: x\n" in doc.text
    assert yaml.safe_load(doc.text)["data"] == {"values.yaml": text, "other": "x"}


def test_same_text_changes_nothing() -> None:
    doc = Document(VALUES)
    assert not doc.set_text(PATH, yaml.safe_load(VALUES)["data"]["values.yaml"])
    assert doc.text == VALUES


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("a:\n  s: |-\n    one\n    two\nb: 1\n", "one\nthree"),
        ("a:\n  s: |2\n      deeper first\n    second\nb: 1\n", "  deeper first\nthird\n"),
        ("a:\n  s: |+\n    one\n\nb: 1\n", "one\ntwo\n\n"),
        ("- |\n  in a list\n- next\n", "changed\n"),
    ],
    ids=["strip", "indentation-indicator", "keep", "list-entry"],
)
def test_block_header_is_kept(source: str, text: str) -> None:
    doc = Document(source)
    path = (0,) if source.startswith("-") else ("a", "s")
    header = source.split("\n")[1] if path != (0,) else source.split("\n")[0]
    assert doc.set_text(path, text)
    assert header in doc.text.split("\n")
    assert doc.get(path) == text
    assert doc.text.splitlines()[-1] == source.splitlines()[-1]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ('a:\n  s: "cni:\\n  exclusive: true\\n"\nb: 1\n', "cni:\n  exclusive: false\n"),
        ("a:\n  s: |\n    one\nb: 1\n", "no final newline"),
        ("a:\n  s: |\n    one\nb: 1\n", "  starts with spaces\n"),
        ("a:\n  s: |\n    one\nb: 1\n", "one\n\n\n"),
    ],
    ids=["quoted-stays-quoted", "clip-needs-final-newline", "leading-spaces", "extra-final-newlines"],
)
def test_what_a_block_cannot_carry_is_written_quoted(source: str, text: str) -> None:
    doc = Document(source)
    assert doc.set_text(("a", "s"), text)
    assert yaml.safe_load(doc.text) == {"a": {"s": text}, "b": 1}
    assert "s: |" not in doc.text


line = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(line, min_size=1, max_size=5), st.booleans())
def test_any_text_reads_back_and_the_rest_stays(lines: list[str], final_newline: bool) -> None:
    text = "\n".join(lines) + ("\n" if final_newline else "")
    doc = Document(VALUES)
    doc.set_text(PATH, text)
    assert yaml.safe_load(doc.text)["data"] == {"values.yaml": text, "other": "x"}
    assert doc.text.startswith("data:\n  values.yaml: ")
    assert doc.text.endswith("\n  other: x\n")
