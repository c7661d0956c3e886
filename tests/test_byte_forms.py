"""Every byte form that editors and tools write (issue 13): read as YAML reads it, kept, never corrupted.

Each form is run next to its plain twin (LF, no mark, no directive): the function must do the same
thing to both, and the form's own bytes must come back where the function changed nothing.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from test_hostile import CONFIGMAP, DAEMONSET, HEADER, ROOT, refused, resource_list, results_of, run, stream

from krm_multus.sdk import resourcelist, yamledit
from krm_multus.sdk.yamledit import Document, YamlError

FIXED = "path: /var/run/netns/"
NETNS = ("spec", "template", "spec", "volumes", 0, "hostPath", "path")


def netns_of(output: str, index: int = -1) -> object:
    """The netns hostPath of the DaemonSet in a stream output (read by PyYAML, not by the function)."""
    documents = [document for document in yaml.safe_load_all(output) if document]
    volume = documents[index]["spec"]["template"]["spec"]["volumes"][0]
    return volume["hostPath"]["path"] if isinstance(volume.get("hostPath"), dict) else volume.get("hostPath")


# -- 1. a byte order mark: the edit lands where it should, or is not made ----------------------


def test_a_byte_order_mark_before_a_stream_is_kept_and_the_edit_lands_right() -> None:
    plain = run(stream(CONFIGMAP, DAEMONSET))
    marked = run("\ufeff" + stream(CONFIGMAP, DAEMONSET))
    assert marked.code == plain.code == 0
    assert marked.stdout == "\ufeff" + plain.stdout
    assert netns_of(marked.stdout.lstrip("\ufeff")) == "/var/run/netns/"


def test_a_byte_order_mark_in_the_middle_of_a_stream_is_kept_and_the_edit_lands_right() -> None:
    """`cat a.yaml b.yaml` where b.yaml was saved with a mark."""
    plain = run(stream(CONFIGMAP, DAEMONSET))
    marked = run(stream(CONFIGMAP, "\ufeff" + DAEMONSET))
    assert marked.code == 0
    assert marked.stdout == plain.stdout.replace("---\n", "---\n\ufeff")
    assert netns_of(marked.stdout.replace("\ufeff", "")) == "/var/run/netns/"


def test_a_byte_order_mark_before_a_resource_list_keeps_comments_and_lands_right() -> None:
    text = resource_list(CONFIGMAP, DAEMONSET.replace("spec:\n  selector", "spec:  # keep me\n  selector"))
    plain = run(text)
    marked = run("\ufeff" + text)
    assert marked.code == 0
    assert marked.stdout == "\ufeff" + plain.stdout
    assert "# keep me" in marked.stdout and FIXED in marked.stdout


def test_an_edit_whose_positions_are_off_is_refused_and_the_text_kept() -> None:
    """The guarantee under every edit: the edited text must read back as exactly the intended value.

    A document handed over with its mark still on it puts every position the C parser reports one
    character early; the editor must notice instead of writing a corrupted value."""
    text = "\ufeffspec:\n  hostPath:\n    path: /run/netns/\n  other: kept\n"
    document = Document(text)
    with pytest.raises(YamlError, match=r"spec\.hostPath\.path"):
        document.set(("spec", "hostPath", "path"), "/var/run/netns/")
    assert document.text == text


def test_a_config_value_that_reads_otherwise_in_a_flow_mapping_is_refused_and_the_item_kept() -> None:
    """A path with a comma is one string on its own and two keys inside `{...}`: the result must
    not say the path was set while the output holds another value."""
    daemonset = DAEMONSET.replace(
        "hostPath:\n          path: /run/netns/", "hostPath: {path: /run/netns/, type: Directory}"
    )
    config = {**TYPED, "spec": {"netns": {"path": "/var/run/netns/,x"}, "installBinary": {"enabled": False}}}
    result = run(resource_list(CONFIGMAP, daemonset), config)
    refused(result, "hostPath.path", "cannot be edited safely", is_list=True)
    assert "hostPath: {path: /run/netns/, type: Directory}" in result.stdout


def test_an_edit_of_a_value_an_alias_shares_is_refused_and_the_text_kept() -> None:
    text = "a: &shared\n  p: 1\nb: *shared\n"
    document = Document(text)
    with pytest.raises(YamlError, match=r"a\.p"):
        document.set(("a", "p"), 2)
    assert document.text == text


def test_anchors_elsewhere_in_a_document_do_not_block_an_edit() -> None:
    """Issue 12.2: only the edited node and its parents matter."""
    document = Document("a: &x 1\nb: *x\nc:\n  d: 1  # note\n")
    assert document.set(("c", "d"), 2)
    assert document.text == "a: &x 1\nb: *x\nc:\n  d: 2  # note\n"
    assert document.set(("c", "e"), "new")
    assert yaml.safe_load(document.text) == {"a": 1, "b": 1, "c": {"d": 2, "e": "new"}}


# -- 2. CRLF -------------------------------------------------------------------------------------


def test_a_crlf_stream_is_read_and_written_with_crlf() -> None:
    plain = run(stream(CONFIGMAP, DAEMONSET))
    crlf = run(stream(CONFIGMAP, DAEMONSET).replace("\n", "\r\n"))
    assert crlf.code == 0, crlf.stderr
    assert crlf.stdout == plain.stdout.replace("\n", "\r\n")


def test_a_crlf_resource_list_comes_back_as_a_resource_list_with_crlf() -> None:
    text = resource_list(CONFIGMAP, DAEMONSET.replace("spec:\n  selector", "spec:  # keep me\n  selector"))
    plain = run(text)
    crlf = run(text.replace("\n", "\r\n"))
    assert crlf.code == 0, crlf.stderr
    assert crlf.stdout == plain.stdout.replace("\n", "\r\n")


def test_mixed_line_endings_keep_each_item_as_it_was() -> None:
    """`cat` of a Windows file and a Unix file: each item keeps its own line endings."""
    windows = CONFIGMAP.replace("\n", "\r\n")
    result = run(windows + "---\n" + DAEMONSET)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(windows + "---\n")
    assert FIXED in result.stdout and "\r" not in result.stdout[len(windows) :]
    edited_windows = run(CONFIGMAP + "---\r\n" + DAEMONSET.replace("\n", "\r\n"))
    assert edited_windows.stdout.startswith(CONFIGMAP + "---\r\n")
    assert FIXED + "\r\n" in edited_windows.stdout


def test_a_lone_crlf_separator_does_not_hide_the_daemonset() -> None:
    result = run(CONFIGMAP + "---\r\n" + DAEMONSET)
    assert result.code == 0, result.stderr
    assert netns_of(result.stdout) == "/var/run/netns/"


# -- 3. directives and document markers ---------------------------------------------------------

STREAM_FORMS = {
    "%YAML directive": ("%YAML 1.1\n---\n", "---\n"),
    "%TAG directive": ("%TAG !k! tag:example.com,2026:\n---\n", "---\n"),
    "document end": ("...\n---\n", "---\n"),
    "separator with a comment": ("--- # the DaemonSet\n", "---\n"),
}


@pytest.mark.parametrize("form", STREAM_FORMS)
def test_stream_directives_and_markers_are_read_like_their_plain_twin(form: str) -> None:
    marker, twin = STREAM_FORMS[form]
    plain = run(CONFIGMAP + twin + DAEMONSET)
    marked = run(CONFIGMAP + marker + DAEMONSET)
    assert marked.code == 0, marked.stderr
    assert marked.stdout == plain.stdout.replace(twin, marker, 1)


FLOW = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}\n'


@pytest.mark.parametrize(
    "text",
    [CONFIGMAP + "--- " + FLOW + "---\n" + DAEMONSET, CONFIGMAP + "--- !!map\n" + DAEMONSET],
    ids=["--- {flow}", "--- !!map"],
)
def test_a_document_that_starts_on_its_separator_line_is_an_item(text: str) -> None:
    """`--- {flow}` and `--- !!map` start a document: the DaemonSet after them is not swallowed."""
    result = run(text)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(text.split("apiVersion: apps/v1")[0])
    assert netns_of(result.stdout) == "/var/run/netns/"


RESOURCE_LIST_FORMS = {
    "%YAML directive": lambda text: "%YAML 1.1\n---\n" + text,
    "separator with a comment": lambda text: "--- # from kpt\n" + text,
    "document end": lambda text: text + "...\n",
    "quoted keys": lambda text: text.replace("kind: ResourceList", '"kind": ResourceList').replace(
        "\nitems:", "\n'items':"
    ),
    "space before the colon": lambda text: text.replace("apiVersion: config", "apiVersion : config"),
}


@pytest.mark.parametrize("form", RESOURCE_LIST_FORMS)
def test_resource_list_variants_keep_comments_and_come_back_as_a_list(form: str) -> None:
    commented = DAEMONSET.replace("spec:\n  selector", "spec:  # keep me\n  selector")
    text = RESOURCE_LIST_FORMS[form](resource_list(CONFIGMAP, commented))
    result = run(text)
    assert result.code == 0, result.stderr
    assert "# keep me" in result.stdout and FIXED in result.stdout
    output = yamledit.load_all(result.stdout)
    assert len(output) == 1 and output[0]["kind"] == "ResourceList" and output[0]["results"]


def test_what_yaml_itself_rejects_is_refused_with_the_line() -> None:
    refused(run(CONFIGMAP + "---\n%YAML 1.1\n%YAML 1.1\n---\n" + DAEMONSET), "line 10", is_list=False)


# -- 5. values PyYAML cannot build ---------------------------------------------------------------

UNBUILDABLE = {
    "impossible date": "2024-02-30",
    "huge integer": "9" * 5000,
    "int tag on text": "!!int abc",
}


@pytest.mark.parametrize("value", UNBUILDABLE.values(), ids=UNBUILDABLE)
def test_an_unbuildable_value_in_an_untouched_item_passes_through(value: str) -> None:
    other = CONFIGMAP.replace("key: value", f"key: {value}")
    result = run(stream(other, DAEMONSET))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(other) and FIXED in result.stdout


@pytest.mark.parametrize("value", UNBUILDABLE.values(), ids=UNBUILDABLE)
def test_an_unbuildable_value_in_the_daemonset_is_an_error_naming_its_line(value: str) -> None:
    daemonset = DAEMONSET.replace("  namespace: kube-system\n", f"  namespace: kube-system\n  labels: {{x: {value}}}\n")
    line = refused(run(resource_list(CONFIGMAP, daemonset)), "item 1", "line 6", is_list=True)
    assert "kube-multus-ds" in line
    refused(run(stream(CONFIGMAP, daemonset)), "item 1", "line 6", is_list=False)


# -- 7. duplicate identity keys ------------------------------------------------------------------


@pytest.mark.parametrize("form", ["stream", "list"])
def test_a_duplicate_kind_is_an_error_not_a_hidden_daemonset(form: str) -> None:
    twice = DAEMONSET.replace("kind: DaemonSet\n", "kind: ConfigMap\nkind: DaemonSet\n")
    text = stream(CONFIGMAP, twice) if form == "stream" else resource_list(CONFIGMAP, twice)
    refused(run(text), "item 1", "kind", is_list=form == "list")


@pytest.mark.parametrize("form", ["stream", "list"])
@pytest.mark.parametrize("key", ["apiVersion: v1", "kind: DaemonSet"])
def test_a_key_repeated_after_the_usual_start_is_an_error(form: str, key: str) -> None:
    """Every item starts with apiVersion, kind and metadata.name, as the cut reads them at once: a
    repeat further down one item must still make that item an error, in either form."""
    twice = CONFIGMAP + key + "\n"
    text = stream(twice, DAEMONSET) if form == "stream" else resource_list(twice, DAEMONSET)
    refused(run(text), "item 0", key.split(":")[0], is_list=form == "list")


def _items_at(indent: int, text: str) -> str:
    head, items = text.split("items:\n", 1)
    return head + "items:\n" + textwrap.indent(items, " " * indent, lambda line: line.startswith(("-", " ")))


@pytest.mark.parametrize("indent", [0, 2])
@pytest.mark.parametrize("line", ["# note\n", "\n", " # note\n", "\t# note\n", " x: 1\n", "\tx: 1\n", "-x\n"])
def test_a_line_left_of_the_entries_content_is_a_comment_or_blank_or_refused(indent: int, line: str) -> None:
    """Between and inside the entries of `items`, a line left of their content is an entry start, a
    comment or blank; anything else must not be cut around (YAML refuses it here)."""
    text = _items_at(indent, resource_list(CONFIGMAP, DAEMONSET)).replace(
        f"{' ' * indent}- apiVersion: apps/v1", f"{line}{' ' * indent}- apiVersion: apps/v1"
    )
    result = run(text)
    if line.strip() and not line.strip().startswith("#"):
        refused(result, "not valid YAML", is_list=True)
    else:
        assert result.code == 0 and FIXED in result.stdout, result.stderr
        assert result.stdout.startswith(text[: text.index(line) + len(line)])


# -- 11. crafted input cannot fake an item ------------------------------------------------------


def test_a_string_that_looks_like_an_item_is_not_cut_as_one() -> None:
    """The text after `x: "` is a string in a ConfigMap: the DaemonSet in it must not be edited."""
    fake = "- " + DAEMONSET.replace("\n", "\n  ").replace('"', "'").rstrip() + "\n"
    configmap = CONFIGMAP.replace("key: value", 'key: "\n' + fake + '"')
    text = HEADER + "items:\n- " + configmap.replace("\n", "\n  ").rstrip(" ")
    assert yaml.safe_load(text)["items"][0]["kind"] == "ConfigMap"  # what YAML sees: one item
    result = run(text)
    assert "/var/run/netns" not in result.stdout
    assert yaml.safe_load(result.stdout)["items"][0]["data"] == yaml.safe_load(text)["items"][0]["data"]


def test_a_separator_inside_a_string_is_refused_as_yaml_refuses_it() -> None:
    text = CONFIGMAP.replace("key: value", 'key: "x\n---\n' + DAEMONSET.replace('"', "'") + '"')
    result = run(text)
    assert "/var/run/netns" not in result.stdout
    assert result.code == 1


# -- issue 12: odd items do not sink the run -----------------------------------------------------


def test_an_item_with_generate_name_passes_through() -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: job-\nspec: {}\n"
    result = run(stream(pod, DAEMONSET))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(pod) and FIXED in result.stdout


def test_an_anchor_defined_twice_is_read_as_yaml_reads_it() -> None:
    """The later definition wins; the item passes through, and the DaemonSet with one is edited."""
    release = CONFIGMAP.replace("key: value", "a: &v one\n  b: &v two\n  c: *v")
    labels = "  labels: {a: &l x, b: &l y, c: *l}\n"
    daemonset = DAEMONSET.replace("  namespace: kube-system\n", "  namespace: kube-system\n" + labels)
    result = run(stream(release, daemonset))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(release) and FIXED in result.stdout
    assert yamledit.load(release)["data"]["c"] == "two"


def test_an_edit_of_an_aliased_field_is_one_result_and_the_item_is_kept() -> None:
    daemonset = DAEMONSET.replace(
        "path: /run/netns/\n",
        "path: &netns /run/netns/\n      - name: copy\n        hostPath: {path: *netns}\n"
        "      - name: redefined\n        hostPath: {path: &netns again}\n",
    )
    result = run(resource_list(CONFIGMAP, daemonset))
    errors = [r for r in results_of(result.stdout) if r["severity"] == "error"]
    assert len(errors) == 1, errors
    assert errors[0]["resourceRef"]["name"] == "kube-multus-ds"
    assert "hostPath.path" in errors[0]["message"] and "by hand" in errors[0]["message"]
    assert "path: &netns /run/netns/" in result.stdout


# -- 4. kind: List and JSON documents -------------------------------------------------------------

KUBECTL_LIST = (
    "apiVersion: v1\nkind: List\nitems:\n"
    + "".join("- " + document.replace("\n", "\n  ").rstrip(" ") for document in (CONFIGMAP, DAEMONSET))
    + "metadata:\n  resourceVersion: ''\n"
)


def test_a_kubectl_list_is_processed_and_written_back_as_a_list() -> None:
    result = run(KUBECTL_LIST)
    assert result.code == 0, result.stderr
    output = yaml.safe_load(result.stdout)
    assert output["kind"] == "List" and "results" not in output
    assert output["items"][1]["spec"]["template"]["spec"]["volumes"][0]["hostPath"]["path"] == "/var/run/netns/"
    assert result.stdout.startswith(KUBECTL_LIST.split("- apiVersion: apps/v1")[0])


def test_a_failing_kubectl_list_writes_nothing_like_a_stream() -> None:
    refused(run(KUBECTL_LIST.replace("name: other", "name: ''")), "item 0", "metadata.name", is_list=False)


def test_json_documents_separated_by_markers_are_read() -> None:
    import json

    documents = [yaml.safe_load(CONFIGMAP), yaml.safe_load(DAEMONSET)]
    result = run("---\n".join(json.dumps(document) + "\n" for document in documents))
    assert result.code == 0, result.stderr
    assert netns_of(result.stdout) == "/var/run/netns/"


# -- 5. the ResourceList header and earlier results -------------------------------------------------


def test_an_unbuildable_value_the_function_never_needs_in_the_header_is_ignored() -> None:
    result = run(resource_list(CONFIGMAP, DAEMONSET, header="annotations: {when: 2024-02-30}\n"))
    assert result.code == 0, result.stderr
    assert FIXED in result.stdout and "when: 2024-02-30" in result.stdout


def test_an_unbuildable_function_config_is_an_error_in_a_complete_resource_list() -> None:
    config = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  data: {x: 2024-02-30}\n"
    result = run(resource_list(CONFIGMAP, DAEMONSET, header=config))
    refused(result, "functionConfig", "line 7", is_list=True)
    assert "kind: DaemonSet" in result.stdout and "/var/run/netns" not in result.stdout


def test_earlier_results_are_kept_byte_for_byte_and_ours_appended() -> None:
    earlier = (
        "results:\n- message: from before\n  severity: info\n  when: 2024-01-01\n  b: !!binary aGVsbG8=\n  yes: 1\n"
    )
    result = run(resource_list(CONFIGMAP, DAEMONSET) + earlier)
    assert result.code == 0, result.stderr
    assert earlier in result.stdout
    results = yaml.safe_load(result.stdout)["results"]
    assert results[0]["message"] == "from before" and len(results) > 1


@pytest.mark.parametrize("stray", ["-0", "-0\n", "oops\n", "  - [unclosed\n"])
def test_earlier_results_that_are_not_yaml_are_refused_not_appended_to(stray: str) -> None:
    """Results appended after a stray line would be as unreadable as it: the input is refused, with a
    ResourceList whose results say why (found by the fuzzer)."""
    earlier = "results:\n- message: from before\n  severity: info\n" + stray
    result = run(resource_list(CONFIGMAP, DAEMONSET) + earlier)
    assert result.code == 1
    assert [r["severity"] for r in results_of(result.stdout)] == ["error"]
    assert "not valid YAML" in results_of(result.stdout)[0]["message"]


def test_a_quantity_too_large_for_any_number_is_a_finding_not_a_crash() -> None:
    daemonset = DAEMONSET.replace("command:", 'resources: {requests: {cpu: "1e1000000"}}\n        command:')
    result = run(resource_list(daemonset))
    assert "please report" not in result.stderr and "internal error" not in result.stderr
    assert any("requests.cpu" in r.get("field", {}).get("path", "") for r in results_of(result.stdout))


# -- 9. streams, pipes and arguments ------------------------------------------------------------


def test_a_stream_that_holds_a_resource_list_fails_without_output() -> None:
    refused(run(stream(CONFIGMAP, HEADER + "items: []\n")), "item 1", is_list=False)


def test_a_nul_in_a_resource_list_header_is_an_error_in_a_resource_list() -> None:
    text = resource_list(CONFIGMAP).replace("ResourceList\n", "ResourceList\nx: \x00\n", 1)
    refused(run(text), "line 3", is_list=True)


def run_command(data: str, *args: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "krm_multus", *args],
        input=data.encode(),
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


def test_config_without_a_value_is_a_usage_error_that_says_so() -> None:
    done = run_command(stream(DAEMONSET), "--config")
    assert done.returncode == 2 and b"--config needs a file name" in done.stderr


def test_a_closed_stdout_is_a_clear_usage_error() -> None:
    done = subprocess.run(
        f"{sys.executable} -m krm_multus >&-",
        input=stream(DAEMONSET).encode(),
        shell=True,
        capture_output=True,
        cwd=ROOT,
    )
    assert done.returncode == 2 and b"stdout is closed" in done.stderr and b"Traceback" not in done.stderr


def test_a_reader_that_closes_the_pipe_is_told_the_output_is_incomplete() -> None:
    big = stream(*[CONFIGMAP.replace("name: other", f"name: cm-{index}") for index in range(20_000)], DAEMONSET)
    done = subprocess.run(
        f"{sys.executable} -m krm_multus | head -c 10 > /dev/null",
        input=big.encode(),
        shell=True,
        capture_output=True,
        cwd=ROOT,
        executable="/bin/bash",
    )
    assert b"incomplete" in done.stderr and b"nothing was written" not in done.stderr


def test_an_unbuildable_value_in_a_config_file_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: 2024-02-30}\n")
    done = run_command(stream(DAEMONSET), "--config", str(config))
    assert done.returncode == 2 and b"line 4" in done.stderr and b"internal error" not in done.stderr


# -- 6. config values ----------------------------------------------------------------------------

TYPED = {"apiVersion": "krm-multus.dev/v1alpha1", "kind": "MultusTalos", "metadata": {"name": "c"}}


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"resources": {"limits": {"cpu": "300m\n"}}}, "spec.resources.limits.cpu"),
        ({"image": {"multus": "ghcr.io/k8snetworkplumbingwg/multus-cni:v4.2.4-thick\n"}}, "spec.image.multus"),
    ],
)
def test_a_config_value_with_a_trailing_newline_is_refused_naming_the_field(spec: dict, field: str) -> None:
    refused(run(stream(DAEMONSET), {**TYPED, "spec": spec}), field, is_list=False)


def test_a_quantity_written_as_a_yaml_number_is_accepted_as_kubernetes_does() -> None:
    result = run(stream(DAEMONSET), {**TYPED, "spec": {"resources": {"limits": {"cpu": 1, "memory": 1e9}}}})
    assert result.code == 0, result.stderr
    limits = yaml.safe_load(result.stdout)["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert limits == {"cpu": "1", "memory": "1000000000"}


# -- 10. huge but legal fields ----------------------------------------------------------------------


def test_a_networks_annotation_past_the_kubernetes_limit_is_one_finding_in_linear_time() -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\n  annotations:\n"
        f"    k8s.v1.cni.cncf.io/networks: {','.join(['net1'] * 800_000)}\nspec: {{containers: [{{name: a}}]}}\n"
    )
    started = time.monotonic()
    result = run(resource_list(DAEMONSET, pod))
    assert time.monotonic() - started < 10
    findings = [r for r in results_of(result.stdout) if r.get("resourceRef", {}).get("name") == "p"]
    assert len(findings) == 1 and "256 KiB" in findings[0]["message"]


def test_escaped_quotes_in_the_string_do_not_hide_a_fake_item() -> None:
    fake = "- " + DAEMONSET.replace("\n", "\n  ").replace('"', '\\"').rstrip() + "\n"
    configmap = CONFIGMAP.replace("key: value", 'key: "\\"\n' + fake + '"')
    text = HEADER + "items:\n- " + configmap.replace("\n", "\n  ").rstrip(" ")
    assert yaml.safe_load(text)["items"][0]["kind"] == "ConfigMap"
    result = run(text)
    assert "/var/run/netns" not in result.stdout


# A quote of the same kind earlier in the item (in a comment, inside the other kind of string, in a
# plain scalar) evens out a count of quotes: the string that swallows the fake item must still be found.
STRAY_QUOTES = {
    "double quote in a comment": ('  note: x  # a "stray\n', '"'),
    "double quote in a single-quoted string": ("  note: 'say \"hi'\n", '"'),
    "apostrophe in a plain scalar": ("  note: don't\n", "'"),
    "doubled apostrophes then an apostrophe in a comment": ("  note: 'it''s'  # isn't it\n", "'"),
}


@pytest.mark.parametrize("case", STRAY_QUOTES)
@pytest.mark.parametrize("form", ["list", "stream"])
def test_a_stray_quote_does_not_hide_a_fake_item(case: str, form: str) -> None:
    """The ConfigMap's `key` opens a string that runs over a whole DaemonSet and closes on its last line."""
    stray, quote = STRAY_QUOTES[case]
    opened = CONFIGMAP.replace("  key: value\n", f"{stray}  key: {quote}x\n")
    body = (DAEMONSET.replace('"', "") if quote == "'" else DAEMONSET.replace('"', "'")) + f"extra: end{quote}\n"
    if form == "list":
        text = HEADER + "items:\n" + "".join("- " + doc.replace("\n", "\n  ").rstrip(" ") for doc in (opened, body))
        assert [item["kind"] for item in yaml.safe_load(text)["items"]] == ["ConfigMap"]  # what YAML sees
    else:  # a `---` inside a quoted string: YAML refuses the stream
        text = opened + "---\n" + body
        with pytest.raises(yaml.YAMLError):
            list(yaml.safe_load_all(text))
    result = run(text)
    assert "/var/run/netns" not in result.stdout
    if form == "stream":
        assert result.code == 1
    else:
        assert result.code == 0, result.stderr
        assert yaml.safe_load(result.stdout)["items"][0]["data"] == yaml.safe_load(text)["items"][0]["data"]


