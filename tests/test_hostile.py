"""Hostile and broken input: nothing is lost, nothing crashes, nothing is executed (the README's Guarantees section).

Most tests run the whole command in-process through `cli.run_io`. The ones about crashes, time and
memory run `python3 -m krm_multus` as a subprocess, where a segfault, a hang or a runaway shows.
Outputs that carry hostile text are never parsed here as a whole: only their results section is.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from require import require

from krm_multus import cli, registry
from krm_multus.sdk import emit, yamledit

ROOT = Path(__file__).resolve().parent.parent
HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-multus-ds
  namespace: kube-system
spec:
  selector:
    matchLabels: {name: multus}
  template:
    metadata:
      labels: {name: multus}
    spec:
      containers:
      - name: kube-multus
        image: ghcr.io/k8snetworkplumbingwg/multus-cni:v4.2.2-thick
        command: ["/usr/src/multus-cni/bin/multus-daemon"]
        volumeMounts:
        - {name: host-run-netns, mountPath: /run/netns}
      volumes:
      - name: host-run-netns
        hostPath:
          path: /run/netns/
"""
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n  namespace: default\ndata:\n  key: value\n"
# Each level repeats the one before nine times: ten levels stand for 9**10 strings.
BILLION_LAUGHS = (
    "\n".join(
        ['laugh0: &laugh0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        + [f"laugh{level}: &laugh{level} [{', '.join([f'*laugh{level - 1}'] * 9)}]" for level in range(1, 10)]
    )
    + "\n"
)
DEEP = 100_000  # far deeper than libyaml's recursive composer survives (it crashed near 30 000)


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str


def run(data: str | bytes, function_config: object = None) -> Run:
    """The whole command in-process."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_io(data.encode() if isinstance(data, str) else data, out, err, function_config)
    return Run(code, out.getvalue(), err.getvalue())


def run_process(data: str | bytes, *args: str, timeout: float = 30, env: dict[str, str] | None = None) -> Run:
    """The whole command as a process; a crash shows as a negative exit code."""
    done = subprocess.run(
        [sys.executable, "-m", "krm_multus", *args],
        input=data.encode() if isinstance(data, str) else data,
        capture_output=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
        env=env,
    )
    return Run(done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace"))


def resource_list(*documents: str, header: str = "") -> str:
    entries = "".join("- " + textwrap.indent(document, "  ")[2:] for document in documents)
    return f"{HEADER}{header}items:\n{entries}"


def stream(*documents: str) -> str:
    return "---\n".join(documents)


def with_metadata(document: str, lines: str) -> str:
    """`document` with `lines` added at the top of its `metadata`."""
    return document.replace("metadata:\n", "metadata:\n" + textwrap.indent(lines, "  "), 1)


def results_of(output: str) -> list[dict]:
    """The results section of a ResourceList output (the rest may be hostile to a parser)."""
    assert output.startswith(HEADER) or "\nkind: ResourceList\n" in output, output[:300]
    return yaml.safe_load("results:\n" + output.rsplit("\nresults:\n", 1)[1])["results"]


def refused(result: Run, *words: str, is_list: bool) -> str:
    """Exit 1, no traceback, an error line naming the problem; the same error in the ResourceList's
    results, or nothing at all on stdout for a stream. Returns the error line."""
    assert result.code == 1, result
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("[error]")]
    line = next((line for line in errors if all(word in line for word in words)), None)
    assert line is not None, f"no error line with {words} in:\n{result.stderr}"
    if is_list:
        messages = [r["message"] for r in results_of(result.stdout) if r["severity"] == "error"]
        assert any(all(word in message for word in words) for message in messages), messages
        assert all("\n" not in message for message in messages)
    else:
        assert result.stdout == ""
    return line


def passed_through(result: Run, *texts: str) -> None:
    """Exit 0 and each text in the output byte for byte."""
    assert result.code == 0, result.stderr
    for text in texts:
        assert text in result.stdout


# -- 1. not YAML, not UTF-8, not a ResourceList, not resources ----------------------------------

BROKEN = {
    "stream not YAML": (
        stream(CONFIGMAP, "apiVersion: v1\nkind: Secret\nmetadata: {name: [oops\n"),
        ("item 1", "not valid YAML", "line 4"),
        False,
    ),
    "list item not YAML": (
        resource_list(CONFIGMAP, "apiVersion: v1\nkind: Secret\nmetadata: {name: s,\n  labels: {a: [\n"),
        ("item 1", "not valid YAML", "line 5"),
        True,
    ),
    "control characters": ("\x00\x01\x02 junk \x07\x1b[31m", ("item 0", "line 1", "character 0x0000"), False),
    "invalid UTF-8 in a stream": (CONFIGMAP.encode() + b"  bad: \xff\xfe\n", ("not UTF-8", "line 8"), False),
    "invalid UTF-8 in a list": (
        resource_list(CONFIGMAP).encode() + b"  bad: \xc3\x28\n",
        ("not UTF-8", "line 11"),
        True,
    ),
    "random bytes": (random.Random(6).randbytes(4096), ("not UTF-8", "byte"), False),
    "items is a number": (HEADER + "items: 5\n", ("`items`", "list"), True),
    "items is a string": (HEADER + "items: many\n", ("`items`", "list"), True),
    "items is a mapping": (HEADER + "items:\n  a: 1\n", ("`items`", "list"), True),
    "items is a flow mapping": (HEADER + "items: {a: 1}\n", ("`items`", "list"), True),
    "results is a mapping": (HEADER + "items: []\nresults: {a: 1}\n", ("`results`", "list, not dict"), True),
    "results is a number": (HEADER + "items: []\nresults: 5\n", ("`results`", "list, not int"), True),
    "item is a number": (resource_list(CONFIGMAP, "5\n"), ("item 1", "not a mapping"), True),
    "item is a list": (resource_list("[a, b]\n", CONFIGMAP), ("item 0", "not a mapping"), True),
    "item is text": (resource_list(CONFIGMAP, "just text\n"), ("item 1", "not a mapping"), True),
    "stream document is a list": (stream(CONFIGMAP, "- a\n- b\n"), ("item 1", "not a mapping"), False),
    "no apiVersion": (resource_list(CONFIGMAP.replace("apiVersion: v1\n", "")), ("item 0", "apiVersion"), True),
    "no kind": (stream(CONFIGMAP, CONFIGMAP.replace("kind: ConfigMap\n", "")), ("item 1", "kind"), False),
    "no metadata": (resource_list("apiVersion: v1\nkind: X\nspec: {}\n"), ("item 0", "metadata.name"), True),
    "empty name": (resource_list(CONFIGMAP.replace("name: other", "name: ''")), ("item 0", "metadata.name"), True),
    "name only in labels": (
        resource_list("apiVersion: v1\nkind: X\nmetadata:\n  labels:\n    name: x\n"),
        ("item 0", "metadata.name"),
        True,
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_input_is_one_clear_error(case: str) -> None:
    data, words, is_list = BROKEN[case]
    line = refused(run(data), *words, is_list=is_list)
    assert len(line) < 300


@pytest.mark.parametrize("case", ["stream not YAML", "invalid UTF-8 in a list", "items is a mapping", "no kind"])
def test_broken_input_as_a_process(case: str) -> None:
    data, words, is_list = BROKEN[case]
    refused(run_process(data), *words, is_list=is_list)


def test_a_syntax_error_deep_in_an_untouched_item_passes_through() -> None:
    """Items the function does not need are never parsed: their text, right or wrong, is kept as it is."""
    broken = CONFIGMAP + "  other: {a: [\n"
    passed_through(run(resource_list(broken, DAEMONSET)), textwrap.indent(broken, "  ")[2:])


def test_empty_stdin_is_an_empty_stream() -> None:
    assert run_process(b"")[:2] == (0, "")
    blank = "\n# nothing here\n---\n"
    assert run(blank)[:2] == (0, blank)


def test_an_empty_resource_list_stays_empty() -> None:
    result = run(HEADER + "items: []\n")
    assert result.code == 0 and result.stdout.startswith(HEADER + "items: []\n")


# -- 2. tags that construct objects ---------------------------------------------------------------


def object_tags(marker: Path) -> str:
    """Labels whose tags would run code or build objects if a loader honoured them."""
    return textwrap.dedent(f"""\
        labels:
          run: !!python/object/apply:os.system ["touch {marker}"]
          new: !!python/object/new:subprocess.check_output [["touch", "{marker}"]]
          name: !!python/name:os.system
          custom: !vendor/thing {{a: 1}}
          binary: !!binary aGVsbG8=
        """)


@pytest.mark.parametrize("make", [resource_list, stream], ids=["list", "stream"])
def test_object_tags_in_untouched_items_pass_through_as_text(tmp_path: Path, make: types.FunctionType) -> None:
    marker = tmp_path / "executed"
    hostile = with_metadata(CONFIGMAP, object_tags(marker))
    result = run_process(make(hostile, DAEMONSET))
    passed_through(result, textwrap.indent(hostile, "  ")[2:] if make is resource_list else hostile)
    assert not marker.exists()


@pytest.mark.parametrize("make", [resource_list, stream], ids=["list", "stream"])
def test_object_tags_in_the_daemonset_are_an_error_naming_it(tmp_path: Path, make: types.FunctionType) -> None:
    marker = tmp_path / "executed"
    result = run_process(make(CONFIGMAP, with_metadata(DAEMONSET, object_tags(marker))))
    line = refused(result, "item 1", "python/object", is_list=make is resource_list)
    assert "DaemonSet" in line
    assert not marker.exists()


def test_a_custom_tag_in_the_daemonset_is_an_error() -> None:
    daemonset = with_metadata(DAEMONSET, "labels: !vendor/labels {a: b}\n")
    refused(run(resource_list(daemonset)), "item 0", "!vendor/labels", is_list=True)


def test_object_tags_in_the_function_config_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    config = f'functionConfig: !!python/object/apply:os.system ["touch {marker}"]\n'
    refused(run_process(resource_list(DAEMONSET, header=config)), "python/object", is_list=True)
    assert not marker.exists()


# -- 3. alias bombs and deep nesting -----------------------------------------------------------------


def laughs_under(document: str, key: str = "laughs") -> str:
    return with_metadata(document, f"{key}:\n" + textwrap.indent(BILLION_LAUGHS, "  "))


@pytest.mark.parametrize("make", [resource_list, stream], ids=["list", "stream"])
def test_alias_bomb_in_an_untouched_item_passes_through(make: types.FunctionType) -> None:
    bomb = laughs_under(CONFIGMAP)
    started = time.monotonic()
    result = run(make(DAEMONSET, bomb))
    passed_through(result, BILLION_LAUGHS.splitlines()[-1])
    assert time.monotonic() - started < 5


def test_alias_bomb_in_the_daemonset_is_refused() -> None:
    started = time.monotonic()
    refused(run(resource_list(CONFIGMAP, laughs_under(DAEMONSET))), "item 1", "alias", is_list=True)
    assert time.monotonic() - started < 5


def test_alias_bomb_where_the_daemonset_is_read_is_refused() -> None:
    """The command list aliases a bomb: reading it must not expand it (nor join its words)."""
    daemonset = laughs_under(DAEMONSET).replace(
        'command: ["/usr/src/multus-cni/bin/multus-daemon"]', "command: *laugh9"
    )
    started = time.monotonic()
    result = run_process(stream(daemonset), timeout=20)
    refused(result, "item 0", "alias", is_list=False)
    assert time.monotonic() - started < 10


def test_an_alias_inside_its_own_anchor_is_refused_where_read_and_kept_where_not() -> None:
    looped = "loop: &loop [a, *loop]\n"
    result = run(resource_list(with_metadata(CONFIGMAP, looped), with_metadata(DAEMONSET, looped)))
    refused(result, "item 1", "the alias *loop is inside its own anchor", is_list=True)
    assert result.stdout.startswith(resource_list(with_metadata(CONFIGMAP, looped)))


@pytest.mark.parametrize("where", ["flow list", "function config"])
def test_alias_bomb_in_a_fully_parsed_input_is_refused(where: str) -> None:
    flow_laughs = "{" + ", ".join(BILLION_LAUGHS.splitlines()) + "}"
    if where == "flow list":
        data = (
            f"{{apiVersion: config.kubernetes.io/v1, kind: ResourceList, items: [{{apiVersion: v1, "
            f"kind: ConfigMap, metadata: {{name: x}}, data: {flow_laughs}}}]}}\n"
        )
    else:
        config = "{apiVersion: krm-multus.dev/v1alpha1, kind: MultusTalos, metadata: {name: x}, spec: {}, "
        data = resource_list(DAEMONSET, header=f"functionConfig: {config}laughs: {flow_laughs}}}\n")
    started = time.monotonic()
    refused(run_process(data, timeout=20), "alias", is_list=True)
    assert time.monotonic() - started < 10


def deep(kind: str) -> str:
    if kind == "flow":
        return "[" * DEEP + "]" * DEEP
    if kind == "mapping":
        return "{a: " * DEEP + "b" + "}" * DEEP
    return "\n  " + "- " * DEEP + "x"  # block sequences, each the first entry of the one before


@pytest.mark.parametrize("kind", ["flow", "mapping", "block"])
@pytest.mark.parametrize("make", [resource_list, stream], ids=["list", "stream"])
def test_deep_nesting_in_an_untouched_item_passes_through(kind: str, make: types.FunctionType) -> None:
    nested = CONFIGMAP.replace("  key: value\n", f"  key: {deep(kind)}\n")
    result = run_process(make(DAEMONSET, nested))
    passed_through(result, textwrap.indent(nested, "  ")[2:] if make is resource_list else nested)


@pytest.mark.parametrize("kind", ["flow", "block"])
def test_deep_nesting_in_the_daemonset_is_refused(kind: str) -> None:
    nested = with_metadata(DAEMONSET, f"labels: {deep(kind)}\n")
    # Our own bound or libyaml's (PyYAML 6.0.4 stops deep flow nests itself) may speak first, each
    # naming the line where it stopped: either way the run is refused, naming the item and a line.
    refused(run_process(resource_list(CONFIGMAP, nested)), "item 1", "line ", is_list=True)


@pytest.mark.parametrize(
    "nested",
    [
        "[a: " * 150 + "x" + "]" * 150,  # each `[` opens a sequence and a one-pair mapping in it
        "\n" + "".join(f"{' ' * 4 * level}- - a{level}:\n" for level in range(70)) + " " * 281 + "x",
    ],
    ids=["flow pairs", "compact block"],
)
def test_nesting_just_past_the_limit_is_refused(nested: str) -> None:
    """Below the limit the text is not scanned: the cheap bound must never undercount."""
    daemonset = with_metadata(DAEMONSET, "labels:" + textwrap.indent(nested, "  ") + "\n")
    refused(run(stream(daemonset)), "item 0", "nested more than 200", is_list=False)


@pytest.mark.parametrize("where", ["flow list", "function config", "json"])
def test_deep_nesting_in_a_fully_parsed_input_is_refused(where: str) -> None:
    if where == "flow list":
        data = "{apiVersion: config.kubernetes.io/v1, kind: ResourceList, items: " + deep("flow") + "}"
    elif where == "json":
        data = '{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [' + deep("flow") + "]}"
    else:
        data = resource_list(DAEMONSET, header=f"functionConfig: {deep('mapping')}\n")
    refused(run_process(data), "line ", is_list=True)


def test_deep_nesting_in_a_config_file_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(deep("flow"))
    result = run_process(stream(DAEMONSET), "--config", str(config))
    assert result.code == 2 and result.stdout == ""
    assert str(config) in result.stderr and "line 1:" in result.stderr


# -- 4. duplicate keys --------------------------------------------------------------------------------


def test_duplicate_keys_in_the_daemonset_are_an_error_naming_the_key() -> None:
    daemonset = DAEMONSET.replace(
        "      containers:\n", "      hostNetwork: true\n      hostNetwork: false\n      containers:\n"
    )
    line = refused(run(stream(CONFIGMAP, daemonset)), "item 1", "duplicate key", "hostNetwork", is_list=False)
    assert "line 14" in line


def test_duplicate_keys_in_an_untouched_item_pass_through() -> None:
    twice = CONFIGMAP + "  key: again\n"
    passed_through(run(resource_list(twice, DAEMONSET)), textwrap.indent(twice, "  ")[2:])


def test_duplicate_items_in_a_resource_list_are_refused() -> None:
    """Keeping the last `items` would drop every item of the first one."""
    data = resource_list(CONFIGMAP) + "items:\n- " + textwrap.indent(DAEMONSET, "  ")[2:]
    refused(run(data), "duplicate key", "items", is_list=True)


def test_duplicate_keys_in_a_fully_parsed_input_are_refused() -> None:
    """On the full-parse path items are written from their parse: a duplicate would lose a value."""
    data = (
        '{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [{"apiVersion": "v1", '
        '"kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "1", "a": "2"}}]}'
    )
    refused(run(data), "duplicate key", "'a'", is_list=True)


def test_duplicate_keys_in_the_function_config_are_refused() -> None:
    config = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  kind: Other\n"
    refused(run(resource_list(DAEMONSET, header=config)), "duplicate key", "kind", is_list=True)


# -- edits that the item's shape does not allow -------------------------------------------------------

RESOURCES_LINE = '        command: ["/usr/src/multus-cni/bin/multus-daemon"]\n'


def test_a_field_of_the_wrong_type_is_an_error_naming_the_item() -> None:
    daemonset = DAEMONSET.replace(RESOURCES_LINE, RESOURCES_LINE + "        resources: 0\n")
    refused(
        run(stream(CONFIGMAP, daemonset)),
        "item 1",
        "`spec.template.spec.containers[name=kube-multus].resources`",
        "not a mapping",
        is_list=False,
    )


def test_an_edit_that_would_corrupt_the_item_is_not_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit whose text would not read back (here every scalar the editor writes is broken on
    purpose) gets an error naming the item and is not made: the output never carries broken YAML."""
    broken = types.SimpleNamespace(block=emit.block, flow=emit.flow, scalar=lambda value, style=None: "'unclosed")
    monkeypatch.setattr(yamledit, "emit", broken)
    result = run(resource_list(DAEMONSET))
    refused(result, "item 0", "unreadable", "it was not made", is_list=True)
    assert "'unclosed" not in result.stdout
    [daemonset] = yaml.safe_load(result.stdout)["items"]  # the other edits, made without a scalar, stand
    assert daemonset["spec"]["template"]["spec"]["volumes"][-1]["hostPath"]["path"] == "/run/netns/"


# -- 5. large inputs ------------------------------------------------------------------------------

# The peak resident memory of the process itself: VmHWM starts afresh at exec, where ru_maxrss
# would carry over the peak of the test process that forked it.
MEASURE = """\
import sys
from krm_multus import cli
code = cli.main([])
sys.stdout.flush()
print(next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")), file=sys.stderr)
sys.exit(code)
"""


def peak_kib(data: str) -> tuple[Run, int]:
    require(None if Path("/proc/self/status").exists() else "needs Linux /proc to measure peak memory")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE], input=data.encode(), capture_output=True, timeout=60, cwd=ROOT, check=False
    )
    stderr = done.stderr.decode()
    peak = int(stderr.rsplit("VmHWM:", 1)[1].split()[0])
    return Run(done.returncode, done.stdout.decode(), stderr), peak


