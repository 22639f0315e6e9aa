"""``make dist``: the wheel, the sdist, and ``dist/agentops`` — agentops as one executable file.

    .venv/bin/python scripts/build_dist.py [--out DIR]

Why pex, and why these flags:

* One file: a pex is a zip with a ``/bin/sh`` preamble (``--sh-boot``). It holds agentops, every
  dependency as a wheel, and — through the wheel — ``prompts/`` and ``datasets/``.
* Fast after the first run: ``--venv`` makes the first run unpack the wheels into a virtualenv
  under ``$PEX_ROOT`` (``~/.cache/pex``), offline; every later run is the shell preamble exec'ing
  that virtualenv's console script directly, so no zip is read at start-up.
* Same resolution as ``pip install``: pip resolves and builds the wheelhouse (``pip wheel``), and
  pex only packs it (``--no-pypi -f wheelhouse``), so the file holds exactly what a pip user gets.

The wheels of compiled dependencies (numpy, scikit-learn, pydantic-core…) are built for one
CPython minor version and platform, so the file runs on the Python it was built with (same minor
version, same OS and architecture); build it with ``make dist PYTHON=python3.12`` for another one.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARKED_DEPS = ("async-timeout",)


def run(*argv: str | Path) -> None:
    print("+", " ".join(str(a) for a in argv), flush=True)
    subprocess.run([str(a) for a in argv], check=True, cwd=REPO)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build(out: Path) -> Path:
    """Build the sdist, the wheel and the one-file ``agentops`` into ``out``; return the file."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("agentops_cli-*"), out / "agentops"]:
        stale.unlink(missing_ok=True)
    python = sys.executable
    run(python, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", out, REPO)
    (wheel,) = out.glob("agentops_cli-*.whl")
    with tempfile.TemporaryDirectory(prefix="agentops-wheelhouse-") as tmp:
        wheelhouse = Path(tmp)
        # Dependencies behind a version marker of *another* 3.11.x (redis needs async-timeout below
        # 3.11.3) are added by name: pip resolves for the building interpreter only.
        run(python, "-m", "pip", "wheel", "--quiet", "--wheel-dir", wheelhouse, wheel, *MARKED_DEPS)
        target = out / "agentops"
        run(
            python, "-m", "pex", "--no-pypi", "--find-links", wheelhouse, "agentops-cli", *MARKED_DEPS,
            "--console-script", "agentops", "--venv", "prepend", "--sh-boot",
            "--python-shebang", "/usr/bin/env python3", "--output-file", target,
        )  # fmt: skip
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    args = parser.parse_args()
    if (
        shutil.which("pex") is None
        and subprocess.run(
            [sys.executable, "-m", "pex", "--version"], capture_output=True, check=False
        ).returncode
    ):
        sys.exit("error: pex is not installed (pip install -e '.[dev]')")
    target = build(args.out.resolve())
    size_mb = target.stat().st_size / 1e6
    print(f"{target}  {size_mb:.1f} MB  sha256 {sha256(target)}")


if __name__ == "__main__":
    main()
