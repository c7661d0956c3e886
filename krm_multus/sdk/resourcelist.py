"""Read and write ResourceLists and YAML streams, passing untouched items through as text.

Why: a function that parses and re-dumps every item loses comments and quoting in users' files
(kpt writes the output back over them) and spends most of its time on items it never looks at.
Here the input is cut into items at their boundaries; an item is parsed only when a transform or
check asks for it, and written back as it came unless an edit changed it. Input whose text cannot
be cut safely (flow style, JSON, anchors shared between items) takes the full-parse path, which
gives the same items as plain text documents.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator

import yaml
from yaml.nodes import MappingNode, Node

from krm_multus.sdk import emit, yamledit
from krm_multus.sdk.perrun import PerRun
from krm_multus.sdk.yamledit import Document, Path, YamlError, load

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

_BATCH = 1 << 16


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes shared values out in full: the output never gains an anchor the input did not have."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


RESOURCE_LIST_VERSIONS = ("config.kubernetes.io/v1", "config.kubernetes.io/v1beta1")
LOCAL_CONFIG = "config.kubernetes.io/local-config"
# Patterns only some inputs need are compiled on first use (re keeps them): a stream never needs the
# ResourceList ones, and compiling a pattern costs a tenth of a millisecond of every run's start-up.
# Possessive: a long run of blanks is matched once (a lazy value took time quadratic in its length).
_TOP_KEY = r"^([\"']?)([A-Za-z_][\w.-]*)\1[ \t]*:(?:[ \t]++(.*[^ \t]))?[ \t]*$"  # groups: quote, key, value
# At the start of a line: a document start (`---`, with a comment or with the document's first node
# after it: `--- {flow}`, `--- !!map`) or a document end (`...`), which is kept with the next separator.
_STREAM_SEPARATOR = r"(?:---|\.\.\.)(?:[ \t]*(?:#.*)?\r?(?:\n|$)|[ \t]+(?=[^\s#]))"
# Before a ResourceList's first key: comments, directives (`%YAML 1.1`) and a `---` line.
_PREAMBLE = r"(?:(?:%.*|[ \t]*(?:#.*)?)\n)*---[ \t]*(?:#.*)?(?:\n|\Z)"
_DOCUMENT_END = r"^\.\.\.[ \t]*(?:#.*)?$"
_ANCHOR = r"(?:^|[\s\[{,])&([^\s,\[\]{}]+)"
_COLUMN_ZERO = r"(?![ \t]|#|-|$)"  # a line that is not a list entry, a comment or blank
_LEADING_SPACE = re.compile(r"\s*")
# After a key: a value that is there and not empty or null.
_SET_VALUE = r"[ \t]*(?!(?:''|\"\"|~|null|Null|NULL)[ \t]*(?:#|$))[^\s#]"
_ALIAS = r"(?:^|[\s\[{,])\*([^\s,\[\]{}]+)"
_UNSET: Any = object()


TOP_KEYS = ("apiVersion:", "kind:")  # the keys `looks_like_resource` refuses to find twice


class InputError(Exception):
    """Input that is not a ResourceList or a stream of resources; the message says where."""


# The patterns every item is tested with depend only on the indentation of the list its items are
# entries of (and the key): compiled once each, not built and looked up again for each of thousands of items.


def _mark_plain(items: list[Item], text: str, starts: list[int], end: int) -> None:
    """Read each item's kind from the usual start (`_head_pattern`), and mark the items as plainly
    resources when every one starts so and none repeats `apiVersion` or `kind`. `starts` are where
    the items start in `text`, and the last ends at `end`.

    Why: the engine tests every item, and one match of its start plus two counts in the whole input
    cost a fraction of three searches and two counts in each of thousands of items (a long text is
    searched with a skip table, a short one character by character). Each head holds one top-level
    `kind` line and no `apiVersion` line after its first, so any count above that is a repeat
    somewhere, and then every item is tested on its own. A `\n` + `apiVersion:` found just before
    an item (the separator before a document of a stream) is the item's own first line.
    """
    if not items:
        return
    indent = items[0].indent
    pattern = _head_pattern(indent)
    kinds: dict[str, str] = {}
    for item in items:
        head = pattern.match(item.source)
        if head is None:
            return
        kind = head.group("kind")
        item._kind = kinds.setdefault(kind, kind)  # one string for each kind, not one for each item
    versions, kind_lines = (_key_line(indent, key) for key in TOP_KEYS)
    before = sum(text.startswith(versions, start - 1) for start in starts[1:])
    if text.count(versions, starts[0], end) == before and text.count(kind_lines, starts[0], end) == len(items):
        for item in items:
            item._plain = True


def _key_line(indent: int | None, key: str) -> str:
    """`key` at the start of a line at the item's top level, with the line break before it."""
    return "\n" + ("" if indent is None else " " * (indent + 2)) + key


def _top_level(indent: int | None) -> str:
    """A pattern for where the item's own keys start a line."""
    if indent is None:
        return ""
    return f"(?:{' ' * indent}- |{' ' * (indent + 2)})"


@functools.cache
def _set_key_pattern(indent: int | None, key: str) -> re.Pattern[str]:
    """`key:` with a value set, at the item's top level."""
    return re.compile(rf"^{_top_level(indent)}{key}:{_SET_VALUE}", re.M)


@functools.cache
def _scalar_pattern(indent: int | None, key: str) -> re.Pattern[str]:
    """`key:` at the item's top level with a plain one-word value (group 1)."""
    return re.compile(rf"^{_top_level(indent)}{key}:[ \t]*([A-Za-z0-9][\w./-]*)[ \t]*(?:#.*)?$", re.M)