@pytest.fixture(scope="module")
def baseline_kib() -> int:
    return peak_kib(stream(DAEMONSET))[1]


def test_a_5_mb_single_line_value_passes_through_in_bounded_memory(baseline_kib: int) -> None:
    big = CONFIGMAP.replace("value", "v" * 5_000_000)
    data = resource_list(big, DAEMONSET)
    result, peak = peak_kib(data)
    passed_through(result, textwrap.indent(big, "  ")[2:])
    assert peak - baseline_kib < 4 * len(data) / 1024


def test_a_5_mb_value_in_the_daemonset_is_edited_in_bounded_memory(baseline_kib: int) -> None:
    value = "x" * 5_000_000
    data = stream(with_metadata(DAEMONSET, f"annotations:\n  huge: {value}\n"))
    result, peak = peak_kib(data)
    assert result.code == 0 and value in result.stdout and "path: /var/run/netns/" in result.stdout
    # An edited item is held a few times over: as read, as edited, as parsed and composed.
    assert peak - baseline_kib < 10 * len(data) / 1024


@pytest.mark.parametrize("make", [resource_list, stream], ids=["list", "stream"])
def test_a_list_of_tens_of_megabytes_passes_through_in_bounded_memory(
    baseline_kib: int, make: types.FunctionType
) -> None:
    many = [
        CONFIGMAP.replace("name: other", f"name: cm-{index}").replace("value", "v" * 450) for index in range(40_000)
    ]
    data = make(*many[:20_000], DAEMONSET, *many[20_000:])
    assert len(data) > 20_000_000
    result, peak = peak_kib(data)
    assert result.code == 0
    assert result.stdout.count("name: cm-") == 40_000 and data[-2000:] in result.stdout
    assert peak - baseline_kib < 4 * len(data) / 1024


