"""An agent in "another language": any program reading JSON on stdin and writing JSON on stdout.

Input: {"text": ...}; output: {"output": {"label": ..., "words": N}}. ``AGENT_DELAY`` (seconds)
slows it down (the resume test kills an eval mid-run).
"""

import json
import os
import sys
import time

request = json.load(sys.stdin)
time.sleep(float(os.environ.get("AGENT_DELAY", "0")))
text = str(request.get("text", ""))
print("classifying", len(text), "chars", file=sys.stderr)
label = "question" if text.rstrip().endswith("?") else "statement"
json.dump({"output": {"label": label, "words": len(text.split())}}, sys.stdout)
