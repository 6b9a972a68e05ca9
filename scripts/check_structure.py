#!/usr/bin/python3
"""Structure check for the traykit workspace (issue 13): the module graph
stays acyclic, the actors crate keeps its layers, functions and files stay
short.

Run with Debian's stdlib-only /usr/bin/python3:

    /usr/bin/python3 scripts/check_structure.py            # check, exit 1 on a violation
    /usr/bin/python3 scripts/check_structure.py --report   # lines per folder
    /usr/bin/python3 scripts/check_structure.py --report --baseline 5ce51ad
    /usr/bin/python3 scripts/check_structure.py --edges    # dump the file graph
    /usr/bin/python3 scripts/check_structure.py --self-test

Why a script and not `cargo modules dependencies --acyclic`: cargo-modules
links rust-analyzer, which takes far too long to compile on the 2-core CI
and dev machine (and would hold the shared cargo lock for the whole time);
the parts of Rust this check needs — `mod` declarations, `use` trees and
`crate::…` paths — are regular enough to read with a small lexer.

What is read
  * The crates: every workspace member's lib target and bin targets
    (`[lib] path`, `[[bin]] path`, `src/main.rs`, `src/bin/*.rs`). This
    includes `packaging/desk-helper`, whose only bin target is
    `examples/desk_helper.rs`. Not read: examples/ (other than that bin),
    benches/, tests/, fuzz/, build scripts.
  * The module tree from `mod x;` (`x.rs` or `x/mod.rs`, or `#[path]`) and
    inline `mod x { … }` blocks, starting at the crate root.
  * Test code is ignored everywhere: any item under `#[cfg(test)]`
    (`mod tests { … }`, a `#[cfg(test)] mod tests;` file, a test-only `use`
    or fn), and a file with `#![cfg(test)]`. Comments, doc comments, string
    and char literals are blanked before anything is parsed, so doc links
    (`[`crate::app`]`) are not dependencies.

The file graph (nodes are files; an inline module belongs to its file)
  A file F depends on file T when F's non-test code
  * has a private `use` whose path resolves into T (`use crate::…`,
    `use super::…`, `use self::…`, `use traykit_actors::…`, or a path
    starting with a child module or a name bound by another `use`);
  * writes a path in code that resolves into T (`crate::a::b()`,
    `super::X`, `self::x::Y`, `traykit_actors::ipc::codes::X`,
    `child::f()`, `bound_module::X`).
  Resolving: a path is walked module by module; the first segment that is
  an item defined in module M (fn, struct, enum, trait, type, const, static,
  union, macro_rules) ends it in M's file. A segment that names a `use`
  binding of M (private or `pub`) is followed to where that `use` points —
  so re-exports are transparent: `use super::A` in a child, where the
  parent's mod.rs only does `pub use a::A`, is an edge to `a.rs`, not to
  mod.rs. Globs (`pub use x::*`) are searched when a name is not found.
  Re-export rule: a `pub use` (any `pub(…)`) is NOT by itself an edge from
  the re-exporting file — a mod.rs that lists its children's items does not
  depend on them — unless the bound name is also used in that file's own
  code (then it is an edge, like a private `use`). A `mod x;` declaration
  is never an edge. A private glob (`use x::*`) is an edge to x's file.
  Binding a module (`use crate::ipc;`) is not an edge by itself; the paths
  written through it are.
  Paths into crates outside the workspace (std, tokio, …) are ignored.
  Limits: macro-generated items and paths, `use` inside macro bodies and
  items named only through method calls are invisible; a `use` inside a fn
  body counts for its module.

What fails (exit 1; 0 with STRUCTURE_CHECK_WARN_ONLY=1)
  * import cycle: a strongly connected component (Tarjan) of more than one
    file in the file graph; printed with its files and one closed edge path,
    each edge with the line that made it;
  * folder cycle: the graph between a crate's top-level modules (`x.rs` or
    `x/`) — an edge from anything under A to anything under B — must be a
    DAG. The same graph one level down (the children of each folder module;
    the folder's own mod.rs is not one of them) is checked too, but a cycle
    there is printed as a note, and fails only with --strict-folders
    (RESTRUCTURE.md asks for a DAG of the top-level folders);
  * layer violation: for the crates in LAYERS (traykit-actors), a top-level
    module may import only modules of its own or a lower layer; a top-level
    module missing from the table is reported too (add it);
  * a non-test function over MAX_FN_LINES (80) lines, from the `fn` line to
    its closing brace;
  * a file over MAX_FILE_LINES (600) lines, counting every line that is not
    inside a `#[cfg(test)]` item (comments and blank lines count).
  * code map drift (only when the root has an ARCHITECTURE.md): every .rs
    file under a workspace crate's src/ must be named in the document's
    "## Code map" section, under the `### … (`<crate dir>/src/`)` heading
    of its crate, in backticks at the head of a bullet (before the
    bullet's first `:`), as its path below src/ (`- `ipc/codec.rs`: …`; a
    folder's mod.rs may be named `ipc/` or `ipc/mod.rs`); and every path
    named so must exist. See codemap_problems().
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
try:
    import tomllib  # Python >= 3.11 (Debian 12)
except ImportError:  # e.g. Ubuntu 22.04's 3.10: the few keys read here, by hand
    tomllib = None

MAX_FN_LINES = 80
MAX_FILE_LINES = 600

# The layer order of RESTRUCTURE.md, lowest first. A top-level module may
# import modules of its own layer or of a lower one (never a higher one);
# within a layer the folder graph must still be a DAG. Edit freely: names
# are the crate's top-level modules (`x.rs` or `x/`). Legacy names of
# modules that the restructure moves are listed with a comment so the
# check is meaningful before and after.
LAYERS = {
    "traykit-actors": [
        # 0: leaves — import nothing above them (menu -> ids, supervise ->
        # error are fine)
        ("leaves", ["error", "ids", "icon", "menu", "supervise", "isolation",
                    "desktop_entry", "sync", "shutdown"]),
        # 1a: the IPC layer: imports only leaves. `report` is today's
        # top-level name of ipc/report.
        ("ipc", ["ipc", "report"]),
        # 1b: the UI boundary: leaves and ipc's value types (RpcError).
        ("ui", ["ui"]),
        # 2: domain folders; they import each other downward only (DAG)
        # and never `app`. `notifier` is today's name of `notify`.
        ("domain", ["tray", "notify", "notifier", "store", "window"]),
        # 3: the app façade and lifecycle.
        ("app", ["app"]),
        # 4: built-ins and plugins above app; headless test backends.
        ("plugins", ["builtins", "desktop", "plugins", "plugin", "headless"]),
    ],
}

# `#[cfg(…)]` attributes; test_only() decides which are test code.
CFG_ATTR = re.compile(r"#\s*(!?)\s*\[\s*cfg\s*\(")
IDENT = r"(?:r#)?[A-Za-z_][A-Za-z0-9_]*"
ITEM_DEF = re.compile(
    r"\b(?:fn|struct|enum|trait|type|const|static|union)\s+(" + IDENT + r")|\bmacro_rules\s*!\s*(" + IDENT + r")")
MOD_DECL = re.compile(r"\bmod\s+(" + IDENT + r")\s*([;{])")
USE_KW = re.compile(r"\buse\b(?=\s*(?:::|\{|[A-Za-z_]))")
CODE_PATH = re.compile(r"(?<![A-Za-z0-9_:$])(" + IDENT + r")((?:\s*::\s*" + IDENT + r")+)")
FN_DEF = re.compile(r"\bfn\s+(" + IDENT + r")")
PATH_ATTR = re.compile(r'#\s*\[\s*path\s*=\s*"')


# ---------------------------------------------------------------- lexing

def blank(text):
    """Comments and string/char literals replaced by spaces (newlines and
    offsets kept; a string keeps its quotes so `#[path = "…"]` can be read
    back from the original at the same offsets)."""
    out = list(text)
    n = len(text)
    i = 0

    def wipe(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            wipe(i, j)
            i = j
        elif c == "/" and i + 1 < n and text[i + 1] == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            wipe(i, j)
            i = j
        elif c in "rbc" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) and \
                re.match(r'(?:br|cr|r)#*"', text[i:i + 260]):
            m = re.match(r'(?:br|cr|r)(#*)"', text[i:])
            hashes = m.group(1)
            start = i + m.end()
            end = text.find('"' + hashes, start)
            end = n if end < 0 else end
            wipe(start, end)
            i = end + 1 + len(hashes)
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            wipe(i + 1, min(j, n))
            i = j + 1
        elif c == "'":
            m = re.match(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|.)|[^\\'\n])'", text[i:i + 14])
            if m:
                wipe(i + 1, i + m.end() - 1)
                i += m.end()
            else:
                i += 1  # a lifetime or label
        else:
            i += 1
    return "".join(out)


def match_close(code, i):
    """Index of the bracket closing the one at code[i]."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack = []
    n = len(code)
    j = i
    while j < n:
        c = code[j]
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")]}":
            if stack:
                stack.pop()
            if not stack:
                return j
        j += 1
    return n - 1


