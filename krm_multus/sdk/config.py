"""Bind a KRM function's config, of its own kind or a ConfigMap, to a read-only value with defaults filled in.

The function's JSON schema (shipped beside the package) is the only place options, defaults and
ConfigMap key names (`x-configmap-key`) are declared; its `apiVersion` and `kind` consts name the
typed config. A small interpreter for the keywords in `KEYWORDS` validates configs here, because
importing a full validator would cost more than the whole run; the tests hold the schema to those
keywords and compare the interpreter's error paths with jsonschema's.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache

from krm_multus.sdk import lookups

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The schema sits in the package folder, one level up from this SDK folder.
SCHEMA_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fn-config.schema.json")
# What the interpreter understands; annotations it ignores are listed too.
KEYWORDS = frozenset(
    {
        "$schema", "$id", "$ref", "$defs", "title", "description", "default", "x-configmap-key",
        "type", "const", "enum", "pattern", "minimum", "properties", "required", "additionalProperties",
    }
)  # fmt: skip
_TYPES: dict[str, Any] = {
    "object": dict,
    "string": str,
    "boolean": bool,
    "array": list,
    "integer": int,
    "number": (int, float),
}


class ConfigError(Exception):
    """A function config problem: `field` is where, the message says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Settings(dict):
    """A bound config section, read-only, read by attribute: `config.cilium.installCNI.image`.

    A dict underneath (cheap to build, compares and prints as one); every name the schema declares
    is there, because defaults fill in what the user left out.
    """

    __slots__ = ()

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__((key, Settings(value) if isinstance(value, dict) else value) for key, value in values.items())

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"the config has no `{name}` here; it has: {', '.join(self)}") from None

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("the bound config is read-only")

    __setitem__ = __delitem__ = __setattr__ = __ior__ = clear = pop = popitem = setdefault = update = _read_only


class Config(Settings):
    """The bound `spec`; `given` is the part the user wrote (to tell "set to the default" from "left out")."""

    __slots__ = ("given",)

    def __init__(self, given: dict[str, Any]) -> None:
        super().__init__(merge(defaults(), given))
        object.__setattr__(self, "given", given)


@cache
def schema() -> dict[str, Any]:
    with open(SCHEMA_FILE, encoding="utf-8") as file:
        return json.load(file)


def typed_header() -> dict[str, str]:
    """The `apiVersion` and `kind` of the typed config, as the schema's consts name them."""
    properties = schema()["properties"]
    return {"apiVersion": properties["apiVersion"]["const"], "kind": properties["kind"]["const"]}


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    reference = node.get("$ref")
    if reference is None:
        return node
    target: Any = schema()
    for part in reference.removeprefix("#/").split("/"):
        target = target[part]
    return {**target, **{key: value for key, value in node.items() if key != "$ref"}}


def spec_schema() -> dict[str, Any]:
    return schema()["properties"]["spec"]


def defaults(node: dict[str, Any] | None = None) -> Any:
    """The default value a schema node gives, with the defaults of its properties filled in."""
    node = resolve(node if node is not None else spec_schema())
    value = node.get("default")
    if node.get("type") == "object" and "properties" in node:
        value = dict(value or {})
        for key, child in node["properties"].items():
            child_default = defaults(child)
            if child_default is not None and key not in value:
                value[key] = child_default
    return value


def configmap_keys() -> dict[str, tuple[str, ...]]:
    """ConfigMap `data` key -> path below `spec`, from the schema's `x-configmap-key`."""
    found: dict[str, tuple[str, ...]] = {}

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        node = resolve(node)
        if "x-configmap-key" in node:
            found[node["x-configmap-key"]] = path
        for key, child in node.get("properties", {}).items():
            walk(child, (*path, key))

    walk(spec_schema(), ())
    return found


def validate(value: Any, node: dict[str, Any], where: str) -> list[ConfigError]:
    """Problems of `value` against a schema node; each names the field and what is expected."""
    node = resolve(node)
    problem = _value_problem(value, node, where)
    if problem is not None:
        return [problem]
    return _object_problems(value, node, where) if isinstance(value, dict) else []


def _value_problem(value: Any, node: dict[str, Any], where: str) -> ConfigError | None:
    """What `const`, `enum`, `type`, `minimum` and `pattern` say of the value itself."""
    shown = json.dumps(value, default=str)
    if "const" in node and value != node["const"]:
        return ConfigError(where, f"`{where}` must be {json.dumps(node['const'])}, not {shown}")
    if "enum" in node and not any(lookups.same(value, choice) for choice in node["enum"]):
        choices = ", ".join(json.dumps(choice) for choice in node["enum"])
        return ConfigError(where, f"`{where}` is {shown}; use one of {choices}")
    types = node["type"] if isinstance(node.get("type"), list) else [node.get("type", "")]
    expected = tuple(_TYPES[name] for name in types if name in _TYPES)
    if expected and not any(_is_a(value, wanted) for wanted in expected):
        wanted = "true or false" if expected == (bool,) else " or ".join(f"a {name}" for name in types)
        return ConfigError(where, f"`{where}` must be {wanted}, not {shown}")
    if "minimum" in node and _is_a(value, (int, float)) and value < node["minimum"]:
        return ConfigError(where, f"`{where}` must be at least {node['minimum']}, not {shown}")
    if "pattern" in node and isinstance(value, str) and not _matches(node["pattern"], value):
        return ConfigError(where, f"`{where}` is not valid: {shown}. {node.get('description', '')}".strip())
    return None


