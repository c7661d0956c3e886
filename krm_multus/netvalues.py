"""Network values as Linux, Kubernetes and Go's `net` package read them: names, addresses, MACs.

Why here: the NAD check and the annotation check validate the same kinds of value (interface
names, IPs, CIDRs); Multus and the CNI plugins accept what Go's parsers accept, so both checks must
too, and word the problem the same way. Both also leave alone what is not a value yet: a Flux
`postBuild` placeholder (`${VAR}`, `${VAR:=default}`, `${VAR:-default}`) is replaced when Flux
applies the manifests, so a field holding one is not judged.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:  # ipaddress is imported where an address is read: importing it costs more than most runs spend here
    import ipaddress

    Address = ipaddress.IPv4Address | ipaddress.IPv6Address
    Network = ipaddress.IPv4Network | ipaddress.IPv6Network

IFNAMSIZ = 16  # the kernel's buffer, with its terminating NUL
# The patterns are compiled where first used (re keeps them): most runs read no network value, and
# compiling them costs more than such a run spends here.
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
_MAC_SEPARATED = r"^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2})*$"
_MAC_DOTTED = r"^[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4})*$"
# Flux's envsubst forms; a bare `$VAR` is not substituted by Flux.
_PLACEHOLDER = r"\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}"


def placeholders(value: object) -> list[str]:
    """The Flux variables in the strings of `value` (nested lists and mappings too), each once, in order."""
    found: dict[str, None] = {}
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if "${" in current:
                found.update(dict.fromkeys(re.findall(_PLACEHOLDER, current)))
        elif isinstance(current, dict):
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))
    return list(found)


def fill(text: str, value: str = "") -> str:
    """`text` with every Flux placeholder replaced by `value`: to read the text around the values."""
    return re.sub(_PLACEHOLDER, value, text) if "${" in text else text


def unchecked(variables: list[str]) -> str:
    """The message for fields left unjudged because Flux fills them in."""
    names = ", ".join(f"`${{{name}}}`" for name in variables)
    return (
        f"holds Flux variables {names}, which Flux `postBuild` substitution fills in when it applies the "
        "manifests: the fields holding them were not checked"
    )


def interface_name_problem(name: str) -> str | None:
    """Why Linux would refuse `name` as a network interface name, or None."""
    if not name:
        return "is empty"
    if len(name) > IFNAMSIZ - 1:
        return f"is {len(name)} characters long; Linux allows at most {IFNAMSIZ - 1}"
    if name in (".", "..") or any(char in "/:" or char.isspace() for char in name):
        return "is not a Linux interface name (no `/`, `:` or white space, not `.` or `..`)"
    return None


def label_problem(name: str) -> str | None:
    """Why `name` is not a DNS-1123 label (a namespace, or a network name as the spec wants it), or None."""
    if len(name) > 63:
        return f"is {len(name)} characters long; a DNS-1123 label has at most 63"
    if not re.match(DNS_LABEL, name):
        guess = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        fix = f": did you mean `{guess}`?" if re.match(DNS_LABEL, guess) else ""
        return (
            "is not a DNS-1123 label (lower-case letters, digits and `-`, starting and ending with a "
            f"letter or digit){fix}"
        )
    return None


def address(text: object) -> Address | None:
    """An IPv4 or IPv6 address as Go's net.ParseIP reads it (no zone), or None."""
    if not isinstance(text, str) or "%" in text:
        return None
    import ipaddress

    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def interface(text: object) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface | None:
    """An address with its prefix (`10.1.1.5/24`), as Go's net.ParseCIDR reads it, or None."""
    if not isinstance(text, str) or "/" not in text or "%" in text:
        return None
    import ipaddress

    try:
        return ipaddress.ip_interface(text)
    except ValueError:
        return None


def network(text: object) -> Network | None:
    """The network a CIDR names (host bits allowed, as net.ParseCIDR allows them), or None."""
    found = interface(text)
    return found.network if found is not None else None


def is_mac(text: object) -> bool:
    """Whether Go's net.ParseMAC reads `text`: 6, 8 or 20 octets, `:`/`-` separated or dotted."""
    if not isinstance(text, str):
        return False
    if re.match(_MAC_SEPARATED, text):
        return len(text) // 3 + 1 in (6, 8, 20)
    return bool(re.match(_MAC_DOTTED, text)) and (len(text) + 1) // 5 in (3, 4, 10)
