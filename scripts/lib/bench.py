#!/usr/bin/env python3
"""Measurements, statistics and Markdown tables for scripts/bench (standard library only).

scripts/bench prepares everything (build, corpus, a private PulseAudio server) and calls one
subcommand per comparison:

    bench.py header | decode | batch | playback | memory | latency | controls | plot   --out DIR ...

Each comparison prints its Markdown table(s) to stdout, appends them to DIR/results.md, keeps
every run in DIR/raw/<section>.json and one row per (case, tool, metric) in DIR/summary.csv.

Why a runner of our own rather than hyperfine: these machines are shared and their speed
drifts over minutes. hyperfine runs all repeats of one command, then all of the next, so a
slow minute lands on one tool. Here every repeat is a *round* that runs each tool once (in a
rotating order), and a ratio is computed per round (peer ÷ tonearm in that round) before
taking the median: drift cancels out of the ratios even when absolute times wander.

Every process runs under GNU time for its peak RSS (%M; GNU time's own ~1 MB is the floor)
while wall time (perf_counter) and CPU time (wait4 rusage, microseconds, children included)
are taken here. Ratios are always "how many times better tonearm is": peer ÷ tonearm for
times, CPU and memory, so > 1 means tonearm wins and < 1 means the peer does.
"""

import argparse
import csv
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

GNU_TIME = "/usr/bin/time"

# ---------------------------------------------------------------------------------------------
# Running and timing processes


class Run:
    """One process run: wall and CPU seconds, peak RSS in KiB, voluntary context switches
    (each one a sleep, so a wake-up: all threads of the process), exit status."""

    def __init__(self, wall, user, system, rss_kb, code, extra=None, wakeups=0):
        self.wall, self.user, self.system, self.rss_kb, self.code = wall, user, system, rss_kb, code
        self.wakeups = wakeups
        self.extra = extra or {}

    @property
    def cpu(self):
        return self.user + self.system

    @property
    def ok(self):
        return self.code == 0

    def as_dict(self):
        return {"wall": self.wall, "user": self.user, "system": self.system, "rss_kb": self.rss_kb,
                "wakeups": self.wakeups, "code": self.code, **self.extra}


LIVE = {}  # pid -> Spawned: what to kill if the benchmark is interrupted