def item_end(code, i):
    """End (exclusive) of the item starting at i: its `;` at depth 0, or its
    closing `}` (a `use` tree's braces do not end it)."""
    n = len(code)
    is_use = re.match(r"\s*(?:pub\s*(?:\([^)]*\))?\s*)?use\b", code[i:])
    j = i
    while j < n:
        c = code[j]
        if c == ";":
            return j + 1
        if c in "([":
            j = match_close(code, j) + 1
            continue
        if c == "{":
            j = match_close(code, j) + 1
            if not is_use:
                return j
            continue
        j += 1
    return n


def skip_attrs(code, i):
    """Position after the outer attributes starting at i."""
    while True:
        m = re.match(r"\s*#\s*\[", code[i:])
        if not m:
            return i
        i = match_close(code, i + m.end() - 1) + 1


def test_only(pred):
    """Whether a cfg predicate holds only in test builds: `test`, or `all(…)`
    with a test-only member. `any(test, feature = "x")` and `not(test)` are
    not test-only."""
    pred = pred.strip()
    if pred == "test":
        return True
    m = re.match(r"all\s*\((.*)\)$", pred, re.S)
    if not m:
        return False
    parts, depth, cur = [], 0, ""
    for c in m.group(1):
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += c == "("
        depth -= c == ")"
        cur += c
    parts.append(cur)
    return any(test_only(p) for p in parts)


