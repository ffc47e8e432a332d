"""Reading composed YAML nodes with their lines: the shared checks of Tianshu's YAML files (the policy,
scenarios, wall pages), where every refusal is `<file>:<line>: <what is wrong>`."""

from __future__ import annotations

from typing import NoReturn

import yaml

TAG = "tag:yaml.org,2002:"
# Keys and names: YAML reads 330101 as an integer, but it is a code.
TEXT_TAGS = frozenset({TAG + "str", TAG + "int"})


def line(node: yaml.Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


class YamlNodes:
    """Reads the nodes of one file; subclasses add the values their file knows and raise their own error."""

    def __init__(self, name: str) -> None:
        self.name = name

    def error(self, at: int, what: str) -> Exception:
        """The exception for a refusal at line `at` (a subclass returns its file's own error type)."""
        return ValueError(f"{self.name}:{at}: {what}")

    def fail(self, node: yaml.Node, what: str) -> NoReturn:
        raise self.error(line(node), what)

    def key(self, node: yaml.Node, what: str) -> str:
        """A key of a mapping, as text."""
        if not isinstance(node, yaml.ScalarNode) or node.tag not in TEXT_TAGS or not str(node.value).strip():
            self.fail(node, f"a key in {what} must be a plain word")
        return str(node.value).strip()

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping's entries by key text, with the key node kept for its line; duplicates refused."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of keys to values")
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            text = self.key(key, what)
            if text in entries:
                self.fail(key, f"{text!r} appears twice in {what} (first on line {line(entries[text][0])})")
            entries[text] = (key, value)
        return entries

    def fields(
        self, node: yaml.Node, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, yaml.Node]:
        """A mapping with a fixed set of keys: unknown keys are typos and refused, missing ones too."""
        entries = self.mapping(node, what)
        for key, (key_node, _) in entries.items():
            if key not in required and key not in optional:
                expected = ", ".join(dict.fromkeys(required + optional))
                self.fail(key_node, f"unknown key {key!r} in {what} (expected: {expected})")
        for key in required:
            if key not in entries:
                self.fail(node, f"{what} is missing {key!r}")
        return {key: value for key, (_, value) in entries.items()}

    def sequence(self, node: yaml.Node, what: str, *, allow_empty: bool = True) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list")
        if not node.value and not allow_empty:
            self.fail(node, f"{what} is empty")
        return list(node.value)

    def flag(self, node: yaml.Node, what: str) -> bool:
        if not isinstance(node, yaml.ScalarNode) or node.tag != TAG + "bool":
            shown = f", not {node.value!r}" if isinstance(node, yaml.ScalarNode) else ""
            self.fail(node, f"{what} must be true or false{shown}")
        return str(node.value).lower() in ("true", "yes", "on")