class Spawned:
    """A process started under GNU time, in its own session (so a timeout can kill its tree).

    Being in its own session also means Ctrl-C does not reach it: main() kills whatever is
    still running when the benchmark is interrupted."""

    def __init__(self, argv, env=None, stdin=None, stdout=None, timeout=None):
        self._timefile = tempfile.NamedTemporaryFile("r", prefix="bench-time-", delete=False)
        actions = [(os.POSIX_SPAWN_OPEN, 0, stdin or os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 1, stdout or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
                   (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
        full = [GNU_TIME, "-f", "%M", "-o", self._timefile.name] + [str(a) for a in argv]
        self.argv = argv
        self.start = time.perf_counter()
        self.pid = os.posix_spawn(GNU_TIME, full, dict(env or os.environ), file_actions=actions, setsid=True)
        LIVE[self.pid] = self
        self._timer = None
        if timeout:
            self._timer = threading.Timer(timeout, self.kill)
            self._timer.daemon = True  # never keeps an interrupted benchmark alive
            self._timer.start()

    def kill(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def finish(self, status, rusage, end):
        """Builds the Run once wait4 has reaped this process."""
        LIVE.pop(self.pid, None)
        if self._timer:
            self._timer.cancel()
        code = os.waitstatus_to_exitcode(status)
        rss = 0
        try:
            lines = [l for l in Path(self._timefile.name).read_text().splitlines() if l.strip()]
            rss = int(lines[-1]) if lines and lines[-1].strip().isdigit() else 0
            # GNU time exits with the command's status, or reports a signal in its file.
            if any("terminated by signal" in l for l in lines) and code == 0:
                code = -1
        finally:
            self._timefile.close()
            os.unlink(self._timefile.name)
        return Run(end - self.start, rusage.ru_utime, rusage.ru_stime, rss, code, wakeups=rusage.ru_nvcsw)

    def wait(self):
        _, status, rusage = os.wait4(self.pid, 0)
        return self.finish(status, rusage, time.perf_counter())


def run_once(argv, **kwargs):
    return Spawned(argv, **kwargs).wait()


def run_together(cases, timeout=None):
    """Starts every case at once and reaps them as they end (real-time playback side by side)."""
    spawned = {}
    for case in cases:
        s = Spawned(case["argv"], env=case.get("env"), timeout=timeout)
        spawned[s.pid] = (case["name"], s)
    runs = {}
    while spawned:
        pid, status, rusage = os.wait4(-1, 0)
        if pid in spawned:
            name, s = spawned.pop(pid)
            runs[name] = s.finish(status, rusage, time.perf_counter())
    return runs


def rounds(cases, runs, warmup, label, timeout=None, runner=None, pause=0.0):
    """Interleaved repeats: each round runs every case once, in an order rotated per round.

    Returns {case name: [Run, ...]} for the measured (non-warm-up) rounds."""
    runner = runner or (lambda c: run_once(c["argv"], env=c.get("env"), stdin=c.get("stdin"),
                                           stdout=c.get("stdout"), timeout=timeout))
    results = {c["name"]: [] for c in cases}
    warm_failures = {c["name"]: 0 for c in cases}
    total = warmup + runs
    for r in range(total):
        if r == warmup and warmup:
            # A tool that failed every warm-up run cannot read this input at all (Debian's sox
            # has no Opus, for one): leave it out of the row instead of failing every round.
            for c in [c for c in cases if warm_failures[c["name"]] == warmup]:
                progress_done()
                progress(f"  {c['name']} cannot handle this input: left out")
                progress_done()
                del results[c["name"]]
            cases = [c for c in cases if c["name"] in results]
        shift = r % len(cases)
        order = cases[shift:] + cases[:shift]
        progress(f"{label}: round {r + 1}/{total}{' (warm-up)' if r < warmup else ''}")
        for case in order:
            run = runner(case)
            if not run.ok:
                if r < warmup:
                    warm_failures[case["name"]] += 1
                else:
                    progress_done()
                    progress(f"  {case['name']} failed (exit {run.code}): {' '.join(map(str, case['argv']))[:200]}")
            if r >= warmup:
                results[case["name"]].append(run)
            if pause:
                time.sleep(pause)
    progress_done()
    return results


_progress_shown = False


def progress(text):
    """One updating status line on stderr (a terminal) or plain lines (a log)."""
    global _progress_shown
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + text[:150])
        _progress_shown = True
    else:
        sys.stderr.write(text + "\n")
    sys.stderr.flush()


def progress_done():
    global _progress_shown
    if _progress_shown:
        sys.stderr.write("\r\033[K")
        _progress_shown = False


# ---------------------------------------------------------------------------------------------
# Statistics and formatting


def duration_text(seconds):
    return f"{seconds / 60:.0f} min" if seconds >= 120 else f"{seconds:.0f} s"


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def spread(values):
    values = [v for v in values if v is not None]
    return (min(values), max(values)) if values else (None, None)


def fmt(value, digits=None):
    """Three significant figures, no exponent: 0.0123, 1.23, 123, 12300."""
    if value is None:
        return "n/a"
    if digits is None:
        a = abs(value)
        digits = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 1 else 3 if a >= 0.1 else 4
    return f"{value:,.{digits}f}"


def med_range(values, unit="", digits=None):
    """'123 (118–131)' from a list; 'n/a' when empty."""
    lo, hi = spread(values)
    if lo is None:
        return "n/a"
    return f"{fmt(med(values), digits)}{unit} ({fmt(lo, digits)}–{fmt(hi, digits)})"


def paired_ratios(peer_runs, tonearm_runs, metric):
    """peer ÷ tonearm per round: the same round ran both, so drift between rounds cancels."""
    ratios = []
    for p, t in zip(peer_runs, tonearm_runs):
        if p.ok and t.ok:
            pv, tv = metric(p), metric(t)
            if pv is not None and tv:
                ratios.append(pv / tv)
    return ratios


def ratio_text(ratios):
    if not ratios:
        return "n/a"
    lo, hi = spread(ratios)
    return f"{med(ratios):.2f}× ({lo:.2f}–{hi:.2f})"


def table(headers, rows, align=None):
    align = align or ["l"] + ["r"] * (len(headers) - 1)
    marks = {"l": ":---", "r": "---:", "c": ":---:"}
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def ok_runs(runs):
    return [r for r in runs if r.ok]


# ---------------------------------------------------------------------------------------------
# Output bookkeeping


class Out:
    def __init__(self, path):
        self.dir = Path(path)
        (self.dir / "raw").mkdir(parents=True, exist_ok=True)
        self.summary = self.dir / "summary.csv"
        if not self.summary.exists():
            with self.summary.open("w", newline="") as f:
                csv.writer(f).writerow(["section", "case", "tool", "metric", "unit", "median", "min", "max", "n"])

    def emit(self, markdown):
        """Prints a section and appends it to results.md."""
        print(markdown, flush=True)
        with (self.dir / "results.md").open("a") as f:
            f.write(markdown + "\n")

    def raw(self, section, data):
        (self.dir / "raw" / f"{section}.json").write_text(json.dumps(data, indent=1))

    def row(self, section, case, tool, metric, unit, values):
        values = [v for v in values if v is not None]
        if not values:
            return
        with self.summary.open("a", newline="") as f:
            csv.writer(f).writerow([section, case, tool, metric, unit, f"{med(values):.6g}",
                                    f"{min(values):.6g}", f"{max(values):.6g}", len(values)])


def raw_runs(results):
    return {name: [r.as_dict() for r in runs] for name, runs in results.items()}


def load_manifest(corpus):
    """corpus/manifest.tsv: relative path, format, seconds (written by scripts/bench)."""
    entries = []
    for line in (Path(corpus) / "manifest.tsv").read_text().splitlines():
        path, fmt_, seconds = line.split("\t")
        entries.append({"path": Path(corpus) / path, "format": fmt_, "seconds": float(seconds)})
    return entries


# ---------------------------------------------------------------------------------------------
# Tools


FORMATS = [  # key, label, file in corpus/throughput
    ("wav16", "WAV 16-bit", "wav16.wav"),
    ("wav24", "WAV 24-bit", "wav24.wav"),
    ("flac", "FLAC 16-bit", "flac.flac"),
    ("ogg", "Ogg Vorbis", "ogg.ogg"),
    ("opus", "Opus", "opus.opus"),
    ("mp3", "MP3", "mp3.mp3"),
    # Decoded through FFmpeg (scripts/bench encodes them with Debian's ffmpeg).
    ("m4a", "AAC/M4A", "aac.m4a"),
    ("alac", "ALAC/M4A", "alac.m4a"),
    ("webm", "Opus/WebM", "opus.webm"),
]


def decoders(args, path, fmt_key):
    """The decode-only command of every tool that reads this format."""
    t = args.tonearm
    cases = []
    cases.append({"name": "tonearm check", "argv": [t, "-q", "check", "-j1", "--format", "jsonl", path]})
    if not args.quick:
        # The whole player (decode thread, ring, null output): full runs only.
        cases.append({"name": "tonearm play --null", "argv": [t, "-q", "play", "--null", path]})
    cases.append({"name": "ffmpeg", "argv": ["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"]})
    cases.append({"name": "sox", "argv": ["sox", path, "-n"]})
    if fmt_key.startswith("flac"):
        cases.append({"name": "flac -d", "argv": ["flac", "-d", "-c", "-s", path]})
        cases.append({"name": "flac -t", "argv": ["flac", "-t", "-s", path]})
    return cases  # rounds() drops a tool that cannot read the format (fails every warm-up run)


def players(args, path):
    env = dict(os.environ, SDL_AUDIODRIVER="pulse")  # ffplay: SDL would try ALSA first
    return [
        {"name": "tonearm play", "argv": [args.tonearm, "-q", "play", path], "env": env},
        {"name": "paplay", "argv": ["paplay", path], "env": env},
        {"name": "ffplay", "argv": ["ffplay", "-nodisp", "-autoexit", "-loglevel", "error", path], "env": env},
        {"name": "mpv", "argv": ["mpv", "--no-config", "--no-video", "--no-terminal", "--ao=pulse", path], "env": env},
    ]


# ---------------------------------------------------------------------------------------------
# Sections


def section_header(args, out):
    def first_line(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return ((r.stdout or r.stderr).strip().splitlines() or ["?"])[0]
        except (OSError, subprocess.TimeoutExpired):
            return "not installed"

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    versions = {
        "tonearm": f"{first_line([args.tonearm, '--version'])} ({args.build_note})",
        "ffmpeg": first_line(["ffmpeg", "-version"]).split(" Copyright")[0],
        "sox": first_line(["sox", "--version"]).replace("sox:", "").strip(),
        "flac": first_line(["flac", "--version"]),
        "paplay": first_line(["paplay", "--version"]),
        "pulseaudio": first_line(["pulseaudio", "--version"]),
    }
    load = os.getloadavg()
    lines = [
        f"# tonearm benchmarks — {time.strftime('%Y-%m-%d %H:%M %Z')}{' (--quick)' if args.quick else ''}",
        "",
        f"Machine: {os.cpu_count()} × {cpu}, Linux {platform.release()}, load average at start "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (shared machine: read the ratios, not the absolute times).",
        "",
        "Versions: " + " · ".join(f"{k} {v}" for k, v in versions.items()),
        "",
        "How to read: every repeat is a round that runs each tool once (rotating order) after "
        f"{args.warmup} warm-up round(s); cells show the median and (min–max). Ratios are computed per "
        "round and read **peer ÷ tonearm** for time, CPU and memory — **> 1 means tonearm is better**, "
        "< 1 means the peer is.",
        "",
    ]
    out.emit("\n".join(lines))


def section_decode(args, out):
    corpus = Path(args.corpus)
    results, rows_speed, rows_ratio, rows_cost = {}, [], [], []
    all_tools = []
    per_format = {}
    for key, label, name in FORMATS:
        path = corpus / "throughput" / name
        seconds = audio_seconds(args, path)
        cases = decoders(args, path, key)
        res = rounds(cases, args.runs, args.warmup, f"decode {label}")
        per_format[key] = (label, seconds, res)
        results[key] = {"seconds": seconds, "runs": raw_runs(res)}
        for name in res:
            if name not in all_tools:
                all_tools.append(name)
            runs = ok_runs(res[name])
            out.row("decode", key, name, "speed", "x realtime", [seconds / r.wall for r in runs])
            out.row("decode", key, name, "wall", "s", [r.wall for r in runs])
            out.row("decode", key, name, "cpu", "s", [r.cpu for r in runs])
            out.row("decode", key, name, "rss", "MB", [r.rss_kb / 1024 for r in runs])

    ref = "tonearm check"
    peers = [t for t in all_tools if not t.startswith("tonearm")]
    for key, (label, seconds, res) in per_format.items():
        row_s = [label]
        for tool in all_tools:
            runs = ok_runs(res.get(tool, []))
            row_s.append(med_range([seconds / r.wall for r in runs], "×") if runs else "—")
        rows_speed.append(row_s)
        row_r = [label]
        for peer in peers:
            if peer not in res:
                row_r.append("—")
                continue
            cpu = med(paired_ratios(res[peer], res[ref], lambda r: r.cpu))
            row_r.append(ratio_text(paired_ratios(res[peer], res[ref], lambda r: r.wall))
                         + (f" · CPU {cpu:.2f}×" if cpu else ""))
        rows_ratio.append(row_r)
        row_c = [label]
        for tool in all_tools:
            runs = ok_runs(res.get(tool, []))
            if not runs:
                row_c.append("—")
                continue
            cpu_per_min = med([r.cpu for r in runs]) / seconds * 60 * 1000
            row_c.append(f"{fmt(cpu_per_min)} ms · {fmt(med([r.rss_kb for r in runs]) / 1024)} MB")
        rows_cost.append(row_c)

    # Start-up: the same tools on a 1-second FLAC, where starting the process is most of the work.
    short = corpus / "throughput" / "flac-1s.flac"
    cases = decoders(args, short, "flac")
    start_res = rounds(cases, args.runs, args.warmup, "decode start-up (1 s FLAC)")
    results["startup"] = {"seconds": 1.0, "runs": raw_runs(start_res)}
    start_row = ["1 s FLAC, wall ms"] + [
        med_range([r.wall * 1000 for r in ok_runs(start_res[t])]) if t in start_res else "—" for t in all_tools]
    for t in start_res:
        out.row("decode", "startup", t, "wall", "ms", [r.wall * 1000 for r in ok_runs(start_res[t])])
    out.raw("decode", results)

    n = args.runs
    text = [
        f"## Decode throughput (× real time, higher is better; {n} rounds, 60 s files)",
        "",
        table(["format"] + all_tools, rows_speed),
        "",
        f"**{ref} vs each peer**: peer wall time ÷ tonearm wall time per round, median (min–max), then the "
        "same for CPU time (user + system), which a loaded machine disturbs less; > 1 = tonearm faster:",
        "",
        table(["format"] + [f"vs {p}" for p in peers], rows_ratio),
        "",
        "CPU time per minute of audio · peak RSS (medians):",
        "",
        table(["format"] + all_tools, rows_cost),
        "",
        "Start-up cost (the same commands on a 1 s FLAC; the fixed part of every number above):",
        "",
        table(["case"] + all_tools, [start_row]),
        "",
        notes_decode(args, ref),
        "",
    ]
    out.emit("\n".join(text))


def notes_decode(args, ref):
    notes = ["Notes: "
             + ("`tonearm check -j1` is tonearm's decode-only path (it also runs its integrity checks and, "
                "for FLAC, the MD5 comparison that `flac -t` does too). " if ref == "tonearm check" else
                "`tonearm check` is not available in this build; the player path stands in. ")
             + "`tonearm play --null` is the real player path (decode thread → ring buffer → unpaced null "
               "output, and the play loop's polling)"
             + ("; it runs in full runs only. " if args.quick and ref == "tonearm check" else ". ")
             + "`ffmpeg -f null` converts to 16-bit PCM for its null muxer; `sox … -n` and "
               "`flac -d -c … > /dev/null` decode to their own sample formats. A tool missing from a row "
               "cannot read that format (Debian's sox has no Opus, AAC, ALAC or WebM; MP3 needs libsox-fmt-mp3). "
               "AAC/M4A, ALAC/M4A and Opus/WebM go through tonearm's FFmpeg backend (libavcodec, as ffmpeg)."]
    return "\n".join(notes)


def audio_seconds(args, path):
    info = subprocess.run([args.tonearm, "info", "--json", str(path)], capture_output=True, text=True)
    return float(json.loads(info.stdout.splitlines()[0])["duration"])


def section_batch(args, out):
    corpus = Path(args.corpus)
    entries = [e for e in load_manifest(corpus) if e["path"].parts[-2] == "batch"]
    if args.quick:
        # 30 of the 220 short files (every ninth run of six consecutive ids, so every format
        # is present) and the first long one.
        short = [e for e in entries if e["seconds"] < 30]
        entries = [e for i, e in enumerate(short) if (i // 6) % 9 == 0] + \
                  [e for e in entries if e["seconds"] >= 30][:1]
    flacs = [e for e in entries if e["format"].startswith("flac")]
    jobs = args.jobs
    work = Path(args.out) / "raw"
    sets = [("all formats", entries), ("FLAC only", flacs)]
    results, md_rows = {}, []
    for set_name, files in sets:
        if not files:
            continue
        seconds = sum(e["seconds"] for e in files)
        listing = work / f"batch-{'all' if set_name == 'all formats' else 'flac'}.list"
        listing.write_bytes(b"".join(str(e["path"]).encode() + b"\0" for e in files))
        jsonl = work / f"batch-{'all' if set_name == 'all formats' else 'flac'}-tonearm.jsonl"
        cases = [{"name": f"tonearm check -j{jobs}", "stdout": str(jsonl),
                  "argv": [args.tonearm, "-q", "check", "--jobs", str(jobs), "--format", "jsonl"]
                  + [str(e["path"]) for e in files]}]
        # The peers have no batch mode: one process per file, `jobs` at a time, like a script would.
        cases.append({"name": f"ffmpeg (xargs -P{jobs})", "stdin": str(listing),
                      "argv": ["xargs", "-0", "-P", str(jobs), "-I{}", "ffmpeg", "-nostdin", "-v", "error",
                               "-i", "{}", "-f", "null", "-"]})
        if set_name == "FLAC only":
            cases.append({"name": f"flac -t (xargs -P{jobs})", "stdin": str(listing),
                          "argv": ["xargs", "-0", "-P", str(jobs), "-n", "1", "flac", "-t", "-s"]})
        res = rounds(cases, args.batch_runs, args.warmup, f"batch check, {set_name} ({len(files)} files)",
                     timeout=1800)
        verdicts = check_verdicts(jsonl)
        results[set_name] = {"files": len(files), "seconds": seconds, "runs": raw_runs(res), "verdicts": verdicts}
        ref = cases[0]["name"]
        for case in cases:
            runs = ok_runs(res[case["name"]])
            walls = [r.wall for r in runs]
            out.row("batch", set_name, case["name"], "wall", "s", walls)
            out.row("batch", set_name, case["name"], "cpu", "s", [r.cpu for r in runs])
            if case["name"] == ref:
                ratio, cpu_ratio = "(reference)", "—"
            else:
                ratio = ratio_text(paired_ratios(res[case["name"]], res[ref], lambda r: r.wall))
                cpu_ratio = ratio_text(paired_ratios(res[case["name"]], res[ref], lambda r: r.cpu))
            md_rows.append([
                f"{set_name}: {len(files)} files, {seconds / 60:.1f} min" if case is cases[0] else "",
                case["name"],
                med_range(walls, " s") if runs else f"failed (exit {res[case['name']][0].code})",
                fmt(len(files) / med(walls)) if runs else "n/a",
                fmt(seconds / med(walls)) + "×" if runs else "n/a",
                fmt(med([r.cpu for r in runs])) + " s" if runs else "n/a",
                fmt(med([r.rss_kb for r in runs]) / 1024) + " MB" if runs else "n/a",
                ratio,
                cpu_ratio,
            ])
    out.raw("batch", results)
    text = [
        f"## Batch check of the corpus ({args.batch_runs} rounds, {jobs} jobs each)",
        "",
        table(["set", "tool", "wall (median, min–max)", "files/s", "× real time", "CPU", "peak RSS",
               "wall: peer ÷ tonearm", "CPU: peer ÷ tonearm"], md_rows),
        "",
    ]
    v = results["all formats"]["verdicts"]
    text.append(f"tonearm check verdicts on the full set: {v}. `flac -t` and tonearm both verify FLAC MD5s; "
                "`ffmpeg -f null` only decodes. Peak RSS is the largest single process.")
    out.emit("\n".join(text) + "\n")
    batch_scale(args, out, entries, work)


def batch_scale(args, out, entries, work):
    """check past one run: a re-check through --cache of the unchanged corpus, and 4 shards under
    GNU parallel, each against one plain `check -jN` in the same round."""
    jobs = args.jobs
    # One directory holding (links to) the files: what a library is, and what shards split.
    library = work / "batch-library"
    if library.exists():
        for link in library.iterdir():
            link.unlink()
    library.mkdir(exist_ok=True)
    for e in entries:
        (library / Path(e["path"]).name).symlink_to(e["path"])
    files = [str(library)]
    seconds = sum(e["seconds"] for e in entries)
    cache = work / "batch-verdicts.sqlite"
    check = [args.tonearm, "-q", "check", "--jobs", str(jobs), "--format", "jsonl"]
    # The cache every "unchanged re-run" reads, filled once before the rounds.
    for stale in work.glob("batch-verdicts.sqlite*"):
        stale.unlink()
    filled = run_once(check + ["--cache", str(cache)] + files, stdout=str(work / "batch-fill.jsonl"))
    if filled.code not in (0, 1):
        out.emit(f"## Verdict cache and shards\n\nfilling the cache failed (exit {filled.code})\n")
        return
    fresh = work / "batch-fresh.sqlite"
    ref = f"tonearm check -j{jobs}"
    cases = [
        {"name": ref, "argv": check + files, "stdout": str(work / "batch-plain.jsonl")},
        {"name": f"check -j{jobs} --cache, unchanged (re-check)", "argv": check + ["--cache", str(cache)] + files,
         "stdout": str(work / "batch-cached.jsonl")},
        # Filling a new cache: what the first run with --cache costs over a plain check.
        {"name": f"check -j{jobs} --cache, new cache (first run)",
         "argv": ["sh", "-c", 'rm -f "$0" "$0-wal" "$0-shm"; exec "$@"', str(fresh)] + check + ["--cache", str(fresh)] + files,
         "stdout": str(work / "batch-fresh.jsonl")},
        # Four shards, one job each, two at a time on two cores (parallel -j sets how many run).
        {"name": f"4 shards, parallel -j{jobs}, check -j1 each",
         "argv": ["parallel", "-k", f"-j{jobs}", args.tonearm, "-q", "check", "--jobs", "1", "--shard", "{}/4",
                  "--format", "jsonl", str(library), ":::", "1", "2", "3", "4"],
         "stdout": str(work / "batch-shards.jsonl")},
    ]
    res = rounds(cases, args.batch_runs, args.warmup, f"verdict cache and shards ({len(entries)} files)", timeout=1800)
    rows = []
    for case in cases:
        runs = ok_runs(res[case["name"]]) if case["name"] in res else []
        # check exits 1 when the corpus holds failing files; the corpus has none, so 0 is ok.
        if not runs:
            rows.append(["", case["name"], "failed", "", "", "", ""])
            continue
        walls = [r.wall for r in runs]
        out.row("batch-scale", f"{len(entries)} files", case["name"], "wall", "s", walls)
        out.row("batch-scale", f"{len(entries)} files", case["name"], "cpu", "s", [r.cpu for r in runs])
        share = "(reference)" if case["name"] == ref else ratio_text(
            paired_ratios(res[ref], res[case["name"]], lambda r: r.wall)).replace("×", " ×")
        pct = "" if case["name"] == ref else f"{100 * med(walls) / med([r.wall for r in ok_runs(res[ref])]):.1f} %"
        rows.append([f"{len(entries)} files, {seconds / 60:.1f} min" if case is cases[0] else "", case["name"],
                     med_range(walls, " s"), fmt(med([r.cpu for r in runs])) + " s", pct, share,
                     check_verdicts(case["stdout"])])
    out.raw("batch-scale", {"files": len(entries), "runs": raw_runs(res)})
    same = sorted(Path(work / "batch-shards.jsonl").read_text().splitlines(), key=lambda l: json.loads(l)["path"])
    plain = sorted(Path(work / "batch-plain.jsonl").read_text().splitlines(), key=lambda l: json.loads(l)["path"])
    strip = lambda lines: [{k: v for k, v in json.loads(l).items() if k not in ("seconds", "cached")} for l in lines]
    out.emit("\n".join([
        f"## Verdict cache and shards ({args.batch_runs} rounds)",
        "",
        table(["set", "run", "wall (median, min–max)", "CPU", "wall vs plain", "plain ÷ this", "verdicts"], rows),
        "",
        "The re-check reads verdicts of the unchanged corpus from `--cache` (filled once before the rounds) and "
        "decodes nothing; the first run pays for writing a new cache. The shards' concatenated reports "
        + ("equal" if strip(same) == strip(plain) else "DIFFER FROM")
        + " the plain run's report (without the time fields).",
        "",
    ]))


def check_verdicts(jsonl):
    counts = {}
    try:
        for line in Path(jsonl).read_text().splitlines():
            v = json.loads(line).get("verdict", "?")
            counts[v] = counts.get(v, 0) + 1
    except (OSError, ValueError):
        return "unreadable report"
    return ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))


def section_playback(args, out):
    corpus = Path(args.corpus)
    rows, results = [], {}
    # FILE or FILE:ROUNDS (a ten-minute file is played once, a one-minute file a few times).
    for spec in args.playback_files.split(","):
        relative, _, rounds_text = spec.partition(":")
        path = corpus / relative
        playback_rounds = int(rounds_text) if rounds_text else args.playback_runs
        seconds = audio_seconds(args, path)
        cases = players(args, path)
        per_tool = {c["name"]: [] for c in cases}
        for r in range(playback_rounds):
            progress(f"playback {path.name} ({seconds:.0f} s, real time, {len(cases)} players at once): round "
                     f"{r + 1}/{playback_rounds}")
            runs = run_together(cases, timeout=seconds * 3 + 30)
            for name, run in runs.items():
                if not run.ok:
                    progress(f"  {name} failed (exit {run.code})")
                per_tool[name].append(run)
            time.sleep(0.5)
        progress_done()
        results[path.name] = {"seconds": seconds, "runs": raw_runs(per_tool)}
        ref = "tonearm play"
        for i, c in enumerate(cases):
            runs = ok_runs(per_tool[c["name"]])
            cpu_min = [r.cpu / seconds * 60 for r in runs]
            rss = [r.rss_kb / 1024 for r in runs]
            out.row("playback", path.name, c["name"], "cpu per audio minute", "s", cpu_min)
            out.row("playback", path.name, c["name"], "rss", "MB", rss)
            wakeups = [r.wakeups / r.wall for r in runs if r.wall > 0]
            out.row("playback", path.name, c["name"], "wake-ups", "per s", wakeups)
            peer = c["name"] != ref
            rows.append([
                f"{path.name} ({duration_text(seconds)}, {playback_rounds} round{'s' if playback_rounds > 1 else ''})"
                if i == 0 else "",
                c["name"],
                med_range(cpu_min, " s"),
                med_range(rss, " MB"),
                med_range(wakeups, "/s", 1),
                med_range([r.wall for r in runs], " s"),
                ratio_text(paired_ratios(per_tool[c["name"]], per_tool[ref], lambda r: r.cpu)) if peer else "—",
                ratio_text(paired_ratios(per_tool[c["name"]], per_tool[ref], lambda r: r.rss_kb)) if peer else "—",
            ])
    out.raw("playback", results)
    text = [
        "## Playback to the PulseAudio null sink, real time",
        "",
        "The players play the same file at the same time (so they share the same machine "
        "conditions) into a private PulseAudio 16 null sink; CPU is user + system time of the player "
        "process (the sound server's own work is not counted for anyone). Wake-ups are the process's "
        "voluntary context switches (every thread; each one a sleep that something ended) per second "
        "of wall time, from wait4's rusage.",
        "",
        table(["file", "player", "CPU per minute of audio", "peak RSS", "wake-ups", "wall",
               "CPU: peer ÷ tonearm", "RSS: peer ÷ tonearm"], rows),
        "",
    ]
    out.emit("\n".join(text))


def section_memory(args, out):
    corpus = Path(args.corpus)
    files = [corpus / p for p in args.memory_files.split(",")]
    rows, results, rss_by = [], {}, {}
    for path in files:
        seconds = audio_seconds(args, path)
        cases = players(args, path)
        res = rounds(cases, 1, 0, f"memory {path.name} ({seconds / 60:.0f} min, pipe sink)",
                     timeout=seconds + 600)
        results[path.name] = {"seconds": seconds, "runs": raw_runs(res)}
        for c in cases:
            runs = ok_runs(res[c["name"]])
            rss_by.setdefault(c["name"], []).append((seconds, med([r.rss_kb / 1024 for r in runs]) if runs else None))
            out.row("memory", path.name, c["name"], "rss", "MB", [r.rss_kb / 1024 for r in runs])
            out.row("memory", path.name, c["name"], "speed", "x realtime", [seconds / r.wall for r in runs])
            rows.append([
                f"{path.name} ({duration_text(seconds)})" if c is cases[0] else "",
                c["name"],
                fmt(med([r.rss_kb / 1024 for r in runs])) + " MB" if runs else "failed",
                fmt(seconds / med([r.wall for r in runs])) + "×" if runs else "n/a",
                fmt(med([r.cpu for r in runs]) / seconds * 60) + " s" if runs else "n/a",
            ])
    growth_rows = []
    ref = "tonearm play"
    for name, pairs in rss_by.items():
        if len(pairs) >= 2 and pairs[0][1] and pairs[-1][1]:
            growth_rows.append([name, f"{pairs[0][1]:.1f} MB", f"{pairs[-1][1]:.1f} MB",
                                f"{pairs[-1][1] - pairs[0][1]:+.1f} MB",
                                "—" if name == ref or not rss_by[ref][-1][1]
                                else f"{pairs[-1][1] / rss_by[ref][-1][1]:.2f}×"])
    out.raw("memory", results)
    lengths = sorted(s for s, _ in next(iter(rss_by.values()))) if rss_by else [0]
    text = [
        f"## Peak memory: {duration_text(lengths[0])} vs {duration_text(lengths[-1])} file",
        "",
        "**Not real time:** to play a long file in a benchmark these runs use PulseAudio's "
        "`module-pipe-sink`, which is not clocked and drains as fast as its reader (`cat > /dev/null`) "
        "reads, so each player runs as fast as it can feed the server. Peak RSS does not depend on the pace; "
        "the speed and CPU columns show the pipe-sink pace, not real-time playback (see the section above for that).",
        "",
        table(["file", "player", "peak RSS", "pace (× real time)", "CPU per minute of audio"], rows),
        "",
        table(["player", "RSS, short file", "RSS, long file", "growth", "long file: peer ÷ tonearm"], growth_rows),
        "",
    ]
    out.emit("\n".join(text))


def first_sample_probe(args, probe_out, intervals):
    """A rounds() runner: one case under tests/bench/first_sound; r.extra["ms"] is start → first sample."""
    def probe(case):
        r = run_once([args.probe, "--rate", str(args.rate), "--"] + case["argv"], env=case.get("env"), timeout=30,
                     stdout=str(probe_out))
        try:
            data = json.loads(probe_out.read_text().strip().splitlines()[-1])
        except (ValueError, IndexError):
            data = {"ms": None}
        r.extra = data
        if data.get("ms") is None:
            r.code = r.code or 1
        if data.get("interval_median_ms") is not None:
            intervals.append(data["interval_median_ms"])
        return r
    return probe


def section_latency(args, out):
    corpus = Path(args.corpus)
    files = [corpus / p for p in args.latency_files.split(",")]
    rows, results, intervals = [], {}, []
    probe_out = Path(args.out) / "raw" / "probe.out"
    probe = first_sample_probe(args, probe_out, intervals)
    for path in files:
        cases = players(args, path)
        res = rounds(cases, args.latency_runs, args.warmup, f"start → first sample, {path.name}",
                     runner=probe, pause=0.2)
        results[path.name] = raw_runs(res)
        ref = "tonearm play"
        for c in cases:
            ms = [r.extra["ms"] for r in ok_runs(res[c["name"]])]
            out.row("latency", path.name, c["name"], "first sample", "ms", ms)
            rows.append([
                path.name if c is cases[0] else "",
                c["name"],
                med_range(ms, " ms"),
                "—" if c["name"] == ref else
                ratio_text(paired_ratios(res[c["name"]], res[ref], lambda r: r.extra.get("ms"))),
            ])
    probe_out.unlink(missing_ok=True)
    out.raw("latency", results)
    text = [
        f"## Process start → first sample at the sink ({args.latency_runs} rounds)",
        "",
        "Measured by `tests/bench/first_sound` on the null sink's monitor: T0 just before spawning "
        "the player, stop at the first monitor fragment holding a sample ≥ −60 dBFS. The file starts "
        "with sound at its first sample. A silent keeper stream (`pacat --latency-msec=10`) keeps "
        "the sink awake at low latency for every player alike (an idle null sink would delay "
        "whichever stream wakes it by up to ~0.7 s).",
        f"Probe resolution: fragments of 2 ms, arriving every {fmt(med(intervals))} ms (median; "
        f"max {fmt(max(intervals) if intervals else None)} ms) — that is the granularity of each number.",
        "",
        table(["file", "player", "start → first sample", "peer ÷ tonearm"], rows),
        "",
    ]
    out.emit("\n".join(text))


def section_library(args, out):
    """Start → first sample for a library: a 10,000-file tree and a 10,000-entry M3U, beside
    one file, tonearm and mpv in the same rounds."""
    corpus = Path(args.corpus)
    inputs = [("one file", corpus / "latency" / "tone.flac"), ("folder, 10,000 files", corpus / "library" / "tree"),
              ("M3U, 10,000 entries", corpus / "library" / "tree.m3u")]
    env = dict(os.environ)
    cases = []
    for label, path in inputs:
        cases.append({"name": f"tonearm | {label}", "argv": [args.tonearm, "-q", "play", str(path)], "env": env})
        cases.append({"name": f"mpv | {label}", "argv": ["mpv", "--no-config", "--no-video", "--no-terminal",
                                                          "--ao=pulse", str(path)], "env": env})
    intervals = []
    probe_out = Path(args.out) / "raw" / "library.out"
    res = rounds(cases, args.latency_runs, args.warmup, "start → first sample, library", pause=0.2,
                 runner=first_sample_probe(args, probe_out, intervals))
    probe_out.unlink(missing_ok=True)
    out.raw("library", raw_runs(res))

    def ms(name):
        return [r.extra["ms"] for r in ok_runs(res.get(name, []))]

    def over_one_file(tool, label):
        """Per round: this input's time minus the single file's, same tool, same round."""
        return [a.extra["ms"] - b.extra["ms"]
                for a, b in zip(res.get(f"{tool} | {label}", []), res.get(f"{tool} | one file", [])) if a.ok and b.ok]

    rows = []
    for label, _ in inputs:
        t, m = f"tonearm | {label}", f"mpv | {label}"
        out.row("library", label, "tonearm play", "first sample", "ms", ms(t))
        out.row("library", label, "mpv", "first sample", "ms", ms(m))
        extra = "—" if label == "one file" else med_range(over_one_file("tonearm", label), " ms", 1)
        mpv_extra = "—" if label == "one file" else med_range(over_one_file("mpv", label), " ms", 1)
        rows.append([label, med_range(ms(t), " ms"), extra, med_range(ms(m), " ms"), mpv_extra,
                     ratio_text(paired_ratios(res.get(m, []), res.get(t, []), lambda r: r.extra.get("ms")))])
    text = [
        f"## Library: start → first sample ({args.latency_runs} rounds)",
        "",
        "`play DIR` on a tree of 10,000 FLAC files (100 folders of 100; hard links to the latency tone) and "
        "`play LIST.m3u` on an M3U listing the same 10,000 files, beside the one file alone; the same probe "
        "as above (`tests/bench/first_sound`). tonearm walks the whole tree and sorts it before the first "
        "sample (it shows \"track 1/10000\"); mpv 0.35 opens a folder one level at a time as it plays. "
        "\"over one file\": that input's time minus the single file's, per round and per player. "
        "Ratios are mpv ÷ tonearm (> 1: tonearm sooner).",
        "",
        table(["input", "tonearm", "over one file", "mpv", "over one file", "mpv ÷ tonearm"], rows),
        "",
    ]
    out.emit("\n".join(text))


def section_controls(args, out):
    """Key → heard, for tonearm and mpv, from the sink's monitor (tests/bench/control_latency)."""
    staircase = Path(args.out) / "raw" / "staircase.wav"
    subprocess.run([args.control_probe, "--staircase", str(staircase), "--rate", str(args.rate)], check=True)
    cases = [
        {"name": "tonearm play", "argv": [args.tonearm, "play", str(staircase)], "keys": []},
        # mpv: right arrow seeks 5 s as ours does; 9 is its volume-down key.
        {"name": "mpv", "argv": ["mpv", "--no-config", "--no-video", "--ao=pulse", str(staircase)],
         "keys": ["--volume", "9"]},
    ]
    probe_out = Path(args.out) / "raw" / "controls.out"
    metrics = ["pause_ms", "resume_ms", "seek_ms", "volume_ms"]

    def probe(case):
        r = run_once([args.control_probe, "--rate", str(args.rate)] + case["keys"] + ["--"] + case["argv"],
                     timeout=60, stdout=str(probe_out))
        try:
            data = json.loads(probe_out.read_text().strip().splitlines()[-1])
        except (ValueError, IndexError):
            data = {"error": "no output"}
        r.extra = data
        if "error" in data:
            progress(f"  {case['name']}: {data['error']}")
            r.code = r.code or 1
        return r

    res = rounds(cases, args.latency_runs, 0, "pause/resume/seek/volume heard after the key", runner=probe)
    probe_out.unlink(missing_ok=True)
    out.raw("controls", raw_runs(res))
    rows = []
    ref = "tonearm play"
    for c in cases:
        runs = ok_runs(res[c["name"]])
        cells = []
        for m in metrics:
            values = [r.extra[m] for r in runs]
            out.row("controls", m.removesuffix("_ms"), c["name"], "heard after the key", "ms", values)
            cells.append(med_range(values, " ms", 1))
        ratios = [ratio_text(paired_ratios(res[c["name"]], res[ref], lambda r, m=m: r.extra.get(m)))
                  if c["name"] != ref else "—" for m in metrics]
        rows.append([c["name"]] + cells + [" / ".join(ratios) if c["name"] != ref else "—"])
    text = [
        f"## Controls heard ({args.latency_runs} rounds)",
        "",
        "Each player plays a staircase file (every second a constant level) on a pseudo-terminal; "
        "space, space, right arrow (+5 s) and volume down are typed 400 ms apart, and each effect is "
        "found in a recording of the null sink's monitor whose frames are mapped to the clock "
        "(`tests/bench/control_latency`). Milliseconds from the key to the first frame played with "
        "its effect; median (min–max). Ratios are mpv ÷ tonearm per metric (> 1: tonearm sooner).",
        "",
        table(["player", "pause", "resume", "seek +5 s", "volume", "peer ÷ tonearm (pause / resume / seek / volume)"],
              rows),
        "",
    ]
    out.emit("\n".join(text))


def section_plot(args, out):
    """One PNG, four panels, from summary.csv: decode speed, first sample, playback CPU, RSS."""
    rows = list(csv.DictReader((Path(args.out) / "summary.csv").open()))
    gp_dir = Path(args.out) / "plot"
    gp_dir.mkdir(exist_ok=True)

    def pivot(section, metric, cases=None):
        data = [r for r in rows if r["section"] == section and r["metric"] == metric
                and (cases is None or r["case"] in cases)]
        case_list = list(dict.fromkeys(r["case"] for r in data))
        tools = list(dict.fromkeys(r["tool"] for r in data))
        table_ = {(r["case"], r["tool"]): r for r in data}
        return case_list, tools, table_

    def write_dat(name, case_list, tools, table_, labels=None):
        path = gp_dir / f"{name}.dat"
        with path.open("w") as f:
            f.write("case " + " ".join(f'"{t}"' for t in tools) + "\n")
            for c in case_list:
                vals = []
                for t in tools:
                    r = table_.get((c, t))
                    vals.append(r["median"] if r else "NaN")
                f.write(f'"{(labels or {}).get(c, c)}" ' + " ".join(vals) + "\n")
        return path

    panels = []
    labels = {k: l for k, l, _ in FORMATS}
    c, t, d = pivot("decode", "speed", [k for k, _, _ in FORMATS])
    if c:
        panels.append((write_dat("decode", c, t, d, labels), len(t),
                       "Decode throughput (× real time, log scale; higher is better)", True))
    c, t, d = pivot("latency", "first sample")
    if c:
        panels.append((write_dat("latency", c, t, d), len(t), "Start → first sample at the sink (ms; lower is better)",
                       False))
    c, t, d = pivot("playback", "cpu per audio minute")
    if c:
        panels.append((write_dat("playback", c, t, d), len(t),
                       "Playback CPU seconds per minute of audio (lower is better)", False))
    c, t, d = pivot("memory", "rss")
    if c:
        panels.append((write_dat("memory", c, t, d), len(t), "Peak RSS while playing (MB; lower is better)", False))
    if not panels:
        return
    png = Path(args.out) / "bench.png"
    script = [
        f'set terminal pngcairo size 1400,{420 * ((len(panels) + 1) // 2)} font "DejaVu Sans,10"',
        f'set output "{png}"',
        f"set multiplot layout {(len(panels) + 1) // 2},2",
        "set style data histograms",
        "set style histogram clustered gap 1",
        "set style fill solid 0.85 border -1",
        "set key outside bottom center horizontal font ',9' noenhanced",
        "set grid ytics",
        "set xtics noenhanced",
        "set yrange [0:*]",
    ]
    for dat, ntools, title, log in panels:
        script += [f'set title "{title}" noenhanced',
                   "set logscale y" if log else "unset logscale y",
                   "set yrange [1:*]" if log else "set yrange [0:*]",
                   f'plot for [i=2:{ntools + 1}] "{dat}" using i:xtic(1) title columnheader(i)']
    script.append("unset multiplot")
    (gp_dir / "bench.gp").write_text("\n".join(script) + "\n")
    r = subprocess.run(["gnuplot", str(gp_dir / "bench.gp")], capture_output=True, text=True)
    if r.returncode != 0:
        out.emit(f"(plot failed: {r.stderr.strip()[:300]})\n")
    else:
        out.emit(f"Plot: `{png.name}` (data and gnuplot script in `plot/`).\n")


# ---------------------------------------------------------------------------------------------


def interrupted(signum, frame):
    raise KeyboardInterrupt


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("section", choices=["header", "decode", "batch", "playback", "memory", "latency", "library",
                                       "controls", "plot"])
    p.add_argument("--out", required=True)
    p.add_argument("--corpus")
    p.add_argument("--tonearm")
    p.add_argument("--build-note", default="")
    p.add_argument("--probe")
    p.add_argument("--control-probe")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--runs", type=int, default=5, help="measured rounds for the fast comparisons")
    p.add_argument("--batch-runs", type=int, default=3)
    p.add_argument("--playback-runs", type=int, default=3)
    p.add_argument("--latency-runs", type=int, default=10)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--jobs", type=int, default=os.cpu_count())
    p.add_argument("--rate", type=int, default=44100)
    p.add_argument("--playback-files", default="throughput/flac.flac")
    p.add_argument("--memory-files", default="memory/flac-1min.flac,memory/flac-60min.flac")
    p.add_argument("--latency-files", default="latency/tone.wav,latency/tone.flac")
    args = p.parse_args()
    out = Out(args.out)
    signal.signal(signal.SIGTERM, interrupted)
    try:
        {"header": section_header, "decode": section_decode, "batch": section_batch,
         "playback": section_playback, "memory": section_memory, "latency": section_latency,
         "library": section_library,
         "controls": section_controls, "plot": section_plot}[args.section](args, out)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        progress_done()
        for spawned in list(LIVE.values()):
            spawned.kill()
        sys.exit(130)


if __name__ == "__main__":
    main()
