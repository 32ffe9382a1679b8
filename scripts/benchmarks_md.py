"""Replaces the table between `<!-- NAME -->` and `<!-- /NAME -->` in
BENCHMARKS.md with TABLE: how each benchmark script writes its figures.

    python3 scripts/benchmarks_md.py NAME TABLE
"""
import re
import sys

name, table = sys.argv[1], sys.argv[2]
text = open("BENCHMARKS.md").read()
block = f"<!-- {name} -->\n{table}\n<!-- /{name} -->"
new, n = re.subn(rf"<!-- {name} -->.*?<!-- /{name} -->", lambda _: block, text, flags=re.S)
if n == 0:
    raise SystemExit(f"BENCHMARKS.md has no <!-- {name} --> section")
open("BENCHMARKS.md", "w").write(new)