def _is_a(value: Any, wanted: Any) -> bool:
    """isinstance, with true and false only booleans (Python counts them as integers)."""
    return isinstance(value, wanted) and isinstance(value, bool) == (wanted is bool)


# In a pattern: an escaped character, a character class (a `]` right after `[` or `[^` is one of its
# characters, as Python reads it), or a `$` outside both: the end anchor.
_PATTERN_PARTS = r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\$"


def _matches(pattern: str, value: str) -> bool:
    """A JSON Schema pattern as JSON Schema (ECMA 262) reads it: found anywhere in the value, with `$`
    the end of the value, never before a final line break (Python's `$` is, which let `300m\\n` through
    into the DaemonSet). So each `$` anchor becomes `\\Z`; an escaped `\\$` and a `$` in a character
    class are the character."""
    ecma = re.sub(_PATTERN_PARTS, lambda part: r"\Z" if part[0] == "$" else part[0], pattern, flags=re.DOTALL)
    return re.search(ecma, value) is not None


def _object_problems(value: dict[Any, Any], node: dict[str, Any], where: str) -> list[ConfigError]:
    """What `required`, `properties` and `additionalProperties` say of a mapping's keys."""
    properties = node.get("properties", {})
    problems = []
    for key in node.get("required", []):
        if key not in value:
            path = f"{where}.{key}" if where else key
            problems.append(ConfigError(path, f"`{path}` is required"))
    for key, child in value.items():
        path = f"{where}.{key}" if where else str(key)
        if key in properties:
            problems.extend(validate(child, properties[key], path))
        elif node.get("additionalProperties") is False:
            known = ", ".join(properties)
            problems.append(ConfigError(path, f"`{path}` is not a known field; `{where}` takes: {known}"))
    return problems


def merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        return {
            key: merge(base.get(key), override[key]) if key in override else base[key] for key in {**base, **override}
        }
    return override


def bind(function_config: Any) -> tuple[Config | None, list[ConfigError]]:
    """The config to run with, or None and every problem that makes it unusable."""
    problems = check(function_config)
    if problems:
        return None, problems
    return Config(_spec_of(function_config)), []


def check(function_config: Any) -> list[ConfigError]:
    """Every problem of a function config (empty list: usable)."""
    if function_config is None or function_config == {}:
        return []
    if not isinstance(function_config, dict):
        return [ConfigError("functionConfig", "`functionConfig` must be a mapping")]
    api_version, kind = typed_header().values()
    found = function_config.get("kind")
    if found == "ConfigMap":
        return _check_configmap(function_config)
    if found == kind or function_config.get("apiVersion") == api_version:
        return validate(function_config, schema(), "")
    return [
        ConfigError(
            "kind",
            f"functionConfig `kind` is {json.dumps(found)}: use kind {kind} (apiVersion {api_version}) or a ConfigMap",
        )
    ]


def _check_configmap(config_map: dict[str, Any]) -> list[ConfigError]:
    data = config_map.get("data") or {}
    if not isinstance(data, dict):
        return [ConfigError("data", "ConfigMap `data` must be a mapping of strings")]
    keys = configmap_keys()
    problems = []
    for key, text in data.items():
        if key not in keys:
            known = ", ".join(sorted(keys))
            problems.append(ConfigError(f"data.{key}", f"ConfigMap key `data.{key}` is not known; use one of: {known}"))
            continue
        path = keys[key]
        node = _node_at(path)
        value = _from_text(text, node)
        typed = "spec." + ".".join(path)
        for problem in validate(value, node, typed):
            problem.message = problem.message.replace(f"`{typed}`", f"ConfigMap key `data.{key}` (`{typed}`)", 1)
            problem.field = f"data.{key}"
            problems.append(problem)
    return problems


def _spec_of(function_config: Any) -> dict[str, Any]:
    if not function_config:
        return {}
    if function_config.get("kind") != "ConfigMap":
        return function_config.get("spec") or {}
    spec: dict[str, Any] = {}
    keys = configmap_keys()
    for key, text in (function_config.get("data") or {}).items():
        path = keys[key]
        lookups.get_or_create(spec, path[:-1])[path[-1]] = _from_text(text, _node_at(path))
    return spec


def _node_at(path: tuple[str, ...]) -> dict[str, Any]:
    node = spec_schema()
    for part in path:
        node = resolve(node)["properties"][part]
    return resolve(node)


def _from_text(text: Any, node: dict[str, Any]) -> Any:
    """A ConfigMap string as the value the schema node wants ("true" -> True where a boolean fits)."""
    if not isinstance(text, str):
        return text
    lowered = text.strip().lower()
    wants_bool = node.get("type") == "boolean" or any(isinstance(choice, bool) for choice in node.get("enum", []))
    if wants_bool and lowered in ("true", "false"):
        return lowered == "true"
    if node.get("type") == "integer" and re.fullmatch(r"[+-]?\d+", lowered):
        return int(lowered)
    return text.strip()