def strip_tests(code):
    """Blanks `#[cfg(test)]` items; returns (code, set of test line numbers)."""
    out = list(code)
    test_lines = set()
    pos = 0
    while True:
        m = CFG_ATTR.search(code, pos)
        if not m:
            break
        close = match_close(code, m.end() - 1)
        pos = close + 1
        if not test_only(code[m.end():close]):
            continue
        if m.group(1):  # `#![cfg(test)]` at the top: the whole file is test code
            if brace_depth(code, m.start()) != 0:
                continue
            return re.sub(r"[^\n]", " ", code), set(range(1, code.count("\n") + 2))
        start = m.start()
        body = skip_attrs(code, match_close(code, code.index("[", m.start())) + 1)
        end = item_end(code, body)
        first = code.count("\n", 0, start) + 1
        last = code.count("\n", 0, max(start, end - 1)) + 1
        test_lines.update(range(first, last + 1))
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "
        pos = end
    return "".join(out), test_lines


def line_of(code, i):
    return code.count("\n", 0, i) + 1


# ---------------------------------------------------------------- use trees

def tokenize_use(s):
    return re.findall(r"::|[{},*;]|" + IDENT, s)


def parse_use_tree(tokens, i, prefix, out):
    """Appends (name, segs, is_glob) bindings; returns the next index."""
    segs = list(prefix)
    while i < len(tokens):
        t = tokens[i]
        if t == "::":
            if not segs:
                segs.append("::")  # a leading `::`: an extern crate path
            i += 1
        elif t == "{":
            i += 1
            while i < len(tokens) and tokens[i] != "}":
                if tokens[i] == ",":
                    i += 1
                    continue
                i = parse_use_tree(tokens, i, segs, out)
            return i + 1
        elif t == "*":
            out.append(("*", segs, True))
            return i + 1
        elif t in (",", "}", ";"):
            return i
        else:
            segs = segs + [t]
            i += 1
            if i < len(tokens) and tokens[i] == "as":
                name = tokens[i + 1] if i + 1 < len(tokens) else "_"
                i += 2
                out.append((name, segs, False))
                return i
            if i >= len(tokens) or tokens[i] in (",", "}", ";"):
                name = segs[-1]
                if name == "self":
                    segs = segs[:-1]
                    name = segs[-1] if segs else "self"
                out.append((name, segs, False))
                return i
    return i


# ---------------------------------------------------------------- model

class Module:
    def __init__(self, key, file, parent, dir_for_children, region):
        self.key = key                   # (crate, (seg, …))
        self.file = file                 # path of the file it lives in
        self.parent = parent             # key or None
        self.dir = dir_for_children      # where `mod x;` files are looked up
        self.region = region             # (start, end) in the file, or None = whole file
        self.children = {}               # name -> key
        self.items = set()
        self.bindings = {}               # name -> (segs, is_pub, line, text)
        self.globs = []                  # (segs, is_pub, line, text)


class SourceFile:
    def __init__(self, path, rel, crate):
        self.path = path
        self.rel = rel
        self.crate = crate
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.text = text
        self.lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        code = blank(text)
        self.code, self.test_lines = strip_tests(code)
        self.top = None                  # key of the module the file is
        self.use_spans = []              # (start, end) of use items


