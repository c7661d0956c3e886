"""Edit one YAML document by changing only the text of the values that change.

Why: a parse-and-dump round trip loses what users care about in their manifests (comments, quoting,
key order, block scalars). Here the document is composed into nodes that remember where they stand
in the text; an edit replaces or inserts text at those places and composes again. Everything else
stays byte for byte.

Paths are tuples: a `str` is a mapping key, an `int` a sequence index, and a `dict` picks the
sequence element whose mapping has those scalar values (`{"name": "cnibin"}`).
"""

from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from krm_multus.sdk import emit, lookups

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PathElement = str | int | dict[str, str]
Path = tuple[PathElement, ...]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_PLAIN_TAGS = {
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_LINE_BREAKS = "\n\r\x85\u2028\u2029"  # YAML 1.1's
_PLAIN_VALUE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
MAX_DEPTH = 200
MAX_ALIAS_GROWTH = 100_000
# Every collection owns one of these characters (`[`, `{`, a `-` entry, a `?` or `:` key), so a text
# with fewer of them than MAX_DEPTH cannot nest deeper.
_NESTING_MARKS = "[{-?:"
# What a line starts with before its first node: indentation, and the indicators of compact nested
# collections (`- - a`, `- a: b`, `? - a`, `--- - a`).
_LINE_LEAD = re.compile(r"^[ \t]*(?:(?:---|[-?:])[ \t]+)*", re.M)
_COLLECTION_START = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_COLLECTION_END = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class YamlError(Exception):
    """A document that cannot be read or edited safely; the message says where."""


class _RefusingDuplicateKeys:
    """A loader mixin refusing duplicate keys: keeping either value would silently lose the other."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        _refuse_duplicate_keys(node)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _Composer(_LOADER):  # type: ignore[misc,valid-type]
    """The C loader, calling as little Python per node as it lets us.

    Why: the C composer calls Python around every node (the path-resolver hooks) and for its tag.
    No path resolvers are registered, so the hooks have nothing to do, and a tag depends on the
    kind of node alone, or for a plain scalar on its text alone: resolved once per distinct short
    text, as manifests repeat the same few.
    """

    def descend_resolver(self, current_node: Node | None, current_index: Any) -> None:
        """Nothing to track: no path resolvers."""

    def ascend_resolver(self) -> None:
        """Nothing to track: no path resolvers."""

    def resolve(self, kind: type, value: str | None, implicit: Any) -> str:
        if kind is not ScalarNode:
            return _COLLECTION_TAGS[kind]
        if not implicit[0]:  # quoted, or tagged `!`: a string
            return _STR_TAG
        tag = _PLAIN_SCALAR_TAGS.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(value) <= 64 and len(_PLAIN_SCALAR_TAGS) < 4096:  # bounded: texts of any size may come
                _PLAIN_SCALAR_TAGS[value] = tag
        return tag


_PLAIN_SCALAR_TAGS: dict[str, str] = {}
_STR_TAG = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = {MappingNode: "tag:yaml.org,2002:map", SequenceNode: "tag:yaml.org,2002:seq"}


class _StrictLoader(_RefusingDuplicateKeys, _LOADER):  # type: ignore[misc,valid-type]
    """The C safe loader, refusing duplicate keys."""


class _RedefiningLoader(yaml.SafeLoader):
    """The pure-Python safe loader, letting a later anchor of the same name replace the earlier one.

    Why: YAML allows an anchor to be defined again (an alias refers to the latest definition), and
    `kubectl kustomize` reads such files; the C composer refuses them. Used only when it has.
    """

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if not isinstance(event, yaml.AliasEvent) and getattr(event, "anchor", None) is not None:
            self.anchors.pop(event.anchor, None)
        return super().compose_node(parent, index)


class _StrictRedefiningLoader(_RefusingDuplicateKeys, _RedefiningLoader):
    """The redefining loader, refusing duplicate keys."""


def check_parsable(text: str) -> None:
    """Refuse, before it is composed, YAML that would crash or swamp the parser or what reads its value.

    Why: libyaml composes nested collections recursively in C (tens of thousands of levels overflow
    the stack: a segfault, not an exception) and slows down quadratically with flow nesting; a few
    lines of aliases can stand for billions of values (the "billion laughs"), and an alias inside
    its own anchor makes a value that contains itself. The parser's events are read here with the
    nesting bounded by MAX_DEPTH, which keeps the parser itself fast; text too short to nest that
    deep and without aliases is not read at all.
    """
    if "*" not in text and _depth_bound(text) <= MAX_DEPTH:
        return
    depth = nodes = expanded = 0
    sizes: dict[str, int] = {}  # anchor -> how many values it stands for
    open_anchors: list[tuple[str | None, int]] = []
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            line = f"line {event.start_mark.line + 1}"
            if isinstance(event, _COLLECTION_START):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlError(f"{line}: nested more than {MAX_DEPTH} levels deep")
                nodes += 1
                open_anchors.append((event.anchor, nodes + expanded))
            elif isinstance(event, _COLLECTION_END):
                depth -= 1
                anchor, start = open_anchors.pop()
                if anchor is not None:
                    sizes[anchor] = nodes + expanded - start + 1
            elif isinstance(event, yaml.ScalarEvent):
                nodes += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                if any(anchor == event.anchor for anchor, _ in open_anchors):
                    raise YamlError(f"{line}: the alias *{event.anchor} is inside its own anchor")
                expanded += sizes.get(event.anchor, 1)
                if expanded > MAX_ALIAS_GROWTH:
                    raise YamlError(f"{line}: aliases (*) stand for more than {MAX_ALIAS_GROWTH} values")
            elif isinstance(event, yaml.DocumentStartEvent):
                sizes.clear()
    except yaml.YAMLError as error:
        raise YamlError(_describe(error, text)) from None


# What a line start (`_LINE_LEAD`) is made of, at least _SHORT_LEAD characters of it after a line
# break; searched for (in C, from line break to line break) before each line start is matched.
_LEAD_CHARACTERS = " \t?:-"
_SHORT_LEAD = 64
_LONG_LEAD = rf"\n[{_LEAD_CHARACTERS}]{{{_SHORT_LEAD}}}"


def _depth_bound(text: str) -> int:
    """A number no smaller than how deep the text's collections can nest, found without parsing.

    Why: a manifest of a few kilobytes has more marks than MAX_DEPTH, and reading its events on every
    compose would cost more than composing it. A flow mapping owns a `{`, a flow sequence a `[` and,
    in it, perhaps a one-pair mapping (`[a: b]`). A block collection is indented at least as far as
    the one it is in, and further unless it is a sequence in a mapping (`key:` with `- a` below it),
    so block nesting adds at most two levels per column of the deepest line start (indentation and
    compact indicators such as `- - a`). Line breaks other than `\n` would hide line starts from that
    count: such text gets the count of its marks. Where no line starts with _SHORT_LEAD characters
    a line start may be made of, no line start is that long: that is bound enough when it is below
    MAX_DEPTH, and costs a search instead of a match at every line.
    """
    marks = sum(text.count(mark) for mark in _NESTING_MARKS)
    if marks <= MAX_DEPTH or any(brk in text for brk in "\r\x85\u2028\u2029"):
        return marks
    flow = 2 * text.count("[") + text.count("{")
    short = flow + 2 * _SHORT_LEAD
    if short <= MAX_DEPTH and text[:_SHORT_LEAD].strip(_LEAD_CHARACTERS) and not re.search(_LONG_LEAD, text):
        return short
    return flow + 2 * (max(len(lead) for lead in _LINE_LEAD.findall(text)) + 1)


def load(text: str) -> Any:
    """A single document's plain value from the C parser, after `check_parsable`; duplicate keys and
    object tags refused."""
    return _parsed(_load, text, _Composer, _RedefiningLoader)


def _load(text: str, loader: type) -> Any:
    """The value built from the composed nodes: by `plain` where every tag is a plain one (nearly every
    manifest: several times faster than PyYAML's constructor, which is Python), by the constructor where
    one is not (a date, `!!binary`, `!!set`, a merge key `<<`)."""
    root = yaml.compose(text, Loader=loader)
    if _check_editable(root):
        return plain(root)
    return yaml.constructor.SafeConstructor().construct_document(root)


def load_all(text: str) -> list[Any]:
    """Every document's value, as `load` reads one."""
    return _parsed(lambda *args: list(yaml.load_all(*args)), text, _StrictLoader, _StrictRedefiningLoader)


def compose(text: str) -> Node | None:
    """Nodes of a single YAML document, after `check_parsable`."""
    return _parsed(yaml.compose, text, _Composer, _RedefiningLoader)


def _parsed(parse: Any, text: str, loader: type, redefining: type) -> Any:
    """`parse(text, loader)` with every failure as a YamlError naming the line.

    A redefined anchor (legal YAML the C composer refuses) is read again by the `redefining`
    loader. A value that parses but cannot be built (`2024-02-30`, an integer of thousands of
    digits) raises a plain ValueError inside PyYAML: it is found and named here as well.
    """
    check_parsable(text)
    try:
        try:
            return parse(text, loader)
        except yaml.composer.ComposerError:
            return parse(text, redefining)
    except yaml.YAMLError as error:
        raise YamlError(_describe(error, text)) from None
    except (ValueError, OverflowError, TypeError) as error:
        raise YamlError(_unbuildable(text, error)) from None


def _unbuildable(text: str, error: Exception) -> str:
    """Where a value that cannot be built stands: the first scalar whose construction fails."""
    stack = [node for node in yaml.compose_all(text, Loader=_RedefiningLoader) if node is not None]
    while stack:
        node = stack.pop(0)
        if isinstance(node, ScalarNode):
            try:
                yaml.constructor.SafeConstructor().construct_object(node)
            except Exception as problem:  # any failure is the one looked for
                return f"line {node.start_mark.line + 1}: the value {node.value[:40]!r} cannot be read ({problem})"
        elif isinstance(node, MappingNode):
            stack[:0] = [part for pair in node.value for part in pair]
        elif isinstance(node, SequenceNode):
            stack[:0] = list(node.value)
    return f"a value cannot be read ({error})"


def ends_inside_a_string(text: str) -> bool:
    """Whether the parser fails at the very end of `text`, inside a quoted string that began earlier
    and that nothing after its opening quote closes."""
    try:
        for _ in yaml.parse(text, Loader=_LOADER):
            pass
    except yaml.MarkedYAMLError as error:
        end, begin = error.problem_mark, error.context_mark
        return (
            end is not None and begin is not None and not text[end.index :].strip() and begin.index in open_quotes(text)
        )
    except yaml.YAMLError:
        return False
    return False


def open_quotes(text: str) -> tuple[int, int]:
    """Where a double-quoted and a single-quoted string still open at the end of `text` would have
    begun (-1: no such string can be open), read from the quoting rules alone.

    Inside a double-quoted string every `"` is escaped (an odd run of backslashes before it), so one
    still open began at the last unescaped `"`; inside a single-quoted string every `'` is doubled,
    so one still open began at the first quote of the last run of `'` of odd length.
    """
    return _last_unescaped_double_quote(text), _last_odd_single_quote_run(text)


def _last_unescaped_double_quote(text: str) -> int:
    """Where the last `"` not escaped by a backslash stands, or -1."""
    at = len(text)
    while (at := text.rfind('"', 0, at)) >= 0:
        if text[at - 1 : at] != "\\" or (at - _run_start(text, at, "\\")) % 2 == 0:
            return at
    return -1


def _last_odd_single_quote_run(text: str) -> int:
    """Where the last run of `'` of odd length begins (a doubled `''` is a quote inside a string), or -1."""
    end = len(text)
    while (last := text.rfind("'", 0, end)) >= 0:
        if text[last - 1 : last] != "'":  # a quote on its own: the usual case
            return last
        end = _run_start(text, last, "'")
        if (last - end) % 2 == 0:
            return end
    return -1


def _run_start(text: str, at: int, character: str) -> int:
    """Where the run of `character` that ends just before `at` begins (`at` itself when there is none)."""
    while at > 0 and text[at - 1] == character:
        at -= 1
    return at


def _describe(error: yaml.YAMLError, text: str) -> str:
    """A parser error as one line: where (`line N`) and what."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        problem = error.problem or error.context or error
    elif isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow
        where = f"line {text.count(chr(10), 0, error.position) + 1}: "
        character = error.character if isinstance(error.character, int) else ord(error.character)
        problem = f"character {character:#06x}: {error.reason}"
    else:
        where, problem = "", error
    return where + (" ".join(str(problem).split()) or type(error).__name__)


def plain(node: Node | None) -> Any:
    """The Python value of a node: dicts, lists, str, int, float, bool, None; other tags stay text."""
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        construct = _PLAIN_TAGS.get(node.tag)
        if construct is None:
            return node.value
        try:
            return construct(node)
        except (ValueError, OverflowError) as error:
            raise YamlError(f"line {node.start_mark.line + 1}: the value cannot be read ({error})") from None
    if isinstance(node, SequenceNode):
        return [plain(child) for child in node.value]
    try:
        return {plain(key): plain(value) for key, value in node.value}
    except TypeError:  # a mapping or a list as a key (`? {a: 1}`), as YAML allows and no manifest needs
        raise YamlError(
            f"line {node.start_mark.line + 1}: a key is a mapping or a list, which cannot be read"
        ) from None


def child(node: Node | None, element: PathElement) -> Node | None:
    """The node one path step below `node`, or None where there is none."""
    if isinstance(element, str):
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value == element:
                    return value
        return None
    if not isinstance(node, SequenceNode):
        return None
    if isinstance(element, int):
        return node.value[element] if -len(node.value) <= element < len(node.value) else None
    for entry in node.value:
        if isinstance(entry, MappingNode) and all(
            isinstance(found := child(entry, key), ScalarNode) and found.value == wanted
            for key, wanted in element.items()
        ):
            return entry
    return None


def find(node: Node | None, path: Path) -> Node | None:
    for element in path:
        node = child(node, element)
        if node is None:
            return None
    return node


def format_path(path: Path) -> str:
    """A path as results show it: `spec.volumes[name=cnibin].hostPath.path`."""
    text = ""
    for element in path:
        if isinstance(element, int):
            text += f"[{element}]"
        elif isinstance(element, dict):
            text += "".join(f"[{key}={value}]" for key, value in element.items())
        elif "." in element or "[" in element:
            text += f"[{element}]"
        else:
            text += f".{element}" if text else element
    return text


class Document:
    """One YAML document's text and the edits made to it.

    Every edit is checked (see `_edit`): at once, or, in a document made with `check_later`, when
    `verify` is called; the engine calls it after each transform, so that a transform's edits to one
    item are checked together, with one reading of the item instead of one per edit.
    """

    def __init__(self, text: str, check_later: bool = False) -> None:
        self._text = text  # the text the nodes were read from (but for the scalars waiting in _pending)
        self.check_later = check_later
        self._root: Node | None = None
        self._composed = False
        self._pending: dict[int, tuple[int, str]] = {}  # start -> end, text: scalars _patched replaced
        self._plain: Any = _NOTHING  # plain(root), once built
        self._plain_only = True
        self._splices: list[tuple[int, int, str]] = []  # the unchecked edits: what to undo
        self._expected: Any = _NOTHING  # the value the unchecked edits must leave
        self._edited: list[Path] = []  # where the unchecked edits were made

    @property
    def text(self) -> str:
        """The document's text, with every edit made to it."""
        if not self._pending:
            return self._text
        pieces, at = [], 0
        for start in sorted(self._pending):
            end, text = self._pending[start]
            pieces += (self._text[at:start], text)
            at = end
        pieces.append(self._text[at:])
        return "".join(pieces)

    @text.setter
    def text(self, text: str) -> None:
        self._text, self._pending = text, {}
        self._composed, self._root = False, None

    @property
    def root(self) -> Node | None:
        if not self._composed:
            self._write_pending()
            self._root = compose(self._text)
            self._plain_only = _check_editable(self._root)
            self._composed, self._plain = True, _NOTHING
        return self._root

    def _plain_root(self) -> Any:
        """`plain(self.root)`, built once for each reading of the text (or patch of the nodes).

        Why: the value of an edited item is wanted several times over (by `value`, by the first edit
        of a transform as what the edits start from, by `verify` to compare): one walk serves them.
        The callers never change it (`_with_value` copies what it changes).
        """
        root = self.root
        if self._plain is _NOTHING:
            self._plain = plain(root)
        return self._plain

    def value(self) -> Any:
        """The document's value as `load` reads it, from these nodes where `plain` can build it (the
        constructor would rewrite the nodes of a merge key: that text is loaded on its own)."""
        value = self._plain_root()
        return value if self._plain_only else load(self.text)

    def node(self, path: Path) -> Node | None:
        return find(self.root, path)

    def get(self, path: Path, default: Any = None) -> Any:
        found = self.node(path)
        return default if found is None else plain(found)

    def set(self, path: Path, value: Any) -> bool:
        """Lookup or create: make the value at `path` equal `value`; True when the text changed."""
        return self._edit(path, lambda current: value, lambda: self._set(path, value))

    def delete(self, path: Path) -> bool:
        """Remove the mapping entry at `path` (its key and value); True when there was one."""
        return self._edit(path, lambda current: _DELETED, lambda: self._delete(path))

    def set_text(self, path: Path, text: str) -> bool:
        """Make the string at `path` equal `text`, keeping a literal block scalar (`|`) one (see _set_text)."""
        return self._edit(path, lambda current: text, lambda: self._set_text(path, text))

    def append(self, path: Path, value: Any) -> None:
        """Add `value` at the end of the sequence at `path`, creating the sequence if needed."""
        self._edit(path, lambda current: _appended(current, value), lambda: self._append(path, value) or True)

    def _edit(self, path: Path, wanted: Any, edit: Any) -> bool:
        """Run `edit` and note what the document's value must be after it: the value before with
        `path` set to `wanted(current value)` (_DELETED for a removed key), nothing else changed.

        Why: the edits are splices at positions the parser reported, and a position that is off (a
        character the parser does not count, a layout the editor does not know) would write a wrong
        value or damage another field while the change is reported as made. `verify` reads the text
        again and compares; an edit that leaves the text unreadable is undone and refused at once.
        """
        root = self.root
        # No string is longer than the text it is read from: a short document has nothing to digest.
        held = _digested if len(self._text) > _LONG else _as_is
        if self._expected is _NOTHING:
            self._expected = held(self._plain_root())
        try:
            value = held(wanted(plain(find(root, path))))
            expected = _with_value(self._expected, _resolve(root, path), value)
        except (IndexError, KeyError, TypeError):  # an earlier unchecked edit went wrong: verify says so
            expected = _MISMATCH
        del root  # the edit composes the text again: the old nodes need not live on beside the new
        done = len(self._splices)
        try:
            try:
                changed = edit()
            except _PendingFirst:  # nothing done yet: the replaced scalars go into the text, read again
                self._write_pending()
                done = len(self._splices)
                changed = edit()
        except YamlError as error:
            self._undo(done)
            raise self._refusal([path], str(error)) from None
        if changed:
            self._expected = expected
            self._edited.append(path)
        if not self.check_later:
            self.verify()
        return changed

    def verify(self) -> None:
        """Check the edits made since the last check: the text must hold exactly what they meant.
        If not, every one of them is undone and a YamlError names them.

        The text is read again where scalars were replaced without reading it (`_patched`): what
        decides is the text that goes out, never what the editor believes it wrote.
        """
        expected, edited = self._expected, self._edited
        self._expected, self._edited = _NOTHING, []
        if not edited:
            self._splices.clear()
            return
        self._write_pending()
        try:
            value = self._plain_root()
        except YamlError as error:
            self._undo(0)
            raise self._refusal(edited, f"an edit would have left the item unreadable ({error})") from None
        if expected is not _MISMATCH and _same(value, expected):
            self._splices.clear()
            return
        self._undo(0)
        raise self._refusal(edited, "it would have changed other fields too")

    def _undo(self, keep: int) -> None:
        """Put the text back as it was after the first `keep` unchecked splices (scalars replaced and
        not yet written into the text are later edits still: they stay)."""
        while len(self._splices) > keep:
            start, stop, removed = self._splices.pop()
            self._text = _spliced(self._text, start, stop, removed)
        self._composed, self._root = False, None
        if not self._splices and not self._pending:
            self._expected, self._edited = _NOTHING, []

    @staticmethod
    def _refusal(paths: list[Path], problem: str) -> YamlError:
        fields = ", ".join(f"`{format_path(path)}`" for path in paths)
        return YamlError(
            f"{fields} cannot be edited safely ({problem}; an anchor or alias may share it): "
            "the item was left as it was, change the field by hand"
        )

    def _set(self, path: Path, value: Any) -> bool:
        node = self.root
        for depth, element in enumerate(path):
            below = child(node, element)
            if below is None:
                return self._create(node, path[:depth], path[depth:], value)
            node = below
        if lookups.same(plain(node), value):
            return False
        self._replace(node, path, value)
        return True

    def _delete(self, path: Path) -> bool:
        parent = self.node(path[:-1])
        if not isinstance(parent, MappingNode) or not isinstance(path[-1], str):
            return False
        index = next(
            (i for i, (key, _) in enumerate(parent.value) if isinstance(key, ScalarNode) and key.value == path[-1]),
            None,
        )
        if index is None:
            return False
        key, value = parent.value[index]
        if len(parent.value) == 1:
            self._replace(parent, path[:-1], {})
            return True
        if parent.flow_style:
            remaining = plain(parent)
            del remaining[path[-1]]
            self._splice(parent.start_mark.index, parent.end_mark.index, emit.flow(remaining))
            return True
        start = key.start_mark.index
        line_start = self._text.rfind("\n", 0, start) + 1
        if self._text[line_start:start].strip():
            # The key follows a "- " on its line: pull the next key up into its place.
            end = parent.value[index + 1][0].start_mark.index
        else:
            start = line_start
            end = _line_end(self._text, _content_end(self._text, value)) + 1
        self._splice(start, end, "")
        return True

    def _set_text(self, path: Path, text: str) -> bool:
        """Make the string at `path` equal `text`, keeping a literal block scalar (`|`) one.

        Why: Helm values and other documents live inside strings; rewritten as a quoted one-liner
        they would be unreadable in review. The block's header line (indicators and comment) and its
        indentation stay, only the content lines change. Where the block cannot carry `text`
        exactly (a chomping indicator that drops its final newline, a first line starting with a
        space), it falls back to `set`, which quotes. True when the text changed.
        """
        node = self.node(path)
        if not (isinstance(node, ScalarNode) and node.style == "|" and node.value.strip()):
            return self._set(path, text)
        if node.value == text:
            return False
        start = _line_end(self._text, node.start_mark.index) + 1
        end = _line_end(self._text, _content_end(self._text, node))
        written = next(line for line in self._text[start:end].split("\n") if line.strip())
        meant = next(line for line in node.value.split("\n") if line.strip())
        indent = " " * (_leading_spaces(written) - _leading_spaces(meant))
        body = text.rstrip("\n")  # the final line breaks are the chomping indicator's and the lines' below
        before = self._text
        try:
            self._splice(start, end, "\n".join(indent + line if line else "" for line in body.split("\n")))
            kept = self.get(path) == text
        except YamlError:
            kept = False
        if not kept:
            self._splice(0, len(self._text), before)
            return self._set(path, text)
        return True

    def _append(self, path: Path, value: Any) -> None:
        sequence = self.node(path)
        if not isinstance(sequence, SequenceNode) or not sequence.value:
            current = plain(sequence) if isinstance(sequence, ScalarNode) else None
            self._set(path, ([] if current is None else [current]) + [value])
            return
        if sequence.flow_style:
            self._splice(sequence.start_mark.index, sequence.end_mark.index, emit.flow([*plain(sequence), value]))
            return
        column = sequence.start_mark.column
        at = _line_end(self._text, _content_end(self._text, sequence))
        text = emit.block(value, column + 2, self._indents_sequences(), _quoting(sequence))
        self._splice(at, at, "\n" + " " * column + "- " + text)

    # -- text surgery -------------------------------------------------------------------------

    def _create(self, parent: Node | None, parent_path: Path, rest: Path, value: Any) -> bool:
        head = rest[0]
        nested = _nest(rest[1:], value)
        if isinstance(head, int):
            raise YamlError(f"cannot create `{format_path(parent_path + rest)}`: no element {head}")
        if isinstance(head, dict):
            entry = {**head, **nested} if isinstance(nested, dict) else nested
            if isinstance(parent, SequenceNode) or _is_null(parent):
                self._append(parent_path, entry)
                return True
            raise YamlError(f"`{format_path(parent_path)}` is not a list")
        if isinstance(parent, MappingNode) and parent.value:
            self._insert_entry(parent, head, nested)
            return True
        if isinstance(parent, MappingNode) and parent_path:
            self._replace(parent, parent_path, {head: nested})
            return True
        if _is_null(parent) and parent_path:
            self._replace(parent, parent_path, {head: nested})
            return True
        raise YamlError(f"`{format_path(parent_path) or 'the document'}` is not a mapping")

    def _insert_entry(self, mapping: MappingNode, key: str, value: Any) -> None:
        if mapping.flow_style:
            merged = {**plain(mapping), key: value}
            self._splice(mapping.start_mark.index, mapping.end_mark.index, emit.flow(merged))
            return
        column = _entry_column(self._text, mapping.value[0][0])
        at = _line_end(self._text, _content_end(self._text, mapping))
        entry = emit.block({key: value}, column, self._indents_sequences(), _quoting(mapping))
        self._splice(at, at, "\n" + " " * column + entry)

    def _replace(self, node: Node, path: Path, value: Any) -> None:
        start, end = node.start_mark.index, _content_end(self._text, node)
        indents, quote = self._indents_sequences(), _quoting(node)
        if not (isinstance(value, dict | list) and value):
            style = node.style if isinstance(node, ScalarNode) else None
            text = emit.flow(value) if isinstance(value, dict | list) else emit.scalar(value, style)
            if _is_null(node) and start == end and self._text[start - 1 : start] == ":":
                text = " " + text
        elif isinstance(node, MappingNode | SequenceNode) and not node.flow_style:
            text = emit.block(value, node.start_mark.column, indents, quote)
        elif path and isinstance(path[-1], str):
            # A scalar or flow value under a key becomes a block on the lines below the key.
            column = self._key_column(path) + (2 if isinstance(value, dict) or indents else 0)
            text = "\n" + " " * column + emit.block(value, column, indents, quote)
            while start > 0 and self._text[start - 1] in " \t":
                start -= 1
        else:
            text = emit.block(value, node.start_mark.column, indents, quote)
        if isinstance(node, ScalarNode) and self._patched(node, start, end, text):
            return
        self._splice(start, end, text)

    def _patched(self, node: ScalarNode, start: int, end: int, text: str) -> bool:
        """Replace a scalar that stays on its line with `text` in the node, and note the text to write
        in its place (`_pending`) instead of composing the document again; False (nothing done) where
        that does not apply.

        Why: a transform often changes several scalars of one item in a row (the four resources), and
        composing the whole item after each costs more than the rest of the edit. The text the
        nodes' marks point into stays as it was until the edits are verified, which writes the
        scalars into it and reads it again, so no mark needs moving; an edit that splices first
        has them written and the text read again (_PendingFirst).
        """
        old = self._text[start:end]
        if not self.check_later or any(brk in text or brk in old for brk in _LINE_BREAKS):
            return False
        try:
            piece = compose(text)
        except YamlError:
            return False
        if not isinstance(piece, ScalarNode) or piece.tag not in _PLAIN_VALUE_TAGS:
            return False
        node.tag, node.value, node.style = piece.tag, piece.value, piece.style
        self._pending[start] = (end, text)  # the same scalar replaced again: the last text is written
        self._plain = _NOTHING
        return True

    def _write_pending(self) -> None:
        """Write the scalars `_patched` replaced into the text, last first (the positions of those
        before it hold), as splices that can be undone; the nodes no longer match the text."""
        if not self._pending:
            return
        for start in sorted(self._pending, reverse=True):
            end, text = self._pending[start]
            self._splices.append((start, start + len(text), self._text[start:end]))
            self._text = _spliced(self._text, start, end, text)
        self._pending.clear()
        self._composed, self._root = False, None

    def _key_column(self, path: Path) -> int:
        parent = self.node(path[:-1])
        for key, _ in parent.value:
            if key.value == path[-1]:
                return key.start_mark.column
        return 0

    def _indents_sequences(self) -> bool:
        """Whether this document writes `key:\\n  - a` (True) or `key:\\n- a` (False)."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    block = isinstance(value, SequenceNode) and value.value and not value.flow_style
                    if block and value.start_mark.line > key.start_mark.line:
                        return value.start_mark.column > key.start_mark.column
                    stack.append(value)
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)
        return False

    def _splice(self, start: int, end: int, text: str) -> None:
        """Replace a span of the text and compose the result at once.

        Why at once: an edit that leaves the document unreadable (the editor meeting a layout it
        does not handle) must fail here, undone, and never reach the output as a corrupted item.
        """
        if self._pending:  # the positions are those of the text before them
            raise _PendingFirst
        removed = self._text[start:end]  # not the whole text: a large document would be held twice
        self._text = _spliced(self._text, start, end, text)
        self._composed = False
        self._root = None
        try:
            self.root  # noqa: B018 - compose now
        except YamlError as error:
            self._text = _spliced(self._text, start, start + len(text), removed)
            self._composed = False
            raise YamlError(f"an edit would have left the item unreadable ({error}); it was not made") from None
        self._splices.append((start, start + len(text), removed))


class _PendingFirst(Exception):
    """An edit that splices the text met scalars replaced but not yet written: `_edit` writes them
    into the text and runs the edit again on the nodes read from it."""


def _spliced(text: str, start: int, end: int, new: str) -> str:
    """`text` with `new` in place of `text[start:end]`, built in one allocation (`a + b + c` makes a
    second copy of a long text on the way, which a 5 MB value in a manifest would pay for)."""
    return "".join((text[:start], new, text[end:]))


_DELETED: Any = object()
_NOTHING: Any = object()  # no edit awaits checking
_MISMATCH: Any = object()  # what no document's value equals


def _resolve(root: Node | None, path: Path) -> Path:
    """`path` with each step that exists as a plain key or a list index; the missing rest as it is."""
    steps: list[PathElement] = []
    node = root
    for depth, element in enumerate(path):
        below = child(node, element)
        if below is None:
            return (*steps, *path[depth:])
        if isinstance(node, SequenceNode):
            element = next(index for index, entry in enumerate(node.value) if entry is below)
        steps.append(element)
        node = below
    return tuple(steps)


def _with_value(data: Any, steps: Path, value: Any) -> Any:
    """A copy of `data` with `value` at `steps` (from _resolve), made the way Document.set makes what is missing."""
    if not steps:
        return value
    head, rest = steps[0], steps[1:]
    if isinstance(head, str):
        mapping = dict(data) if isinstance(data, dict) else {}
        inner = _with_value(mapping.get(head), rest, value)
        if inner is _DELETED:
            mapping.pop(head, None)
        else:
            mapping[head] = inner
        return mapping
    sequence = list(data) if isinstance(data, list) else []
    if isinstance(head, int):
        sequence[head] = _with_value(sequence[head], rest, value)
    else:
        inner = _with_value(None, rest, value)
        sequence.append({**head, **inner} if isinstance(inner, dict) else inner)
    return sequence


def _appended(current: Any, value: Any) -> list[Any]:
    """What Document.append makes of the value at its path."""
    if isinstance(current, list):
        return [*current, value]
    return [value] if current is None or isinstance(current, dict) else [current, value]


class _Digest:
    """A long string of an expected value, held as its fingerprint: while the edited text is composed,
    the string as it was read need not live on beside the one read again."""

    __slots__ = ("fingerprint",)

    def __init__(self, text: str) -> None:
        self.fingerprint = _fingerprint(text)


def _digested(value: Any) -> Any:
    """`value` with every string longer than _LONG held as a _Digest (mapping keys stay: paths look them up)."""
    if isinstance(value, str):
        return _Digest(value) if len(value) > _LONG else value
    if isinstance(value, dict):
        return {key: _digested(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_digested(inner) for inner in value]
    return value


def _as_is(value: Any) -> Any:
    return value


_LONG = 4096


def _fingerprint(value: Any) -> int:
    """A number that differs between different values, types included (`1`, `1.0` and `true` differ).

    Why not keep the value itself: an edited item's longest strings would be held once more while
    the edited text is composed; a hash is computed in place.
    """
    if isinstance(value, dict):
        return hash(("map", frozenset((_fingerprint(key), _fingerprint(inner)) for key, inner in value.items())))
    if isinstance(value, list):
        return hash(("seq", tuple(map(_fingerprint, value))))
    if isinstance(value, _Digest):
        return value.fingerprint
    return hash((type(value).__name__, value if value == value else "NaN"))


def _same(actual: Any, expected: Any) -> bool:
    """Whether `actual` (a value `plain` built) is `expected`, types included (`1`, `1.0` and `true`
    differ); a _Digest in `expected` stands for its string.

    Why not compare fingerprints: that walks both values and hashes every part of them, and
    different numbers can share a hash (`-1` and `-2` do); this walks them together once.
    """
    if isinstance(expected, _Digest):
        return type(actual) is str and _fingerprint(actual) == expected.fingerprint
    if type(actual) is not type(expected):
        return False
    if type(actual) is dict:
        if len(actual) != len(expected):
            return False
        for key, value in actual.items():
            if type(key) is not str:  # keys that differ in type alone (`1`, `true`) find each other in a dict
                return _fingerprint(actual) == _fingerprint(expected)
            if not _same(value, expected.get(key, _MISMATCH)):
                return False
        return True
    if type(actual) is list:
        return len(actual) == len(expected) and all(map(_same, actual, expected))
    return actual == expected or (actual != actual and expected != expected)  # NaN is NaN


def _nest(rest: Path, value: Any) -> Any:
    """The value to insert so that `rest` (a path below a missing node) leads to `value`."""
    if not rest:
        return value
    head, inner = rest[0], _nest(rest[1:], value)
    if isinstance(head, str):
        return {head: inner}
    if isinstance(head, dict):
        return [{**head, **inner} if isinstance(inner, dict) else inner]
    raise YamlError(f"cannot create list element {head}")


def _quoting(node: Node) -> str | None:
    """The quote style every string scalar below `node` shares, so new strings can match it."""
    styles = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, MappingNode):
            stack.extend(value for _, value in current.value)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
        elif current.tag == "tag:yaml.org,2002:str":
            styles.add(current.style)
    return styles.pop() if len(styles) == 1 and styles & {'"', "'"} else None


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null")


def _entry_column(text: str, key: Node) -> int:
    """The column a mapping's entries start at: its first key's, or that of the `?` before an explicit key."""
    column = key.start_mark.column
    before = text[key.start_mark.index - column : key.start_mark.index].rstrip()
    return len(before) - 1 if before.endswith("?") else column


def _content_end(text: str, node: Node) -> int:
    """Where the last character of a node's own text is (block collections' marks run on further)."""
    while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    end = node.end_mark.index
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        while end > node.start_mark.index and text[end - 1] in " \t\r\n":
            end -= 1
    return end


def _leading_spaces(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def _check_editable(root: Node | None) -> bool:
    """Refuse what an edit could silently damage: duplicate keys, object tags (`compose` has refused
    deep nests; an edit that would change what an alias shares is refused when it is verified).
    True when every tag is one `plain` builds the value of as PyYAML does (no merge key either)."""
    plain_only = True
    seen: set[int] = set()
    stack: list[Node] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if node.tag not in _PLAIN_VALUE_TAGS:
            if node.tag.startswith("tag:yaml.org,2002:python/") or node.tag.startswith("!"):
                raise YamlError(f"line {node.start_mark.line + 1}: tag {node.tag} is not allowed here")
            plain_only = False
        if isinstance(node, ScalarNode) or id(node) in seen:  # seen: an alias, refused if an edit reaches it
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):  # children pushed last first: a refusal names the first in the text
            _refuse_duplicate_keys(node)
            for key, value in reversed(node.value):
                stack.extend((value, key))
        else:
            stack.extend(reversed(node.value))
    return plain_only


def _refuse_duplicate_keys(mapping: MappingNode) -> None:
    try:  # keys of different texts are different keys: the usual mapping is done with at once
        if len({key.value for key, _ in mapping.value}) == len(mapping.value):
            return
    except TypeError:  # a collection as a key (`? [a]`)
        pass
    keys: set[tuple[str, str]] = set()
    for key, _ in mapping.value:
        if isinstance(key, ScalarNode) and key.tag != _MERGE_TAG:
            if (key.tag, key.value) in keys:
                raise YamlError(f"line {key.start_mark.line + 1}: duplicate key '{key.value}'")
            keys.add((key.tag, key.value))
