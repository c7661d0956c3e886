"""Fuzz the whole command in-process (`cli.run_io`) against the invariants in fuzz/invariants.py.

    python3 fuzz/fuzz_reader.py --seconds 600                     # atheris when installed, else hypothesis
    python3 fuzz/fuzz_reader.py --seconds 600 --engine hypothesis
    python3 fuzz/fuzz_reader.py --seconds 600 --engine atheris     # pip install atheris

atheris (coverage-guided, libFuzzer) mutates bytes, starting from every testdata input and a few
hostile seeds; hypothesis generates ResourceLists and streams (Multus DaemonSets with odd fields
among them) and breaks their text. Either way each input runs through the whole command and must
keep every invariant; the first that does not is printed (atheris also writes the input to
findings/ in --workdir) and the exit code is not 0. A crash of the process (a segfault in the C
parser) ends the run with libFuzzer's report, or with the signal's exit code under hypothesis.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `fuzz` and `krm_multus` importable

ROUND = 50  # hypothesis examples between two looks at the clock
HOSTILE_SEEDS = {
    "bomb": "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n",
    "tags": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: !!python/object/apply:os.system [1]\n",
    "deep": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: " + "[" * 300 + "]" * 300 + "\n",
    "duplicates": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n",
    "items-not-a-list": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {a: 1}\n",
    "json": '{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [{"apiVersion": "v1", '
    '"kind": "ConfigMap", "metadata": {"name": "x"}}]}',
    "empty": "",
    # Byte forms editors and tools write (issue 13): each must read like its plain twin.
    "bom": "\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    "bom-mid-stream": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n\ufeffapiVersion: v1\nkind: Secret\n"
    "metadata:\n  name: y\n",
    "crlf": "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\n---\r\napiVersion: v1\r\nkind: Secret\r\n"
    "metadata:\r\n  name: y\r\n",
    "directives": "%YAML 1.1\n%TAG !k! tag:example.com,2026:\n--- # first\napiVersion: v1\nkind: ConfigMap\n"
    "metadata: {name: x}\n...\n--- !!map\napiVersion: v1\nkind: Secret\nmetadata: {name: y}\n",
    "kubectl-list": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
    "  metadata:\n    name: x\n",
    "unbuildable": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  d: 2024-02-30\n  i: !!int abc\n",
    "redefined-anchor": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: &v 1\n  b: &v 2\n  c: *v\n",
    "fake-item": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n"
    '  kind: ConfigMap\n  metadata:\n    name: x\n  data:\n    k: "\n- apiVersion: apps/v1\n  kind: DaemonSet\n'
    "  metadata:\n"
    '    name: kube-multus-ds\n"\n',
    "earlier-results": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults:\n- message: m\n"
    "  when: 2024-01-01\n  yes: !!binary aGVsbG8=\n",
}


def seeds() -> dict[str, bytes]:
    """Every golden input, and inputs hostile in the ways the README's Guarantees section names."""
    found = {
        f"{path.parent.parent.name}-{path.parent.name}": path.read_bytes()
        for path in sorted((ROOT / "testdata").glob("*/*/input.yaml"))
    }
    found.update((name, text.encode()) for name, text in HOSTILE_SEEDS.items())
    return found


def run_atheris(seconds: int, workdir: Path) -> int:
    import atheris

    with atheris.instrument_imports():
        from fuzz import invariants
        from krm_multus import pipeline  # noqa: F401 - the command imports it late; instrument it too

    def one_input(data: bytes) -> None:
        invariants.check(data)

    # The corpus is kept between runs (each run starts where the last one got to), seeds refreshed.
    corpus, findings = workdir / "corpus", workdir / "findings"
    corpus.mkdir(parents=True, exist_ok=True)
    findings.mkdir(exist_ok=True)
    for name, data in seeds().items():
        (corpus / f"seed-{name}").write_bytes(data)
    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            f"-max_total_time={seconds}",
            "-timeout=20",
            "-rss_limit_mb=2048",
            f"-artifact_prefix={findings}/",
            "-print_final_stats=1",
        ],
        one_input,
    )
    atheris.Fuzz()  # ends the process: 0 when the time is up, non-zero on a finding
    return 0


def run_hypothesis(seconds: float) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from fuzz import invariants
    from fuzz.resources import mutated, resource_inputs

    corpus = list(seeds().values())

    @settings(
        max_examples=ROUND,
        deadline=None,
        database=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def generated_and_broken(data: st.DataObject) -> None:
        generated = data.draw(resource_inputs())
        config = None if generated.is_list else generated.function_config
        invariants.check(generated.text.encode(), config)
        invariants.check(data.draw(mutated(generated.text)), config)
        seed = data.draw(st.sampled_from(corpus))
        invariants.check(data.draw(mutated(seed.decode("utf-8", errors="replace"))))

    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        generated_and_broken()  # a failure raises with the falsifying example
    print(f"fuzz_reader: {rounds} rounds of {ROUND} examples ({rounds * ROUND * 3} inputs), every invariant held")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "krm-multus-fuzz",
        help="atheris keeps its corpus here, and writes an input that broke an invariant to findings/",
    )
    args = parser.parse_args()
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
        except ImportError:
            engine = "hypothesis"
        else:
            engine = "atheris"
    print(f"fuzz_reader: {engine} for {args.seconds} s", flush=True)
    if engine == "atheris":
        return run_atheris(args.seconds, args.workdir)
    return run_hypothesis(args.seconds)


if __name__ == "__main__":
    sys.exit(main())