@functools.cache
def _metadata_key_pattern(indent: int | None, key: str) -> re.Pattern[str]:
    """`key:` with a value set as a key of `metadata` itself, at the indentation of its first key."""
    inner = f"[ ]{{{1 if indent is None else indent + 3},}}"
    blank = r"[ \t]*(?:#.*)?\n"
    return re.compile(
        rf"^{_top_level(indent)}metadata:[ \t]*(?:#.*)?\n(?>{blank})*(?P<pad>{inner})"
        rf"(?:(?!{key}:)[^\s#].*\n(?>(?P=pad).*\n|{blank})*?(?P=pad))?{key}:(?={_SET_VALUE})"
        rf"[ \t]*(?P<value>\S*)",
        re.M,
    )


@functools.cache
def _head_pattern(indent: int | None) -> re.Pattern[str]:
    """The usual start of a resource: `apiVersion`, `kind` (group `kind`), then `metadata` with a `name`.

    One match at the item's start answers what three searches of its text do for any layout (see
    `looks_like_resource`): the key order kubectl, kpt and most people write. Only what those
    searches would also find matches: a set apiVersion, the kind as `_scalar_pattern` reads it, and
    `name` as a key of `metadata` itself, after its sibling keys and their deeper lines.
    """
    entry = "" if indent is None else " " * indent + "- "
    pad = "" if indent is None else " " * (indent + 2)
    inner = f"[ ]{{{1 if indent is None else indent + 3},}}"
    return re.compile(
        rf"{entry}apiVersion:(?={_SET_VALUE}).*\n"
        rf"{pad}kind:[ \t]*(?P<kind>[A-Za-z0-9][\w./-]*)[ \t]*(?:#.*)?\n"
        rf"{pad}metadata:[ \t]*(?:#.*)?\n(?P<pad>{inner})"
        rf"(?:(?!name:)[^\s#].*\n(?:(?P=pad)[ \t].*\n)*+(?P=pad))*+name:(?={_SET_VALUE})",
        re.M,
    )


class ItemError(YamlError):
    """An item that cannot be read or edited; names the item so the message can say which."""

    def __init__(self, item: Item, message: str) -> None:
        super().__init__(message)
        self.item = item
        self.message = message


class Item:
    """One resource: its text as read, and a parse of it made only when asked for."""

    __slots__ = ("_data", "_data_text", "_doc", "_kind", "_plain", "_text", "indent", "newline", "prefix", "source")

    def __init__(self, source: str, indent: int | None = None, prefix: str | None = None) -> None:
        # In a stream of mixed line endings (`cat` of files from different editors), an item whose
        # lines all end in CRLF is read and edited with `\n` and written back with its own CRLF.
        self.newline = "\r\n" if "\r" in source and _all_crlf(source) else "\n"
        if self.newline != "\n":
            source = source.replace(self.newline, "\n")
        self.source = source  # as read (but for CRLF): a "- " list entry at `indent`, or a whole document
        self.indent = indent
        self.prefix = prefix  # in a stream: the separator and comments before the document
        self._text: str | None = None
        self._doc: Document | None = None
        self._data: Any = _UNSET
        self._data_text: str | None = None
        self._kind: Any = _UNSET
        self._plain = False  # the cut found it plainly a resource (`_mark_plain`)

    @property
    def text(self) -> str:
        """The item as a standalone YAML document, as it was read."""
        if self._text is None:
            self._text = self.source if self.indent is None else _dedent_entry(self.source, self.indent)
        return self._text

    @property
    def doc(self) -> Document:
        """The item for editing; the edits are what the output carries."""
        if self._doc is None:
            doc = _ItemDocument(self)
            doc.root  # noqa: B018 - compose now, so a broken item fails here, named
            self._doc = doc
        return self._doc

    @property
    def current_text(self) -> str:
        return self._doc.text if self._doc is not None else self.text

    def snapshot(self) -> str | None:
        """The edited text, None when unedited: what `restore` goes back to."""
        return self._doc.text if self._doc is not None else None

    def restore(self, snapshot: str | None) -> None:
        """Drop every edit made since `snapshot` was taken (and what was read from them)."""
        if snapshot is None:
            self._doc = None
        elif self._doc is None or self._doc.text != snapshot:
            doc = _ItemDocument(self)
            doc.text = snapshot
            self._doc = doc
        self._data = _UNSET

    def verify_edits(self) -> None:
        """Check the edits not yet checked (see Document.verify); an ItemError undoes and names them."""
        if self._doc is not None:
            self._doc.verify()

    @property
    def changed(self) -> bool:
        return self._doc is not None and self._doc.text != self.text

    @property
    def data(self) -> Any:
        """The item's value, read-only: dicts, lists and scalars (fast C parse, no editing marks)."""
        text = self.current_text if self._doc is not None else None
        if self._data is _UNSET or text != self._data_text:
            source = text if text is not None else self.source
            try:
                value = self._edited_value() if text is not None else _UNSET
                if value is _UNSET:
                    value = yamledit.load(source)
            except YamlError as error:
                raise ItemError(self, str(error)) from None
            if text is None and self.indent is not None:
                value = value[0] if isinstance(value, list) and value else None
            self._data, self._data_text = value, text
        return self._data

    def read_to_edit(self) -> Any:
        """`data`, read from the nodes the edits use where those read as the item as it stands.

        Why: an item about to be edited (any DaemonSet may be the Multus one) is then parsed once,
        not once as it stands to check it and again as a document to edit it. Where the text may
        read otherwise than the entry (see `_reads_as_entry`), the entry is read as it stands.
        """
        if self._doc is None and (self.indent is None or _reads_as_entry(self.text, self.source, self.indent)):
            try:
                root = self.doc.root
            except ItemError:
                root = None  # `data` reads the item as it stands and says why it cannot be read
            if not (isinstance(root, MappingNode) and root.flow_style is False):
                self._doc = None
        return self.data

    def _edited_value(self) -> Any:
        """After an edit: the value built from the nodes the next edit composes anyway, which saves a parse.

        _UNSET where the editor refuses the text: the caller then parses the text as it would any other.
        """
        try:
            return self._doc.value() if self._doc is not None else _UNSET
        except YamlError:
            return _UNSET

    @property
    def kind(self) -> str:
        if self._kind is _UNSET:
            self._kind = self._scan("kind")
        return self._kind

    @property
    def api_version(self) -> str:
        return self._scan("apiVersion")

    @property
    def metadata(self) -> dict[str, Any]:
        """`metadata`; of an item that cannot be read, the name and namespace its text plainly shows."""
        try:
            data = self.data
        except ItemError:
            found = {key: self._metadata_key(key) for key in ("name", "namespace")}
            return {key: match.group("value").strip("'\"") for key, match in found.items() if match}
        meta = data.get("metadata") if isinstance(data, dict) else None
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("name") or "")

    @property
    def namespace(self) -> str:
        return str(self.metadata.get("namespace") or "")

    def annotation(self, key: str) -> str | None:
        if key not in self.source:
            return None
        annotations = self.metadata.get("annotations")
        value = annotations.get(key) if isinstance(annotations, dict) else None
        return None if value is None else str(value)

    @property
    def is_local_config(self) -> bool:
        return (self.annotation(LOCAL_CONFIG) or "").lower() == "true"

    def is_a(self, kind: str, group: str | None = None) -> bool:
        """Cheap type test: kind from the text, the API group only when the kind matched."""
        if self.kind != kind:
            return False
        return group is None or self.api_version.split("/")[0] == group

    def _field(self, key: str) -> str:
        try:
            data = self.data
        except ItemError:
            return ""
        value = data.get(key) if isinstance(data, dict) else None
        return "" if value is None else str(value)

    def looks_like_resource(self) -> bool:
        """Whether the text plainly has apiVersion, kind and a metadata name, without parsing it.

        The name must be a key of `metadata` itself (at the indentation of its first key), not one
        further down. Each line is matched by one atomic group, so a text that does not match is
        rejected in linear time (an ambiguous pattern took exponential time on blank lines).
        """
        if self._plain:
            return True
        if any(self._repeats(key) for key in TOP_KEYS):
            return False  # a duplicate key: the parser must say which (and a text search would pick one)
        head = _head_pattern(self.indent).match(self.source)
        if head is not None:
            self._kind = head.group("kind")  # what `_scan` would find: the text has no other kind line
            return True
        return bool(
            _set_key_pattern(self.indent, "apiVersion").search(self.source)
            and _set_key_pattern(self.indent, "kind").search(self.source)
            and self._metadata_key("name")
        )

    def _metadata_key(self, key: str) -> re.Match[str] | None:
        """A key of `metadata` itself with a value set (group `value`: its first word), found in the text."""
        return _metadata_key_pattern(self.indent, key).search(self.source)

    def _repeats(self, key: str) -> bool:
        """Whether `key` starts more than one line at the item's top level (plain substring counts)."""
        first = self.source.startswith(key, 0 if self.indent is None else self.indent + 2)  # on the `- ` line
        return self.source.count(_key_line(self.indent, key)) + first > 1

    def _scan(self, key: str) -> str:
        """A top-level scalar found by a text search; a parse only when the text is unusual."""
        found = _scalar_pattern(self.indent, key).search(self.source)
        return found.group(1) if found else self._field(key)

    def render(self, indent: int | None) -> str:
        """The item's output text, as a list entry at `indent` or a document when None."""
        self.verify_edits()  # the engine has checked them after each transform; others' edits, here
        text = self._render(indent)
        return text if self.newline == "\n" else text.replace("\n", self.newline)

    def _render(self, indent: int | None) -> str:
        if not self.changed and indent == self.indent:
            return self.source
        text = self.current_text
        if not text.endswith("\n"):
            text = with_final_line_break(text)
        if indent is None:
            return text
        if indent == self.indent:
            body, trailer = _keep_trailer(self.source, text, indent)
            return _as_entry(body, indent) + trailer
        return _as_entry(text, indent)


