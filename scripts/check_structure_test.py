#!/usr/bin/python3
"""Self-test of scripts/check_structure.py on tiny synthetic crates.

    /usr/bin/python3 scripts/check_structure_test.py
"""

import os
import shutil
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_structure as cs  # noqa: E402

LAYERS = {"demo": [("low", ["leaf", "x"]), ("mid", ["y"]), ("high", ["z"])]}


def tree(files):
    """A one-crate workspace `demo` holding `files` ({path under src: text})."""
    root = tempfile.mkdtemp(prefix="structure-test-")
    with open(os.path.join(root, "Cargo.toml"), "w") as f:
        f.write('[workspace]\nmembers = ["."]\n\n[package]\nname = "demo"\nversion = "0.1.0"\n')
    for path, text in files.items():
        p = os.path.join(root, "src", path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(textwrap.dedent(text))
    return root


def fn_of(lines, name="long"):
    body = "\n".join("    let _x%d = %d;" % (i, i) for i in range(lines - 2))
    return "pub fn %s() {\n%s\n}\n" % (name, body)


class Check(unittest.TestCase):
    def run_on(self, files, layers=None):
        root = tree(files)
        self.addCleanup(shutil.rmtree, root, True)
        problems, _, self.edges = cs.check(root, layers=LAYERS if layers is None else layers)
        return problems

    def kinds(self, problems):
        return [p.split(":")[0].split(" in ")[0] for p in problems]

    def test_clean_tree_passes(self):
        problems = self.run_on({
            "lib.rs": """
                //! Docs naming [`crate::x::X`] are no dependency.
                mod leaf;
                mod x;
                mod y;
                mod z;
                pub use z::Z;
                #[cfg(test)]
                mod tests {
                    use super::*;
                    use crate::z::Z;
                    fn t() { let _ = crate::leaf::L; }
                }
            """,
            "leaf.rs": """
                pub struct L;
                pub const S: &str = "crate::z::Z is only a string";
            """,
            # a folder: mod.rs defines a shared item and re-exports its
            # children; a child takes a sibling's item via the parent's
            # re-export (an edge to the sibling, not to mod.rs)
            "x/mod.rs": """
                mod a;
                mod b;
                pub use a::A;
                pub use b::B;
                /// Shared by the children.
                pub struct Shared;
            """,
            "x/a.rs": """
                use super::Shared;
                pub struct A(pub Shared);
            """,
            "x/b.rs": """
                use super::A;
                pub struct B(pub A);
                pub fn f() -> super::Shared { super::Shared }
            """,
            "y.rs": """
                use crate::x::B;
                use crate::leaf::L;
                pub struct Y(pub B, pub L);
                #[cfg(test)]
                mod tests {
                    // a test may import upward: not an edge
                    use crate::z::Z;
                    %s
                }
            """ % fn_of(120, "long_test").replace("\n", "\n                    "),
            "z.rs": """
                use crate::y::Y;
                pub struct Z(pub Y);
            """ + fn_of(80, "exactly_eighty"),
        })
        self.assertEqual(problems, [])

    def test_two_file_cycle(self):
        problems = self.run_on({
            "lib.rs": "mod x;\nmod y;\n",
            "x.rs": "use crate::y::Y;\npub struct X;\npub fn f(_: Y) {}\n",
            "y.rs": "pub struct Y;\npub fn g() -> crate::x::X { crate::x::X }\n",
        }, layers={})
        cycles = [p for p in problems if p.startswith("import cycle")]
        self.assertEqual(len(cycles), 1, problems)
        self.assertIn("src/x.rs, src/y.rs", cycles[0])
        self.assertIn("src/x.rs -> src/y.rs", cycles[0])
        self.assertIn("src/y.rs -> src/x.rs", cycles[0])

    def test_three_file_cycle_through_a_reexport(self):
        # y -> z only through lib.rs's `pub use z::Z`; a check that stopped
        # at the re-exporting file would see y -> lib.rs and no cycle.
        problems = self.run_on({
            "lib.rs": "mod x;\nmod y;\nmod z;\npub use z::Z;\n",
            "x.rs": "use crate::y::Y;\npub struct X(pub Y);\n",
            "y.rs": "use crate::Z;\npub struct Y;\npub fn f(_: Z) {}\n",
            "z.rs": "pub struct Z;\npub fn g() { let _ = super::x::X(crate::y::Y); }\n",
        }, layers={})
        cycles = [p for p in problems if p.startswith("import cycle")]
        self.assertEqual(len(cycles), 1, problems)
        self.assertIn("3 files: src/x.rs, src/y.rs, src/z.rs", cycles[0])
        self.assertIn("src/y.rs -> src/z.rs", cycles[0])
        self.assertNotIn("lib.rs", cycles[0])

    def test_parent_that_uses_a_child_it_reexports_is_a_cycle(self):
        problems = self.run_on({
            "lib.rs": "mod x;\n",
            "x/mod.rs": "mod a;\npub use a::A;\npub struct Shared;\npub fn make() -> A { a::new() }\n",
            "x/a.rs": "use super::Shared;\npub struct A(pub Shared);\npub fn new() -> A { A(Shared) }\n",
        }, layers={})
        self.assertTrue(any(p.startswith("import cycle among 2 files: src/x/a.rs, src/x/mod.rs") for p in problems), problems)

    def test_layer_violation(self):
        problems = self.run_on({
            "lib.rs": "mod leaf;\nmod x;\nmod y;\nmod z;\n",
            "leaf.rs": "pub struct L;\n",
            "x.rs": "pub struct X;\npub fn f() -> crate::y::Y { crate::y::Y }\n",
            "y.rs": "pub struct Y;\n",
            "z.rs": "use crate::x::X;\npub struct Z(pub X);\n",
        })
        layer = [p for p in problems if p.startswith("layer violation")]
        self.assertEqual(len(layer), 1, problems)
        self.assertIn("`x` (layer low) imports `y` (layer mid, higher)", layer[0])
        self.assertNotIn("import cycle", "\n".join(problems))

    def test_module_missing_from_layer_table(self):
        problems = self.run_on({"lib.rs": "mod leaf;\nmod stray;\n", "leaf.rs": "", "stray.rs": ""})
        self.assertTrue(any("`stray`" in p and "in no layer" in p for p in problems), problems)

    def test_folder_cycle_without_a_file_cycle(self):
        problems = self.run_on({
            "lib.rs": "mod p;\nmod q;\n",
            "p/mod.rs": "mod a;\nmod b;\n",
            "p/a.rs": "pub struct A;\npub fn f() { let _ = crate::q::c::C; }\n",
            "p/b.rs": "pub struct B;\n",
            "q/mod.rs": "pub mod c;\npub mod d;\n",
            "q/c.rs": "pub struct C;\n",
            "q/d.rs": "pub fn g() { let _ = crate::p::b::B; }\n",
        }, layers={})
        self.assertFalse(any(p.startswith("import cycle") for p in problems), problems)
        self.assertTrue(any(p.startswith("folder cycle in demo (top level) among p, q") for p in problems), problems)

    def test_nested_folder_cycle_is_a_note(self):
        files = {
            "lib.rs": "mod w;\n",
            "w/mod.rs": "mod host;\nmod windows;\n",
            "w/host/mod.rs": "pub mod frame;\npub mod client;\n",
            "w/host/frame.rs": "pub struct Frame;\n",
            "w/host/client.rs": "pub fn f() { let _ = crate::w::windows::Sink; }\n",
            "w/windows.rs": "pub struct Sink;\npub fn g() { let _ = super::host::frame::Frame; }\n",
        }
        root = tree(files)
        self.addCleanup(shutil.rmtree, root, True)
        notes = []
        problems, _, _ = cs.check(root, layers={}, notes=notes)
        self.assertEqual(problems, [])
        self.assertTrue(any(n.startswith("folder cycle in demo w among host, windows") for n in notes), notes)
        problems, _, _ = cs.check(root, layers={}, strict_folders=True)
        self.assertTrue(any(p.startswith("folder cycle in demo w among host, windows") for p in problems), problems)

    def test_long_function_and_long_file(self):
        problems = self.run_on({
            "lib.rs": "mod leaf;\n",
            "leaf.rs": fn_of(81) + fn_of(80, "ok") + "\n" * 450,
        })
        self.assertTrue(any(p.startswith("long function: src/leaf.rs:1 fn long is 81 lines") for p in problems), problems)
        self.assertFalse(any("fn ok" in p for p in problems), problems)
        self.assertTrue(any(p.startswith("long file: src/leaf.rs has 611 non-test lines") for p in problems), problems)

    def test_test_code_is_not_counted(self):
        problems = self.run_on({
            "lib.rs": "mod leaf;\n",
            "leaf.rs": "pub fn f() {}\n#[cfg(test)]\nmod tests {\n" + fn_of(300) + "}\n#[cfg(test)]\nmod more;\n",
        })
        self.assertEqual(problems, [])

    def test_cfg_predicates(self):
        self.assertTrue(cs.test_only("test"))
        self.assertTrue(cs.test_only('all(test, feature = "x")'))
        self.assertTrue(cs.test_only('all(unix, all(test, debug_assertions))'))
        self.assertFalse(cs.test_only('any(test, feature = "test-util")'))
        self.assertFalse(cs.test_only("not(test)"))
        self.assertFalse(cs.test_only('all(not(test), unix)'))
        problems = self.run_on({
            "lib.rs": "mod leaf;\nmod x;\nmod y;\nmod t2;\n",
            "leaf.rs": "",
            # compiled outside tests too: its cycle counts
            "x.rs": '#[cfg(any(test, feature = "t"))]\nuse crate::y::Y;\npub struct X;\npub fn f(_: Y) {}\n',
            "y.rs": "#[cfg(not(test))]\nuse crate::x::X;\npub struct Y;\npub fn g(_: X) {}\n",
            "t2.rs": "#![cfg(test)]\nuse crate::x::X;\nfn f() { crate::y::g(X) }\n",
        }, layers={})
        self.assertFalse([e for e in self.edges if e[0] == "src/t2.rs"], self.edges)
        self.assertTrue(any(p.startswith("import cycle among 2 files: src/x.rs, src/y.rs") for p in problems), problems)

    def test_report_counts_test_files(self):
        root = tree({
            "lib.rs": "mod a;\n",
            "a/mod.rs": "pub fn f() {}\n#[cfg(test)]\nmod tests;\n",
            "a/tests.rs": "#[test]\nfn t() {}\n",
        })
        self.addCleanup(shutil.rmtree, root, True)
        buckets, totals = cs.counts(root)
        self.assertEqual(buckets["src/a/"], [2, 5, 1])
        self.assertEqual(buckets["src/lib.rs"], [1, 1, 1])
        self.assertEqual(totals["total src/"], [3, 6, 2])

    def test_code_map_names_every_module(self):
        files = {"lib.rs": "mod a;\nmod b;\n", "a/mod.rs": "mod c;\n", "a/c.rs": "", "b.rs": "",
                 "a/tests.rs": "#[test]\nfn t() {}\n"}
        root = tree(files)
        self.addCleanup(shutil.rmtree, root, True)
        doc = os.path.join(root, "ARCHITECTURE.md")

        def problems(text):
            with open(doc, "w") as f:
                f.write(text)
            return [p for p in cs.check(root, layers={})[0] if p.startswith("code map")]

        full = textwrap.dedent("""\
            # demo
            `gone.rs` outside the code map is no entry.
            ## Code map
            ### `demo` (`src/`)
            - `lib.rs`: the root; `gone.rs` after the colon is a reference, no entry.
            - `a/`: the folder (its mod.rs).
            - `a/c.rs`, `a/tests.rs`: a head may name
              several, `b.rs` after the colon does not count.
            - `src/b.rs`: a full path works too.
            ## Next
            - `ignored.rs`
            """)
        self.assertEqual(problems(full), [])
        missing = problems(full.replace("- `a/c.rs`, ", "- "))
        self.assertEqual(len(missing), 1, missing)
        self.assertIn("src/a/c.rs is not in the code map", missing[0])
        stale = problems(full.replace("`a/tests.rs`:", "`a/tests.rs`, `a/old.rs`:"))
        self.assertEqual(len(stale), 1, stale)
        self.assertIn("`a/old.rs`", stale[0])
        self.assertIn("does not exist", stale[0])
        nohead = problems(full.replace("### `demo` (`src/`)", "### demo"))
        self.assertTrue(nohead and "no `## Code map` section" in nohead[0], nohead)
        os.remove(doc)
        self.assertEqual([p for p in cs.check(root, layers={})[0] if p.startswith("code map")], [])

    def test_lexer(self):
        code = cs.blank('let s = "a // b"; // crate::x\nlet c = \'"\'; /* crate::y /* nested */ */ let r = r#"crate::z"#;')
        self.assertNotIn("crate::", code)
        self.assertIn("let r =", code)
        self.assertIn("let c =", code)


if __name__ == "__main__":
    unittest.main(verbosity=1)
