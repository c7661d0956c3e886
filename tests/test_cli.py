"""The command as users run it: arguments, exit codes, what reaches stdout and stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from krm_multus import __version__

ROOT = Path(__file__).resolve().parent.parent
DAEMONSET = (ROOT / "testdata/netns/stream/input.yaml").read_text()
BAD_CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n  netns: maybe\n"


def krm_multus(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "krm_multus", *args], input=stdin, capture_output=True, text=True, cwd=ROOT, check=False
    )


def test_help_lists_every_option_from_the_schema() -> None:
    run = krm_multus("--help")
    assert run.returncode == 0
    for key in ("target-name", "netns-path", "install-cni-image", "checks-severity", "spec.resources.limits"):
        assert key in run.stdout


def test_version() -> None:
    run = krm_multus("--version")
    assert (run.returncode, run.stdout) == (0, f"krm-multus {__version__}\n")


def test_usage_errors_exit_2() -> None:
    assert krm_multus("--frobnicate").returncode == 2
    missing = krm_multus("--config", "/nonexistent/config.yaml")
    assert missing.returncode == 2 and "cannot read --config" in missing.stderr


def test_stream_in_stream_out_with_results_on_stderr() -> None:
    run = krm_multus(stdin=DAEMONSET)
    assert run.returncode == 0
    assert "path: /var/run/netns/" in run.stdout and "kind: ResourceList" not in run.stdout
    assert "[info] DaemonSet kube-system/kube-multus-ds spec.template.spec.volumes[name=host-run-netns]" in run.stderr


def test_stream_with_an_error_writes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(BAD_CONFIG)
    run = krm_multus("--config", str(config), stdin=DAEMONSET)
    assert run.returncode == 1
    assert run.stdout == ""
    assert "[error]" in run.stderr and "`data.netns`" in run.stderr
    assert "Traceback" not in run.stderr


def test_resource_list_with_an_error_is_still_written_with_the_result() -> None:
    stdin = (
        (ROOT / "testdata/netns/applies/input.yaml").read_text()
        + "functionConfig:\n"
        + "".join("  " + line + "\n" for line in BAD_CONFIG.splitlines())
    )
    run = krm_multus(stdin=stdin)
    assert run.returncode == 1
    output = yaml.safe_load(run.stdout)
    assert len(output["items"]) == 3
    assert output["results"][0]["severity"] == "error"
    assert "path: /run/netns/" in run.stdout, "nothing changes when the config is bad"


def test_config_file_overrides_function_config(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "apiVersion: krm-multus.dev/v1alpha1\nkind: MultusTalos\nmetadata: {name: x}\nspec: {netns: {enabled: false}}\n"
    )
    stdin = (ROOT / "testdata/netns/applies/input.yaml").read_text()
    run = krm_multus("--config", str(config), stdin=stdin)
    assert run.returncode == 0
    assert "path: /run/netns/" in run.stdout


def test_empty_stream_is_empty() -> None:
    run = krm_multus(stdin="")
    assert (run.returncode, run.stdout) == (0, "")


CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"


def names_in(stream: str) -> list[str]:
    return [document["metadata"]["name"] for document in yaml.safe_load_all(stream) if document]


def test_files_and_directories_are_read_as_kubectl_apply_reads_them(tmp_path: Path) -> None:
    tree = tmp_path / "manifests"
    (tree / "nested" / "deeper").mkdir(parents=True)
    (tree / "b.yaml").write_text(CONFIG_MAP.format(name="b") + "---\n" + CONFIG_MAP.format(name="c"))
    (tree / "nested" / "a.yml").write_text(CONFIG_MAP.format(name="nested-a").rstrip("\n"))  # no last newline
    (tree / "nested" / "deeper" / "d.json").write_text(
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}}'
    )
    (tree / "notes.txt").write_text(CONFIG_MAP.format(name="not-a-manifest"))
    single = tmp_path / "single.manifest"  # named directly: read whatever its name
    single.write_text("\ufeff" + CONFIG_MAP.format(name="single"))
    run = krm_multus(str(single), "-", str(tree), stdin=CONFIG_MAP.format(name="from-stdin"))
    assert run.returncode == 0, run.stderr
    assert names_in(run.stdout) == ["single", "from-stdin", "b", "c", "nested-a", "d"]
    assert "\ufeff" not in run.stdout


def test_a_directory_walk_reads_linked_files_not_linked_directories(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "linked.yaml").write_text(CONFIG_MAP.format(name="linked-file"))
    (outside / "inner.yaml").write_text(CONFIG_MAP.format(name="in-a-linked-directory"))
    tree = tmp_path / "manifests"
    tree.mkdir()
    (tree / "own.yaml").write_text(CONFIG_MAP.format(name="own"))
    (tree / ".yaml").write_text(CONFIG_MAP.format(name="a-name-that-is-only-a-suffix"))
    (tree / "z-link.yaml").symlink_to(outside / "linked.yaml")
    (tree / "folder-link").symlink_to(outside, target_is_directory=True)
    (tree / "broken.yaml").symlink_to(tmp_path / "missing.yaml")
    run = krm_multus(str(tree) + "/")
    assert run.returncode == 0, run.stderr
    assert names_in(run.stdout) == ["own", "linked-file"]


def test_one_file_is_passed_on_as_it_is(tmp_path: Path) -> None:
    resource_list = tmp_path / "resource-list.yaml"
    resource_list.write_text((ROOT / "testdata/netns/applies/input.yaml").read_text())
    run = krm_multus(str(resource_list))
    assert run.returncode == 0
    assert yaml.safe_load(run.stdout)["kind"] == "ResourceList"
    assert "path: /var/run/netns/" in run.stdout


def test_files_with_the_config_give_the_same_output_as_the_stream(tmp_path: Path) -> None:
    daemonset = tmp_path / "daemonset.yaml"
    daemonset.write_text(DAEMONSET)
    from_file = krm_multus("--config", "examples/talos-multus/fn-config.yaml", str(daemonset))
    from_stdin = krm_multus("--config", "examples/talos-multus/fn-config.yaml", stdin=DAEMONSET)
    assert from_file.returncode == 0
    assert (from_file.stdout, from_file.stderr) == (from_stdin.stdout, from_stdin.stderr)


def test_an_unreadable_source_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for source in (tmp_path / "missing.yaml", tmp_path / "empty"):
        run = krm_multus(str(source), stdin=DAEMONSET)
        assert (run.returncode, run.stdout) == (2, "")
        assert str(source) in run.stderr


@pytest.mark.parametrize("before", ["# generated\n---\n", "%YAML 1.1\n---\n", ""], ids=["comment", "directive", "none"])
def test_an_unreadable_resource_list_answers_with_a_resource_list(before: str) -> None:
    """A refused ResourceList still gets one back with the error, whatever comes before its first `---`."""
    done = krm_multus(stdin=before + "apiVersion: config.kubernetes.io/v9\nkind: ResourceList\nitems: []\n")
    assert done.returncode == 1
    written = yaml.safe_load(done.stdout)
    assert written["kind"] == "ResourceList" and written["results"][0]["severity"] == "error"


def test_a_dash_with_stdin_closed_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "krm_multus", "-"], stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    closed = subprocess.run(
        f"{sys.executable} -m krm_multus - <&-", shell=True, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout == ""
    assert closed.returncode == 2 and "stdin is closed" in closed.stderr
