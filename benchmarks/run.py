"""Benchmark krm-multus against the floor of a parse-everything design and against kubectl kustomize.

    python3 benchmarks/run.py            # N = 100, 1,000, 10,000 (a few minutes)
    python3 benchmarks/run.py --quick    # N = 100, 1,000, fewer runs (well under a minute)

Prints a table and the target ratios, and writes every figure as JSON to
benchmarks/results/latest.json (and to --json PATH) for comparison between commits.
docs/benchmark.md says what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `benchmarks` importable

from benchmarks import generate  # noqa: E402
from benchmarks.measure import Command, measure  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
MODES = ("ResourceList", "stream")
IMPORT_YAML = 'python -c "import yaml"'  # the interpreter's own start with the one library the function needs
# PyYAML and json as the function imports them (krm_multus/sdk/lazy_patterns.py skips compiles `import yaml`
# pays): the function over this is what its own code adds to start-up (shown, not a target).
IMPORT_AS_THE_FUNCTION = 'python -c "import krm_multus.sdk"'
UPSTREAM = ROOT.parent / "shared" / "upstream" / "multus" / "v4.2.2" / "multus-daemonset-thick.yml"
FLOOR_RESOURCE_LIST = (
    "import sys, yaml\n"
    "data = yaml.load(sys.stdin.read(), Loader=yaml.CSafeLoader)\n"
    "sys.stdout.write(yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False))\n"
)
FLOOR_STREAM = (
    "import sys, yaml\n"
    "documents = list(yaml.load_all(sys.stdin.read(), Loader=yaml.CSafeLoader))\n"
    "sys.stdout.write(yaml.dump_all(documents, Dumper=yaml.CSafeDumper, sort_keys=False))\n"
)
# What no Python tool of this design can beat on the same input: read it, cut it into items at their
# starts with one regular expression, look in each for the words a module would act on, write it back.
TEXT_SCAN = (
    "import re, sys\n"
    "text = sys.stdin.read()\n"
    "items = re.split(r'^(?=- |---)', text, flags=re.M)\n"
    "wanted = [item for item in items if 'multus' in item or 'k8s.v1.cni.cncf.io/networks' in item\n"
    "          or 'NetworkAttachmentDefinition' in item]\n"
    "sys.stdout.write(''.join(items))\n"
)
# The targets, at the largest N (set for 10,000) and the N ten times smaller.
TARGET_SIZE = 10_000  # the N the targets are set for
FLOOR_LIMIT = 0.1  # function / parse-everything floor
TEXT_SCAN_LIMIT = 2.0  # function / text-scan limit
GROWTH_LIMIT = 12.0  # function at N / function at N/10
STARTUP_LIMIT = 1.2  # function on the small manifest / python -c "import yaml"
MEMORY_LIMIT = 3.0  # (peak memory - python -c "import yaml") / input size


@dataclass
class Settings:
    sizes: list[int]
    repeat_startup: int  # runs of each start-up command
    repeat_small: int  # runs of every command up to 1,000 items
    repeat_large: int  # runs of the function above 1,000 items
    repeat_slow: int  # runs of the floor and of kubectl above 1,000 items
    kubectl: str | None
    upstream: Path | None
    kubectl_limit: float = 120.0  # seconds: kustomize's time grows faster than its input


@dataclass
class Target:
    name: str
    value: float
    limit: float
    detail: str

    @property
    def holds(self) -> bool:
        return self.value <= self.limit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 100 and 1,000 with fewer runs: a smoke run")
    parser.add_argument("--sizes", help="comma-separated numbers of Deployments (default 100,1000,10000)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-kubectl", action="store_true", help="skip the kubectl kustomize comparison")
    parser.add_argument(
        "--kubectl-limit",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="stop a kubectl kustomize run that takes longer (default 120)",
    )
    parser.add_argument(
        "--upstream",
        type=Path,
        default=UPSTREAM,
        help="an upstream thick manifest to time as an extra data point when it exists",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target does not hold")
    args = parser.parse_args(argv)
    sizes = (
        [int(size) for size in args.sizes.split(",")]
        if args.sizes
        else [100, 1000]
        if args.quick
        else [100, 1000, 10000]
    )
    settings = Settings(
        sizes=sorted(sizes),
        repeat_startup=11 if args.quick else 51,  # the tightest ratio, of runs of 40 ms: many samples
        repeat_small=5 if args.quick else 11,
        repeat_large=3 if args.quick else 5,
        repeat_slow=1 if args.quick else 3,
        kubectl=None if args.no_kubectl else shutil.which("kubectl"),
        upstream=args.upstream if args.upstream and args.upstream.is_file() else None,
        kubectl_limit=args.kubectl_limit,
    )
    for warning in interpreter_warnings():
        print(f"warning: {warning}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="krm-multus-bench-") as folder:
        report = benchmark(settings, Path(folder), progress=lambda text: print(text, file=sys.stderr, flush=True))
    print(format_report(report))
    text = json.dumps(report, indent=2) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    if args.json:
        args.json.write_text(text)
    print(f"\nfigures written to {RESULTS.relative_to(ROOT)}" + (f" and {args.json}" if args.json else ""))
    return 1 if args.check and not all(target["holds"] for target in report["targets"]) else 0


def benchmark(settings: Settings, folder: Path, progress: Callable[[str], None] = lambda _: None) -> dict:
    """Generate the inputs in `folder`, run every measurement, and return the figures as plain data."""
    env = child_environment(folder)
    python = sys.executable
    function = [python, "-m", "krm_multus"]
    script = console_script()
    small = folder / "multus-thick.yaml"
    small.write_text(generate.as_stream(generate.resources(0)))

    progress("start-up ...")
    startup = [
        Command("python -c pass", [python, "-c", "pass"], env=env),
        Command(IMPORT_YAML, [python, "-c", "import yaml"], env=env),
        Command(IMPORT_AS_THE_FUNCTION, [python, "-c", "import krm_multus.sdk"], env=env),
        Command("krm-multus (python -m), small manifest", function, small, env),
    ]
    if script:
        startup.append(Command("krm-multus (console script), small manifest", [str(script)], small, env))
    if settings.upstream:
        startup.append(Command("krm-multus (python -m), upstream v4.2.2 thick", function, settings.upstream, env))
    measure(startup, settings.repeat_startup, folder)

    by_size = {}
    for size in settings.sizes:
        progress(f"N = {size} ...")
        documents = generate.resources(size)
        resource_list = folder / f"resource-list-{size}.yaml"
        resource_list.write_text(generate.as_resource_list(documents))
        stream = folder / f"stream-{size}.yaml"
        stream.write_text(generate.as_stream(documents))
        fast = [
            Command("function, ResourceList", function, resource_list, env),
            Command("function, stream", function, stream, env),
        ]
        fast += [
            Command("text-scan limit, ResourceList", [python, "-c", TEXT_SCAN], resource_list, env),
            Command("text-scan limit, stream", [python, "-c", TEXT_SCAN], stream, env),
        ]
        slow = [
            Command("PyYAML floor, ResourceList", [python, "-c", FLOOR_RESOURCE_LIST], resource_list, env),
            Command("PyYAML floor, stream", [python, "-c", FLOOR_STREAM], stream, env),
        ]
        if settings.kubectl:
            kustomization = folder / f"kustomize-{size}"
            generate.write_kustomization(kustomization, stream.read_text())
            kustomize = [settings.kubectl, "kustomize", str(kustomization)]
            slow.append(Command("kubectl kustomize", kustomize, env=env, limit=settings.kubectl_limit))
        large = size > 1000  # no warm-up: the caches are warm from the smaller sizes
        measure(fast, settings.repeat_large if large else settings.repeat_small, folder, warm_up=not large)
        measure(slow, settings.repeat_slow if large else settings.repeat_small, folder, warm_up=not large)
        by_size[size] = {
            "items": len(documents),
            "input_bytes": {"ResourceList": resource_list.stat().st_size, "stream": stream.stat().st_size},
            "commands": {command.key: _figures(command) for command in fast + slow},
        }
        for path in (resource_list, stream):
            path.unlink()

    report = {
        "machine": machine(settings.kubectl),
        "commit": commit(),
        "settings": {
            **{key: value for key, value in vars(settings).items() if key not in ("kubectl", "upstream")},
            "upstream": str(settings.upstream) if settings.upstream else None,
            "stdin": "pipe",
            "floor": "subprocess",
            "bytecode": "cached (PYTHONPYCACHEPREFIX in a temporary folder, filled by an untimed first run)",
            "memory_baseline": 'peak RSS of python -c "import yaml"',
            "interpreter_warnings": interpreter_warnings(),
        },
        "startup": {command.key: _figures(command) for command in startup},
        "sizes": by_size,
    }
    report["targets"] = [vars(target) | {"holds": target.holds} for target in targets(report)]
    report["own_startup"] = own_startup(report["startup"])
    return report


def interpreter_warnings() -> list[str]:
    """What would make `python -c "import yaml"` a slower baseline than the one users' runs start from.

    Why: the start-up target divides by that baseline. Outside a venv, a site-packages whose `.pth`
    files import modules at every start (certifi, distutils hacks) inflates the baseline and hides
    the function's own start-up; so does a wrapper such as a pyenv shim, which sys.executable avoids.
    """
    import site

    found = []
    if sys.prefix == sys.base_prefix:
        found.append(f"{sys.executable} is not a venv's: run the benchmark with the python of the function's venv")
    for folder in site.getsitepackages():
        importing = [path.name for path in Path(folder).glob("*.pth") if "import " in path.read_text(errors="replace")]
        if importing:
            found.append(
                f"{folder} runs code at every start ({', '.join(sorted(importing))}): the baseline is inflated"
            )
    return found


def child_environment(folder: Path) -> dict[str, str]:
    """What every measured process runs with: this checkout first on the path, byte-code cached.

    An installed package and the container image have compiled byte-code; an environment with
    PYTHONDONTWRITEBYTECODE would have every run compile the package from source instead, which
    is not what users run. The cache goes to a private folder, so the checkout stays clean.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def console_script() -> Path | None:
    """The installed `krm-multus` next to this interpreter, when it starts Python directly.

    A wrapper such as a pyenv shim would add its own start-up to every run, so it is not used.
    """
    script = Path(sys.executable).with_name("krm-multus")
    if not script.is_file():
        return None
    with script.open("rb") as file:
        first = file.readline()
    return script if first.startswith(b"#!") and b"python" in first and b"sh" not in first.split(b"/")[-1] else None


