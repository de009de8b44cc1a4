"""Input limits: the largest pathway file the tools will accept.

A pathway comes from a browser editor and is published on a website, so the
loader refuses input that is far beyond any real pathway rather than spending
unbounded time or memory on it.  A file over a limit gets a ``limit-exceeded``
error; nothing is silently truncated.  The values are generous: the largest
real pathways are a few hundred kilobytes with under a hundred stages.
"""

from __future__ import annotations

#: Largest accepted file, in bytes (10 MB).
MAX_FILE_BYTES = 10 * 1024 * 1024

#: Deepest nesting of lists and mappings.  A valid pathway nests 5 deep
#: (top level → stages → stage → next → branch); 32 leaves ample room while
#: stopping "[[[[[[…" inputs from exhausting the stack.
MAX_DEPTH = 32

#: Most stages in one pathway.
MAX_STAGES = 5_000

#: Most items in any other list (transitions, facts, references, glossary, …).
MAX_ITEMS = 10_000

#: Most YAML nodes (keys, values, lists, mappings) in one file.  Every node is kept in memory with
#: its position, about 300 bytes each: a 10 MB file of tiny keys was 670 MB.  The 5,000-stage
#: benchmark pathways have under 200,000.
MAX_NODES = 500_000

#: Longest single text value, in characters (about 40 printed pages).
MAX_TEXT_CHARS = 200_000

#: Most problems reported for one file; the rest are summarised in one line,
#: so a pasted binary file doesn't produce a million messages.
MAX_PROBLEMS = 1_000

#: Most work spent on "did you mean …?" hints for one file, in candidates compared
#: (about a second).  Hints are worked out for the shown problems in file order; past this
#: budget the rest are shown without one (a flood of misspelt ids against thousands of stages).
MAX_SUGGESTION_WORK = 50_000

#: Most work spent proving one computable decision exclusive and exhaustive, in branch
#: evaluations (generator/core/decisions.py); a real decision needs a few dozen.  Past it the
#: decision gets a located ``limit-exceeded`` error instead of a hang.
MAX_PROOF_WORK = 100_000

#: Most proof work for one file, over all its decisions (about two seconds at most).
MAX_PROOF_WORK_TOTAL = 400_000