def test_a_broken_flow_collection_before_the_daemonset_still_passes_through() -> None:
    """Only a cut inside a quoted string sends the input to the full parse; other broken text is kept."""
    broken = CONFIGMAP + "  other: {a: [don't\n"
    result = run(resource_list(broken, DAEMONSET))
    assert result.code == 0, result.stderr
    assert FIXED in result.stdout


SHARED_ANCHORS = {
    "an alias of another item's anchor": (["a: &x 1\n", "b: *x\n"], True),
    "an alias of its own item's anchor": (["a: &x 1\nb: *x\n", "c: 2\n"], False),
    "a script's && and a quoted *": (["run: a && b\n", 'verbs: ["*"]\n'], False),
    "a script's && and no *": (["run: a && b\n", "c: 2\n"], False),
    "a * and no &": (["a: 2 * 3\n", "b: *x\n"], False),
    "a && beside an alias of nothing": (["run: a && b\n", "b: *x\n"], True),
}


@pytest.mark.parametrize("case", SHARED_ANCHORS)
def test_items_that_share_an_anchor_are_found_to(case: str) -> None:
    """Such items cannot be read one by one (the full-parse path reads them); `&&` and `"*"` are no anchors."""
    sources, shared = SHARED_ANCHORS[case]
    assert resourcelist._shares_anchors([resourcelist.Item(source) for source in sources]) is shared


