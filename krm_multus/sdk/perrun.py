"""A value read from the items once per run, for every transform and check that asks for it.

Why: several modules of a run read the same thing from the same items (the NADs, the Helm releases,
the parts of Cilium, the network references); each building its own copy scans every item once per
module. Each such reader keeps the last value it built, and gives it again while the list holds the
same items and none of the items the value was read from has been edited or restored since (an edit
or a restore gives the item new `data`); otherwise it builds the value afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

TYPE_CHECKING = False
if TYPE_CHECKING:  # resourcelist reads its own index of kinds through this: no import back at run time
    from typing import Any

    from krm_multus.sdk.resourcelist import Item


class PerRun:
    """`build(items)` gives the value and the items it was read from; calling this gives that value.

    Plain, not a typing.Generic (whose machinery every run's start-up would pay for a type hint): the
    functions that call it declare the type.
    """

    __slots__ = ("_build", "_last")

    def __init__(self, build: Callable[[list[Item]], tuple[Any, Iterable[Item]]]) -> None:
        self._build = build
        self._last: tuple[list[Item], list[Item], list[tuple[Item, Any]], Any] | None = None

    def __call__(self, items: list[Item]) -> Any:
        if self._last is not None:
            listed, held, read, value = self._last
            if listed is items and held == items and all(item.data is data for item, data in read):
                return value
        value, read_from = self._build(items)
        self._last = (items, list(items), [(item, item.data) for item in dict.fromkeys(read_from)], value)
        return value
