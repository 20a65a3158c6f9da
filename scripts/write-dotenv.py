"""Write a development .env from .env.example: DEBUG on and a freshly generated secret key.

Usage: python3 scripts/write-dotenv.py [TARGET]   (default: .env beside .env.example)
An existing target is left alone.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OVERRIDES = {
    "DJANGO_DEBUG": "true",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
}


def main(target: Path) -> int:
    if target.exists():
        print(f"{target} exists: left unchanged.")
        return 0
    lines = []
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0].strip()
        if "=" in line and not line.lstrip().startswith("#") and key in OVERRIDES:
            line = f"{key}={OVERRIDES[key]}"
        lines.append(line)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    print(f"{target} written (DJANGO_DEBUG=true, new DJANGO_SECRET_KEY).")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".env"))