class Workspace:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.modules = {}
        self.files = {}                  # rel path -> SourceFile
        self.externs = {}                # crate ident -> crate name (lib crates)
        self.crates = []                 # (crate name, package name, root rel path)
        self.missing = []                # (file, line, text) of mod decls with no file

    def rel(self, path):
        return os.path.relpath(path, self.root)

    # -- discovery
    def discover(self):
        top = load_toml(os.path.join(self.root, "Cargo.toml"))
        members = top.get("workspace", {}).get("members", ["."])
        targets = []
        for m in members:
            d = os.path.normpath(os.path.join(self.root, m))
            man = load_toml(os.path.join(d, "Cargo.toml"))
            pkg = man.get("package", {}).get("name")
            if not pkg:
                continue
            lib = man.get("lib", {})
            lib_path = os.path.join(d, lib.get("path", "src/lib.rs"))
            if os.path.exists(lib_path):
                ident = lib.get("name", pkg).replace("-", "_")
                self.externs[ident] = pkg
                targets.append((pkg, pkg, lib_path))
            bins = []
            for b in man.get("bin", []):
                p = b.get("path") or os.path.join("src", "bin", b["name"] + ".rs")
                bins.append((b.get("name", pkg), os.path.normpath(os.path.join(d, p))))
            if man.get("package", {}).get("autobins", True):
                main = os.path.join(d, "src", "main.rs")
                if os.path.exists(main):
                    bins.append((pkg, main))
                bindir = os.path.join(d, "src", "bin")
                if os.path.isdir(bindir):
                    for fn in sorted(os.listdir(bindir)):
                        if fn.endswith(".rs"):
                            bins.append((fn[:-3], os.path.join(bindir, fn)))
            seen = set()
            for name, p in bins:
                if p in seen or not os.path.exists(p):
                    continue
                seen.add(p)
                targets.append((pkg + "[bin " + name + "]", pkg, p))
        for crate, pkg, path in targets:
            self.crates.append((crate, pkg, self.rel(path)))
            self.load_file(crate, path, (), None, mod_rs=True)

    def load_file(self, crate, path, segs, parent, mod_rs):
        rel = self.rel(path)
        if rel in self.files and self.files[rel].crate == crate:
            return self.files[rel].top
        sf = SourceFile(path, rel, crate)
        self.files[rel] = sf
        d = os.path.dirname(path)
        if not mod_rs:
            d = os.path.join(d, os.path.splitext(os.path.basename(path))[0])
        key = (crate, tuple(segs))
        mod = Module(key, rel, parent, d, None)
        self.modules[key] = mod
        sf.top = key
        self.scan(sf, mod, 0, len(sf.code), os.path.dirname(path))
        return key

    def scan(self, sf, mod, start, end, file_dir):
        """Reads module `mod` = sf.code[start:end] (its body)."""
        code = sf.code
        depth_base = code.count("{", 0, start) - code.count("}", 0, start)
        # inline modules and mod declarations directly in this region
        pos = start
        inner = []
        while True:
            m = MOD_DECL.search(code, pos, end)
            if not m:
                break
            if brace_depth(code, m.start()) != depth_base:
                pos = m.end()
                continue
            name = m.group(1).replace("r#", "")
            ckey = (mod.key[0], mod.key[1] + (name,))
            mod.children[name] = ckey
            if m.group(2) == "{":
                close = match_close(code, m.end() - 1)
                child = Module(ckey, sf.rel, mod.key, os.path.join(mod.dir, name), (m.end(), close))
                self.modules[ckey] = child
                self.scan(sf, child, m.end(), close, file_dir)
                inner.append((m.start(), close + 1))
                pos = close + 1
                continue
            # `mod x;`: the attributes before it may carry #[path]
            attr_start = prev_item_end(code, m.start())
            attrs = code[attr_start:m.start()]
            pm = PATH_ATTR.search(attrs)
            if pm:
                q = attr_start + pm.end()
                lit = sf.text[q:sf.text.find('"', q)]
                base = file_dir if mod.region is None else mod.dir
                cand = [os.path.normpath(os.path.join(base, lit))]
                mod_rs = True
            else:
                cand = [os.path.join(mod.dir, name + ".rs"), os.path.join(mod.dir, name, "mod.rs")]
                mod_rs = None
            found = next((c for c in cand if os.path.exists(c)), None)
            if not found:
                self.missing.append((sf.rel, line_of(code, m.start()), name))
                pos = m.end()
                continue
            is_mod_rs = mod_rs if mod_rs is not None else found.endswith(os.sep + "mod.rs")
            self.load_file(mod.key[0], found, mod.key[1] + (name,), mod.key, is_mod_rs)
            pos = m.end()

        def outside_inner(i):
            return not any(a <= i < b for a, b in inner)

        for m in ITEM_DEF.finditer(code, start, end):
            if outside_inner(m.start()) and brace_depth(code, m.start()) == depth_base:
                mod.items.add((m.group(1) or m.group(2)).replace("r#", ""))
        for m in USE_KW.finditer(code, start, end):
            if not outside_inner(m.start()):
                continue
            semi = code.find(";", m.end())
            semi = end if semi < 0 or semi > end else semi
            before = code[max(start, m.start() - 40):m.start()]
            vis = re.search(r"\bpub\s*(?:\([^)]*\))?\s*$", before)
            is_pub = bool(vis)
            sf.use_spans.append((m.start(), semi + 1))
            out = []
            parse_use_tree(tokenize_use(code[m.end():semi]), 0, [], out)
            line = line_of(code, m.start())
            text = ("pub " if is_pub else "") + " ".join(code[m.start():semi + 1].split())
            for name, segs, is_glob in out:
                if is_glob:
                    mod.globs.append((segs, is_pub, line, text))
                elif name != "_":
                    mod.bindings.setdefault(name, (segs, is_pub, line, text))
                else:
                    mod.bindings.setdefault("_#%d_%d" % (line, len(mod.bindings)), (segs, is_pub, line, text))

    # -- resolution
    def parent(self, key):
        m = self.modules.get(key)
        return m.parent if m else None

    def start_of(self, mkey, segs, depth):
        """(module key, rest) where a path written in module mkey starts, or
        (None, None) for paths outside the workspace."""
        first = segs[0]
        crate = mkey[0]
        if first == "::":
            segs = segs[1:]
            if not segs:
                return None, None
            return ((self.externs[segs[0]], ()), segs[1:]) if segs[0] in self.externs else (None, None)
        if first == "crate":
            return (crate, ()), segs[1:]
        if first == "self":
            return mkey, segs[1:]
        if first == "super":
            k, rest = mkey, list(segs)
            while rest and rest[0] == "super":
                k = self.parent(k)
                if k is None:
                    return None, None
                rest = rest[1:]
            if rest and rest[0] == "self":
                rest = rest[1:]
            return k, rest
        mod = self.modules.get(mkey)
        if mod is not None:
            if first in mod.children:
                return mod.children[first], segs[1:]
            if first in mod.bindings and depth < 40:
                bsegs = mod.bindings[first][0]
                if bsegs and bsegs[0] != first or len(bsegs) > 1:
                    return self.start_of(mkey, list(bsegs) + list(segs[1:]), depth + 1)
        if first in self.externs:
            return (self.externs[first], ()), segs[1:]
        return None, None

    def resolve(self, mkey, segs, depth=0):
        """File (rel path) that path `segs`, written in module mkey, lands in,
        and whether it names a module; None outside the workspace."""
        if depth > 40 or not segs:
            return None
        k, rest = self.start_of(mkey, list(segs), depth)
        if k is None or k not in self.modules:
            return None
        return self.walk(k, rest, depth)

    def walk(self, k, rest, depth):
        while True:
            mod = self.modules[k]
            if not rest:
                return (mod.file, True, k)
            s = rest[0]
            if len(rest) == 1 and s in mod.items:
                return (mod.file, False, k)  # `fn dispatch` beside `mod dispatch`: the call
            if s in mod.children:
                k, rest = mod.children[s], rest[1:]
                continue
            if s in mod.items:
                return (mod.file, False, k)
            if s in mod.bindings:
                bsegs = mod.bindings[s][0]
                r = self.resolve(k, list(bsegs) + list(rest[1:]), depth + 1)
                return r if r is not None else (mod.file, False, k)
            for gsegs, _, _, _ in mod.globs:
                r = self.resolve(k, list(gsegs), depth + 1)
                if r is None or not r[1]:
                    continue
                gmod = self.modules[r[2]]
                if s in gmod.children or s in gmod.items or s in gmod.bindings:
                    return self.walk(r[2], rest, depth + 1)
            return (mod.file, False, k)

    def module_at(self, sf, pos):
        """Innermost module of file sf containing offset pos."""
        best = sf.top
        best_len = None
        for key, mod in self.modules.items():
            if mod.file == sf.rel and mod.region and mod.region[0] <= pos < mod.region[1]:
                ln = mod.region[1] - mod.region[0]
                if best_len is None or ln < best_len:
                    best, best_len = key, ln
        return best

    # -- the graph
    def edges(self):
        """{(from rel, to rel): reason}"""
        edges = {}

        def add(a, b, reason):
            if a != b and (a, b) not in edges:
                edges[(a, b)] = reason

        for rel, sf in self.files.items():
            code = sf.code
            mods = [m for m in self.modules.values() if m.file == rel]
            # identifiers the file's own code uses (use items excluded)
            masked = list(code)
            for a, b in sf.use_spans:
                for i in range(a, b):
                    if masked[i] != "\n":
                        masked[i] = " "
            masked = "".join(masked)
            idents = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", masked))
            for mod in mods:
                for name, (segs, is_pub, line, text) in mod.bindings.items():
                    if is_pub and name not in idents:
                        continue  # a re-export only: transparent
                    r = self.resolve(mod.key, list(segs))
                    if r and not r[1]:
                        note = " — `%s` is also used in this file's code" % name if is_pub else ""
                        add(rel, r[0], "%s:%d: %s%s" % (rel, line, text, note))
                for segs, is_pub, line, text in mod.globs:
                    if is_pub:
                        continue
                    r = self.resolve(mod.key, list(segs))
                    if r:
                        add(rel, r[0], "%s:%d: %s" % (rel, line, text))
            for m in CODE_PATH.finditer(masked):
                segs = [m.group(1)] + re.findall(IDENT, m.group(2))
                segs = [s.replace("r#", "") for s in segs]
                mkey = self.module_at(sf, m.start())
                r = self.resolve(mkey, segs)
                if r:
                    ln = line_of(code, m.start())
                    add(rel, r[0], "%s:%d: %s" % (rel, ln, "::".join(segs)))
        return edges


