"""`newsassets-dev`: Dagster's UI and daemon on this project's persistent instance, after one refresh.

1. makes sure `DAGSTER_HOME` exists with the project's `dagster.yaml` (`newsassets.instance`), default
   `<project root>/.dagster_home`, and exports it;
2. unless `--no-refresh`, runs the job `refresh_news` once (`dg launch --job refresh_news`),
   so the tables exist before the UI opens and that run is in the same run history the UI shows (a failed
   refresh is reported and the UI starts anyway: the failure is in its run history);
3. runs `dg dev` (webserver + daemon for the dg project of pyproject.toml) on `--host`/`--port`,
   default 127.0.0.1:3000, until Ctrl-C or SIGTERM.

`dagster dev` runs in its own process group. The first SIGINT, SIGTERM or SIGHUP the launcher gets is passed to
it as SIGINT, on which it stops its webserver and daemon cleanly. It leaves its code server (and any run that
server is executing) to notice a missed heartbeat up to a minute later; so when dagster dev has exited, whatever
is left in its group gets SIGTERM (a run in progress records itself as failed) and, 10 s later, SIGKILL.
A second signal kills the group at once.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from newsassets import settings
from newsassets.instance import DAGSTER_HOME_VAR, ensure_dagster_home

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
GROUP_GRACE_SECONDS = 10.0  # after dagster dev exits, how long stragglers in its group get after SIGTERM
REFRESH_GRACE_SECONDS = 30.0  # after Ctrl-C, how long the refresh gets to record its run as stopped

FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, got {port}")
    return port


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="newsassets-dev",
        description=(
            "Start Dagster (UI and daemon: the schedule and the raw-folder sensor run) on the persistent instance "
            f"in $DAGSTER_HOME (default {settings.PROJECT_ROOT / '.dagster_home'}), after materialising every "
            "asset once."
        ),
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address the UI listens on (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port the UI listens on (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--no-refresh", action="store_true", help="start the UI straight away, without materialising everything first"
    )
    return parser.parse_args(argv)


def dg_executable() -> str:
    """Dagster's `dg` tool (dagster-dg-cli) of the environment the launcher runs in."""
    return str(Path(sys.executable).with_name("dg"))


def refresh_command() -> list[str]:
    """One run of `refresh_news` (every asset with its checks), in the instance's run history under that name."""
    return [dg_executable(), "launch", "--job", "refresh_news"]


def dev_command(host: str, port: int) -> list[str]:
    """`dg dev`: webserver and daemon for this dg project (`[tool.dg]` in pyproject.toml). `dagster dev` from the
    project root, on workspace.yaml, still works the same for those who prefer it."""
    return [dg_executable(), "dev", "--host", host, "--port", str(port)]


def ui_url(host: str, port: int) -> str:
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}"


def port_in_use(host: str, port: int) -> OSError | None:
    """Why the UI could not listen on host:port, or None when it can (checked by binding, then letting go)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family):  # SO_REUSEADDR, as the webserver's own
            return None
    except OSError as error:
        return error


def _say(message: str) -> None:
    print(f"newsassets-dev: {message}", file=sys.stderr, flush=True)


def run_refresh(command: Sequence[str], env: Mapping[str, str], cwd: Path) -> int:
    """Run the one-off materialisation; on Ctrl-C give it time to stop (it got the SIGINT too) before killing it."""
    process = subprocess.Popen(list(command), env=dict(env), cwd=cwd)
    try:
        return process.wait()
    except KeyboardInterrupt:
        try:
            process.wait(timeout=REFRESH_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise


def group_members(pgid: int) -> list[int]:
    """Live processes (zombies left out) in process group `pgid`; from /proc where there is one."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        except PermissionError:
            pass
        return [pgid]  # someone is in it; without /proc we cannot say who
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'
        state, _ppid, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def reap_group(pgid: int, grace_seconds: float | None = None) -> list[int]:
    """End whatever is left in process group `pgid`: SIGTERM, then SIGKILL after the grace period.

    `dagster dev` leaves its code server (and that one's run workers) to stop on a missed heartbeat, up to
    a minute later; this stops them now. Returns the processes that had been left behind.
    """
    grace_seconds = GROUP_GRACE_SECONDS if grace_seconds is None else grace_seconds
    left = group_members(pgid)
    if not left:
        return []
    _say(f"stopping the processes dagster dev left running (code server, runs): {left}")
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        if not group_members(pgid):
            return left
        time.sleep(0.1)
    _say(f"processes in group {pgid} still running after {grace_seconds:g} s: sending SIGKILL")
    _signal_group(pgid, signal.SIGKILL)
    return left