# -- 6. output only once processing is complete -------------------------------------------------------


class Crash:
    """A transform that edits the DaemonSet and then fails."""

    NAME = "crash"

    @staticmethod
    def apply(items: list, config: dict, report: object) -> types.GeneratorType:
        for item in items:
            if item.is_a("DaemonSet", "apps"):
                item.doc.set(("metadata", "labels"), {"half": "done"})
        yield from ()
        raise RuntimeError("boom")


@pytest.fixture
def crashing_transform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "crash_transform", Crash)  # where the engine imports it from
    crash = registry.Module("transform", "crash", "crash_transform", ())
    monkeypatch.setattr(registry, "TRANSFORMS", (*registry.TRANSFORMS[:2], crash, *registry.TRANSFORMS[2:]))


def test_a_transform_that_crashes_fails_the_stream_without_output(crashing_transform: None) -> None:
    result = run(stream(CONFIGMAP, DAEMONSET))
    refused(result, "crash", "boom", is_list=False)


def test_a_transform_that_crashes_is_an_error_result_in_a_complete_list(crashing_transform: None) -> None:
    result = run(resource_list(CONFIGMAP, DAEMONSET))
    refused(result, "crash", "boom", is_list=True)
    assert yaml.safe_load(result.stdout)["items"][0] == yaml.safe_load(CONFIGMAP)


