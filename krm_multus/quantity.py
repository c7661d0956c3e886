"""Kubernetes resource quantities as numbers, so values can be compared ("0.1" < "200m" < "1")."""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from decimal import Decimal

_FACTOR = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}
_QUANTITY = r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?"
# Below this many thousandths a whole quantity has fewer digits than decimal's default precision
# (28), so the integer and the Decimal comparisons agree.
_EXACT = 10**27


def parse(value: object) -> Decimal | None:
    """The quantity's value in base units; None when it is not a quantity."""
    from decimal import Decimal  # here, not at import: a millisecond of every start-up

    found = re.fullmatch(_QUANTITY, str(value).strip())
    if found is None:
        return None
    suffix = found[2] or ""
    try:
        return Decimal(found[1]) * (Decimal("0.001") if suffix == "m" else _FACTOR[suffix])
    except ArithmeticError:  # InvalidOperation, or an Overflow (`1e1000000`): no quantity Kubernetes takes
        return None


def text(value: object) -> str:
    """A quantity as Kubernetes writes it: a config may give a plain number (`cpu: 1`, `memory: 1e9`)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e27:
        return str(int(value))
    return str(value)


def at_least(value: object, minimum: object) -> bool | None:
    """Whether quantity `value` is `minimum` or more; None when `value` is not a quantity.

    Whole quantities (`100m`, `50Mi`: nearly all in manifests) compare as integer thousandths; the
    rest as `parse` reads them.
    """
    have, wanted = _thousandths(value), _thousandths(minimum)
    if have is not None and wanted is not None:
        return have >= wanted
    parsed = parse(value)
    return None if parsed is None else parsed >= parse(minimum)


def _thousandths(value: object) -> int | None:
    """A whole quantity (digits and a suffix) in thousandths of its unit; None for any other text."""
    text = str(value).strip()
    digits = text.rstrip("EGKMPTikm")
    suffix = text[len(digits) :]
    if not digits.isdecimal() or len(digits) > 27 or (suffix not in _FACTOR and suffix != "m"):
        return None
    amount = int(digits) * (1 if suffix == "m" else 1000 * _FACTOR[suffix])
    return amount if amount < _EXACT else None
