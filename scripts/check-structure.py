#!/usr/bin/env python3
"""Module circles: fails when, inside one crate, modules import each other round in a circle.

Every `crates/*/src` file is a module (`lib.rs`/`main.rs` the crate root, `a/mod.rs` and `a.rs`
module `a`). A module imports another when its code (outside `#[cfg(test)]` items) names it:
`use crate::a::b`, `crate::a::f()`, `super::x`, `self::x` or a child's bare name. A parent naming
its own descendants is not counted: that is how a parent wires its children (`mod a;`,
`pub use a::X`, a router listing its pages). Everything else is, and the strongly connected
components with more than one module are printed, each with the names that tie it.

Usage: scripts/check-structure.py [REPO]   (exit 1 when there is a circle)
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_comments_and_strings(text: str) -> str:
    """Blanks out comments, string and char literals (keeping newlines), so paths in them are not read."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    if text[i] == "\n":
                        out.append("\n")
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:i + 40]) and not re.match(r"[A-Za-z0-9_]", text[i - 1] if i else " "):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            end = n if end < 0 else end + 1 + len(hashes)
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]) or re.match(r"'\\u\{[0-9a-fA-F]+\}'", text[i:i + 12]):
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            out.append("' '")
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_test_items(text: str) -> str:
    """Removes items marked `#[cfg(test)]` (test modules and test-only functions)."""
    while True:
        m = re.search(r"#\[cfg\(test\)\]", text)
        if not m:
            return text
        start = m.start()
        brace = text.find("{", m.end())
        semi = text.find(";", m.end())
        if semi >= 0 and (brace < 0 or semi < brace):
            text = text[:start] + text[semi + 1:]
            continue
        depth, i = 0, brace
        while i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        text = text[:start] + "\n" * text.count("\n", start, i) + text[i + 1:]


def expand_use_tree(tree: str) -> list[str]:
    """`a::{b, c::{self, d}}` -> ["a::b", "a::c", "a::c::d"]."""
    tree = re.sub(r"\s+", "", tree)
    depth, i = 0, 0
    brace = tree.find("{")
    if brace < 0:
        return [re.sub(r"as" + IDENT + "$", "", tree)] if tree else []
    prefix = tree[:brace]
    inner = tree[brace + 1: tree.rfind("}")]
    parts, current = [], ""
    for ch in inner:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    paths = []
    for part in parts:
        if part == "self":
            paths.append(prefix.rstrip(":"))
        elif part:
            paths.extend(prefix + p for p in expand_use_tree(part))
    return paths


class Crate:
    def __init__(self, src: Path):
        self.src = src
        self.modules: dict[tuple[str, ...], Path] = {}
        for path in sorted(src.rglob("*.rs")):
            rel = path.relative_to(src).with_suffix("").parts
            if rel in (("lib",), ("main",)):
                module = ()
            elif rel[-1] == "mod":
                module = rel[:-1]
            elif rel[0] == "bin":
                continue
            else:
                module = rel
            if module == () and () in self.modules:
                continue  # a crate with lib.rs and main.rs: main.rs is a separate crate root
            self.modules[module] = path

    def resolve(self, path: tuple[str, ...]) -> tuple[str, ...]:
        """The deepest module file that `path` (from the crate root) names."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.modules:
                return path[:cut]
        return ()

    def imports(self, module: tuple[str, ...]) -> dict[tuple[str, ...], set[str]]:
        text = strip_test_items(strip_comments_and_strings(self.modules[module].read_text()))
        parent = module[:-1] if module else ()
        children = {m[len(module)] for m in self.modules if len(m) > len(module) and m[:len(module)] == module}
        paths: list[list[str]] = []
        for m in re.finditer(r"\buse\s+([^;]+);", text):
            paths.extend(p.split("::") for p in expand_use_tree(m.group(1)))
        for m in re.finditer(r"(?<![A-Za-z0-9_:])((?:crate|super|self)(?:::" + IDENT + r")+)", text):
            paths.append(m.group(1).split("::"))
        for child in children:
            for m in re.finditer(r"(?<![A-Za-z0-9_:])(" + child + r"(?:::" + IDENT + r")+)", text):
                paths.append(["self"] + m.group(1).split("::"))
        found: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for p in paths:
            p = [x for x in p if x]
            if not p:
                continue
            if p[0] == "crate":
                absolute = tuple(p[1:])
            elif p[0] == "super":
                base = list(parent)
                p = p[1:]
                while p and p[0] == "super":
                    base, p = base[:-1], p[1:]
                absolute = tuple(base) + tuple(p)
            elif p[0] == "self":
                absolute = module + tuple(p[1:])
            else:
                continue
            target = self.resolve(absolute)
            if target == module or target[:len(module)] == module:
                continue  # itself, or a descendant it wires
            found[target].add(absolute[-1] if absolute else "crate")
        return found


def circles(graph: dict) -> list[list]:
    """Tarjan's strongly connected components with more than one node."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    repo = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    failed = 0
    modules = 0
    for src in sorted(repo.glob("crates/*/src")):
        crate = Crate(src)
        modules += len(crate.modules)
        edges = {m: crate.imports(m) for m in crate.modules}
        for component in circles({m: set(e) for m, e in edges.items()}):
            failed += 1
            print(f"circle in {src.parent.name}:")
            for a in component:
                for b in component:
                    if b in edges[a]:
                        names = ", ".join(sorted(edges[a][b]))
                        print(f"  {crate.modules[a].relative_to(repo)} -> {crate.modules[b].relative_to(repo)}: {names}")
    if failed:
        print(f"{failed} module circle(s): move what both sides need into a module that imports neither")
        return 1
    print(f"no module circles ({modules} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
