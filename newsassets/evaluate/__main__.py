"""`python -m newsassets.evaluate {extraction,dedup,dedup-real,flags,fronts,stories} DIR`: figures measured on real or generated pages."""

import importlib
import sys

COMMANDS = {
    "extraction": "newsassets.evaluate.extraction",
    "dedup": "newsassets.evaluate.dedup",
    "dedup-real": "newsassets.evaluate.dedup_real",
    "flags": "newsassets.evaluate.flags",
    "fronts": "newsassets.evaluate.fronts",
    "stories": "newsassets.evaluate.stories",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python -m newsassets.evaluate {{{','.join(COMMANDS)}}} DIR [options]", file=sys.stderr)
        return 2
    return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
