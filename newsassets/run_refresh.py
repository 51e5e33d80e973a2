"""`python -m newsassets.run_refresh`: one run of the job `refresh_news` (every asset and check) on the Dagster
instance of `DAGSTER_HOME`, recorded in its run history under that job's name like any other run. Exit status 0
when the run succeeded. The launcher (`newsassets-dev`) starts with it."""

from __future__ import annotations

import sys


def main() -> int:
    import dagster as dg

    from newsassets.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("refresh_news").execute_in_process(instance=instance, raise_on_error=False)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
