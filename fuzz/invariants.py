"""What must hold for any input bytes at all, checked on the whole command run in-process.

`check(data)` runs `cli.run_io` and raises AssertionError (with the reason) when the run:
- raised, or exited with anything but 0 or 1, or reported an internal error;
- had a transform or check fail (the command turns that into an error result, but the bug is the
  module's, and this is how its owner hears of it);
- wrote anything on stdout for a stream that failed;
- failed on a ResourceList without an error result in what it wrote (when it wrote anything);
- succeeded with an output that does not read back as the same number of items in the same form,
  or that no longer parses where the input parsed;
- changed an item in any other way than its change results say: every `info` result with a
  proposed value is a change made, and each item read back must equal the item read in with
  exactly those values set at exactly those fields (a proposed value of null removes the field);
- changes anything when run again on its own output.
"""

from __future__ import annotations

import copy
import io
import json
import re
from typing import Any, NamedTuple

import yaml

from krm_multus import cli, pipeline
from krm_multus.sdk import resourcelist, yamledit

MODULE_FAILED = "please report this"  # how pipeline words a module that raised


class Outcome(NamedTuple):
    code: int
    stdout: str
    stderr: str


def run(data: bytes, function_config: Any = None) -> Outcome:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.run_io(data, stdout, stderr, function_config)
    return Outcome(code, stdout.getvalue(), stderr.getvalue())


def check(data: bytes, function_config: Any = None) -> Outcome:
    """Run the command on `data` and assert every invariant; the outcome, for further checks."""
    outcome = run(data, function_config)
    code, stdout, stderr = outcome
    assert code in (0, 1), f"exit code {code}"
    for line in stderr.splitlines():
        assert line.startswith("["), f"stderr line that is not a result: {line!r}"
        assert MODULE_FAILED not in line, line
    text = _text(data)
    source = _read(text)
    if source is None:
        assert code == 1, "input that cannot be read was accepted"
        return outcome
    if code == 1:
        if source.is_stream:
            assert stdout == "", "a failed stream wrote output"
        elif stdout:
            assert any(
                isinstance(result, dict) and result.get("severity") == "error" for result in results_of(stdout)
            ), "no error result"
        return outcome
    output = _read(stdout)
    assert output is not None, "the output cannot be read back"
    assert output.is_stream == source.is_stream, "the output changed form"
    assert len(output.items) == len(source.items), f"{len(source.items)} items in, {len(output.items)} out"
    parsed = _yaml_items(text)
    if parsed is not None:
        assert _yaml_items(stdout) == parsed, "the output no longer parses as many items as the input"
    _changes_are_as_reported(text, function_config, output)
    again = run(stdout.encode(), function_config)
    assert again.code == 0, f"a second run failed: {again.stderr}"
    assert [item.source for item in _read(again.stdout).items] == [item.source for item in output.items], (
        "a second run changed items"
    )
    return outcome


def results_of(output: str) -> list[dict[str, Any]]:
    """The `results` a ResourceList output ends with (its items may not parse)."""
    output = output.replace("\r\n", "\n")  # a CRLF input gets CRLF output
    _, separator, tail = output.rpartition("\nresults:\n")
    assert separator or output.startswith("results:\n"), "no results in a failed ResourceList"
    results = yamledit.load("results:\n" + (tail if separator else output[len("results:\n") :]))["results"]
    assert isinstance(results, list)
    return results


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _read(text: str | None) -> resourcelist.ResourceList | None:
    if text is None:
        return None
    try:
        return resourcelist.read(text)
    except resourcelist.InputError:
        return None


def _yaml_items(text: str) -> int | None:
    """How many items the text holds by a full parse, or None where it does not parse."""
    try:
        documents = yamledit.load_all(text)
    except yamledit.YamlError:
        return None
    if len(documents) == 1 and isinstance(documents[0], dict) and documents[0].get("kind") == "ResourceList":
        items = documents[0].get("items")
        return len(items) if isinstance(items, list) else None
    return sum(document is not None for document in documents)


def read_as_text(resource_list: resourcelist.ResourceList, text: str) -> bool:
    """Whether the items were cut out of the text (not written from a full parse)."""
    return all(item.source in text for item in resource_list.items)


