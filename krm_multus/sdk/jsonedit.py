"""Add a key to a JSON object inside a text, keeping the rest of the text as it was written.

Why: CNI configs live as JSON in YAML strings (`spec.config`, `daemon-config.json`); users write
them by hand, one key per line or all on one line. Dumping the parsed JSON again would rewrite every
line of a config to change one, and the review diff would hide the change. JSON is YAML, so the YAML
composer gives the positions of the keys; the new entry is written after the object's last entry,
separated from it as that entry is from the one before (on its own line at the same indentation,
or on the same line), with the same spacing around the colon.
"""

from __future__ import annotations

import json

from yaml.nodes import MappingNode

from krm_multus.sdk.yamledit import Path, YamlError, compose, find

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def add_key(text: str, path: Path, key: str, value: Any) -> str | None:
    """`text` with `"key": value` added to the JSON object at `path`; None when the text is not JSON
    the composer can place (the caller then tells the user what to add by hand) or the key is there."""
    try:
        before = json.loads(text)
        mapping = find(compose(text), path)
    except (ValueError, YamlError, RecursionError):
        return None
    if not isinstance(mapping, MappingNode) or any(entry.value == key for entry, _ in mapping.value):
        return None
    name, written = json.dumps(key), json.dumps(value)  # joined as text: JSON may hold `{` and `}`
    if mapping.value:
        last_key, last_value = mapping.value[-1]
        colon = text[last_key.end_mark.index : last_value.start_mark.index]
        if len(mapping.value) > 1:  # the separator between the last two entries, comma included
            separator = text[mapping.value[-2][1].end_mark.index : last_key.start_mark.index]
        elif "\n" in text[mapping.start_mark.index : last_key.start_mark.index]:  # one key per line
            line_start = text.rfind("\n", 0, last_key.start_mark.index) + 1
            separator = ",\n" + text[line_start : last_key.start_mark.index]
        else:
            separator = "," if colon == ":" else ", "
        at = last_value.end_mark.index
        edited = text[:at] + separator + name + colon + written + text[at:]
    else:
        at = mapping.start_mark.index + 1
        edited = text[:at] + name + ": " + written + text[at:]
    try:
        after = json.loads(edited)
    except ValueError:
        return None
    expected = _with(before, path, key, value)
    return edited if after == expected else None


def _with(data: Any, path: Path, key: str, value: Any) -> Any:
    """A copy of `data` with `key` set in the object at `path` (the edit's expected outcome)."""
    copy = json.loads(json.dumps(data))
    target = copy
    for element in path:
        target = target[element]
    target[key] = value
    return copy
