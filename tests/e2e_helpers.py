"""What the end-to-end tests share: the commands and snippets the README documents, a scratch copy
of the example package, identity baselines, and diffs that show exactly which lines a run changed.

The README and docs/*.md are the only copy of each command: a block marked `<!-- e2e:ID -->` in either
is read here and run as written, from a scratch directory that holds the example packages at the paths
the docs name. Expected
diffs, results and stderr live in tests/e2e_expected/ and are regenerated like the golden files
(KRM_MULTUS_UPDATE_GOLDEN=1); read their diff before committing.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from golden import expect

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "examples/talos-multus"  # as the README names it, relative to the repository root
EXPECTED = ROOT / "tests" / "e2e_expected"
README_IMAGE = "example.com/krm/krm-multus:dev"
IMAGE = os.environ.get("KRM_MULTUS_IMAGE", README_IMAGE)
# The config value the bad-config runs spoil, wherever the config is given (file, Kptfile, arguments).
TALOS_VERSION, BAD_TALOS_VERSION = "v1.7.6", "seven"


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@functools.cache
def readme_blocks() -> dict[str, str]:
    """Every block marked `<!-- e2e:ID -->` in the README and docs/, by ID."""
    found = [
        block
        for document in DOCUMENTS
        for block in re.findall(
            r"^<!-- e2e:([\w-]+) -->\n```\w*\n(.*?)^```$", document.read_text(), flags=re.MULTILINE | re.DOTALL
        )
    ]
    blocks = dict(found)
    assert len(blocks) == len(found), "an e2e block id appears twice in README.md and docs/"
    return blocks


def readme(block_id: str) -> str:
    """The documented block `block_id`, naming the image under test."""
    return readme_blocks()[block_id].replace(README_IMAGE, IMAGE)


def workspace(tmp_path: Path, name: str = "work") -> Path:
    """A directory holding a scratch copy of the example packages at examples/: the documented commands' cwd."""
    work = tmp_path / name
    shutil.copytree(ROOT / "examples", work / "examples")
    return work


def shell(command: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a README command the way a user pastes it, but with pipefail so a failing function shows."""
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def snapshot(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): path.read_text() for path in sorted(directory.rglob("*")) if path.is_file()
    }


def diff(before: dict[str, str], after: dict[str, str]) -> str:
    """The changed lines of every file, without context: what a run did and nothing else."""
    lines: list[str] = []
    for name in sorted(before.keys() | after.keys()):
        lines += difflib.unified_diff(
            before.get(name, "").splitlines(),
            after.get(name, "").splitlines(),
            f"a/{name}",
            f"b/{name}",
            n=0,
            lineterm="",
        )
    return "".join(line + "\n" for line in lines)


def assert_expected(name: str, actual: str) -> None:
    assert actual == expect(EXPECTED / name, actual), f"differs from tests/e2e_expected/{name}"


def spoil_config(package: Path, command: str) -> str:
    """Make the function config invalid wherever it is given; returns the command with it spoiled too."""
    for path in package.iterdir():
        text = path.read_text()
        if TALOS_VERSION in text:
            path.write_text(text.replace(TALOS_VERSION, BAD_TALOS_VERSION))
    return command.replace(TALOS_VERSION, BAD_TALOS_VERSION)


# kpt ---------------------------------------------------------------------------------------------


def kpt_pipeline(runner: str, config: str) -> dict[str, Any]:
    """The README's Kptfile mutator with the `runner` (exec or image) and the `config` (configPath or
    configMap) taken from whichever README snippet has them: the README shows two of the four pairs."""
    mutators = [yaml.safe_load(readme(f"kptfile-{kind}"))["pipeline"]["mutators"][0] for kind in ("exec", "image")]
    function = next(mutator for mutator in mutators if runner in mutator)
    config_source = next(mutator for mutator in mutators if config in mutator)
    return {runner: function[runner], config: config_source[config]}


def set_kpt_pipeline(package: Path, mutator: dict[str, Any]) -> None:
    kptfile = package / "Kptfile"
    document = yaml.safe_load(kptfile.read_text())
    document["pipeline"] = {"mutators": [mutator]}
    kptfile.write_text(yaml.safe_dump(document, sort_keys=False))


def kpt_identity_baseline(package: Path, scratch: Path) -> dict[str, str]:
    """The package as kpt writes it through a function that changes nothing (kpt reformats every file)."""
    copy = scratch / package.name
    shutil.copytree(package, copy)
    run = subprocess.run(
        ["kpt", "fn", "eval", str(copy), "--exec", "cat"], capture_output=True, text=True, check=False, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return snapshot(copy)


def run_kpt(command: str, work: Path, results_dir: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run a README kpt command with `--results-dir` added; returns the run and its results.yaml."""
    command, count = re.subn(r"^(kpt fn (?:eval|render) \S+)", rf"\1 --results-dir {results_dir}", command)
    assert count == 1, f"not a kpt fn eval/render command: {command}"
    run = shell(command, work)
    results = results_dir / "results.yaml"
    assert results.exists(), f"kpt wrote no results (exit {run.returncode}): {run.stderr}"
    return run, yaml.safe_load(results.read_text())


