"""The benchmark still runs and measures what it says: its inputs, its kustomize patches, one tiny run.

No timing is asserted: figures depend on the machine, and the benchmark is not part of pass/fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from require import missing_tools, require

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import generate, run  # noqa: E402

LOADER = yaml.CSafeLoader
MULTUS_KINDS = [
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "ServiceAccount",
    "ConfigMap",
    "DaemonSet",
]


def networks(deployment: dict) -> str | None:
    annotations = deployment["spec"]["template"]["metadata"].get("annotations") or {}
    return annotations.get(generate.NETWORKS_ANNOTATION)


def test_one_deployment_in_a_hundred_names_a_network_among_the_items() -> None:
    documents = [yaml.load(text, Loader=LOADER) for text in generate.resources(300)]
    assert [document["kind"] for document in documents[:6]] == MULTUS_KINDS
    deployments = [document for document in documents if document["kind"] == "Deployment"]
    nads = {
        (document["metadata"]["namespace"], document["metadata"]["name"])
        for document in documents
        if document["kind"] == "NetworkAttachmentDefinition"
    }
    annotated = [deployment for deployment in deployments if networks(deployment)]
    assert len(deployments) == 300 and len(annotated) == 3
    assert {(deployment["metadata"]["namespace"], networks(deployment)) for deployment in annotated} == nads


def test_resource_list_and_stream_carry_the_same_resources() -> None:
    documents = generate.resources(20)
    listed = yaml.load(generate.as_resource_list(documents), Loader=LOADER)
    streamed = list(yaml.load_all(generate.as_stream(documents), Loader=LOADER))
    assert listed["kind"] == "ResourceList" and len(listed["items"]) == len(streamed) == len(documents)
    for item in listed["items"]:
        annotations = item["metadata"].pop("annotations")
        assert set(annotations) == {"config.kubernetes.io/index", "internal.config.kubernetes.io/path"}
    assert listed["items"] == streamed


def test_kustomize_patches_make_the_changes_the_function_makes(tmp_path: Path) -> None:
    require(missing_tools("kubectl"))
    stream = generate.as_stream(list(generate.MULTUS_INSTALL))
    generate.write_kustomization(tmp_path, stream)
    built = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, text=True, check=True)
    function = subprocess.run(
        [sys.executable, "-m", "krm_multus"], input=stream, capture_output=True, text=True, cwd=ROOT, check=True
    )

    def pod_spec(output: str) -> dict:
        daemonset = next(
            document for document in yaml.load_all(output, Loader=LOADER) if document["kind"] == "DaemonSet"
        )
        return daemonset["spec"]["template"]["spec"]

    patched, fixed = pod_spec(built.stdout), pod_spec(function.stdout)
    for key in ("initContainers", "containers"):
        for by_kustomize, by_function in zip(patched[key], fixed[key], strict=True):
            assert by_kustomize["command"] == by_function["command"]
            assert by_kustomize["resources"] == by_function["resources"]
    netns = [
        volume["hostPath"]["path"]
        for spec in (patched, fixed)
        for volume in spec["volumes"]
        if volume["name"] == "host-run-netns"
    ]
    assert netns == ["/var/run/netns/", "/var/run/netns/"]


def test_a_tiny_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    settings = run.Settings(
        sizes=[10], repeat_startup=1, repeat_small=1, repeat_large=1, repeat_slow=1, kubectl=None, upstream=None
    )
    report = run.benchmark(settings, tmp_path)
    commands = report["sizes"][10]["commands"]
    assert set(commands) == {
        "function, ResourceList",
        "function, stream",
        "PyYAML floor, ResourceList",
        "PyYAML floor, stream",
        "text-scan limit, ResourceList",
        "text-scan limit, stream",
    }
    for figures in [*commands.values(), *report["startup"].values()]:
        assert figures["median_ms"] > 0 and figures["peak_rss_kib"] > 0
    assert report["sizes"][10]["items"] == len(MULTUS_KINDS) + 10 + 1
    assert [target["name"].split(" / ")[0:2] for target in report["targets"]] == [
        ["function", "PyYAML floor at N=10"],
        ["function", "text-scan limit at N=10"],
        ["start-up", 'python -c "import yaml"'],
        ["(peak memory - interpreter)", "input size at N=10"],
    ]
    assert set(report["own_startup"]) >= {"krm-multus (python -m)"} and all(report["own_startup"].values())
    assert json.loads(json.dumps(report))["sizes"]["10"]["input_bytes"]["ResourceList"] > 0
    assert "function, ResourceList" in run.format_report(report)
    assert 'start-up / python -c "import krm_multus.sdk"' in run.format_report(report)