class _ItemDocument(Document):
    """An item's Document: what cannot be read or edited in it raises an ItemError, which names the item.

    Why: an edit a field's shape does not allow (a `resources: 0` where a mapping belongs) must come
    out as an error result about that item, not as a failure nobody can place. Its edits are checked
    when the engine calls `verify`, after each transform (and before the item is written).
    """

    def __init__(self, item: Item) -> None:
        super().__init__(item.text, check_later=True)
        self.item = item

    def _naming_the_item(self, operation: Callable[..., Any], *args: Any) -> Any:
        try:
            return operation(*args)
        except ItemError:
            raise
        except YamlError as error:
            raise ItemError(self.item, str(error)) from None

    @property
    def root(self) -> Node | None:
        return self._naming_the_item(Document.root.fget, self)  # type: ignore[attr-defined]

    def set(self, path: Path, value: Any) -> bool:
        return self._naming_the_item(super().set, path, value)

    def set_text(self, path: Path, text: str) -> bool:
        return self._naming_the_item(super().set_text, path, text)

    def delete(self, path: Path) -> bool:
        return self._naming_the_item(super().delete, path)

    def append(self, path: Path, value: Any) -> None:
        self._naming_the_item(super().append, path, value)

    def verify(self) -> None:
        self._naming_the_item(super().verify)

    def value(self) -> Any:
        return self._naming_the_item(super().value)


class ResourceList:
    """The items, the function config, results already present, and how to write them back."""

    def __init__(self, items: list[Item], function_config: Any, results: list[Any], layout: Layout):
        self.items = items
        self.function_config = function_config
        self.results = results
        self.layout = layout
        self.problems: list[str] = []  # what makes the run fail before it starts (an unreadable functionConfig)

    @property
    def is_stream(self) -> bool:
        """Whether the output is not a ResourceList: a failed run then writes nothing."""
        return self.layout.stream or self.layout.list_kind