# -- an input that ends inside a block scalar, without a final line break -----------------------

ENDS_IN_A_BLOCK = {  # the last lines of a ConfigMap that ends the input, and its value there
    "literal": ("data:\n  script: |\n    echo one\n    echo two", "echo one\necho two"),
    "literal, keep, indentation, comment": ("data:\n  script: |+2 # kept\n      echo", "  echo"),
    "folded": ("data:\n  text: >\n    one\n    two", "one two"),
    "literal in a list": ("data:\n  lines:\n  - |\n    last", "last"),
    "keep, then a blank last line": ("data:\n  kept: |+\n    echo\n    ", "echo\n"),
    "keep, an empty line, then a blank last line": ("data:\n  kept: |+\n    echo\n\n    ", "echo\n\n"),
}


@pytest.mark.parametrize("ending", ENDS_IN_A_BLOCK.values(), ids=ENDS_IN_A_BLOCK)
def test_a_block_scalar_that_ends_the_input_keeps_its_value_when_results_follow(ending: tuple[str, str]) -> None:
    lines, value = ending
    configmap = CONFIGMAP.replace("data:\n  key: value\n", lines)
    result = run(resource_list(DAEMONSET, configmap))
    assert result.code == 0 and results_of(result.stdout)
    written = yaml.safe_load(result.stdout)["items"][-1]["data"]
    assert list(written.values()) in ([value], [[value]])
    assert written == yaml.safe_load(configmap)["data"]