def _figures(command: Command) -> dict:
    if not command.samples:
        return {"timed_out_after_s": command.limit}
    return {
        "median_ms": round(command.median * 1000, 2),
        "samples_ms": [round(sample * 1000, 2) for sample in command.samples],
        "median_cpu_ms": round(statistics.median(command.cpu) * 1000, 2),
        "peak_rss_kib": command.peak,
        **({"timed_out_after_s": command.limit} if command.timed_out else {}),
    }


def targets(report: dict) -> list[Target]:
    """The ratios the README sets targets for, each the worse of the cases it covers."""
    sizes = sorted(report["sizes"])
    big = sizes[-1]
    figures = report["sizes"][big]["commands"]
    found = [
        _ratio(f"function / PyYAML floor at N={big}", figures, "PyYAML floor", FLOOR_LIMIT),
        _ratio(f"function / text-scan limit at N={big}", figures, "text-scan limit", TEXT_SCAN_LIMIT),
    ]
    if big // 10 in report["sizes"]:
        smaller = report["sizes"][big // 10]["commands"]
        growth = {
            mode: figures[f"function, {mode}"]["median_ms"] / smaller[f"function, {mode}"]["median_ms"]
            for mode in MODES
        }
        found.append(Target(f"N={big} / N={big // 10}", max(growth.values()), GROWTH_LIMIT, _pairs(growth)))
    startup = report["startup"]
    interpreter = startup[IMPORT_YAML]
    runs = {
        key.split(",")[0]: figures["median_ms"] / interpreter["median_ms"]
        for key, figures in startup.items()
        if key.endswith("small manifest")
    }
    found.append(Target(f"start-up / {IMPORT_YAML}", max(runs.values()), STARTUP_LIMIT, _pairs(runs)))
    baseline = interpreter["peak_rss_kib"] * 1024
    inputs = report["sizes"][big]["input_bytes"]
    memory = {mode: (figures[f"function, {mode}"]["peak_rss_kib"] * 1024 - baseline) / inputs[mode] for mode in MODES}
    found.append(
        Target(
            f"(peak memory - interpreter) / input size at N={big}", max(memory.values()), MEMORY_LIMIT, _pairs(memory)
        )
    )
    return found


def own_startup(startup: dict) -> dict[str, float]:
    """The function's start-up over PyYAML imported as the function imports it: what its own code costs."""
    imported = startup[IMPORT_AS_THE_FUNCTION]["median_ms"]
    return {
        key.split(",")[0]: round(figures["median_ms"] / imported, 3)
        for key, figures in startup.items()
        if key.endswith("small manifest")
    }


def _ratio(name: str, figures: dict, reference: str, limit: float) -> Target:
    """The function's time over a reference command's, in the worse of the two input forms."""
    ratios = {
        mode: figures[f"function, {mode}"]["median_ms"] / figures[f"{reference}, {mode}"]["median_ms"] for mode in MODES
    }
    return Target(name, max(ratios.values()), limit, _pairs(ratios))


def _pairs(values: dict[str, float]) -> str:
    return ", ".join(f"{key} {value:.3f}" for key, value in values.items())


def machine(kubectl: str | None) -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    version = None
    if kubectl:
        found = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True, check=False)
        version = found.stdout.splitlines()[0].split(":", 1)[-1].strip() if found.stdout else None
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "kubectl": version,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def commit() -> str | None:
    found = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or None


