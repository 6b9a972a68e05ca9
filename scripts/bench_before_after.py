#!/usr/bin/python3
"""One before/after table from a `scripts/bench.sh` run with BENCH_BEFORE_DIR.

    /usr/bin/python3 scripts/bench_before_after.py [target/bench] [--noise 0.05]

Reads what the benches wrote into the directory:
  results.json            benches/compare.rs (columns `traykit` and `traykit_before`)
  tray.json               benches/tray.rs (`after`, `before`)
  isolation.json          benches/isolation.rs (`after`, `before`)
  store.txt               benches/store.rs stdout, one block per round (this tree)
  store-before.txt        the same bench run in the before checkout (its own
                          code: the store bench links the library, so the
                          before figures need the before build of it)
and prints one Markdown table — every row that involves traykit code, with
after, before, after/before — to stdout and to before_after.md. A row is
flagged `worse` when the after median is worse than the before median by
more than the noise margin (default 5 %); `(overlap)` says the two min–max
ranges overlap, i.e. the difference may be noise. Missing files are named
in the output, not skipped silently. Exit 0 always: this reports, the
reader judges (the benches themselves fail on a column that did not run).
"""

import json
import os
import re
import statistics
import sys

STORE_LINE = re.compile(
    r"^(?P<name>\S.*?)\s{2,}(?P<value>-?[0-9.]+|NaN|inf)\s+(?P<unit>/s|ms|µs)(?:\s+\((?P<rest>.*)\))?\s*$")
P99 = re.compile(r"p99 (?P<v>[0-9.]+) µs")


def fmt(v):
    if v is None:
        return "–"
    a = abs(v)
    if a >= 1000:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    return "%.2f" % v


def cell(s):
    if not s:
        return "–"
    if s.get("runs", 1) > 1 and s.get("min") is not None:
        return "%s (%s–%s)" % (fmt(s["median"]), fmt(s["min"]), fmt(s["max"]))
    return fmt(s["median"])


def summarize(values):
    values = [v for v in values if v == v]  # no NaN
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def parse_store(path):
    """{measure: (unit, higher_is_better, [values])} over every round in the file."""
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = STORE_LINE.match(line.rstrip("\n"))
            if not m:
                continue
            name, unit = m.group("name").strip(), m.group("unit")
            rows.setdefault(name, (unit, unit == "/s", []))[2].append(float(m.group("value")))
            p99 = P99.search(m.group("rest") or "")
            if p99:
                key = name.replace("p50", "p99") if "p50" in name else name + " p99"
                rows.setdefault(key, ("µs", False, []))[2].append(float(p99.group("v")))
    return rows


def load(dirpath):
    """[(bench, measure, unit, higher_is_better, after, before)], notes"""
    out, notes = [], []

    def jpath(name):
        p = os.path.join(dirpath, name)
        if not os.path.exists(p):
            notes.append("missing %s" % p)
            return None
        with open(p, encoding="utf-8") as f:
            return json.load(f)

    compare = jpath("results.json")
    machine = {}
    if compare:
        machine = compare.get("machine", {})
        for r in compare.get("rows", []):
            if not r.get("traykit") and not r.get("traykit_before"):
                continue  # a floor- or Tauri-only row
            out.append(("compare", r["measure"], r.get("unit", ""), r.get("higher_is_better", False),
                        r.get("traykit"), r.get("traykit_before")))
    for name in ("tray", "isolation"):
        doc = jpath(name + ".json")
        for r in (doc or {}).get("rows", []):
            out.append((name, r["measure"], r.get("unit", ""), r.get("higher_is_better", False),
                        r.get("after"), r.get("before")))
    after_p, before_p = os.path.join(dirpath, "store.txt"), os.path.join(dirpath, "store-before.txt")
    after = parse_store(after_p) if os.path.exists(after_p) else None
    before = parse_store(before_p) if os.path.exists(before_p) else None
    if after is None:
        notes.append("missing %s" % after_p)
    if before is None:
        notes.append("missing %s" % before_p)
    names = list((after or {}).keys()) + [n for n in (before or {}) if n not in (after or {})]
    for n in names:
        a = (after or {}).get(n)
        b = (before or {}).get(n)
        unit, higher = (a or b)[0], (a or b)[1]
        out.append(("store", n, unit, higher, summarize(a[2]) if a else None, summarize(b[2]) if b else None))
    return out, notes, machine


def table(rows, noise):
    lines = ["| bench | measure | after | before | after / before | |", "|---|---|---|---|---|---|"]
    worse = []
    for bench, measure, unit, higher, a, b in rows:
        ratio, flag = None, ""
        if a and b and b.get("median"):
            ratio = a["median"] / b["median"]
            bad = ratio < 1 / (1 + noise) if higher else ratio > 1 + noise
            good = ratio > 1 + noise if higher else ratio < 1 / (1 + noise)
            overlap = a.get("min") is not None and b.get("min") is not None and \
                a["min"] <= b["max"] and b["min"] <= a["max"]
            if bad:
                flag = "worse" + (" (overlap)" if overlap else "")
                worse.append((bench, measure, ratio, overlap))
            elif good:
                flag = "better"
        label = "%s [%s]" % (measure, unit) if unit else measure
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            bench, label, cell(a), cell(b), "–" if ratio is None else "%.2fx" % ratio, flag))
    return lines, worse


def main(argv):
    noise = 0.05
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--noise":
            noise = float(argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    dirpath = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "bench")
    rows, notes, machine = load(dirpath)
    lines, worse = table(rows, noise)
    with_before = sum(1 for r in rows if r[4] and r[5])
    head = ["## Before / after (one run of scripts/bench.sh with BENCH_BEFORE_DIR)", ""]
    if machine:
        head.append("Load average at start: %s; at end: %s." % (
            machine.get("loadavg_at_start", "?"), machine.get("loadavg_at_end", "?")))
        head.append("")
    tail = ["", "%d rows, %d with both figures; `worse` = after worse than before by more than %d %%, "
            "`(overlap)` = the min–max ranges overlap." % (len(rows), with_before, round(noise * 100))]
    no_before = [r for r in rows if r[4] and not r[5]]
    if no_before:
        tail.append("No before figure: " + "; ".join("%s: %s" % (r[0], r[1]) for r in no_before) + ".")
    if worse:
        tail.append("Worse: " + "; ".join("%s: %s %.2fx%s" % (b, m, r, " (ranges overlap)" if o else "")
                                          for b, m, r, o in worse) + ".")
    else:
        tail.append("No row worse than before beyond the margin.")
    for n in notes:
        tail.append("Note: " + n)
    text = "\n".join(head + lines + tail) + "\n"
    sys.stdout.write(text)
    try:
        with open(os.path.join(dirpath, "before_after.md"), "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        print("could not write before_after.md: %s" % e, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