def load_toml(path):
    if tomllib is not None:
        with open(path, "rb") as f:
            return tomllib.load(f)
    # Fallback: tables, arrays of tables, and `key = "string" | bool | [strings]`
    # (enough for [workspace] members, [package], [lib] and [[bin]]).
    doc, cur = {}, None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"\[\s*([^\[\]]*?)\s*\]", lambda m: "[" + re.sub(r"\s*\n\s*", " ", m.group(1)) + "]", text)
    cur = doc
    for line in text.splitlines():
        line = line.split(" #")[0].strip() if not line.strip().startswith("#") else ""
        if not line:
            continue
        m = re.match(r"^\[\[\s*([\w.-]+)\s*\]\]$", line)
        if m:
            cur = {}
            doc.setdefault(m.group(1), []).append(cur)
            continue
        m = re.match(r"^\[\s*([\w.-]+)\s*\]$", line)
        if m:
            cur = doc
            for part in m.group(1).split("."):
                cur = cur.setdefault(part, {})
            continue
        m = re.match(r'^([\w.-]+)\s*=\s*(.*)$', line)
        if not m or not isinstance(cur, dict):
            continue
        key, val = m.group(1), m.group(2).strip()
        if val.startswith('"'):
            cur[key] = val[1:val.index('"', 1)]
        elif val in ("true", "false"):
            cur[key] = val == "true"
        elif val.startswith("["):
            cur[key] = re.findall(r'"([^"]*)"', val)
    return doc


def brace_depth(code, i):
    return code.count("{", 0, i) - code.count("}", 0, i)


def prev_item_end(code, i):
    j = max(code.rfind(";", 0, i), code.rfind("}", 0, i), code.rfind("{", 0, i))
    return j + 1


# ---------------------------------------------------------------- graph algorithms