def format_report(report: dict) -> str:
    """The table and the targets as text."""
    info = report["machine"]
    lines = [
        f"krm-multus benchmark, {report['commit']}: {info['cpus']} x {info['cpu']}, Python {info['python']}, "
        f"kubectl {info['kubectl'] or 'absent'}",
        "",
    ]
    sizes = report["sizes"]
    width = 42
    header = "".join(f"{f'N={size:,}':>14}" for size in sizes)
    lines.append(f"{'median wall time, ms (peak RSS, MiB)':<{width}}{header}")
    lines.append(f"{'  items':<{width}}" + "".join(f"{figures['items']:>14,}" for figures in sizes.values()))
    for mode in ("ResourceList", "stream"):
        row = "".join(f"{figures['input_bytes'][mode] / 2**20:>10.1f} MiB" for figures in sizes.values())
        lines.append(f"{f'  input size, {mode}':<{width}}{row}")
    keys = list(next(iter(sizes.values()))["commands"])
    for key in keys:
        row = "".join(_cell(figures["commands"].get(key)) for figures in sizes.values())
        lines.append(f"{'  ' + key:<{width}}{row}")
    lines += ["", "start-up, median wall time, ms (peak RSS, MiB)"]
    for key, figures in report["startup"].items():
        lines.append(f"{'  ' + key:<{width + 14}}{_cell(figures)}")
    lines += ["", "targets"]
    if max(sizes) != TARGET_SIZE:
        lines.append(f"  (set for N={TARGET_SIZE:,}; at N={max(sizes):,} the fixed start-up weighs more: indicative)")
    for target in report["targets"]:
        verdict = "PASS" if target["holds"] else "FAIL"
        lines.append(
            f"  [{verdict}] {target['name']}: {target['value']:.3f} (at most {target['limit']:g}; {target['detail']})"
        )
    lines.append(f"  (not a target) start-up / {IMPORT_AS_THE_FUNCTION}: {_pairs(report['own_startup'])}")
    return "\n".join(lines)


def _cell(figures: dict | None) -> str:
    if figures is None:
        return f"{'-':>14}"
    if "timed_out_after_s" in figures:
        return f"{'> ' + format(figures['timed_out_after_s'], 'g') + ' s':>14}"
    return f"{figures['median_ms']:>8.0f} ({figures['peak_rss_kib'] / 1024:>3.0f})"


if __name__ == "__main__":
    sys.exit(main())
