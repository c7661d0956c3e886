"""The `krm-multus` command: read stdin (or the files named), run the pipeline, write stdout; exit code
from the results.

Exit codes: 0 when no result is an error, 1 when one is (the ResourceList is still written; a
plain stream is not, so that `| kubectl apply -f -` applies nothing), 2 for usage errors.
"""

from __future__ import annotations

import gc
import io
import os
import sys

from krm_multus import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

USAGE = """\
usage: krm-multus [--config FILE] [FILE | DIR | - ...]

Makes the Multus CNI DaemonSet work on Talos Linux and checks secondary networks.
Reads a ResourceList (kpt, kustomize) or a plain multi-document YAML stream on stdin, or from the
files named (a directory: its .yaml, .yml and .json files, recursively; -: stdin), and writes the
same kind of output on stdout; results go into the ResourceList and, one line each, to stderr.

options:
  --config FILE   function config (kind MultusTalos or a ConfigMap); overrides functionConfig
  --help          this text and the config reference
  --version       the version

exit codes: 0 no error result, 1 an error result (a stream then writes nothing), 2 usage error

examples:
  kpt fn eval DIR --image IMAGE -- talos-version=v1.9.0
  kpt fn render DIR                       (Kptfile mutator: image: IMAGE, configPath: fn-config.yaml)
  kubectl kustomize DIR | krm-multus --config fn-config.yaml
  krm-multus --config fn-config.yaml manifests/ > fixed.yaml

The config schema is fn-config.schema.json (beside metadata.yaml in the repository; docs/ has the
configuration reference and the checks).
"""


def main(argv: list[str] | None = None) -> int:
    """The command on `argv`. Run as the program (no `argv`), it is a short-lived process: the cycle
    collector is off (a run makes no reference cycles worth collecting, and looking for them cost a
    tenth of a run's time, small or large), and it ends the process itself (see _exit_now)."""
    args = sys.argv[1:] if argv is None else argv
    if argv is None:
        gc.disable()
    try:
        code = _main(args)
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:  # the reader went away (`| head`): part of the output may have reached it
        _say("krm-multus: the reader of stdout closed the pipe: the output is incomplete, do not use it")
        code = 1
    except Exception as error:  # a crash must still be one clear line, never a traceback
        print(f"krm-multus: internal error ({type(error).__name__}): {error}; nothing was written", file=sys.stderr)
        code = 1
    if argv is None:
        _exit_now(code)
    return code


def _say(message: str) -> None:
    """A line on stderr, when there is one to write to."""
    if sys.stderr is not None:
        print(message, file=sys.stderr)


