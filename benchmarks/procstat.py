"""CPU seconds of the processes a benchmark starts, by kind, sampled from /proc (for the benchmarks; no test).

Only this process's descendants count: the machine is shared, and another engineer's Terraform or emulator
must not land in our figures. A process is ours when its parent is (seen at any sample), and stays ours after
its parent exits (an emulator outlives the CLI command that started it). Each process's CPU is read every
``interval`` seconds; a process's last fraction of an interval can be missed (``getrusage`` of the reaped
children, exact but blind to processes that outlive their parent, is printed beside it by the callers).
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from pathlib import Path

CLK = os.sysconf("SC_CLK_TCK")
# What each process is, by its command line: the kinds the benchmarks split the CPU into.
DATA_PLANE_TOOLS = (b"haproxy", b"ip", b"nft", b"nsenter", b"unshare", b"curl", b"wrk", b"socat", b"setpriv")
KINDS = ("terraform", "aws provider", "emulator", "data plane", "python (alblab, pytest)", "other")


def kind_of(cmdline: bytes) -> str:
    argv = cmdline.split(b"\0")
    head = argv[0].rsplit(b"/", 1)[-1]
    if b"chromium" in head:  # the console test's browser: its binary is copied under an alblab-... name
        return "other"
    if head.startswith(b"terraform-provider-aws"):
        return "aws provider"
    if head == b"terraform":
        return "terraform"
    if b"alblab.emulator_server" in cmdline:
        return "emulator"
    if head in DATA_PLANE_TOOLS or b"alblab.dataplane." in cmdline:
        return "data plane"
    if head.startswith((b"python", b"pytest", b"alblab")):
        return "python (alblab, pytest)"
    return "other"


def label_of(cmdline: bytes) -> str:
    """A short name for a Python process (``alblab check``, ``-m alblab.lab.daemon``): where our Python's CPU
    goes."""
    argv = [a.decode(errors="replace") for a in cmdline.split(b"\0") if a]
    if not argv:
        return "?"
    head = argv[0].rsplit("/", 1)[-1]
    rest = argv[1:]
    if head.startswith("python"):
        while rest and rest[0].startswith("-") and rest[0] not in ("-m", "-c"):
            rest = rest[2:] if rest[0] in ("-X", "-W") else rest[1:]
        if rest[:1] == ["-c"]:
            return "python -c"
        if rest[:1] == ["-m"] and len(rest) > 1:
            return f"-m {rest[1]}" + (f" {rest[2]}" if rest[1] == "alblab" and len(rest) > 2 else "")
        if rest:
            head, rest = rest[0].rsplit("/", 1)[-1], rest[1:]
    word = next((a for a in rest if not a.startswith("-")), "")
    return f"{head} {word}".strip() if head in ("alblab", "pytest", "py.test") else head


class CpuSampler:
    """``with CpuSampler() as cpu: ...`` then ``cpu.by_kind()``: CPU seconds per kind of every descendant."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.root = os.getpid()
        self._ours: set[tuple[int, int]] = set()  # (pid, start time): a recycled PID is another process
        self._cpu: dict[tuple[int, int], tuple[str, float]] = {}
        self._labels: dict[tuple[int, int], str] = {}  # Python processes only
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.timeline: list[tuple[float, float]] = []  # (monotonic time, CPU-s so far) after each sample

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()  # the last interval

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        table: dict[int, tuple[int, int, float, bytes]] = {}
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            cpu = (int(stat[11]) + int(stat[12])) / CLK
            table[int(proc.name)] = (int(stat[1]), int(stat[19]), cpu, cmdline)
        alive = {pid for pid, (_ppid, start, _cpu, _cmd) in table.items() if (pid, start) in self._ours}
        alive.add(self.root)
        grew = True
        while grew:  # parents before children, whatever order /proc lists them in
            grew = False
            for pid, (ppid, start, _cpu, _cmd) in table.items():
                if pid not in alive and ppid in alive:
                    alive.add(pid)
                    self._ours.add((pid, start))
                    grew = True
        for pid in alive - {self.root}:
            _ppid, start, cpu, cmdline = table[pid]
            key = (pid, start)
            # A zombie shows no command line: keep the kind seen before.
            kind = kind_of(cmdline) if cmdline else self._cpu.get(key, ("other", 0.0))[0]
            self._cpu[key] = (kind, cpu)
            if cmdline and kind == "python (alblab, pytest)":
                self._labels[key] = label_of(cmdline)
        self.timeline.append((time.monotonic(), sum(cpu for _kind, cpu in self._cpu.values())))

    def busy(self, bucket: float = 30.0) -> list[float]:
        """Cores busy on average in each ``bucket`` seconds since the first sample: where a run waits."""
        if len(self.timeline) < 2:
            return []
        start, end = self.timeline[0][0], self.timeline[-1][0]
        spent = [0.0] * (int((end - start) // bucket) + 1)
        for (_t0, c0), (t1, c1) in zip(self.timeline, self.timeline[1:], strict=False):
            spent[int((t1 - start) // bucket)] += c1 - c0
        lengths = [bucket] * (len(spent) - 1) + [max(end - start - bucket * (len(spent) - 1), 1e-9)]
        return [round(cpu / length, 2) for cpu, length in zip(spent, lengths, strict=True)]

    def by_kind(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for kind, cpu in self._cpu.values():
            totals[kind] += cpu
        return {kind: round(totals.get(kind, 0.0), 1) for kind in KINDS}

    def by_pid(self) -> dict[int, tuple[str, float]]:
        """(kind, CPU seconds) per PID; a recycled PID keeps the process seen last."""
        return {pid: kind_cpu for (pid, _start), kind_cpu in self._cpu.items()}

    def python_by_label(self) -> dict[str, tuple[int, float]]:
        """(processes, CPU seconds) of our Python processes per ``label_of``, the most CPU first."""
        totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        for key, label in self._labels.items():
            totals[label][0] += 1
            totals[label][1] += self._cpu[key][1]
        return {k: (int(n), round(c, 1)) for k, (n, c) in sorted(totals.items(), key=lambda kv: -kv[1][1])}

    def total(self) -> float:
        return round(sum(cpu for _kind, cpu in self._cpu.values()), 1)