class Layout:
    """The text around the items, kept to write the output the way the input was written."""

    def __init__(self, stream: bool, parts: list[str | None], item_indent: int = 0) -> None:
        self.stream = stream
        self.parts = parts  # text, with None where the items go; for a stream, what follows the last item
        self.item_indent = item_indent
        self.end = ""  # a ResourceList's document end (`...`) and what follows it: after the results
        self.list_kind = False  # a `kind: List`: written like a ResourceList, but without results
        self.results_text: str | None = None  # earlier functions' results as read, when kept as text
        self.results_indent = 0
        self.bom = ""  # a byte order mark the input started with
        self.newline = "\n"  # "\r\n" when every line of the input ended so


def read(text: str, full_parse: bool = False) -> ResourceList:
    """Read a ResourceList (YAML or JSON) or a plain YAML stream of resources.

    A byte order mark and CRLF line endings are read as YAML reads them: the items are cut and
    edited without them (the parser's positions do not count a mark, and the text patterns look for
    `\n`), and the output gets them back, so an untouched item is still written byte for byte.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = "\r\n" if "\r" in text and _all_crlf(text) else "\n"
    if bom or newline != "\n":
        text = text[len(bom) :].replace(newline, "\n")
    resource_list = _read(text, full_parse)
    resource_list.layout.bom, resource_list.layout.newline = bom, newline
    return resource_list


def _all_crlf(text: str) -> bool:
    """Whether every line break is CRLF (a mixed text keeps its breaks: each item is read as it is)."""
    crlf = text.count("\r\n")
    return crlf == text.count("\n") == text.count("\r")


def _read(text: str, full_parse: bool) -> ResourceList:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        documents = _load_all(text, "the input")
        return _from_data(documents[0] if len(documents) == 1 else [doc for doc in documents if doc is not None])
    list_kind = not first_document_is(text, "ResourceList")
    if list_kind and not first_document_is(text, "List"):
        return _read_stream(text, full_parse)
    if not full_parse:
        found = _split_resource_list(text, list_kind)
        if found is not None:
            return found
    return _from_data(_load(text, "the List" if list_kind else "the ResourceList"))


def verify_edits(items: list[Item]) -> None:
    """Check the edits not yet checked of every item that has any (see Item.verify_edits), testing
    the thousands of unedited items as `snapshots` does, without a call for each."""
    for item in items:
        if item._doc is not None:
            item._doc.verify()


def snapshots(items: list[Item]) -> dict[Item, str]:
    """Each edited item's `snapshot`; an item that is not in it has none (it is unedited).

    Why: the engine takes them before every module, and most of thousands of items are never edited.
    """
    return {item: item._doc.text for item in items if item._doc is not None}


def _kinds(items: list[Item]) -> tuple[dict[str, list[Item]], tuple[()]]:
    """The items of each kind. An item's kind is read from the text it came in as, so no edit makes
    the index stale: it depends on the list alone (see `perrun`)."""
    found: dict[str, list[Item]] = {}
    for item in items:
        found.setdefault(item.kind, []).append(item)
    return found, ()


_KINDS = PerRun(_kinds)


def of_kind(items: list[Item], kind: str, group: str | None = None) -> list[Item]:
    """The items of `kind` (and API `group`, as `Item.is_a` tests it), in their order.

    Why: the transforms and checks each look for a few kinds among what may be thousands of items;
    the kinds are read into one index that serves them all, instead of a test of every item in
    every module.
    """
    found = _KINDS(items).get(kind, [])
    return [item for item in found if group is None or item.is_a(kind, group)]


def write(resource_list: ResourceList, results: list[dict[str, Any]]) -> str:
    """The output text: items in their order, untouched ones as read, results appended."""
    return "".join(_output(resource_list, results))


def write_to(out: TextIO, resource_list: ResourceList, results: list[dict[str, Any]]) -> None:
    """Write the output text to `out` in batches of about 64 KiB.

    Why not `out.write(write(...))`: a whole cluster's output would then sit in memory twice more,
    once joined and once encoded; batches keep that small and still cost few system calls. Every
    piece is made before the first is written (untouched items are their own text, not copies), so
    a failure on the way leaves nothing half written.
    """
    batch: list[str] = []
    size = 0
    for piece in list(_output(resource_list, results)):
        batch.append(piece)
        size += len(piece)
        if size >= _BATCH:
            out.write("".join(batch))
            batch, size = [], 0
    out.write("".join(batch))


def _output(resource_list: ResourceList, results: list[dict[str, Any]]) -> Iterator[str]:
    """The output pieces with the byte order mark and line endings the input had."""
    layout = resource_list.layout
    if layout.bom:
        yield layout.bom
    if layout.newline == "\n":
        yield from _pieces(resource_list, results)
    else:
        for piece in _pieces(resource_list, results):
            yield piece.replace("\n", layout.newline)


def _pieces(resource_list: ResourceList, results: list[dict[str, Any]]) -> Iterator[str]:
    layout = resource_list.layout
    if layout.stream:
        previous = None  # the item written last: the next must start on a line of its own
        for index, item in enumerate(resource_list.items):
            if previous is not None and not previous.endswith("\n"):
                yield "\n"
            yield item.prefix if item.prefix is not None else "---\n" if index else ""
            previous = item.render(None)
            yield previous
        yield from layout.parts
        return
    last: str | None = None  # the piece written last, held back: the results must start on a line of its own
    last_is_item = False
    for piece, is_item in _parts_and_items(resource_list):
        if last is not None:
            yield last
        last, last_is_item = piece, is_item
    everything = list(resource_list.results) + results
    results_follow = bool(everything or layout.results_text) and not layout.list_kind
    if last is not None:
        if results_follow and not last.endswith("\n"):
            last = with_final_line_break(last) if last_is_item else last + "\n"
        yield last
    if results_follow:
        if layout.results_text is None:
            yield "results:\n" + emit.block(everything, 0) + "\n"
        else:
            yield layout.results_text
            if results:
                yield " " * layout.results_indent + emit.block(results, layout.results_indent) + "\n"
    yield layout.end


def _parts_and_items(resource_list: ResourceList) -> Iterator[tuple[str, bool]]:
    """The ResourceList's text around its items and each item's output text, in order (True: an item's)."""
    layout = resource_list.layout
    for part in layout.parts:
        if part is not None:
            yield part, False
        else:
            for item in resource_list.items:
                yield item.render(layout.item_indent), True


def with_final_line_break(text: str) -> str:
    """`text` with a line break after it, reading as the same value.

    Why: where an item ends the input without a line break, the output needs one after it (before
    the results, or in an edited item), and a block scalar (`|`, `>`) that runs to the end would
    take that line break into its value. So its header gets the strip indicator (`|` becomes `|-`),
    or, for a keep block (`|+`) whose last line is blank, that line's blanks go: whichever reads
    the same value. Anything else reads the same with or without the line break.
    """
    try:
        root = node = yamledit.compose(text)
    except YamlError:
        return text + "\n"  # not read here: the checks that read it say what is wrong
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value:
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    if not (isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")):
        return text + "\n"
    start = node.start_mark.index
    header = re.match(r"[|>](?:[1-9]?[+-]?|[+-][1-9]?)", text[start : start + 3])
    unblanked = text.rstrip(" \t")
    candidates = [unblanked if unblanked.endswith("\n") else unblanked + "\n"]
    if header:
        indentation = "".join(character for character in header.group() if character.isdigit())
        candidates.insert(0, f"{text[:start]}{node.style}{indentation}-{text[header.end() + start :]}\n")
    for candidate in candidates:  # compared as nodes: a value that cannot be built (`2024-02-30`) compares too
        try:
            if _same_nodes(yamledit.compose(candidate), root):
                return candidate
        except YamlError:
            pass
    return text + "\n"


def _same_nodes(one: Node | None, other: Node | None) -> bool:
    """Whether two composed documents hold the same tags and values in the same shape."""
    if type(one) is not type(other) or (one is not None and one.tag != other.tag):
        return False
    if not isinstance(one, yaml.MappingNode | yaml.SequenceNode):
        return one is None or one.value == other.value
    if len(one.value) != len(other.value):
        return False
    pairs = zip(one.value, other.value, strict=True)
    if isinstance(one, yaml.MappingNode):
        return all(
            _same_nodes(key, other_key) and _same_nodes(value, other_value)
            for (key, value), (other_key, other_value) in pairs
        )
    return all(_same_nodes(a, b) for a, b in pairs)


# -- ResourceList text --------------------------------------------------------------------------


def first_document_is(text: str, kind: str) -> bool:
    """Whether the first document has this top-level kind (a stream may hold one further down).

    Only the first document is searched: a stream that mentions the kind anywhere (`PodList`, a CRD's
    description) costs a search of its first document, not a line-by-line search of all of it.
    """
    if kind not in text:  # a plain substring search spares a stream the line-by-line one
        return False
    start, end = first_document_span(text)
    line = f"kind: {kind}\n"  # as kpt and kubectl write it: found without compiling the pattern
    if (start == 0 and text.startswith(line, 0, end)) or text.find("\n" + line, start, end) >= 0:
        return True
    return _kind_line(kind).search(text, start, end) is not None


def first_document_span(text: str) -> tuple[int, int]:
    """Where the first document's text starts and ends (after directives and a leading `---`)."""
    preamble = re.match(_PREAMBLE, text) if text.startswith(("%", "#", "---")) else None
    start = preamble.end() - 1 if preamble else 0
    return start, min(_document_break(text, start, mark) for mark in ("\n---", "\n..."))


def _document_break(text: str, start: int, mark: str) -> int:
    """Where the first line that starts with `mark` and a blank (or nothing) stands; len(text) if none.

    Why not a regular expression: one that starts with a line break is tried at every line, and a
    ResourceList has no break to stop it; `str.find` skips through the text several times faster.
    """
    at = text.find(mark, start)
    while at >= 0 and text[at + 4 : at + 5] not in ("", " ", "\t", "\n"):
        at = text.find(mark, at + 1)
    return len(text) if at < 0 else at


@functools.cache
def _kind_line(kind: str) -> re.Pattern[str]:
    return re.compile(rf"^(['\"]?)kind\1[ \t]*:[ \t]*(['\"]?){kind}\2[ \t]*(?:#.*)?$", re.M)


def _split_resource_list(text: str, list_kind: bool = False) -> ResourceList | None:
    """Cut a block-style ResourceList into items; None where the text is not plain enough.

    The text is searched by position rather than sliced into sections: on a whole cluster's
    manifests every copy of the items' text would be tens of megabytes. With `list_kind`, the text
    is a `kind: List` (what `kubectl get -o yaml` prints): its items are cut the same way.
    """
    begin = 0
    if text.startswith(("---", "%", "#")):
        preamble = re.match(_PREAMBLE, text)
        begin = preamble.end() if preamble else 0
    split = _without_document_end(text, begin)
    if split is None:
        return None
    text, trailer = split
    # One scan finds every line not indented by two spaces: the header's keys are among them, and so
    # are, when the items are entries at column 0 (as kpt and kubectl write them), the entries and
    # whatever else stands left of their content. Each further scan of megabytes costs as much again.
    shallow = [line.start() for line in _line_matches(_shallow_lines(0), text, begin, len(text))]
    keys = _top_level_keys(text, begin, shallow)
    if keys is None:
        return None
    starts = [key.start() for key in keys] + [len(text)]
    parts: list[str | None] = [text[: starts[0]]]
    header: list[str] = []
    layout = Layout(False, parts)
    layout.list_kind, layout.end = list_kind, trailer
    resource_list = ResourceList([], None, [], layout)
    version = ""
    for index, key in enumerate(keys):
        name = key.group(2)
        if name == "items":  # cut where it stands: a slice of the section would copy every item once more
            if not _cut_items(resource_list, text, key, starts[index + 1], shallow):
                return None
            continue
        section = text[starts[index] : starts[index + 1]]
        if name == "results" and not list_kind:
            if not _keep_results(resource_list, section):
                return None
        else:
            parts.append(section)
            header.append(section)
            version = section if name == "apiVersion" else version
            if name == "functionConfig" and not list_kind:
                _read_function_config(resource_list, section, text.count("\n", 0, starts[index]))
    try:
        yamledit.compose("".join(header))  # YAML must accept the header; its values are built only where needed
        head = yamledit.load(version) if version else {}
    except YamlError:
        return None
    if not list_kind:
        _check_header(head)
    return resource_list


def _without_document_end(text: str, begin: int) -> tuple[str, str] | None:
    """The text before a closing `...` and what follows it (comments only), or None where more follows."""
    if "\n..." not in text:
        return text, ""
    closing = re.compile(_DOCUMENT_END, re.M).search(text, begin)
    if closing is None or not _only_comments(text[closing.end() :]):
        return None
    return text[: closing.start()], text[closing.start() :]  # the items are cut out of the first: not held twice


def _top_level_keys(text: str, begin: int, shallow: list[int]) -> list[re.Match[str]] | None:
    """The header's keys at column 0, `items` among them, each once; None where any other line at
    column 0 is something else than a list entry, a comment or blank, or text comes before the first.
    `shallow`: where the lines not indented by two spaces start."""
    column_zero = re.compile(_COLUMN_ZERO, re.M)
    lines = [line for line in shallow if column_zero.match(text, line)]
    top_key = re.compile(_TOP_KEY, re.M)
    keys = [key for line in lines if (key := top_key.match(text, line))]
    names = [key.group(2) for key in keys]
    if "items" not in names or len(set(names)) != len(names) or len(keys) != len(lines):
        return None
    return keys if _only_comments(text[begin : keys[0].start()]) else None


def _cut_items(resource_list: ResourceList, text: str, key: re.Match[str], end: int, shallow: list[int]) -> bool:
    """Cut the entries of `items:` (up to `end`) into the resource list; False where they cannot be.
    `shallow`: where the lines not indented by two spaces start."""
    value = (key.group(3) or "").split("#")[0].strip()
    if value not in ("", "[]"):
        return False
    line_end = key.end() + 1
    split = _split_items(text, line_end, end, shallow)
    if split is None or (value == "[]" and split[1]):
        return False
    lead, resource_list.items, resource_list.layout.item_indent = split
    if _shares_anchors(resource_list.items):
        return False
    resource_list.layout.parts.extend([text[key.start() : line_end] + lead, None])
    return True


def _keep_results(resource_list: ResourceList, section: str) -> bool:
    """Earlier functions' results: a block list is kept as text (new results are appended to it), any
    other form is read and written again. False where they are not a list, or not YAML: the results
    written after them must read as a list with them (a stray line would make the section unreadable)."""
    try:
        results = (yamledit.load(section) or {}).get("results") or []
    except (YamlError, AttributeError):
        return False
    if not isinstance(results, list):
        return False
    entries = re.match(r"results:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*( *)- ", section)
    if entries:
        resource_list.layout.results_text = section if section.endswith("\n") else section + "\n"
        resource_list.layout.results_indent = len(entries.group(1))
    else:
        resource_list.results = results
    return True


def _read_function_config(resource_list: ResourceList, section: str, line: int) -> None:
    """The functionConfig section; a value in it that cannot be read is a problem of the run, named."""
    try:
        resource_list.function_config = (yamledit.load(section) or {}).get("functionConfig")
    except YamlError as error:
        resource_list.problems.append(f"functionConfig is not valid YAML: {_shift_line(str(error), line)}")


def _shift_line(message: str, lines: int) -> str:
    """A parser message about a piece of the input, with its `line N` counted from the input's start."""
    return re.sub(r"^line (\d+)", lambda found: f"line {int(found.group(1)) + lines}", message)


def _shares_anchors(items: list[Item]) -> bool:
    """Whether an item uses an anchor defined in another item (then items cannot be read one by one).

    Only text with a `&` can define an anchor and only text with a `*` can use one: the plain
    substring tests spare the regular expressions almost every item, and each pattern is compiled
    only when the one before has found something (a `&&` in a script, a `"*"` in a ClusterRole).
    """
    if not any("&" in item.source for item in items):
        return False
    alias = re.compile(_ALIAS)
    used = {item: names for item in items if "*" in item.source and (names := set(alias.findall(item.source)))}
    if not used:
        return False
    anchor = re.compile(_ANCHOR)
    if not any("&" in item.source and anchor.search(item.source) for item in items):
        return False
    return any(names - set(anchor.findall(item.source)) and _has_undefined_alias(item) for item, names in used.items())


def _has_undefined_alias(item: Item) -> bool:
    """The text search can be fooled (`a && b`, `*` in a quoted string): ask the parser, for this item only."""
    try:
        load(item.text)
    except YamlError as error:
        return "undefined alias" in str(error)
    return False


def _line_matches(pattern: re.Pattern[str], text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """The matches of `pattern` at the start of a line, from `start` (which starts one) up to `end`.

    The same as searching for `^` + pattern in multi-line mode, but faster: the search is for the
    newline before each line, with the pattern as a lookahead. Finding one given character is
    several times faster than trying a `^` at every position, and the items are megabytes.
    """
    found = pattern.match(text, start, end)
    if found is not None:
        yield found
    for newline in re.compile(rf"\n(?={pattern.pattern})", pattern.flags).finditer(text, start, end):
        yield pattern.match(text, newline.start() + 1, end)  # the lookahead matched here


@functools.cache
def _shallow_lines(indent: int) -> re.Pattern[str]:
    """A line left of the content of list entries at `indent`: an entry start, a comment, blank, or stray."""
    return re.compile(rf"(?!{' ' * indent}  )", re.M)


def _split_items(text: str, start: int, end: int, shallow: list[int]) -> tuple[str, list[Item], int] | None:
    """The entries of the list between `start` and `end`, each cut out of the text once. `shallow`:
    where the lines not indented by two spaces start (all the lines a list at column 0 needs)."""
    first = re.compile(r"^( *)-(?: |$)", re.M).search(text, start, end)
    if first is None:
        return ("", [], 0) if _only_comments(text[start:end]) else None
    indent = len(first.group(1))
    pad = " " * indent
    lead = text[start : first.start()]
    if not _only_comments(lead):
        return None
    # Inside the list every line is an entry start, deeper content, a comment or blank: one scan
    # finds the lines that are not deeper content, the entries' starts among them.
    if indent == 0:
        lines = [line for line in shallow if first.start() <= line < end]
    else:
        lines = [line.start() for line in _line_matches(_shallow_lines(indent), text, first.start(), end)]
    entry, aside = re.compile(rf"{pad}-(?: |$)", re.M), re.compile(r"[ \t]*(?:#|$)", re.M)
    bounds = []
    for line in lines:
        if entry.match(text, line, end):
            bounds.append(line)
        elif not aside.match(text, line, end):
            return None  # a stray line
    bounds.append(end)
    items = [Item(text[a:b], indent) for a, b in itertools.pairwise(bounds)]
    _mark_plain(items, text, bounds[:-1], end)
    if any(not item.source.startswith(pad + "- ") for item in items) or _cut_inside_a_string(items, text):
        return None
    return lead, items, indent


def _only_comments(text: str) -> bool:
    # Fast answer for the usual case: the first character that is not white space starts a line
    # (everything before it on that line is blank), so the text has content unless it is a `#`.
    first = _LEADING_SPACE.match(text).end()
    if first < len(text) and text[first] != "#":
        return False
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _dedent_entry(source: str, indent: int) -> str:
    """A `- ` list entry at `indent` as a standalone document."""
    width = indent + 2
    lines = source.split("\n")
    out = [lines[0][width:]]
    for line in lines[1:]:
        out.append(line[width:] if line[:width].isspace() or not line else line.lstrip())
    return "\n".join(out)


# What YAML reads at a line start whatever the indentation around it (a document marker, a directive,
# a byte order mark), and the line breaks other than `\n`, which `_dedent_entry` does not cut at.
_LINE_START_MARKS = ("\n---", "\n...", "\n%", "\ufeff", "\r", "\x85", "\u2028", "\u2029")


def _reads_as_entry(text: str, source: str, indent: int) -> bool:
    """Whether the document `text` of the list entry `source` at `indent` reads as the entry does,
    if it is a block mapping.

    Why it holds: YAML's rules for a block mapping, and for what it holds, depend on where its lines
    start relative to one another, never on the column itself; the entry is the text with every
    line moved right by the same amount (a line left of that, as a comment or a stray tab between
    entries, fails the test). What YAML reads at the start of a line whatever the indentation is
    ruled out: a document marker or directive the move would make of a line, a byte order mark,
    and other line breaks, which would start lines the move did not shift.
    """
    return (
        not text.startswith(("---", "...", "%"))
        and not any(mark in text for mark in _LINE_START_MARKS)
        and _as_entry(text, indent) == source
    )


def _keep_trailer(source: str, text: str, indent: int) -> tuple[str, str]:
    """Split off the comments and blank lines after an entry that sit left of its content.

    They stand between entries (often about the next one), so an edited entry puts them back as
    they were rather than indented with its own lines. Returns (the rest of `text`, the trailer).
    """
    width = indent + 2
    lines = source.split("\n")
    keep = len(lines)
    while keep > 1 and (
        not lines[keep - 1].strip()
        or (lines[keep - 1].lstrip().startswith("#") and len(lines[keep - 1]) - len(lines[keep - 1].lstrip()) < width)
    ):
        keep -= 1
    count = len(lines) - keep
    current = text.split("\n")
    if count <= 1 or [line.strip() for line in current[-count:]] != [line.strip() for line in lines[keep:]]:
        return text, ""
    return "\n".join(current[:-count]) + "\n", "\n".join(lines[keep:])


def _as_entry(text: str, indent: int) -> str:
    pad = " " * (indent + 2)
    lines = text.split("\n")
    body = [pad + line if line else line for line in lines[1:]]
    return "\n".join([" " * indent + "- " + lines[0], *body])


# -- full parse ---------------------------------------------------------------------------------


def _load(text: str, what: str) -> Any:
    try:
        return yamledit.load(text)
    except YamlError as error:
        raise InputError(f"{what} is not valid YAML: {error}") from None


def _load_all(text: str, what: str) -> list[Any]:
    try:
        return yamledit.load_all(text)
    except YamlError as error:
        raise InputError(f"{what} is not valid YAML: {error}") from None


def _from_data(data: Any) -> ResourceList:
    list_kind = isinstance(data, dict) and data.get("kind") == "List" and isinstance(data.get("items"), list)
    if list_kind or (isinstance(data, dict) and data.get("kind") == "ResourceList"):
        if not list_kind:
            _check_header(data)
        items = data.get("items")
        if items is None:
            items = []
        if not isinstance(items, list):
            raise InputError(f"`items` must be a list, not {type(items).__name__}")
        results = data.get("results")
        if results is None:
            results = []
        if not isinstance(results, list):  # earlier functions' results are kept, so they must be a list
            raise InputError(f"`results` must be a list, not {type(results).__name__}")
        parts: list[str | None] = []
        for key, value in {**data, "items": items}.items():
            if key == "items":
                parts.extend(["items:\n" if items else "items: []\n", None])
            elif key != "results":
                parts.append(_dump({key: value}))
        loaded = [Item(_dump(entry)) for entry in items]
        layout = Layout(False, parts)
        layout.list_kind = list_kind
        return ResourceList(loaded, None if list_kind else data.get("functionConfig"), results, layout)
    documents = data if isinstance(data, list) else [data]
    loaded = [Item(_dump(entry)) for entry in documents]
    return ResourceList(loaded, None, [], Layout(True, []))


def _check_header(head: dict[str, Any]) -> None:
    version = head.get("apiVersion")
    if version not in RESOURCE_LIST_VERSIONS:
        raise InputError(
            f"ResourceList apiVersion {version!r} is not supported: use one of {', '.join(RESOURCE_LIST_VERSIONS)}"
        )


def _dump(value: Any) -> str:
    return yaml.dump(
        value, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1 << 20
    )


# -- streams ------------------------------------------------------------------------------------


def _read_stream(text: str, full_parse: bool) -> ResourceList:
    """A multi-document YAML stream: documents are items, separators and comments are kept."""
    if full_parse:
        try:
            documents = [doc for doc in yamledit.load_all(text) if doc is not None]
        except YamlError as error:
            raise InputError(f"the input is not valid YAML: {error}") from None
        return _from_data(documents) if documents else ResourceList([], None, [], Layout(True, [text]))
    items: list[Item] = []
    starts: list[int] = []  # where each item starts in the text, and where the last ends
    end = 0
    pending = ""
    position = 0
    for chunk, separator in _documents(text):
        if chunk.startswith("\ufeff"):  # a file that starts with a mark, after another in the stream
            pending, chunk = pending + chunk[0], chunk[1:]
            position += 1
        if _only_comments(chunk) or _only_directives(chunk, text, position):
            pending += chunk + separator
        else:
            items.append(Item(chunk, prefix=pending))
            starts.append(position)
            end = position + len(chunk)
            pending = separator
        position += len(chunk) + len(separator)
    _mark_plain(items, text, starts, end)
    if _cut_inside_a_string(items, text):
        return _read_stream(text, full_parse=True)
    return ResourceList(items, None, [], Layout(True, [pending]))


def _only_directives(chunk: str, text: str, position: int) -> bool:
    """Directives (`%YAML 1.1`, `%TAG`) before a `---`: they belong with the separator, not an item.

    They are checked as YAML checks them (a repeated `%YAML` is an error); the chunk starts at
    `position` in `text`.
    """
    if not chunk.lstrip().startswith("%"):
        return False
    if not all(not entry.strip() or entry.lstrip()[0] in "#%" for entry in chunk.splitlines()):
        return False
    try:
        yamledit.load(chunk + "--- null\n")
    except YamlError as error:
        where = _shift_line(str(error), text.count("\n", 0, position))
        raise InputError(f"the input is not valid YAML: {where}") from None
    return True


def _cut_inside_a_string(items: list[Item], text: str) -> bool:
    """Whether an item was cut off inside a quoted string that goes on over several lines.

    Why: text that looks like the start of an item (`- apiVersion:` at the list's indentation, a
    `---` line) can sit inside such a string; the text after it would be taken for an item and
    edited, inside another item's string. Only an item that `_may_end_inside_a_string` is parsed
    here; one that stops inside a string means the text cannot be cut where the parser cuts it.
    `text` is the whole input, whose line breaks are looked at once.
    """
    plain_breaks = _plain_breaks(text)
    return any(
        _may_end_inside_a_string(item.source, plain_breaks) and yamledit.ends_inside_a_string(item.text)
        for item in items[:-1]
    )


def _plain_breaks(text: str) -> bool:
    """Whether every line break is `\\n` or `\\r\\n`: others (YAML 1.1 has `\\r`, NEL, LS and PS) hide
    line starts from `_may_begin_a_scalar`."""
    return not any(brk in text for brk in "\x85\u2028\u2029") and text.count("\r") == text.count("\r\n")


def _may_end_inside_a_string(text: str, plain_breaks: bool) -> bool:
    """False only where `text` cannot end inside a quoted string, found without parsing it.

    Why it holds: such a string began at one of `yamledit.open_quotes`, and an opening quote can
    only stand where the parser may start a scalar. Quotes in comments, in plain scalars (`don't`)
    or in the other kind of string are told apart from an opening quote by what precedes them on
    their line (where the breaks are not all plain, every quote counts).
    """
    double, single = yamledit.open_quotes(text)
    return (double >= 0 and (not plain_breaks or _may_begin_a_scalar(text, double))) or (
        single >= 0 and (not plain_breaks or _may_begin_a_scalar(text, single))
    )


def _may_begin_a_scalar(text: str, at: int) -> bool:
    """Whether the parser may start a quoted scalar at `at`: what precedes it on its line is
    indentation, ends in an indicator (`:`, `-`, `?`, `,`, a bracket or brace) or a quote (one string
    closing, the next opening), or ends in a word holding a tag (`!!str`), an anchor (`&a`) or an
    alias (`*a`)."""
    before = text[text.rfind("\n", 0, at) + 1 : at].rstrip(" \t")
    if not before or before[-1] in ":-?,[]{}\"'":
        return True
    words = before.split()  # a tag, anchor or alias may follow a quoted scalar directly
    return not words or any(mark in words[-1] for mark in "!&*")  # no words: only other spaces, say yes


def _documents(text: str) -> Iterator[tuple[str, str]]:
    """Each document's text and the separator line that follows it."""
    position = 0
    for separator in _separators(text):
        yield text[position : separator.start()], separator.group(0)
        position = separator.end()
    yield text[position:], ""


def _separators(text: str) -> Iterator[re.Match[str]]:
    """The separator lines (`_STREAM_SEPARATOR` at a line start), first to last.

    Why not `_line_matches`: that tries the pattern at every line, and a stream has dozens of lines
    to a separator; `str.find` jumps to the lines that start with `---` or `...`, and only those
    are matched.
    """
    lines = sorted([0, *_lines_starting(text, "---"), *_lines_starting(text, "...")])
    separator = re.compile(_STREAM_SEPARATOR, re.M)
    return filter(None, (separator.match(text, line) for line in lines))


def _lines_starting(text: str, mark: str) -> Iterator[int]:
    """Where the lines that start with `mark` start, but for the first line."""
    at = text.find("\n" + mark)
    while at >= 0:
        yield at + 1
        at = text.find("\n" + mark, at + 1)
