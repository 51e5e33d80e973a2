"""`python -m newsassets.dedup_worker`: one kind's clustering for `newsassets.dedup.cluster_kinds`, in a
process of its own. Reads the pickled arguments of `_cluster_kind` from stdin, writes the pickled result to
stdout; errors go to stderr with a non-zero exit code."""

from __future__ import annotations

import pickle
import sys

from newsassets.dedup import _cluster_kind


def main() -> int:
    arguments = pickle.load(sys.stdin.buffer)
    result = _cluster_kind(*arguments)
    del arguments
    pickle.dump(result, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