def _changes_are_as_reported(text: str, function_config: Any, output: resourcelist.ResourceList) -> None:
    """Each item out equals its item in with the reported changes applied, and nothing else changed.

    The results come from the same run in-process, where each one still holds its item.
    """
    resource_list = resourcelist.read(text)
    before = [_value(item) for item in resource_list.items]
    changes: dict[int, list[tuple[str, Any]]] = {}
    for result in pipeline.run(resource_list, function_config):
        field = result.to_dict().get("field", {})
        if result.severity == "info" and result.item is not None and "proposedValue" in field:
            index = next(index for index, item in enumerate(resource_list.items) if item is result.item)
            changes.setdefault(index, []).append((field["path"], field["proposedValue"]))
    for index, (expected, item_in, item) in enumerate(zip(before, resource_list.items, output.items, strict=True)):
        actual = _value(item)
        if expected is _UNREADABLE or actual is _UNREADABLE:
            assert item.source.rstrip("\n") == item_in.source.rstrip("\n"), f"item {index}: an unreadable item changed"
            continue
        for path, value in changes.get(index, []):
            steps = parse_path(path)
            expected, actual = _opened(expected, steps), _opened(actual, steps)
            expected = _set(expected, steps, value)
            if value is None:
                actual = _set(actual, steps, None)
        assert expected == actual, f"{item.kind} {item.name}: the output is not the input with the reported changes"


_UNREADABLE: Any = object()


def _value(item: resourcelist.Item) -> Any:
    """A private copy of the item's value, or _UNREADABLE."""
    try:
        return copy.deepcopy(item.data)
    except resourcelist.ItemError:
        return _UNREADABLE


def parse_path(path: str) -> list[str | int | dict[str, str]]:
    """A result's field path (`a.b[name=x].c[k8s.v1/x][0]`) as steps: keys, indexes and selectors."""
    steps: list[str | int | dict[str, str]] = []
    for dotted, bracketed in _PATH_STEP.findall(path):
        if dotted:
            steps.append(dotted)
        elif bracketed.isdigit():
            steps.append(int(bracketed))
        elif "=" in bracketed:
            key, _, wanted = bracketed.partition("=")
            steps.append({key: wanted})
        else:
            steps.append(bracketed)
    return steps


_PATH_STEP = re.compile(r"(?:^|\.)([^.\[\]]+)|\[([^\]]*)\]")


def _opened(data: Any, steps: list[Any]) -> Any:
    """`data` with each string on the way to `steps` that holds YAML or JSON replaced by its value
    (Helm values and CNI configs are documents inside strings; a change may reach into them)."""
    if not steps:
        return data
    step, rest = steps[0], steps[1:]
    if isinstance(data, str) and isinstance(step, str):
        try:  # JSON first: it is not always YAML (a tab may indent JSON, never YAML)
            parsed = json.loads(data)
        except ValueError:
            try:
                parsed = yaml.safe_load(data)
            except yaml.YAMLError:
                return data
        if isinstance(parsed, dict):
            data = parsed
    if isinstance(data, dict) and isinstance(step, str) and step in data:
        data[step] = _opened(data[step], rest)
    elif isinstance(data, list):
        position = _position(data, step)
        if position is not None:
            data[position] = _opened(data[position], rest)
    return data


def _position(entries: list[Any], step: Any) -> int | None:
    if isinstance(step, int):
        return step if -len(entries) <= step < len(entries) else None
    if isinstance(step, dict):
        return next(
            (
                index
                for index, entry in enumerate(entries)
                if isinstance(entry, dict) and all(entry.get(key) == value for key, value in step.items())
            ),
            None,
        )
    return None


def _set(data: Any, steps: list[Any], value: Any) -> Any:
    """`data` with `value` at `steps`, making what is missing on the way; None removes the field."""
    if not steps:
        return value
    step, rest = steps[0], steps[1:]
    if isinstance(step, str):
        data = data if isinstance(data, dict) else {}
        if value is None and not rest:
            data.pop(step, None)
        else:
            data[step] = _set(data.get(step), rest, value)
        return data
    data = data if isinstance(data, list) else []
    position = _position(data, step)
    if position is None:
        data.append(_set(dict(step) if isinstance(step, dict) else None, rest, value))
    elif value is None and not rest:
        del data[position]
    else:
        data[position] = _set(data[position], rest, value)
    return data