def run_supervised(command: Sequence[str], env: Mapping[str, str], cwd: Path) -> int:
    """Run `command` in its own process group, pass signals on, and leave no process of that group behind."""
    if os.name != "posix":  # no process groups to manage: Ctrl-C reaches dagster dev directly
        return subprocess.call(list(command), env=dict(env), cwd=cwd)

    child: subprocess.Popen[bytes] | None = None
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        if child is None:
            return  # not started yet: it gets the signal as soon as it is
        if len(received) == 1:
            _say(f"{signal.Signals(signum).name} received: stopping Dagster (send it again to kill it at once)")
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGINT)
        else:
            _say("killing Dagster's process group")
            _signal_group(child.pid, signal.SIGKILL)

    # Handlers go in before the child starts, so that it starts with these signals at their defaults even when
    # the launcher inherited them ignored (as in `cmd &` from a script): dagster dev ignoring SIGINT would
    # ignore SIGTERM too, and never stop.
    previous = {signum: signal.signal(signum, forward) for signum in FORWARDED_SIGNALS}
    try:
        child = subprocess.Popen(list(command), env=dict(env), cwd=cwd, process_group=0)
        if received:
            child.send_signal(signal.SIGINT)
        returncode = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if child is not None:
            reap_group(child.pid)
    if received and returncode in (0, -signal.SIGINT):
        return 0  # stopped cleanly because it was asked to
    return 128 - returncode if returncode < 0 else returncode  # killed by a signal: the shell's convention


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # dagster dev would otherwise run its daemon (and the runs) with no UI, and say only once, in passing, why
    if problem := port_in_use(args.host, args.port):
        _say(
            f"cannot serve the UI on {args.host}:{args.port} ({problem.strerror or problem}): stop what uses it "
            "or pass --port"
        )
        return 1
    try:
        home = ensure_dagster_home()
    except (ValueError, OSError) as error:  # an unclear NEWSASSETS_TELEMETRY, an unwritable DAGSTER_HOME
        _say(f"cannot prepare the Dagster instance: {error}")
        return 2
    os.environ[DAGSTER_HOME_VAR] = str(home)
    # dg checks that the project's environment is the active one; the launcher's own is, activated or not
    env = {**os.environ, "VIRTUAL_ENV": sys.prefix}
    root = settings.PROJECT_ROOT
    _say(f"Dagster instance (run history, schedule and sensor state) in {home}")

    try:
        shards = settings.shards()
    except ValueError as error:
        _say(str(error))
        return 2
    if shards > 1 and not args.no_refresh:
        _say(
            f"sharded ({settings.SHARDS_VAR}={shards}): no refresh before the UI; the raw-folder sensor's first tick "
            "starts one run per shard, and shards_then_dedup the run of dedup and stories after them"
        )
    elif not args.no_refresh:
        _say("running the job refresh_news once (dg launch); --no-refresh skips this")
        try:
            status = run_refresh(refresh_command(), env, root)
        except KeyboardInterrupt:
            _say("interrupted during the refresh")
            return 130
        if status != 0:
            _say(f"the refresh failed (exit {status}); starting the UI anyway: the failed run is in its run history")

    _say(f"starting dg dev: the UI will be at {ui_url(args.host, args.port)}; Ctrl-C stops everything")
    return run_supervised(dev_command(args.host, args.port), env, root)


if __name__ == "__main__":
    sys.exit(main())
