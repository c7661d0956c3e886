"""What must hold for any input bytes at all, checked on the whole command run in-process.

`check(data)` runs `cli.run_io` and raises AssertionError (with the reason) when the run:
- raised, or exited with anything but 0 or 1, or reported an internal error;
- wrote anything on stdout for a stream that failed;
- failed on a ResourceList without an error result in what it wrote (when it wrote anything);
- succeeded with an output that does not read back as the same number of items in the same form,
  that no longer parses where the input parsed, or that changed an item without a result saying so;
- changes anything when run again on its own output;
- had a transform or check fail (unless that is allowed: see `check`).
"""

from __future__ import annotations

import io
from typing import Any, NamedTuple

from krm_multus import cli
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


def check(data: bytes, function_config: Any = None, modules_may_fail: bool = False) -> Outcome:
    """Run the command on `data` and assert every invariant; the outcome, for further checks.

    A transform or check that raises becomes an error result and exit 1, which keeps the command's
    guarantees; `modules_may_fail` accepts that, otherwise it fails the check too (the bug is the
    module's, and this is how its owner hears of it).
    """
    outcome = run(data, function_config)
    code, stdout, stderr = outcome
    assert code in (0, 1), f"exit code {code}"
    for line in stderr.splitlines():
        assert line.startswith("["), f"stderr line that is not a result: {line!r}"
        assert modules_may_fail or MODULE_FAILED not in line, line
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
    if read_as_text(source, text):
        _changes_are_reported(source, output, stderr)
    again = run(stdout.encode(), function_config)
    assert again.code == 0, f"a second run failed: {again.stderr}"
    assert [item.source for item in _read(again.stdout).items] == [item.source for item in output.items], (
        "a second run changed items"
    )
    return outcome


def results_of(output: str) -> list[dict[str, Any]]:
    """The `results` a ResourceList output ends with (its items may not parse)."""
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


def _changes_are_reported(source: resourcelist.ResourceList, output: resourcelist.ResourceList, stderr: str) -> None:
    """An item that changed has a result naming it (on stderr, one line each, for both forms)."""
    for before, after in zip(source.items, output.items, strict=True):
        if before.source.rstrip("\n") == after.source.rstrip("\n"):  # the last item may gain its line end
            continue
        named = f"] {after.kind} "
        assert any(named in line and after.name in line for line in stderr.splitlines()), (
            f"{after.kind} {after.name} changed without a result naming it"
        )
