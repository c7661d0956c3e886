"""Import PyYAML and json without compiling the regular expressions the function never uses at start.

Why: PyYAML's pure-Python reader compiles its class of printable characters when `yaml` is
imported. The class spans most of Unicode, and CPython's pattern compiler builds such a class in
Python code: about 57 million instructions, a third of `python -c "import yaml"` and more than a
whole run of the function on a small manifest. The function reads with the C loader, which checks
characters in C; the pure-Python reader runs only on rare paths (an anchor defined twice, a value
that cannot be built). The constructor's timestamp pattern is the same case (about 3 million
instructions): the function builds values itself (`yamledit.plain`) and leaves to PyYAML's
constructor only dates, binary, sets and merge keys; and the resolver's patterns for plain scalars
that start with `<`, `=`, `!`, `&` or `*` are tried on hardly any manifest. So the import is handed
stand-ins that compile a pattern the first time it is used, and a run that never takes those paths
never compiles it.

json is imported the same way (`import_json`): the patterns of its pure-Python scanner and string
encoders, which its C accelerator replaces, are stand-ins too (about 1.5 million instructions).

How: the `re` module returns a cached pattern for a (type, pattern, flags) key it has seen. The
stand-ins are put in that cache for PyYAML's exact patterns just for the import and taken out after,
so nothing else in the process meets them. Where `yaml` is already imported, or PyYAML or `re`
change so that a key does not match, that pattern is compiled as usual: only slower.
"""

from __future__ import annotations

import re
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# PyYAML's reader.py (6.0.1 to 6.0.4, the releases CI tests): the characters YAML allows, negated.
PRINTABLE_CHECK = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
# PyYAML's constructor.py (the same releases): SafeConstructor.timestamp_regexp, as written there.
TIMESTAMP = r"""^(?P<year>[0-9][0-9][0-9][0-9])
                -(?P<month>[0-9][0-9]?)
                -(?P<day>[0-9][0-9]?)
                (?:(?:[Tt]|[ \t]+)
                (?P<hour>[0-9][0-9]?)
                :(?P<minute>[0-9][0-9])
                :(?P<second>[0-9][0-9])
                (?:\.(?P<fraction>[0-9]*))?
                (?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)
                (?::(?P<tz_minute>[0-9][0-9]))?))?)?$"""
# resolver.py: the implicit tags of plain scalars that start with `<`, `=`, `!`, `&` or `*` (merge keys and
# PyYAML's own rare tags), which manifests hardly ever have.
RARE_RESOLVERS = (r"^(?:<<)$", r"^(?:=)$", r"^(?:!|&|\*)$")
STAND_INS = ((PRINTABLE_CHECK, 0), (TIMESTAMP, re.X), *((pattern, 0) for pattern in RARE_RESOLVERS))  # (pattern, flags)
# json's, for the work its C accelerator does itself (its decoder's other two patterns are used as
# json is imported, to bind their methods as default arguments: they are compiled then anyway).
JSON_STAND_INS = (
    (r"(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?", re.VERBOSE | re.MULTILINE | re.DOTALL),  # scanner.NUMBER_RE
    (r'[\x00-\x1f\\"\b\f\n\r\t]', 0),  # encoder.ESCAPE
    (r'([\\"]|[^\ -~])', 0),  # encoder.ESCAPE_ASCII
    (b"[\x80-\xff]", 0),  # encoder.HAS_UTF8
)
_CACHES = ("_cache", "_cache2")  # re's caches of compiled patterns (the second from Python 3.12)


class LazyPattern:
    """A compiled pattern made on first use: every attribute is the real pattern's."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[Any] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return getattr(self._compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


def import_yaml() -> Any:
    """`import yaml`, with the patterns of STAND_INS compiled only when first used."""
    return _import("yaml", STAND_INS)


def import_json() -> Any:
    """`import json`, with the patterns of JSON_STAND_INS compiled only when first used."""
    return _import("json", JSON_STAND_INS)


def _import(name: str, patterns: tuple[tuple[str | bytes, int], ...]) -> Any:
    if name in sys.modules:
        return sys.modules[name]
    stand_ins = {(type(pattern), pattern, int(flags)): LazyPattern(pattern, flags) for pattern, flags in patterns}
    caches = [cache for cache in (getattr(re, attribute, None) for attribute in _CACHES) if isinstance(cache, dict)]
    if caches:
        caches[0].update(stand_ins)
    try:
        return __import__(name)
    finally:
        for cache in caches:
            for key, stand_in in stand_ins.items():
                if cache.get(key) is stand_in:
                    del cache[key]
