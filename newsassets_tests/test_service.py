"""End to end under the real `dagster dev` (webserver + daemon), started by the launcher, seen in headless Chromium.

One test, on a temporary copy of the project with its own raw folder, DuckDB file and DAGSTER_HOME:
the sensor's first run; a page dropped into the raw folder and the sensor's run that picks it up; a run of
`refresh_news` launched through the GraphQL API; the asset graph in Chromium with every check passed; and a
shutdown that leaves no process behind. Only 127.0.0.1 is contacted. The screenshot is kept in test-artifacts/.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest

from .conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ASSETS = {"raw_documents", "articles", "teasers", "dedup_clusters", "dedup_edges", "stories"}
CHECK_COUNT = 13
SENSOR_TAG = {"key": "dagster/sensor_name", "value": "raw_folder_changed"}
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}

STARTUP_TIMEOUT = 120
RUN_TIMEOUT = 150  # a run, including up to one 30 s sensor interval and the queue daemon's pick-up
SHUTDOWN_TIMEOUT = 60

RUNS = """query ($filter: RunsFilter) { runsOrError(filter: $filter) {
  __typename ... on Runs { results { runId status tags { key value } } } ... on PythonError { message } } }"""
RUN = """query ($runId: ID!) { runOrError(runId: $runId) {
  __typename ... on Run { runId status } ... on PythonError { message } } }"""
REPOSITORIES = """{ repositoriesOrError { __typename
  ... on RepositoryConnection { nodes { name location { name } jobs { name } } } ... on PythonError { message } } }"""
LAUNCH = """mutation ($executionParams: ExecutionParams!) { launchRun(executionParams: $executionParams) {
  __typename ... on LaunchRunSuccess { run { runId status } } ... on Error { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""
CHECKS = """{ assetNodes { assetKey { path } assetChecksOrError { __typename
  ... on AssetChecks { checks { name executionForLatestMaterialization { status runId } } } } } }"""
INSTANCE = """{ instance { runQueueConfig { maxConcurrentRuns } poolConfig { defaultPoolLimit }
  supportsConcurrencyLimits } }"""
FAILED_STEPS = """query ($runId: ID!) { logsForRun(runId: $runId) { __typename
  ... on EventConnection { events { __typename ... on ExecutionStepFailureEvent { stepKey error { message } } } } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, ppid, pgrp, session) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid, pgrp, session = text[text.rindex(")") + 2 :].split()[:4]
    return state, int(ppid), int(pgrp), int(session)


def live_processes() -> dict[int, tuple[str, int, int, int]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := proc_stat(int(entry.name))) and stat[0] not in ("Z", "X"):
            found[int(entry.name)] = stat
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:160]
    except OSError:
        return "?"


class DagsterDev:
    """The launcher (`python -m newsassets.dev --no-refresh`) in its own session, and the GraphQL API it serves."""

    def __init__(self, project: Path, env: dict[str, str], log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newsassets.dev", "--no-refresh", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=project,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # session id = process group id = its pid: everything it starts is findable
        )
        self.session = self.process.pid

    def log_tail(self, lines: int = 60) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def fail(self, message: str) -> None:
        pytest.fail(f"{message}\n--- last lines of the dagster dev log ({self.log}) ---\n{self.log_tail()}")

    def graphql(self, query: str, variables: dict | None = None, timeout: float = 30) -> dict:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.load(response)
        if body.get("errors"):
            self.fail(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def wait_for(self, what: str, condition, timeout: float, interval: float = 1.0):
        """Poll `condition` until it returns something truthy; fail with the log tail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.fail(f"the launcher exited with {self.process.returncode} while waiting for {what}")
            result = condition()
            if result:
                return result
            time.sleep(interval)
        self.fail(f"timed out after {timeout:g} s waiting for {what}")

    def wait_until_serving(self) -> None:
        def serving():
            try:
                return self.graphql("{ version }", timeout=5)["version"]
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return None

        self.wait_for(f"the webserver at {self.url}/graphql", serving, STARTUP_TIMEOUT)

    def sensor_runs(self) -> list[dict]:
        result = self.graphql(RUNS, {"filter": {"tags": [SENSOR_TAG]}})["runsOrError"]
        assert result["__typename"] == "Runs", result
        return result["results"]

    def failed_steps(self, run_id: str) -> list[str]:
        logs = self.graphql(FAILED_STEPS, {"runId": run_id})["logsForRun"]
        return [f"{e['stepKey']}: {e['error']['message'][:500]}" for e in logs.get("events", []) if e.get("stepKey")]

    def wait_for_success(self, what: str, find_run, timeout: float = RUN_TIMEOUT) -> dict:
        """Wait for the run `find_run()` returns (None until it exists) to finish, and require success."""

        def finished():
            run = find_run()
            return run if run and run["status"] in FINISHED else None

        run = self.wait_for(what, finished, timeout)
        if run["status"] != "SUCCESS":
            self.fail(f"{what}: run {run['runId']} ended {run['status']}: {self.failed_steps(run['runId'])}")
        return run

    def stop(self) -> list[str]:
        """SIGTERM to the launcher's process group, as Ctrl-C would; returns what survived (killed, then)."""
        watched = {pid for pid, stat in live_processes().items() if stat[3] == self.session}
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=SHUTDOWN_TIMEOUT)

        def survivors():
            return [pid for pid, stat in live_processes().items() if stat[3] == self.session or pid in watched]

        deadline = time.monotonic() + 10
        while survivors() and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [f"{pid} {cmdline(pid)}" for pid in survivors()]
        for pid in survivors():  # the fallback: nothing of ours outlives the test
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log_file.close()
        return left

    def kill(self) -> None:
        """Last resort after a failure: SIGKILL every process of the session."""
        for pid, stat in live_processes().items():
            if stat[3] == self.session:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if not self._log_file.closed:
            self._log_file.close()


def copy_project(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(PROJECT_ROOT / "newsassets", target / "newsassets", ignore=ignore)
    for name in ("workspace.yaml", "pyproject.toml"):
        shutil.copy2(PROJECT_ROOT / name, target / name)
    shutil.copytree(PROJECT_ROOT / "data" / "raw", target / "data" / "raw")
    return target


def chromium(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--window-size=1600,1000",
            *args,
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            pytest.fail(f"chromium took over {timeout} s: {stderr[-2000:]}")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def graph_check_counts(dom: str) -> dict[str, tuple[int, int]]:
    """Per asset node of the lineage graph, its `Asset checks  passed / total Passed` row."""
    text = re.sub(r"<(script|style)\b.*?</\1>", "", dom, flags=re.S)
    text = re.sub(r"\s*\|[\s|]*", "|", re.sub(r"<[^>]+>", "|", text))
    nodes = re.finditer(
        r"\|(" + "|".join(ASSETS) + r")\|Latest event\|[^|]*\|Asset checks\|(\d+) / (\d+) Passed\|", text
    )
    return {m.group(1): (int(m.group(2)), int(m.group(3))) for m in nodes}


def query_db(database: Path, sql: str) -> list[tuple]:
    """Read the published snapshot (what users query; runs publish it by an atomic rename at the end of a pass)."""
    if not database.exists():
        pytest.fail(
            f"a run succeeded but the published snapshot {database} does not exist; beside it: "
            f"{sorted(p.name for p in database.parent.iterdir())}"
        )
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_dagster_dev_runs_the_sensor_a_launched_run_and_shows_the_graph(tmp_path):
    on_ci = os.environ.get("CI", "").lower() == "true"
    if not CHROMIUM.exists() and not on_ci:
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)")
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing under CI=true: .ci/run should have installed it"
    if not Path("/proc").is_dir():
        pytest.skip("the orphan check reads /proc")

    started = time.monotonic()
    project = copy_project(tmp_path / "project")
    raw = project / "data" / "raw"
    database = tmp_path / "news.duckdb"
    home = tmp_path / "dagster_home"
    env = {
        **os.environ,
        "NEWSASSETS_RAW_DIR": str(raw),
        "NEWSASSETS_DB_PATH": str(database),
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": str(project),  # the copy, not the editable install, for the launcher and the code server
        "NEWSASSETS_TELEMETRY": "0",
    }
    service = DagsterDev(project, env, tmp_path / "dagster-dev.log")
    stopped = False
    try:
        service.wait_until_serving()
        assert (home / "dagster.yaml").is_file(), "the launcher did not write the instance's dagster.yaml"
        settings = service.graphql(INSTANCE)["instance"]  # the instance the UI serves is the one the launcher made
        assert settings["runQueueConfig"]["maxConcurrentRuns"] == 1, settings
        assert settings["poolConfig"]["defaultPoolLimit"] == 1, settings
        assert settings["supportsConcurrencyLimits"], settings

        # a) the sensor fires on its first tick, then again once a page is dropped in
        first = service.wait_for_success(
            "the sensor's first run", lambda: next(iter(service.sensor_runs()[-1:]), None), RUN_TIMEOUT
        )
        assert query_db(database, "SELECT count(*) FROM raw_documents") == [(5,)]
        seed = next(raw.glob("003_*.txt"))
        shutil.copy(seed, raw / ".005_dropped_in.txt.partial")  # hidden files are skipped; the rename is atomic,
        os.replace(raw / ".005_dropped_in.txt.partial", raw / "005_dropped_in.txt")  # so no tick sees half a page
        service.wait_for_success(
            "the sensor's run for the dropped-in page",
            lambda: next((r for r in service.sensor_runs() if r["runId"] != first["runId"]), None),
        )
        rows = query_db(
            database,
            "SELECT r.status, a.title IS NOT NULL AND a.body <> '' FROM raw_documents r "
            "JOIN articles a USING (doc_id) WHERE r.source_path = '005_dropped_in.txt'",
        )
        assert rows == [("ok", True)]
        assert query_db(database, "SELECT count(*) FROM raw_documents") == [(6,)]
        assert query_db(database, "SELECT count(*) FROM dedup_clusters") != [(0,)]

        # b) a run of refresh_news launched through the GraphQL API
        repositories = service.graphql(REPOSITORIES)["repositoriesOrError"]
        (repository,) = repositories["nodes"]
        assert "refresh_news" in {job["name"] for job in repository["jobs"]}
        selector = {
            "repositoryLocationName": repository["location"]["name"],
            "repositoryName": repository["name"],
            "jobName": "refresh_news",
        }
        launched = service.graphql(LAUNCH, {"executionParams": {"selector": selector, "runConfigData": {}}})
        launched = launched["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]
        service.wait_for_success(
            f"the launched run {run_id}", lambda: service.graphql(RUN, {"runId": run_id})["runOrError"]
        )

        # c) every check's latest execution passed but the one warning of the seeds (001 has no title line,
        # flagged on its row by article_quality), and the asset graph in Chromium says so
        nodes = service.graphql(CHECKS)["assetNodes"]
        statuses = {
            (node["assetKey"]["path"][-1], check["name"]): (check["executionForLatestMaterialization"] or {}).get(
                "status"
            )
            for node in nodes
            for check in node["assetChecksOrError"].get("checks", [])
        }
        assert {key[0] for key in statuses} == ASSETS
        assert len(statuses) == CHECK_COUNT
        assert statuses.pop(("articles", "article_quality")) == "FAILED"  # a WARN: nothing was blocked
        assert set(statuses.values()) == {"SUCCEEDED"}, statuses

        ARTIFACTS.mkdir(exist_ok=True)
        lineage = f"{service.url}/asset-groups"  # Lineage in the side bar: the global asset graph
        counts: dict[str, tuple[int, int]] = {}
        for budget in (30_000, 60_000, 90_000):  # the graph lays itself out in a worker: give it longer if needed
            dumped = chromium([f"--virtual-time-budget={budget}", "--dump-dom", lineage])
            counts = graph_check_counts(dumped.stdout)
            if set(counts) == ASSETS:
                break
        (ARTIFACTS / "asset-graph.html").write_text(dumped.stdout)
        assert set(counts) == ASSETS, (
            f"the asset graph at {lineage} does not show every asset with its checks (found {counts}); "
            f"the dumped DOM is in {ARTIFACTS / 'asset-graph.html'}"
        )
        assert counts.pop("articles") == (2, 3)
        assert all(passed == total > 0 for passed, total in counts.values()), counts
        assert sum(total for _, total in counts.values()) == CHECK_COUNT - 3, counts
        assert "Global asset lineage" in dumped.stdout

        screenshot = ARTIFACTS / "asset-graph.png"
        screenshot.unlink(missing_ok=True)
        shot = chromium([f"--virtual-time-budget={budget}", f"--screenshot={screenshot}", lineage])
        assert screenshot.is_file() and screenshot.stat().st_size > 20_000, f"no screenshot: {shot.stderr[-2000:]}"
        print(f"\nasset graph screenshot: {screenshot}")

        # the catalog documents the tables: the asset page lists the columns with their descriptions
        overview = f"{service.url}/assets/articles?view=overview"
        page = chromium(["--virtual-time-budget=30000", "--dump-dom", overview]).stdout
        (ARTIFACTS / "articles-overview.html").write_text(page)
        assert "Columns" in page and "quality_flags" in page and "Content-quality rules the row breaks" in page
        columns_shot = ARTIFACTS / "articles-columns.png"
        chromium(["--virtual-time-budget=30000", "--window-size=1400,2400", f"--screenshot={columns_shot}", overview])
        print(f"articles overview with its columns: {columns_shot}")

        # d) SIGTERM to the launcher's process group, as Ctrl-C would; nothing may survive it
        left = service.stop()
        stopped = True
        if left:
            service.fail(f"processes of the launcher's session survived the shutdown (SIGKILLed now): {left}")
        if service.process.returncode != 0:
            service.fail(f"the launcher exited with {service.process.returncode} after SIGTERM")
        assert "Dagster services shut down" in service.log_tail(400)
        print(f"dagster dev end to end: {time.monotonic() - started:.0f} s")
    finally:
        if not stopped:
            print(f"\n--- last lines of the dagster dev log ---\n{service.log_tail()}")
            service.kill()
