"""The command as users run it: arguments, exit codes, what reaches stdout and stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