def tarjan(nodes, adj):
    index = {}
    low = {}
    on = set()
    stack = []
    out = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(adj.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            strong(v)
    return out


def cycle_in(comp, adj):
    """One closed path through the component's first node (BFS)."""
    s = comp[0]
    members = set(comp)
    prev = {s: None}
    queue = [s]
    while queue:
        v = queue.pop(0)
        for w in sorted(adj.get(v, ())):
            if w == s:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [s]
            if w in members and w not in prev:
                prev[w] = v
                queue.append(w)
    return [s]


# ---------------------------------------------------------------- checks

def functions(sf):
    code = sf.code
    for m in FN_DEF.finditer(code):
        j = m.end()
        n = len(code)
        while j < n:
            c = code[j]
            if c == ";":
                j = None
                break
            if c in "([":
                j = match_close(code, j) + 1
                continue
            if c == "{":
                break
            j += 1
        if j is None or j >= n:
            continue
        close = match_close(code, j)
        first, last = line_of(code, m.start()), line_of(code, close)
        yield m.group(1), first, last - first + 1


def check(root, layers=None, max_fn=MAX_FN_LINES, max_file=MAX_FILE_LINES, verbose=False,
          strict_folders=False, notes=None):
    """Returns (violations, workspace, file edges); `notes` (a list) gets
    what is reported but not a failure."""
    notes = [] if notes is None else notes
    layers = LAYERS if layers is None else layers
    ws = Workspace(root)
    ws.discover()
    problems = []
    edges = ws.edges()
    adj = {}
    for (a, b) in edges:
        adj.setdefault(a, set()).add(b)

    # 1. file cycles
    for comp in tarjan(ws.files.keys(), adj):
        if len(comp) < 2:
            continue
        cyc = cycle_in(comp, adj)
        lines = ["import cycle among %d files: %s" % (len(comp), ", ".join(comp)),
                 "  one cycle:"]
        for a, b in zip(cyc, cyc[1:]):
            lines.append("    %s -> %s   (%s)" % (a, b, edges[(a, b)]))
        inner = sorted((a, b) for (a, b) in edges if a in comp and b in comp)
        if verbose:
            lines.append("  all %d edges inside:" % len(inner))
            for a, b in inner:
                lines.append("    %s -> %s   (%s)" % (a, b, edges[(a, b)]))
        else:
            lines.append("  (%d edges inside the cycle; --verbose lists them)" % len(inner))
        if any(os.path.basename(f) == "mod.rs" for f in comp):
            lines.append("  hint: a mod.rs that defines items its children use (`super::X`) and also uses "
                         "its children's items is a cycle; move the shared items to a file of their own "
                         "and keep mod.rs to `mod` + `pub use` (a re-export alone is no edge)")
        problems.append("\n".join(lines))

    # 2. folder graphs, at every level
    file_key = {rel: sf.top for rel, sf in ws.files.items()}
    levels = {}
    for (a, b), reason in edges.items():
        ka, kb = file_key[a], file_key[b]
        if ka[0] != kb[0]:
            continue
        pa, pb = ka[1], kb[1]
        k = 0
        while k < len(pa) and k < len(pb) and pa[k] == pb[k]:
            k += 1
        if k < len(pa) and k < len(pb):
            lvl = (ka[0], pa[:k])
            levels.setdefault(lvl, {}).setdefault((pa[k], pb[k]), reason)
    for (crate, prefix), fedges in sorted(levels.items()):
        fadj = {}
        for (x, y) in fedges:
            fadj.setdefault(x, set()).add(y)
        nodes = set(x for e in fedges for x in e)
        where = crate + (" " + "::".join(prefix) if prefix else " (top level)")
        for comp in tarjan(nodes, fadj):
            if len(comp) < 2:
                continue
            cyc = cycle_in(comp, fadj)
            lines = ["folder cycle in %s among %s:" % (where, ", ".join(comp))]
            for x, y in zip(cyc, cyc[1:]):
                lines.append("    %s -> %s   (%s)" % (x, y, fedges[(x, y)]))
            # RESTRUCTURE.md asks for a DAG of the top-level folders; deeper
            # levels are reported, and fail only with --strict-folders.
            (problems if not prefix or strict_folders else notes).append("\n".join(lines))

    # 3. layers
    for crate, table in layers.items():
        rank = {}
        for i, (lname, names) in enumerate(table):
            for nm in names:
                rank[nm] = (i, lname)
        top = [m for m in ws.modules.values() if m.key[0] == crate and len(m.key[1]) == 1]
        for m in sorted(top, key=lambda m: m.key):
            if m.key[1][0] not in rank:
                problems.append("layer table: top-level module `%s` of %s (%s) is in no layer; add it to LAYERS in scripts/check_structure.py"
                                % (m.key[1][0], crate, m.file))
        seen = set()
        for (a, b), reason in sorted(edges.items()):
            ka, kb = file_key[a], file_key[b]
            if ka[0] != crate or kb[0] != crate or not ka[1] or not kb[1]:
                continue
            x, y = ka[1][0], kb[1][0]
            if x == y or x not in rank or y not in rank or (x, y) in seen:
                continue
            if rank[y][0] > rank[x][0]:
                seen.add((x, y))
                problems.append("layer violation in %s: `%s` (layer %s) imports `%s` (layer %s, higher)\n    %s -> %s   (%s)"
                                % (crate, x, rank[x][1], y, rank[y][1], a, b, reason))

    # 4. sizes
    for rel, sf in sorted(ws.files.items()):
        for name, first, n in functions(sf):
            if n > max_fn:
                problems.append("long function: %s:%d fn %s is %d lines (max %d)" % (rel, first, name, n, max_fn))
        nontest = sf.lines - len(sf.test_lines)
        if nontest > max_file:
            problems.append("long file: %s has %d non-test lines (max %d)" % (rel, nontest, max_file))
    for rel, line, name in ws.missing:
        problems.append("module file not found: %s:%d mod %s" % (rel, line, name))

    # 5. the code map of ARCHITECTURE.md names every module file
    problems.extend(codemap_problems(root, ws))
    return problems, ws, edges


# ---------------------------------------------------------------- code map

CODEMAP_DOC = "ARCHITECTURE.md"
CODEMAP_HEADING = re.compile(r"^##\s+Code map\s*$")
CODEMAP_CRATE = re.compile(r"^###\s.*?`((?:[\w.-]+/)*src)/`")
CODEMAP_ENTRY = re.compile(r"`([\w./-]+?(?:\.rs|/))`")


def codemap_items(lines):
    """The bullets of a code map section as one string each ("- " starts
    one, indented lines continue it)."""
    items = []
    for line in lines:
        if line.startswith("- "):
            items.append(line[2:])
        elif items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
        else:
            items.append(None)
    return [i for i in items if i]


def item_head(item):
    """A bullet's text before its first `:` outside backticks: the modules
    it is about. Paths named later in the text are references, not entries."""
    tick = False
    for i, ch in enumerate(item):
        if ch == "`":
            tick = not tick
        elif ch == ":" and not tick:
            return item[:i]
    return item


def codemap_names(text):
    """{src dir: set of paths below it} named at the head of a bullet in the
    code map section, under a `### … (`<dir>/src/`)` heading."""
    names, src, inside, block = {}, None, False, []

    def take():
        if src is None:
            return
        for item in codemap_items(block):
            for tok in CODEMAP_ENTRY.findall(item_head(item)):
                if tok.startswith(src + "/"):
                    tok = tok[len(src) + 1:]
                names[src].add(tok)

    for line in text.splitlines():
        if CODEMAP_HEADING.match(line):
            inside = True
            continue
        if not inside:
            continue
        if re.match(r"^##\s", line):
            break
        if line.startswith("#"):
            take()
            block = []
            m = CODEMAP_CRATE.match(line)
            src = m.group(1) if m else None
            if src is not None:
                names.setdefault(src, set())
            continue
        block.append(line)
    take()
    return names


def codemap_problems(root, ws):
    """Every .rs file under each workspace crate's src/ is named in the code
    map of ARCHITECTURE.md, and every name there exists; [] when the root
    has no such document."""
    doc = os.path.join(root, CODEMAP_DOC)
    if not os.path.exists(doc):
        return []
    with open(doc, encoding="utf-8") as f:
        names = codemap_names(f.read())
    src_dirs = set()
    for _, _, croot in ws.crates:
        m = re.match(r"^((?:.*/)?src)/", croot)
        if m:
            src_dirs.add(m.group(1))
    problems = []
    if not names:
        return ["code map: %s has no `## Code map` section with `### … (`<dir>/src/`)` crate headings"
                % CODEMAP_DOC]
    for d in sorted(src_dirs):
        listed = names.get(d)
        if listed is None:
            problems.append("code map: %s has no `### … (`%s/`)` heading for the crate in %s/"
                            % (CODEMAP_DOC, d, d))
            continue
        for dirpath, dirnames, fns in os.walk(os.path.join(root, d)):
            dirnames.sort()
            for fn in sorted(fns):
                if not fn.endswith(".rs"):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, fn), os.path.join(root, d)).replace(os.sep, "/")
                ok = rel in listed or (fn == "mod.rs" and rel[:-len("mod.rs")] in listed)
                if not ok:
                    problems.append("code map: %s/%s is not in the code map of %s (add a line for it under `%s/`)"
                                    % (d, rel, CODEMAP_DOC, d))
    for d, listed in sorted(names.items()):
        for rel in sorted(listed):
            if not os.path.exists(os.path.join(root, d, rel)):
                problems.append("code map: %s names `%s` under `%s/`, which does not exist (stale entry)"
                                % (CODEMAP_DOC, rel, d))
    return problems


