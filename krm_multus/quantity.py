"""Kubernetes resource quantities as numbers, so values can be compared ("0.1" < "200m" < "1")."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SUFFIX = {
    "": 1, "m": Decimal("0.001"), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}
_QUANTITY = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?")


def parse(value: object) -> Decimal | None:
    """The quantity's value in base units; None when it is not a quantity."""
    found = _QUANTITY.fullmatch(str(value).strip())
    if found is None:
        return None
    try:
        return Decimal(found[1]) * _SUFFIX[found[2] or ""]
    except InvalidOperation:
        return None
