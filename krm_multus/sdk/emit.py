"""Write plain Python values as YAML text in the block style Kubernetes manifests use.

Why our own: edits insert small snippets into a user's document at a given column, and the snippet
must match the document's sequence indentation; PyYAML's dumper cannot indent a snippet or follow
a per-document sequence style.
"""

from __future__ import annotations

import json

import yaml.resolver
from yaml.nodes import ScalarNode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Plain scalars we are sure any YAML reader takes back as the same string: a safe first character
# (or a `-` with more after it than a space), then no ": ", " #", double or trailing space, no
# trailing ":", and nothing `str.isprintable` refuses (control characters, spaces other than " ").
# String tests, not a pattern: compiling one cost every run about 1 M instructions.
_PLAIN_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./")
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def scalar(value: Any, style: str | None = None) -> str:
    """One scalar as YAML; `style` keeps the quoting of the value it replaces ('"', "'" or None)."""
    if type(value) is str:  # most scalars: no other test needed
        text = value
    elif value is None:
        return "null"
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, int | float):
        return json.dumps(value)
    else:
        text = str(value)
    if style == "'" and text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    if style != '"' and _is_plain_safe(text):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return quoted if quoted.isprintable() else "".join(map(_escape_unprintable, quoted))


def _escape_unprintable(char: str) -> str:
    """YAML readers refuse some characters that JSON leaves raw (DEL, C1 controls, line separators)."""
    if char.isprintable():
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _is_plain_safe(text: str) -> bool:
    """Whether `text` may be written plain (see _PLAIN_FIRST), decided once per distinct short text.

    Why: results and manifests repeat the same few keys and values, and PyYAML's resolver takes
    microseconds for each.
    """
    known = _PLAIN_SAFE_TEXTS.get(text)
    if known is not None:
        return known
    safe = _plain_safe(text)
    if len(text) <= 256 and len(_PLAIN_SAFE_TEXTS) < 4096:  # bounded: texts of any size may come
        _PLAIN_SAFE_TEXTS[text] = safe
    return safe


_PLAIN_SAFE_TEXTS: dict[str, bool] = {}


def _plain_safe(text: str) -> bool:
    if not text.isprintable() or ": " in text or " #" in text or "  " in text or text.endswith((":", " ")):
        return False
    if not (text[:1] in _PLAIN_FIRST or (text[:1] == "-" and text[1:2] not in ("", " "))):
        return False
    return _RESOLVER.resolve(ScalarNode, text, (True, False)) == _STR_TAG


def block(value: Any, column: int, indent_sequences: bool = False, quote: str | None = None, step: int = 2) -> str:
    """`value` as the text of a node that starts at `column`; the first line carries no indentation.

    `indent_sequences` says whether a sequence under a mapping key is indented (`key:\\n  - a`) or
    not (`key:\\n- a`), and `quote` how string values are quoted, so that the snippet matches the
    document it goes into.
    """
    if type(value) is str:  # most values: no other test needed
        return scalar(value, quote)
    if isinstance(value, dict) and value:
        lines = []
        for key, child in value.items():
            lines.append(_entry(scalar(key), child, column, indent_sequences, quote, step))
        return ("\n" + " " * column).join(lines)
    if isinstance(value, list) and value:
        items = ["- " + block(child, column + 2, indent_sequences, quote, step) for child in value]
        return ("\n" + " " * column).join(items)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value, quote if isinstance(value, str) else None)


def _entry(key: str, value: Any, column: int, indent_sequences: bool, quote: str | None, step: int) -> str:
    if isinstance(value, dict) and value:
        child_column = column + step
    elif isinstance(value, list) and value:
        child_column = column + step if indent_sequences else column
    else:
        return f"{key}: {block(value, column, indent_sequences, quote, step)}"
    nested = block(value, child_column, indent_sequences, quote, step)
    return f"{key}:\n{' ' * child_column}{nested}"


def flow(value: Any) -> str:
    """`value` in flow style on one line (JSON is valid flow YAML)."""
    return json.dumps(value, ensure_ascii=False)