def test_the_output_is_utf8_whatever_the_locale_says() -> None:
    """An encoding that cannot write a character must not stop the output half way."""
    data = stream(CONFIGMAP.replace("value", "v" * 200_000), CONFIGMAP.replace("value", '"h\u00e9llo \u2713"'))
    result = run_process(data, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert (result.code, result.stdout) == (0, data)


def test_a_failure_while_writing_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_block(*args: object, **kwargs: object) -> str:
        raise RuntimeError("cannot write")

    monkeypatch.setattr(emit, "block", broken_block)
    stdout, stderr = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(resource_list(DAEMONSET).encode())))
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    assert cli.main([]) == 1
    assert stdout.getvalue() == ""
    assert "cannot write" in stderr.getvalue() and "nothing was written" in stderr.getvalue()


def test_an_init_container_image_that_is_a_list_does_not_break_the_cilium_transform() -> None:
    """Found by the fuzzer: beside Cilium on Talos 1.9, an init container whose `image` is a list made
    the archived-image advice crash (it compared containers as hashable pairs)."""
    cilium = (
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: cilium\n  namespace: kube-system\nspec:\n"
        "  template:\n    spec:\n      containers:\n      - name: cilium-agent\n"
        "        image: quay.io/cilium/cilium:v1.16.0\n"
    )
    daemonset = DAEMONSET.replace(
        "      containers:\n", "      initContainers:\n      - name: odd\n        image: []\n      containers:\n"
    )
    config = {
        "apiVersion": "krm-multus.dev/v1alpha1",
        "kind": "MultusTalos",
        "metadata": {"name": "x"},
        "spec": {"talos": {"version": "v1.9.0"}},
    }
    result = run(stream(cilium, daemonset), config)
    assert "failed" not in result.stderr, result.stderr
    assert "/var/run/netns/" in result.stdout


