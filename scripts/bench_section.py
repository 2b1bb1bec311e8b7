#!/usr/bin/env python3
"""Replace one section of a Markdown document with the contents of a file.

Usage: scripts/bench_section.py DOC NAME RESULT_FILE

The section is the text between "<!-- BEGIN NAME -->" and "<!-- END NAME -->";
it is appended at the end of DOC when the markers are not there yet.
Benchmark scripts (scripts/bench.sh, scripts/bench.d/*.sh) use it to write
their figures into docs/benchmarks.md.
"""
import re
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    doc_path, name, new_path = sys.argv[1:]
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()
    with open(new_path, encoding="utf-8") as f:
        new = f.read().strip()
    begin, end = "<!-- BEGIN %s -->" % name, "<!-- END %s -->" % name
    if begin in doc:
        doc = re.sub(re.escape(begin) + ".*?" + re.escape(end),
                     lambda m: begin + "\n" + new + "\n" + end, doc, flags=re.S)
    else:
        doc += "\n" + begin + "\n" + new + "\n" + end + "\n"
    with open(doc_path, "w", encoding="utf-8") as f:
        f.write(doc)


if __name__ == "__main__":
    main()
