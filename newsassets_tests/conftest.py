import shutil
from datetime import datetime
from pathlib import Path

import pytest

from newsassets.pipeline.resources import NewsStore, RawFolder
from newsassets.reading import decode_text

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = PROJECT_ROOT / "data" / "raw"
# The capture time the tests give every seed page, so that ages and dates are exact.
FETCHED_AT = datetime(2026, 1, 24, 12, 0)


def seed_path(key: str) -> Path:
    """The bundled seed page whose name starts with `key` ('000' … '004')."""
    (path,) = SEED_DIR.glob(f"{key}_*.txt")
    return path


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """The five seed pages' decoded text, by key."""
    return {key: decode_text(seed_path(key).read_bytes()) for key in ("000", "001", "002", "003", "004")}


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A temporary copy of the seed pages."""
    target = tmp_path / "raw"
    shutil.copytree(SEED_DIR, target)
    return target


@pytest.fixture
def resources(tmp_path: Path, raw_dir: Path) -> dict[str, object]:
    return {"raw_folder": RawFolder(path=str(raw_dir)), "store": NewsStore(database=str(tmp_path / "news.duckdb"))}


def materialise(resources: dict[str, object], instance=None):
    """Run every asset and check in process, as `dagster asset materialize --select '*'` would."""
    from newsassets.definitions import build_definitions

    job = build_definitions(resources).resolve_job_def("refresh_news")
    return job.execute_in_process(instance=instance, raise_on_error=False)


def require_shared(*parts: str) -> Path:
    """A path under ../shared, or skip the test saying why (a clone without the shared data beside it)."""
    from newsassets.evaluate.realdata import SHARED

    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the real pages in ../shared, absent beside this checkout)")
    return path


def warnings_and_failures(result) -> tuple[dict, dict]:
    """The run's check evaluations that did not pass: (warnings by check name, blocking failures by check name)."""
    warned, failed = {}, {}
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            target = warned if evaluation.severity.value == "WARN" else failed
            target[evaluation.check_name] = evaluation
    return warned, failed


def materialization(result, asset: str):
    """The run's one materialisation of `asset` (the dedup step materialises dedup_clusters and dedup_edges)."""
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset]
    return event.materialization


EXPECT_LAKE_VAR = "NEWSASSETS_EXPECT_LAKE"  # set by the README's test command in .venv-lake: a missing lake fails


@pytest.fixture(scope="session")
def lake_extensions(tmp_path_factory) -> None:
    """DuckDB can load the DuckLake extensions (the [lake] extra, or DuckDB's repository), or the test skips, saying
    why; where the README's test command asks for the lake (`NEWSASSETS_EXPECT_LAKE=1`), it fails instead."""
    import os

    from newsassets.lake import Lake, LakeUnavailable, connect

    folder = tmp_path_factory.mktemp("lake-probe")
    try:
        connect(Lake(f"sqlite:{folder / 'catalog.sqlite'}", f"{folder / 'files'}/")).close()
    except LakeUnavailable as exc:
        if os.environ.get(EXPECT_LAKE_VAR):
            pytest.fail(f"the lake tests were asked for and cannot run: {exc}")
        reason = str(exc).split(" (")[0]  # `DuckDB 2.0.1 cannot load its 'ducklake' extension`
        pytest.skip(f"needs the [lake] extra, which the README's test command installs in .venv-lake: {reason}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end tests first: with the suite split across processes (pytest-xdist, see pyproject.toml), the
    long ones start at once and the short ones fill in around them, instead of one long test starting last."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
