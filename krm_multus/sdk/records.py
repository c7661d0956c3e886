"""Records: small immutable tuples with named fields, declared like `typing.NamedTuple` classes.

Why not `collections.namedtuple`: it compiles a constructor for every class it makes, and its
classes are most of what importing a module of records costs: about 0.45 M instructions each, on
every run, where a subclass of `Record` costs a plain class and a few properties. Why not
`typing.NamedTuple`: `typing` alone was 6 % of a small run (tests/test_startup.py keeps it out).

A record declares its fields by annotation, in order, and a default by assignment; `__slots__ = ()`
keeps it a tuple with no per-instance dict:

    class Copy(Record):
        __slots__ = ()
        flags: list[str]
        target: str = ""

It is built positionally or by keyword (`Copy(["-f"], target="/host")`); it compares, hashes and
unpacks as the tuple of its values, reads its fields by name, cannot be changed, and has `_fields`
and a `repr` that names them, as a namedtuple does. Type checkers read it as the NamedTuple it mimics.
"""

from __future__ import annotations

from operator import itemgetter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
    from typing import NamedTuple as Record  # what a type checker should see
else:

    class Record(tuple):
        """The base of every record: its fields come from the subclass's own annotations."""

        __slots__ = ()
        _fields = ()
        _field_defaults = {}  # noqa: RUF012 - each record gets its own in __init_subclass__

        def __init_subclass__(cls) -> None:
            fields = tuple(cls.__annotations__)  # the class's own (3.10 and later), in order
            if not fields:
                return  # a subclass of a record that adds no field keeps its parent's
            defaults = {}
            for index, name in enumerate(fields):
                if name in cls.__dict__:
                    defaults[name] = cls.__dict__[name]
                elif defaults:
                    raise TypeError(f"{cls.__name__}.{name}: a field without a default follows one with a default")
                setattr(cls, name, property(itemgetter(index)))
            cls._fields, cls._field_defaults = fields, defaults

        def __new__(cls, *values: Any, **named: Any) -> Record:
            if named or len(values) != len(cls._fields):
                values = cls._completed(values, named)
            return tuple.__new__(cls, values)

        @classmethod
        def _completed(cls, values: tuple[Any, ...], named: dict[str, Any]) -> tuple[Any, ...]:
            """The values given positionally, then those named or defaulted, in field order."""
            if len(values) > len(cls._fields):
                raise TypeError(f"{cls.__name__}() takes {len(cls._fields)} fields but {len(values)} were given")
            rest = []
            for name in cls._fields[len(values) :]:
                if name in named:
                    rest.append(named.pop(name))
                elif name in cls._field_defaults:
                    rest.append(cls._field_defaults[name])
                else:
                    raise TypeError(f"{cls.__name__}() is missing field {name!r}")
            if named:
                raise TypeError(f"{cls.__name__}() got an unexpected or repeated field {next(iter(named))!r}")
            return (*values, *rest)

        def __repr__(self) -> str:
            fields = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self, strict=True))
            return f"{type(self).__name__}({fields})"

        def __getnewargs__(self) -> tuple[Any, ...]:
            """What copy and pickle build it again from: its values, positionally."""
            return tuple(self)
