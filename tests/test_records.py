"""A record (krm_multus.sdk.records) behaves as the namedtuple it replaces: built by position or keyword,
with defaults; compared, hashed and unpacked as the tuple of its values; immutable."""

from __future__ import annotations

import copy
import pickle

import pytest

from krm_multus.sdk.records import Record


class Copy(Record):
    """A record as the modules declare them: fields by annotation, defaults by assignment."""

    __slots__ = ()

    flags: list[str]
    target: str
    mode: str = "0755"
    owner: str = ""

    @property
    def forced(self) -> bool:
        return "-f" in self.flags


def test_fields_come_from_the_annotations_in_order() -> None:
    assert Copy._fields == ("flags", "target", "mode", "owner")
    assert Copy._field_defaults == {"mode": "0755", "owner": ""}
    assert Copy.__slots__ == ()


@pytest.mark.parametrize(
    "built",
    [
        Copy(["-f"], "/host", "0755", ""),
        Copy(["-f"], "/host"),
        Copy(["-f"], target="/host"),
        Copy(flags=["-f"], target="/host", owner=""),
        Copy(["-f"], "/host", "0755", owner=""),
    ],
)
def test_built_by_position_keyword_and_default(built: Copy) -> None:
    assert built == (["-f"], "/host", "0755", "")
    assert (built.flags, built.target, built.mode, built.owner) == (["-f"], "/host", "0755", "")
    assert built.forced
    assert type(built) is Copy


def test_reads_as_the_tuple_of_its_values() -> None:
    made = Copy(("-f",), "/host", owner="root")
    flags, target, mode, owner = made
    assert (flags, target, mode, owner) == (("-f",), "/host", "0755", "root")
    assert hash(made) == hash((("-f",), "/host", "0755", "root"))
    assert made[1] == "/host" and len(made) == 4
    assert repr(made) == "Copy(flags=('-f',), target='/host', mode='0755', owner='root')"


def test_cannot_be_changed() -> None:
    made = Copy([], "/host")
    with pytest.raises(AttributeError):
        made.target = "/elsewhere"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        made.extra = 1  # type: ignore[attr-defined]
    assert not hasattr(made, "__dict__")


def test_copies_and_pickles_as_itself() -> None:
    made = Copy(("-f",), "/host", owner="root")
    for again in (copy.copy(made), copy.deepcopy(made), pickle.loads(pickle.dumps(made))):
        assert again == made and type(again) is Copy


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((["-f"],), {}, "missing field 'target'"),
        ((["-f"], "/host", "0755", "", "extra"), {}, "takes 4 fields but 5 were given"),
        ((["-f"], "/host"), {"group": "x"}, "unexpected or repeated field 'group'"),
        ((["-f"], "/host"), {"flags": []}, "unexpected or repeated field 'flags'"),
    ],
)
def test_a_wrong_call_is_a_type_error(args: tuple[object, ...], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Copy(*args, **kwargs)


def test_a_field_without_default_cannot_follow_one_with() -> None:
    with pytest.raises(TypeError, match="a field without a default follows one with a default"):

        class Wrong(Record):
            __slots__ = ()
            first: str = ""
            second: str


def test_a_subclass_without_fields_keeps_its_parents() -> None:
    class Wider(Copy):
        __slots__ = ()

        @property
        def wide(self) -> bool:
            return True

    made = Wider([], "/host")
    assert Wider._fields == Copy._fields and made.target == "/host" and made.wide