def _exit_now(code: int) -> None:
    """End the process once the output is out, without tearing the interpreter down.

    Why: freeing every module and object at exit takes about as long as the run itself on a small
    input, and the function runs on every build. Nothing else needs closing: the run writes to
    stdout and stderr only. When a flush fails (a closed pipe), the ordinary exit follows instead
    and reports it as it always has.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        return
    os._exit(code)


def _main(args: list[str]) -> int:
    config_file = None
    sources: list[str] = []
    while args:
        arg, args = args[0], args[1:]
        if arg in ("-h", "--help"):
            sys.stdout.write(USAGE + "\n" + config_reference())
            return 0
        if arg == "--version":
            print(f"krm-multus {__version__}")
            return 0
        if arg == "--config" and not args:
            print(f"krm-multus: --config needs a file name\n\n{USAGE}", file=sys.stderr)
            return 2
        if arg == "--config":
            config_file, args = args[0], args[1:]
        elif arg.startswith("--config="):
            config_file = arg.split("=", 1)[1]
        elif arg == "--":
            sources, args = sources + args, []
        elif arg == "-" or not arg.startswith("-"):
            sources.append(arg)
        else:
            print(f"krm-multus: unknown argument {arg!r}\n\n{USAGE}", file=sys.stderr)
            return 2
    function_config = None
    if config_file is not None:
        function_config, problem = _read_config(config_file)
        if problem:
            print(f"krm-multus: {problem}", file=sys.stderr)
            return 2
    if sys.stdout is None or (sys.stdin is None and (not sources or "-" in sources)):  # `>&-` or `<&-`
        _say(f"krm-multus: {'stdout' if sys.stdout is None else 'stdin'} is closed: nothing was read or written")
        return 2
    if isinstance(sys.stdout, io.TextIOWrapper):
        # YAML goes out as UTF-8 whatever the locale says: no character can then fail to encode
        # after part of the output has been written.
        sys.stdout.reconfigure(encoding="utf-8")
    try:
        # The input goes straight into run_io, which lets go of the bytes once they are decoded: a
        # name for them here would hold a second copy of a whole cluster's manifests for the run.
        return run_io(_read_input(sources), sys.stdout, sys.stderr, function_config)
    except UnreadableInput as problem:
        print(f"krm-multus: {problem}", file=sys.stderr)
        return 2


class UnreadableInput(Exception):
    """A file or directory named on the command line that cannot be read; the message names it."""


def _read_input(sources: list[str]) -> bytes:
    """stdin, or the files and directories named on the command line."""
    if not sources:
        return sys.stdin.buffer.read()
    from krm_multus.sdk import files

    try:
        return files.read_sources(sources, sys.stdin.buffer.read)
    except files.SourceError as error:
        raise UnreadableInput(str(error)) from None


def run_io(data: bytes, stdout: Any, stderr: Any, function_config: Any = None) -> int:
    """The whole run on bytes in; output is written only once everything has been processed."""
    from krm_multus import pipeline
    from krm_multus.sdk import resourcelist
    from krm_multus.sdk.results import Result, exit_code, summary_of

    head = data[:4096]  # enough to tell whether unreadable input was meant as a ResourceList
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return _refuse(f"the input is not UTF-8 text: line {line}, byte {error.start}", stdout, stderr, head)
    del data  # from here on a whole cluster's manifests are held as text only, not also as bytes
    try:
        resource_list = resourcelist.read(text)
    except resourcelist.InputError as error:
        return _refuse(str(error), stdout, stderr, head)
    del text  # the items hold their own text
    results: list[Result] = pipeline.run(resource_list, function_config)
    reported = [result.to_dict() for result in results]  # each result's resource read once, for both
    for result in reported:
        print(summary_of(result), file=stderr)
    code = exit_code(results)
    if resource_list.is_stream and code:
        return code
    resourcelist.write_to(stdout, resource_list, reported)
    return code


def _refuse(message: str, stdout: Any, stderr: Any, head: bytes) -> int:
    """Input that cannot be read: say so on stderr and, for a ResourceList, in its results."""
    from krm_multus.sdk import emit, resourcelist

    print(f"[error] {message}", file=stderr)
    # Meant as a ResourceList when its first document says so (a stream that holds one further down is
    # a stream, and a failed stream writes nothing); the head is enough to tell.
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").replace("\r\n", "\n")
    if "ResourceList" in text[slice(*resourcelist.first_document_span(text))]:  # block or flow style
        result = {"message": message, "severity": "error"}
        header = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nresults:\n"
        stdout.write(header + emit.block([result], 0) + "\n")
    return 1


def _read_config(path: str) -> tuple[Any, str | None]:
    from krm_multus.sdk import yamledit

    try:
        with open(path, encoding="utf-8") as file:
            return yamledit.load(file.read()), None
    except OSError as error:
        return None, f"cannot read --config {path}: {error.strerror}"
    except UnicodeDecodeError as error:
        return None, f"--config {path} is not UTF-8 text (byte {error.start})"
    except yamledit.YamlError as error:
        return None, f"--config {path} is not valid YAML: {error}"


def config_reference() -> str:
    """Every option with its ConfigMap key, default and meaning, from the schema."""
    import json  # here, not at the top: a run imports it with the SDK, after turning the collector off

    from krm_multus.sdk import config

    header = config.typed_header()
    lines = [f"config reference (kind {header['kind']}, apiVersion {header['apiVersion']}; ConfigMap key in brackets):"]
    for field, key, default, description in config_options():
        bracket = f" [{key}]" if key else ""
        lines.append(f"  spec.{field}{bracket} = {json.dumps(default)}: {description}".rstrip(": "))
    return "\n".join(lines) + "\n"


def config_options() -> list[tuple[str, str | None, Any, str]]:
    """(field below `spec`, ConfigMap key or None, default, description) of every option in the schema:
    the leaves, and the objects that have a default of their own (resources.requests, say)."""
    from krm_multus.sdk import config

    keys = {path: key for key, path in config.configmap_keys().items()}
    options: list[tuple[str, str | None, Any, str]] = []

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        node = config.resolve(node)
        if "properties" not in node or node.get("default"):
            options.append((".".join(path), keys.get(path), config.defaults(node), node.get("description", "")))
            return
        for name, child in node["properties"].items():
            walk(child, (*path, name))

    walk(config.spec_schema(), ())
    return options