# ---------------------------------------------------------------- report

def folder_of(ws, rel):
    """Report bucket of a file: crate dir + top-level module (folder)."""
    sf = ws.files[rel]
    crate_root = next(r for c, p, r in ws.crates if c == sf.crate)
    base = os.path.dirname(crate_root)
    segs = sf.top[1]
    if not segs:
        return rel
    if rel.startswith(base + os.sep):
        first = rel[len(base) + 1:].split(os.sep)[0]
        if first.endswith(".rs") or first == "":
            return os.path.join(base, first)
        return os.path.join(base, first) + "/"
    return rel


def counts(root):
    """{bucket: [files, lines, non-test lines]}: a bucket is a top-level
    module of a crate (`x.rs` and `x/` together, shown as `x/`), or the
    crate root file; plus `<dir>/src/` totals. Lines: every .rs file under
    the crate's src/ (test files included); non-test: the files reached
    through non-test `mod`s, minus their `#[cfg(test)]` items."""
    ws = Workspace(root)
    ws.discover()
    buckets = {}
    for rel, sf in ws.files.items():
        key = folder_of(ws, rel)
        if key.endswith(".rs") and sf.top[1]:
            key = key[:-3] + "/"
        b = buckets.setdefault(key, [0, 0, 0])
        b[0] += 1
        b[1] += sf.lines
        b[2] += sf.lines - len(sf.test_lines)
    # Files under a crate's src/ that no non-test `mod` reaches — test
    # modules in a file of their own (`#[cfg(test)] mod tests;`) — count as
    # all-test lines in the folder they sit in.
    src_dirs = set()
    for _, _, croot in ws.crates:
        m = re.match(r"(.*?src)(/|$)", croot)
        if m:
            src_dirs.add(m.group(1))
    for d in sorted(src_dirs):
        for dirpath, _, names in os.walk(os.path.join(ws.root, d)):
            for fn in sorted(names):
                rel = ws.rel(os.path.join(dirpath, fn))
                if not fn.endswith(".rs") or rel in ws.files:
                    continue
                first = rel[len(d) + 1:].split(os.sep)[0]
                key = os.path.join(d, first[:-3] if first.endswith(".rs") else first) + "/"
                with open(os.path.join(dirpath, fn), encoding="utf-8") as f:
                    text = f.read()
                b = buckets.setdefault(key, [0, 0, 0])
                b[0] += 1
                b[1] += text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    totals = {}
    for key, (f, l, nt) in buckets.items():
        m = re.match(r"(.*?src)/", key)
        top = m.group(1) + "/" if m else (os.path.dirname(key.rstrip("/")) or ".") + "/"
        t = totals.setdefault("total " + top, [0, 0, 0])
        t[0] += f
        t[1] += l
        t[2] += nt
    return buckets, totals