def check_kpt_package(
    tmp_path: Path,
    command_id: str,
    function: str,
    mutator: dict[str, Any] | None,
    expected: str = "package",
    package_path: str = PACKAGE,
) -> None:
    """A documented kpt command on an example package (or tree): exactly the intended lines change (against
    kpt's own formatting), the results are the expected ones, and a second run changes nothing. `expected`
    names the files in tests/e2e_expected: .diff, .results.yaml, .stderr.txt."""
    work = workspace(tmp_path)
    package = work / package_path
    if mutator:
        set_kpt_pipeline(package, mutator)
    baseline = kpt_identity_baseline(package, tmp_path / "baseline")
    command = readme(command_id)

    run, results = run_kpt(command, work, tmp_path / "results-1")
    assert run.returncode == 0, run.stdout + run.stderr
    assert f'[PASS] "{function}"' in run.stderr
    assert results["exitCode"] == 0
    [item] = results["items"]
    assert (item.get("exec") or item.get("image"), item["exitCode"]) == (function, 0)
    assert_expected(f"{expected}.diff", diff(baseline, snapshot(package)))
    assert_expected(f"{expected}.results.yaml", yaml.safe_dump(item["results"], sort_keys=False))
    # kpt keeps the last newline of an exec function's stderr, not of an image's
    assert_expected(f"{expected}.stderr.txt", item["stderr"].rstrip("\n") + "\n")
    first = snapshot(package)

    run, results = run_kpt(command, work, tmp_path / "results-2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert snapshot(package) == first, "a second run changed the package"
    [again] = results["items"]
    changes = [result for result in again.get("results", []) if "proposedValue" in result.get("field", {})]
    assert not changes, "a second run reported changes"
    # Where a document sits in its file is kpt's to number: the arm64 copy the first run adds has none yet.
    first_results = [_without_index(result) for result in item["results"]]
    more = [result for result in again.get("results", []) if _without_index(result) not in first_results]
    assert not more, f"a second run found more: {more}"


def check_kpt_bad_config(tmp_path: Path, command_id: str, function: str, mutator: dict[str, Any] | None) -> None:
    """With an invalid config, kpt exits non-zero, shows the error result and leaves every file as it was."""
    work = workspace(tmp_path)
    package = work / PACKAGE
    if mutator:
        set_kpt_pipeline(package, mutator)
    command = spoil_config(package, readme(command_id))
    before = snapshot(package)
    run, results = run_kpt(command, work, tmp_path / "results")
    assert run.returncode != 0
    assert f'[FAIL] "{function}"' in run.stderr
    [item] = results["items"]
    [error] = [result for result in item["results"] if result["severity"] == "error"]
    assert "talos" in error["field"]["path"] and BAD_TALOS_VERSION in error["message"]
    assert snapshot(package) == before


# streams -----------------------------------------------------------------------------------------


def split_pipe(command: str) -> tuple[str, str]:
    """A documented pipe `producer | function`: the producer's output is the stream's identity baseline.
    A command without a pipe is all function."""
    producer, _, function = command.rpartition(" | ")
    return producer, function


def without_files(function: str) -> str:
    """The function command without the files it names, so that it reads stdin; `--config FILE` stays."""
    words, kept = function.split(), []
    while words:
        word, words = words[0], words[1:]
        if word == "--config":
            kept, words = [*kept, word, words[0]], words[1:]
        elif not word.startswith("examples/"):
            kept.append(word)
    return " ".join(kept)


def check_stream(
    tmp_path: Path, command_id: str, expected_diff: str, expected_stderr: str = "package.stderr.txt"
) -> None:
    """A documented pipe: exactly the intended lines of the stream change, results on stderr, and the
    function run on its own output changes nothing."""
    work = workspace(tmp_path)
    command = readme(command_id)
    producer, _ = split_pipe(command)
    check_stream_output(work, command, shell(producer, work), expected_diff, expected_stderr)


def check_stream_output(
    work: Path,
    command: str,
    baseline: subprocess.CompletedProcess[str],
    expected_diff: str,
    expected_stderr: str = "package.stderr.txt",
) -> None:
    """`command` changes exactly the intended lines of the stream `baseline` printed, and the function
    (the command's last stage, given no files) changes nothing when run on its own output."""
    assert baseline.returncode == 0, baseline.stderr
    run = shell(command, work)
    assert run.returncode == 0, run.stderr
    assert_expected(expected_diff, diff({"stdout": baseline.stdout}, {"stdout": run.stdout}))
    assert_expected(expected_stderr, run.stderr)

    again = shell(without_files(split_pipe(command)[1]), work, stdin=run.stdout)
    assert (again.returncode, again.stdout) == (0, run.stdout), "a second run changed the stream"
    # what is left on stderr are findings, not changes: lines the first run gave, and fewer of them
    reported, reported_again = run.stderr.splitlines(), again.stderr.splitlines()
    assert set(reported_again) <= set(reported) and len(reported_again) < max(len(reported), 1), again.stderr


def check_stream_bad_config(tmp_path: Path, command_id: str) -> None:
    """With an invalid config, the pipe fails, nothing reaches stdout, and the package stays as it was."""
    work = workspace(tmp_path)
    package = work / PACKAGE
    command = spoil_config(package, readme(command_id))
    before = snapshot(package)
    run = shell(command, work)
    assert run.returncode != 0
    assert run.stdout == ""
    assert "[error]" in run.stderr and BAD_TALOS_VERSION in run.stderr
    assert snapshot(package) == before


def _without_index(result: dict[str, Any]) -> dict[str, Any]:
    file = {key: value for key, value in result.get("file", {}).items() if key != "index"}
    return {**result, "file": file} if "file" in result else result
