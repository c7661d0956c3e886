"""Read the files and directories named on the command line the way `kubectl apply -f` does.

Why: users keep manifests in files and folders, and piping them in (`cat`, `sed -s '1i ---'`) is easy
to get wrong: a file without a trailing newline or a `---` glues two resources into one. A directory
is walked recursively for `.yaml`, `.yml` and `.json` files, in sorted path order so the output order
is the same on every machine; a file named directly is read whatever its name; `-` is stdin.
One source is passed on as it is (a ResourceList file stays a ResourceList); several become one YAML
stream, one document separator before each.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_BOM = b"\xef\xbb\xbf"


class SourceError(Exception):
    """A named file or directory that cannot be read; the message names it."""


def read_sources(arguments: list[str], read_stdin: Callable[[], bytes]) -> bytes:
    """The input named by `arguments` (paths, or `-` for stdin) as the bytes of one document stream."""
    parts = [_read(path, read_stdin) for argument in arguments for path in _expand(argument)]
    if len(parts) == 1:
        return parts[0]
    # A BOM is only allowed at the very start of a stream, and each file may carry one.
    return b"".join(b"---\n" + _ending_in_newline(part.removeprefix(_BOM)) for part in parts)


def _expand(argument: str) -> Iterator[str]:
    """A directory as the manifest files under it; anything else as itself.

    `os` rather than `pathlib`: importing pathlib cost a run that names its files a tenth of its time.
    Linked directories are not entered (`os.walk`'s default), linked files are read.
    """
    if argument == "-" or not os.path.isdir(argument):
        yield argument
        return
    found = sorted(
        path
        for folder, _, names in os.walk(os.path.normpath(argument))
        for path in (os.path.join(folder, name) for name in names)
        if _suffix(path) in MANIFEST_SUFFIXES and os.path.isfile(path)
    )
    if not found:
        raise SourceError(f"{argument}: no {', '.join(MANIFEST_SUFFIXES)} file in this directory")
    yield from found


def _suffix(path: str) -> str:
    """The name's last dot and what follows, but not a leading dot (`.yaml` alone has none), as pathlib reads it."""
    name = os.path.basename(path)
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _read(path: str, read_stdin: Callable[[], bytes]) -> bytes:
    if path == "-":
        return read_stdin()
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error.strerror}") from None


def _ending_in_newline(data: bytes) -> bytes:
    return data if not data or data.endswith(b"\n") else data + b"\n"
