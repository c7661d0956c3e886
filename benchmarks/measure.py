"""Run a command the way a user's pipeline does and measure its wall time and peak memory.

Each run is a fresh process fed through a pipe (kpt and kustomize pipe the ResourceList to a
function's stdin). A process's peak resident set size starts at what its parent had when it forked,
so the benchmark, which holds the inputs in memory, does not start the command itself: a minimal
helper (`python -S -I`, a few MiB) spawns it, times it from spawn to exit and reads its peak from
`os.wait4`. The helper's own start-up is not in the figures.
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
import os, sys, time
quiet = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=quiet)
_, status, usage = os.wait4(pid, 0)
cpu = usage.ru_utime + usage.ru_stime
print(time.perf_counter() - start, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


@dataclass
class Command:
    """One thing to time: its argv (argv[0] a full path) and, when it reads stdin, the file fed to it."""

    key: str
    argv: list[str]
    stdin: Path | None = None
    env: dict[str, str] | None = None
    samples: list[float] = field(default_factory=list)  # wall seconds
    cpu: list[float] = field(default_factory=list)  # user + system CPU seconds
    peak_kib: list[int] = field(default_factory=list)  # peak RSS of each run

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def peak(self) -> int:
        return max(self.peak_kib)


class CommandFailed(Exception):
    """A measured command exited with an error; the benchmark's figures would be meaningless."""


def run_once(command: Command, cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of one run; stdout is discarded, a failure raises."""
    data = command.stdin.read_bytes() if command.stdin else None
    with tempfile.TemporaryFile() as stderr:
        helper = subprocess.run(
            [sys.executable, "-S", "-I", "-c", HELPER, *command.argv], input=data,
            stdin=None if data is not None else subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
            cwd=cwd, env=command.env, check=False,
        )
        elapsed, cpu, peak, code = helper.stdout.split() if helper.returncode == 0 else ("", "", "", "failed")
        if code != b"0":
            stderr.seek(0)
            tail = stderr.read()[-2000:].decode(errors="replace")
            raise CommandFailed(f"{command.key}: {' '.join(command.argv)} exited {code!r}:\n{tail}")
    return float(elapsed), float(cpu), int(peak)


def measure(commands: Sequence[Command], repeat: int, cwd: Path) -> None:
    """Run every command `repeat` times, taking turns, so a slow spell of the machine hits all alike.

    One untimed run of each comes first: it fills the byte-code cache and the page cache.
    """
    for command in commands:
        run_once(command, cwd)
    for _ in range(repeat):
        for command in commands:
            elapsed, cpu, peak = run_once(command, cwd)
            command.samples.append(elapsed)
            command.cpu.append(cpu)
            command.peak_kib.append(peak)