def test_a_daemonset_entry_followed_by_a_stray_tab_is_not_edited() -> None:
    """Found by the fuzzer: the entry as it stands in the list (a tab line after it) does not parse,
    though the entry alone would; the DaemonSet must be refused as unreadable, not edited."""
    text = resource_list(CONFIGMAP, DAEMONSET) + "\t"
    result = run(text)
    assert result.code == 1
    assert "/var/run/netns/" not in result.stdout
    assert any("cannot be read" in r["message"] for r in results_of(result.stdout))


# Text a DaemonSet's document reads, although its list entry, the same lines moved right, does not:
# what YAML reads at a line start whatever the indentation (cut at `\n` alone, as `textwrap` does not).
READS_ONLY_AT_A_LINE_START = {
    "a document start": "---\n" + DAEMONSET,
    "a directive": "%YAML 1.1\n---\n" + DAEMONSET,
    "a document end": DAEMONSET + "...\n",
    "a byte order mark": DAEMONSET + "extra:\n\ufeff- x\n",
    **{
        f"a line break {name}": DAEMONSET.replace("  namespace: kube-system\n", f"  namespace: x{brk}extra: 1\n")
        for name, brk in (("CR", "\r"), ("NEL", "\x85"), ("LS", "\u2028"), ("PS", "\u2029"))
    },
}


@pytest.mark.parametrize("case", READS_ONLY_AT_A_LINE_START)
def test_a_daemonset_is_read_as_its_entry_stands_not_as_its_document(case: str) -> None:
    """The engine reads a DaemonSet from the document it edits only where the entry reads the same:
    these entries do not parse, so the DaemonSet is refused as unreadable, not edited."""
    entry = "".join(
        f"- {line}\n" if index == 0 else f"  {line}\n" if line else "\n"
        for index, line in enumerate(READS_ONLY_AT_A_LINE_START[case].split("\n")[:-1])
    )
    assert yamledit.load(READS_ONLY_AT_A_LINE_START[case])  # the document alone reads
    result = run(resource_list(CONFIGMAP) + entry)
    assert result.code == 1
    assert "/var/run/netns/" not in result.stdout
    assert any("DaemonSet that cannot be read" in r["message"] for r in results_of(result.stdout))
