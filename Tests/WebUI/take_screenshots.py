#!/usr/bin/env python3
"""Copies the canonical UI screenshots (login, translator, admin; 1280×800) to docs/screenshots/.

The browser tests write them to $CSANMT_UI_ARTIFACTS (default <repo>/.build/webui-artifacts/). With --run, or
when one is missing, the two tests that take them are run first (same environment variables as the tests).

    python Tests/WebUI/take_screenshots.py [--run] [--to DIR]     (DIR defaults to docs/screenshots)
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = Path(os.environ.get("CSANMT_UI_ARTIFACTS", REPO / ".build" / "webui-artifacts"))
TARGET = REPO / "docs" / "screenshots"
NAMES = ("login", "translator", "admin")
SIZE = (1280, 800)
TESTS = "test_login_and_translate or test_admin_creates_tenant_and_key"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR is always the first chunk)."""
    with open(path, "rb") as f:
        header = f.read(24)
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    return struct.unpack(">II", header[16:24])


def main() -> int:
    args = sys.argv[1:]
    target = Path(args[args.index("--to") + 1]) if "--to" in args else TARGET
    missing = [n for n in NAMES if not (ARTIFACTS / f"{n}.png").exists()]
    if "--run" in args or missing:
        result = subprocess.run([sys.executable, "-m", "pytest", str(HERE), "-k", TESTS], cwd=REPO)
        if result.returncode != 0:
            print("the screenshot tests failed; nothing copied", file=sys.stderr)
            return result.returncode
    target.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        source = ARTIFACTS / f"{name}.png"
        size = png_size(source)
        if size != SIZE:
            print(f"{source} is {size[0]}×{size[1]}, expected {SIZE[0]}×{SIZE[1]}", file=sys.stderr)
            return 1
        shutil.copyfile(source, target / f"{name}.png")
        print(f"{source} → {target / (name + '.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
