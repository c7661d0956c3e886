"""Run a command the way a user's pipeline does and measure its wall time and peak memory.

Each run is a fresh process fed through a pipe (kpt and kustomize pipe the ResourceList to a
function's stdin). A process's peak resident set size starts at what its parent had when it forked,
so the benchmark, which holds the inputs in memory, does not start the command itself: a minimal
helper (`python -S -I`, a few MiB) spawns it, times it from spawn to exit, reads its peak from
`os.wait4`, and kills it when it runs over its time limit. The helper's own start-up is not in the
figures.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HELPER = """\
import os, signal, sys, time
limit, argv = float(sys.argv[1]), sys.argv[2:]
quiet = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=quiet)
def stop(*_):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
signal.signal(signal.SIGALRM, stop)
signal.setitimer(signal.ITIMER_REAL, limit)
_, status, usage = os.wait4(pid, 0)
signal.setitimer(signal.ITIMER_REAL, 0)
elapsed = time.perf_counter() - start
code = "timeout" if elapsed >= limit else os.waitstatus_to_exitcode(status)
print(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code)
"""


@dataclass
class Command:
    """One thing to time: its argv (argv[0] a full path) and, when it reads stdin, the file fed to it."""

    key: str
    argv: list[str]
    stdin: Path | None = None
    env: dict[str, str] | None = None
    limit: float = 3600.0  # seconds a run may take before it is stopped and the command given up
    samples: list[float] = field(default_factory=list)  # wall seconds
    cpu: list[float] = field(default_factory=list)  # user + system CPU seconds
    peak_kib: list[int] = field(default_factory=list)  # peak RSS of each run
    timed_out: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def peak(self) -> int:
        return max(self.peak_kib)


class CommandFailed(Exception):
    """A measured command exited with an error; the benchmark's figures would be meaningless."""


def run_once(command: Command, cwd: Path) -> tuple[float, float, int] | None:
    """Wall seconds, CPU seconds and peak RSS (KiB) of one run, None when it ran over its limit.

    Its stdout is discarded; an error exit raises CommandFailed with the end of its stderr.
    """
    data = command.stdin.read_bytes() if command.stdin else None
    with tempfile.TemporaryFile() as stderr:
        helper = subprocess.run(
            [sys.executable, "-S", "-I", "-c", HELPER, str(command.limit), *command.argv],
            input=data,
            stdin=None if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=cwd,
            env=command.env,
            check=False,
        )
        elapsed, cpu, peak, code = helper.stdout.split() if helper.returncode == 0 else ("", "", "", b"failed")
        if code == b"timeout":
            return None
        if code != b"0":
            stderr.seek(0)
            tail = stderr.read()[-2000:].decode(errors="replace")
            raise CommandFailed(f"{command.key}: {' '.join(command.argv)} exited {code.decode()}:\n{tail}")
    return float(elapsed), float(cpu), int(peak)


def measure(commands: Sequence[Command], repeat: int, cwd: Path, warm_up: bool = True) -> None:
    """Run every command `repeat` times, taking turns, so a slow spell of the machine hits all alike.

    `warm_up` first runs each once untimed, to fill the byte-code cache and the page cache. A command
    that runs over its limit is not run again; it keeps the samples it has.
    """
    for _ in range(1 if warm_up else 0):
        for command in commands:
            command.timed_out = run_once(command, cwd) is None
    for _ in range(repeat):
        for command in commands:
            if command.timed_out:
                continue
            measured = run_once(command, cwd)
            if measured is None:
                command.timed_out = True
                continue
            command.samples.append(measured[0])
            command.cpu.append(measured[1])
            command.peak_kib.append(measured[2])