def report(root, title):
    buckets, totals = counts(root)
    print("== lines per folder: %s (lines = all / non-test)" % title)
    print("%-44s %6s %8s %10s" % ("folder (x.rs + x/)", "files", "lines", "non-test"))
    for key in sorted(buckets) + sorted(totals):
        f, l, nt = buckets.get(key) or totals[key]
        print("%-44s %6d %8d %10d" % (key, f, l, nt))


def report_compare(before_root, ref, after_root):
    """Markdown: before/after per folder, for the closing note."""
    bb, bt = counts(before_root)
    ab, at = counts(after_root)
    print("| folder (`x.rs` + `x/`) | files before | lines before (non-test) | files after | lines after (non-test) |")
    print("|---|---|---|---|---|")

    def cell(v, i):
        return "–" if v is None else str(v[i])

    def lines(v):
        return "–" if v is None else "%d (%d)" % (v[1], v[2])

    for table_b, table_a in ((bb, ab), (bt, at)):
        for key in sorted(set(table_b) | set(table_a)):
            b, a = table_b.get(key), table_a.get(key)
            print("| %s | %s | %s | %s | %s |" % (key, cell(b, 0), lines(b), cell(a, 0), lines(a)))
    print()
    print("Before: %s; after: the working tree. Counted by scripts/check_structure.py --report: "
          "lines = every .rs file under each crate's src/ (plus desk-helper's bin, examples/desk_helper.rs); "
          "non-test = the files reached through non-test `mod`s minus their `#[cfg(test)]` items." % ref)


def baseline_tree(ref, repo):
    tmp = tempfile.mkdtemp(prefix="structure-baseline-")
    archive = subprocess.run(["git", "-C", repo, "archive", ref], check=True, stdout=subprocess.PIPE).stdout
    subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
    return tmp


# ---------------------------------------------------------------- main

def main(argv=None):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` is not an error
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--report", action="store_true", help="print line counts per folder")
    ap.add_argument("--baseline", metavar="GIT_REF",
                    help="with --report: also count the tree at GIT_REF (git archive into a temp dir) "
                         "and print a before/after Markdown table")
    ap.add_argument("--edges", action="store_true", help="print the file graph")
    ap.add_argument("--verbose", action="store_true", help="list every edge inside a cycle")
    ap.add_argument("--strict-folders", action="store_true",
                    help="a folder cycle below the top level fails too (by default it is a note)")
    ap.add_argument("--self-test", action="store_true", help="run scripts/check_structure_test.py")
    args = ap.parse_args(argv)
    root = os.path.abspath(args.root)

    if args.self_test:
        here = os.path.dirname(os.path.abspath(__file__))
        return subprocess.call([sys.executable, os.path.join(here, "check_structure_test.py")])
    if args.report:
        if args.baseline:
            tmp = baseline_tree(args.baseline, root)
            try:
                report(tmp, "at %s" % args.baseline)
                print()
                report(root, "working tree %s" % root)
                print()
                report_compare(tmp, args.baseline, root)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            return 0
        report(root, "working tree %s" % root)
        return 0

    notes = []
    problems, ws, edges = check(root, verbose=args.verbose, strict_folders=args.strict_folders, notes=notes)
    if args.edges:
        for (a, b), reason in sorted(edges.items()):
            print("%s -> %s   (%s)" % (a, b, reason))
    print("structure: %d crates, %d files, %d file edges" % (len(ws.crates), len(ws.files), len(edges)))
    for p in problems:
        print(p)
    for n in notes:
        print("note (not a failure; --strict-folders makes it one): " + n)
    if not problems:
        print("structure: OK (no import cycle, layers kept, fn <= %d lines, file <= %d lines, "
              "every module in the code map)"
              % (MAX_FN_LINES, MAX_FILE_LINES))
        return 0
    warn = os.environ.get("STRUCTURE_CHECK_WARN_ONLY", "0") not in ("", "0")
    print("structure: %d violation(s)%s" % (len(problems), " — WARN ONLY (STRUCTURE_CHECK_WARN_ONLY=1), not failing" if warn else ""))
    return 0 if warn else 1


if __name__ == "__main__":
    sys.exit(main())
