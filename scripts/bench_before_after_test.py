#!/usr/bin/python3
"""Self-test of scripts/bench_before_after.py on fake bench output (the
shapes benches/{compare,tray,isolation}.rs write and benches/store.rs
prints).

    /usr/bin/python3 scripts/bench_before_after_test.py
"""

import io
import json
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_before_after as bba  # noqa: E402


def st(m, lo, hi, n=5):
    return {"median": m, "min": lo, "max": hi, "runs": n}


def store_text(durable, p50, p99):
    # benches/store.rs: "{:<44} {:>10.0} /s" and "{:<44} {:>10.1} µs  (p99 {:.1} µs, {} samples)"
    return ("traykit store benchmarks (this machine's disk)\n"
            + "%-44s %10.0f /s\n" % ("durable sets (fsync before ack)", durable)
            + "%-44s %10.1f ms  (median of 5; %.1f MB file)\n" % ("load a 10 MB store", 7.7, 10.3)
            + "%-44s %10.1f µs  (p99 %.1f µs, %d samples)\n" % ("set → Rust watcher, p50", p50, p99, 1000))


class Merge(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bench-merge-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, doc):
        with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
            f.write(doc if isinstance(doc, str) else json.dumps(doc))

    def run_merge(self):
        out = io.StringIO()
        with redirect_stdout(out):
            bba.main([self.dir])
        return out.getvalue()

    def test_merges_every_bench(self):
        self.write("results.json", {"machine": {"loadavg_at_start": "0.50", "loadavg_at_end": "0.90"}, "rows": [
            {"measure": "invoke round trip, sequential mean", "unit": "µs", "higher_is_better": False,
             "traykit": st(300, 280, 320), "traykit_before": st(250, 240, 260)},
            {"measure": "invokes/s, sequential", "unit": "1/s", "higher_is_better": True,
             "traykit": st(4200, 4000, 4400), "traykit_before": st(4000, 3800, 4100)},
            {"measure": "custom-protocol POST round trip (floor only)", "unit": "µs",
             "traykit": None, "floor": st(335, 300, 380), "traykit_before": None},
        ]})
        self.write("tray.json", {"rows": [{"measure": "tray_clock: threads", "unit": "", "after": st(11, 11, 11),
                                           "before": st(11, 11, 11)}]})
        self.write("isolation.json", {"rows": [{"measure": "isolation: 1,000 concurrent invokes", "unit": "ms",
                                                "after": st(9, 8, 12), "before": None}]})
        self.write("store.txt", store_text(1900, 1.6, 900) + store_text(2000, 1.5, 950))
        self.write("store-before.txt", store_text(2100, 1.6, 1200))
        text = self.run_merge()
        self.assertIn("Load average at start: 0.50; at end: 0.90.", text)
        self.assertIn("| compare | invoke round trip, sequential mean [µs] | 300.0 (280.0–320.0) | "
                      "250.0 (240.0–260.0) | 1.20x | worse |", text)
        self.assertIn("| compare | invokes/s, sequential [1/s] | 4200 (4000–4400) | 4000 (3800–4100) | 1.05x |", text)
        self.assertNotIn("floor only", text)
        self.assertIn("| tray | tray_clock: threads | 11.0 (11.0–11.0) | 11.0 (11.0–11.0) | 1.00x |  |", text)
        self.assertIn("No before figure: isolation: isolation: 1,000 concurrent invokes.", text)
        # store: medians over the rounds; /s is higher-is-better
        self.assertIn("| store | durable sets (fsync before ack) [/s] | 1950 (1900–2000) | 2100 | 0.93x | worse |", text)
        self.assertIn("| store | set → Rust watcher, p99 [µs] | 925.0 (900.0–950.0) | 1200 | 0.77x | better |", text)
        self.assertIn("| store | load a 10 MB store [ms] | 7.70 (7.70–7.70) | 7.70 | 1.00x |  |", text)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "before_after.md")))

    def test_missing_files_are_named(self):
        text = self.run_merge()
        for name in ("results.json", "tray.json", "isolation.json", "store.txt", "store-before.txt"):
            self.assertIn("Note: missing %s" % os.path.join(self.dir, name), text)


if __name__ == "__main__":
    unittest.main(verbosity=1)
