"""What start-up must not pay for (issue 17): the checks here keep the costly imports out of a run.

`typing` (with the `contextlib` and `warnings` it imports) cost a run on a small manifest about 6 %
of its instructions and `typing.NamedTuple` classes more again, and each `collections.namedtuple` class
about 0.45 M instructions more than a plain class; the records are `Record` classes (sdk/records.py),
whose fields are their annotations.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import krm_multus
from krm_multus.sdk import lazy_patterns
from krm_multus.sdk.records import Record

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = next((ROOT / "examples" / "talos-multus").glob("multus-*.yaml"))  # a plain Multus install
RUN_AND_LIST_MODULES = """
import io, sys
from krm_multus import cli
sys.stdin = io.TextIOWrapper(open(sys.argv[1], "rb"))
sys.stdout = sys.stderr = open("/dev/null", "w")
cli.main(sys.argv[2:])
print(" ".join(sorted(sys.modules)), file=sys.__stdout__)
"""


def modules() -> list[object]:
    names = [
        m.name for m in pkgutil.walk_packages(krm_multus.__path__, "krm_multus.") if m.name != "krm_multus.__main__"
    ]
    return [importlib.import_module(name) for name in names]


def bare_python(script: str, *args: str, stdin: object = None) -> subprocess.CompletedProcess[str]:
    """`script` in a fresh interpreter as a run starts, with no site start-up (-S: an editable
    install's finder imports typing there): PyYAML's folder and this checkout are all it may import from."""
    path = os.pathsep.join([str(ROOT), str(Path(yaml.__file__).parent.parent)])
    return subprocess.run(
        [sys.executable, "-S", "-c", script, *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
    )


def modules_after_a_run(manifest: Path, *args: str) -> list[str]:
    """The modules a run on `manifest` (stdin) with `args` has imported when it ends."""
    return bare_python(RUN_AND_LIST_MODULES, str(manifest), *args).stdout.split()


def test_a_run_imports_no_typing_and_no_address_parser() -> None:
    loaded = modules_after_a_run(EXAMPLE)
    assert "krm_multus.transforms.netns" in loaded  # the run did run
    assert {"typing", "contextlib", "ipaddress"}.isdisjoint(loaded)


def test_a_run_that_names_a_directory_imports_no_pathlib() -> None:
    loaded = modules_after_a_run(EXAMPLE, str(EXAMPLE.parent))  # pathlib alone was a tenth of such a run
    assert "krm_multus.sdk.files" in loaded and "krm_multus.transforms.netns" in loaded
    assert {"pathlib", "typing", "contextlib"}.isdisjoint(loaded)


# What a plain Multus install (no NetworkAttachmentDefinition, no Cilium, no Helm release) gives these
# modules nothing to do: a run on it does not import them (each module costs start-up about 0.5 M instructions).
NOT_FOR_A_PLAIN_INSTALL = (
    "krm_multus.attachments",  # networkLookup reads network references only where Multus isolates namespaces
    "krm_multus.transforms.helm_values",  # no HelmRelease or Application: no Helm values to set
    "krm_multus.sdk.jsonedit",  # the daemon config is read, not edited
)


def test_a_plain_install_imports_no_module_it_has_nothing_for(tmp_path: Path) -> None:
    manifest = tmp_path / "multus.yaml"
    parts = sorted((ROOT / "examples" / "talos-multus").glob("multus-*.yaml"))  # CRD, RBAC, daemon config, DaemonSet
    manifest.write_text("---\n".join(part.read_text() for part in parts))
    loaded = modules_after_a_run(manifest)
    assert "krm_multus.checks.network_lookup" in loaded  # the run did run, with the checks
    assert set(NOT_FOR_A_PLAIN_INSTALL).isdisjoint(loaded)


@pytest.mark.parametrize("module", modules(), ids=lambda module: module.__name__)
def test_every_record_is_a_record_of_its_annotated_fields(module: object) -> None:
    records = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, tuple)
        and hasattr(value, "_fields")
        and value.__module__ == module.__name__
    ]
    for record in records:
        assert issubclass(record, Record), record.__name__  # not a namedtuple: cheap to create
        assert tuple(record.__annotations__) == record._fields, record.__name__
        assert record.__slots__ == ()  # no per-instance dict: a record stays a tuple


RUN_AND_TELL_WHEN_YAML_AND_JSON_COME = """
import gc, sys


class Spy:
    def find_spec(self, name, path=None, target=None):
        if name in ("yaml", "json"):
            print(name, "collector", "on" if gc.isenabled() else "off", file=sys.stderr, flush=True)


sys.meta_path.insert(0, Spy())
from krm_multus import cli

print("cli imported", *sorted({"yaml", "json"} & set(sys.modules)), file=sys.stderr, flush=True)
cli.main()
"""


def test_a_run_imports_pyyaml_and_json_after_turning_the_collector_off() -> None:
    """Collecting while they are imported cost a run 3.5 M instructions: the SDK imports them, not the package."""
    with EXAMPLE.open("rb") as manifest:
        told = bare_python(RUN_AND_TELL_WHEN_YAML_AND_JSON_COME, stdin=manifest).stderr.splitlines()
    assert told[:3] == ["cli imported", "yaml collector off", "json collector off"]


IMPORT_AS_THE_FUNCTION_DOES = """
import re, sys
import krm_multus.sdk, yaml
from krm_multus.sdk import yamledit
rare = [regexp for first in "<=!" for tag, regexp in yaml.resolver.Resolver.yaml_implicit_resolvers[first]]
for check in (yaml.reader.Reader.NON_PRINTABLE, yaml.constructor.SafeConstructor.timestamp_regexp, *rare):
    left = [key for name in ("_cache", "_cache2") for key, value in getattr(re, name, {}).items() if value is check]
    print(type(check).__name__, check._compiled is None, len(left))
try:  # the pure-Python reader, as the rare paths use it: a control character is still refused
    yaml.load("a: b\\x07", Loader=yaml.SafeLoader)
except yaml.reader.ReaderError:
    print("refused")
print(yamledit.load("day: 2001-12-14")["day"].isoformat())  # PyYAML's constructor still builds a date
print(yamledit.load("a: {<<: {b: merged}}")["a"]["b"])  # and a merge key is still one
"""


def words_printed_by(script: str) -> list[str]:
    """What `script` prints in a fresh interpreter, as a run starts, word by word."""
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()


def test_the_function_imports_pyyaml_without_compiling_the_patterns_it_does_not_use() -> None:
    # A fresh interpreter, as a run starts: the stand-ins are in place, uncompiled, and gone from re's cache.
    shown = words_printed_by(IMPORT_AS_THE_FUNCTION_DOES)
    assert shown == [*["LazyPattern", "True", "0"] * 5, "refused", "2001-12-14", "merged"], (
        "a pattern of PyYAML's is no longer the one sdk/lazy_patterns.py stands in for: start-up compiles it again "
        "(update STAND_INS)"
    )


IMPORT_JSON_AS_THE_FUNCTION_DOES = """
import re
import krm_multus.sdk, json
for check in (json.scanner.NUMBER_RE, json.encoder.ESCAPE, json.encoder.ESCAPE_ASCII, json.encoder.HAS_UTF8):
    left = [key for name in ("_cache", "_cache2") for key, value in getattr(re, name, {}).items() if value is check]
    print(type(check).__name__, check._compiled is None, len(left))
# json's pure-Python fallbacks, where the C accelerator is missing, still read and write JSON
print(json.scanner.py_make_scanner(json.decoder.JSONDecoder())("-12.5e1", 0)[0])
print(json.encoder.py_encode_basestring_ascii("\\u00e9"), json.encoder.py_encode_basestring("a\\n"))
"""


def test_the_function_imports_json_without_compiling_the_patterns_its_accelerator_replaces() -> None:
    shown = words_printed_by(IMPORT_JSON_AS_THE_FUNCTION_DOES)
    assert shown == [*["LazyPattern", "True", "0"] * 4, "-125.0", '"\\u00e9"', '"a\\n"'], (
        "json's patterns are no longer the ones sdk/lazy_patterns.py stands in for: start-up compiles them again "
        "(update JSON_STAND_INS)"
    )


@pytest.mark.parametrize(
    "text", ["plain", "", "tab\tand\nbreaks\r", "bell\x07", "\x85nel", "\ufffe", "\ud800", "emoji \U0001f600", "\x7f"]
)
def test_the_stand_in_finds_what_the_pattern_finds(text: str) -> None:
    real = re.compile(lazy_patterns.PRINTABLE_CHECK)
    stand_in = lazy_patterns.LazyPattern(lazy_patterns.PRINTABLE_CHECK)
    found, expected = stand_in.search(text), real.search(text)
    assert (found and (found.start(), found.group())) == (expected and (expected.start(), expected.group()))


@pytest.mark.parametrize(
    "text", ["2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-1-1x"]
)
def test_the_timestamp_stand_in_matches_what_the_pattern_matches(text: str) -> None:
    real = re.compile(lazy_patterns.TIMESTAMP, re.X)
    stand_in = lazy_patterns.LazyPattern(lazy_patterns.TIMESTAMP, re.X)
    found, expected = stand_in.match(text), real.match(text)
    assert (found and found.groupdict()) == (expected and expected.groupdict())


def test_yaml_imported_before_is_left_as_it_is() -> None:
    script = (
        "import yaml, krm_multus.sdk\n"
        "from krm_multus.sdk import lazy_patterns\n"
        "print(lazy_patterns.import_yaml() is yaml, type(yaml.reader.Reader.NON_PRINTABLE).__name__)"
    )
    assert words_printed_by(script) == ["True", "Pattern"]
