"""Print the fenced block of a Markdown file that contains MARKER, or the
first one after the line that contains it."""
import sys

lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
marker = sys.argv[2]
at = next(i for i, line in enumerate(lines) if marker in line)
i = at
if sum(1 for l in lines[:at] if l.startswith("```")) % 2:
    while not lines[i].startswith("```"):  # inside a block: its opening fence
        i -= 1
else:
    while not lines[i].startswith("```"):
        i += 1
j = i + 1
while not lines[j].startswith("```"):
    j += 1
print("\n".join(lines[i + 1:j]))