def test_an_item_that_ends_in_a_block_after_a_value_that_cannot_be_built_passes_through() -> None:
    configmap = CONFIGMAP.replace("data:\n  key: value\n", "data:\n  when: 2024-02-30\n  script: |\n    echo")
    result = run(resource_list(DAEMONSET, configmap))
    assert result.code == 0, result.stderr
    assert "when: 2024-02-30\n    script: |-\n      echo\n" in result.stdout and results_of(result.stdout)


@pytest.mark.parametrize("form", ["ResourceList", "stream"])
def test_an_edited_item_that_ends_inside_a_block_scalar_keeps_that_value(form: str) -> None:
    daemonset = DAEMONSET.replace("metadata:\n", "metadata:\n  annotations:\n    note: |\n      kept\n", 1)
    daemonset = daemonset.rstrip("\n") + "\nextra: |\n  last line"  # the item's last field, no line break after it
    text = resource_list(CONFIGMAP, daemonset) if form == "ResourceList" else stream(CONFIGMAP, daemonset)
    result = run(text)
    assert result.code == 0 and FIXED in result.stdout
    written = yaml.safe_load(result.stdout)["items"][-1] if form == "ResourceList" else last_document(result.stdout)
    assert written["extra"] == "last line"


def last_document(output: str) -> dict:
    return [document for document in yaml.safe_load_all(output) if document][-1]
