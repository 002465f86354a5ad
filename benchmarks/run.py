#!/usr/bin/env python3
"""Benchmark layer-lint against `unzip -tq` and `auditwheel show` (issue 8).

    python benchmarks/run.py            # build the layers (first time), time everything, write the results

Wheels are pinned by exact file name and sha256 and downloaded from PyPI into a cache folder
(LAYER_LINT_BENCH_CACHE, default ~/.cache/layer-lint-bench), never into the repository. Every tool runs as a
child process, interleaved with the others, and its wall time and peak RSS come from os.wait4 on that child alone.
Writes benchmarks/results.json, benchmarks/results.md and the results block of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from pypi import Pinned as Wheel, fetch as fetch_pinned  # noqa: E402  (tests/pypi.py: the one PyPI downloader)

AUDITWHEEL = "auditwheel==6.4.2"  # the last release that still installs on Python 3.9, like layer-lint
MB = 1_000_000  # the "200 MB" and "250 MB" are decimal, like Lambda's own limits
README_BEGIN = "<!-- results:begin -->"
README_END = "<!-- results:end -->"


# Layer (a): the scientific stack and its runtime dependencies, cp312 manylinux x86_64.
SCIENTIFIC = [
    Wheel("numpy", "2.2.6", "numpy-2.2.6-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
          "fd83c01228a688733f1ded5201c678f0c53ecc1006ffbc404db9f7a899ac6249"),
    Wheel("scipy", "1.15.3", "scipy-1.15.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
          "271e3713e645149ea5ea3e97b57fdab61ce61333f97cfae392c28ba786f9bb49"),
    Wheel("pandas", "2.2.3", "pandas-2.2.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
          "fffb8ae78d8af97f849404f21411c95062db1496aeb3e56f146f0355c9989319"),
    Wheel("python-dateutil", "2.9.0.post0", "python_dateutil-2.9.0.post0-py2.py3-none-any.whl",
          "a8b2bc7bffae282281c8140a97d3aa9c14da0b136dfe83f850eea9a5f7470427"),
    Wheel("pytz", "2025.2", "pytz-2025.2-py2.py3-none-any.whl",
          "5ddf76296dd8c44c26eb8f4b6f35488f3ccbf6fbbd7adee0b7262d43f0ec2f00"),
    Wheel("tzdata", "2025.2", "tzdata-2025.2-py2.py3-none-any.whl",
          "1a403fada01ff9221ca8044d701868fa132215d84beb92242d9acd2147f667a8"),
    Wheel("six", "1.17.0", "six-1.17.0-py2.py3-none-any.whl",
          "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"),
]

# Layer (b): pure Python only, many small members. boto3 + botocore alone hold about 2,200 files; awscli (with
# its own vendored botocore and about 5,900 example pages) and its dependencies take the count past 10,000.
MANY_FILES = [
    Wheel("boto3", "1.44.8", "boto3-1.44.8-py3-none-any.whl",
          "099caf21553bbbfef118904aa02fadb8776a534704cf00bede0ed9f29a4da88e"),
    Wheel("botocore", "1.44.8", "botocore-1.44.8-py3-none-any.whl",
          "76342a76c338701db80dcb8afe1c9bd079283d6fffbb9d881442abb02a215043"),
    Wheel("s3transfer", "0.19.3", "s3transfer-0.19.3-py3-none-any.whl",
          "24eb7535804306355e31c952a90022bf5b2f9d760f9a11062c7493a217c08553"),
    Wheel("jmespath", "1.0.1", "jmespath-1.0.1-py3-none-any.whl",
          "02e2e4cc71b5bcab88332eebf907519190dd9e6e82107fa7f83b1003a6252980"),
    Wheel("urllib3", "2.5.0", "urllib3-2.5.0-py3-none-any.whl",
          "e6b01673c0fa6a13e374b50871808eb3bf7046c4b125b216f6bf1cc604cff0dc"),
    Wheel("python-dateutil", "2.9.0.post0", "python_dateutil-2.9.0.post0-py2.py3-none-any.whl",
          "a8b2bc7bffae282281c8140a97d3aa9c14da0b136dfe83f850eea9a5f7470427"),
    Wheel("six", "1.17.0", "six-1.17.0-py2.py3-none-any.whl",
          "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"),
    Wheel("awscli", "1.46.3", "awscli-1.46.3-py3-none-any.whl",
          "94c561c1b1b2cf0978ec8d87d956c26c807555438593eec29ea90602b9518cfb"),
    Wheel("docutils", "0.19", "docutils-0.19-py3-none-any.whl",
          "5e1de4d849fee02c63b040a4a3fd567f4ab104defd8a5511fbbc24a8a017efbc"),
    Wheel("colorama", "0.4.6", "colorama-0.4.6-py2.py3-none-any.whl",
          "4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6"),
    Wheel("rsa", "4.7.2", "rsa-4.7.2-py3-none-any.whl",
          "78f9a9bf4e7be0c5ded4583326e7461e3a3c5aae24073648b4bdfa797d78c9d2"),
    Wheel("pyasn1", "0.6.1", "pyasn1-0.6.1-py3-none-any.whl",
          "0d632f46f2ba09143da3a8afe9e33fb6f92fa2320ab7e886e2d0f7672af84629"),
]

# Layer (c): a memory test. jaxlib's main extension module is one ELF member of over 200 MB unzipped.
BIG_LIBRARY = [
    Wheel("jaxlib", "0.6.2", "jaxlib-0.6.2-cp312-cp312-manylinux2014_x86_64.whl",
          "f1dd09b481a93c1d4c750013f467f74194493ba7bd29fcd4d1cec16e3a214f65"),
]


@dataclass(frozen=True)
class LayerSpec:
    key: str
    title: str
    wheels: list[Wheel] = field(default_factory=list)  # empty: the 1 GiB zip bomb, built without wheels


LAYERS = [
    LayerSpec("a", "numpy + scipy + pandas (cp312, manylinux x86_64)", SCIENTIFIC),
    LayerSpec("b", "over 10,000 members (boto3, botocore, awscli, ...)", MANY_FILES),
    LayerSpec("c", "one shared library over 200 MB (jaxlib)", BIG_LIBRARY),
    LayerSpec("bomb", "zip bomb: one 1 GiB member of zeros"),
]


# ---------------------------------------------------------------------------------------------------------------
# Downloading and building


def cache_dir() -> Path:
    return Path(os.environ.get("LAYER_LINT_BENCH_CACHE") or Path.home() / ".cache" / "layer-lint-bench")


def fetch(wheel: Wheel) -> Path:
    """The wheel in the cache, downloaded and verified the first time; a cached file is verified again."""
    folder = cache_dir() / "wheels"
    if not (folder / wheel.filename).exists():
        print(f"  downloading {wheel.filename}", file=sys.stderr)
    try:
        return fetch_pinned(wheel, folder)
    except (AssertionError, LookupError, OSError) as error:
        sys.exit(f"{wheel.filename}: {error}")


def layer_name(member: str) -> Optional[str]:
    """Where a wheel member goes in a python/ layer (as pip would install it), or None if it doesn't belong."""
    top, _, rest = member.partition("/")
    if top.endswith(".data"):
        # purelib/platlib install into site-packages like everything else; scripts and headers have no place here
        kind, _, inner = rest.partition("/")
        return f"python/{inner}" if kind in ("purelib", "platlib") and inner else None
    return f"python/{member}"


def parents(name: str) -> Iterator[str]:
    """The folder entries above a member, outermost first, as `zip -r` writes them."""
    parts = name.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        yield "/".join(parts[:i]) + "/"


def build_from_wheels(wheels: list[Path], out: Path) -> None:
    """Unpack the wheels under python/ into one deflated zip, streaming every member (nothing lands on disk)."""
    sources = [zipfile.ZipFile(w) for w in wheels]
    try:
        members: dict[str, tuple[zipfile.ZipFile, zipfile.ZipInfo]] = {}
        for source in sources:
            for info in source.infolist():
                target = layer_name(info.filename)
                if target and not info.is_dir():
                    members.setdefault(target, (source, info))  # a file shipped by two wheels: the first wins
        written: set[str] = set()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as layer:
            for target in sorted(members):
                source, info = members[target]
                for folder in parents(target):
                    if folder not in written:
                        written.add(folder)
                        entry = zipfile.ZipInfo(folder, info.date_time)
                        entry.external_attr = (0o40755 << 16) | 0x10
                        layer.writestr(entry, b"")
                entry = zipfile.ZipInfo(target, info.date_time)
                entry.external_attr = info.external_attr or (0o100644 << 16)
                entry.compress_type = zipfile.ZIP_DEFLATED  # zlib's default level 6, as `zip -r`
                entry.file_size = info.file_size  # lets zipfile choose zip64 up front when needed
                with source.open(info) as src, layer.open(entry, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    finally:
        for source in sources:
            source.close()


def build_bomb(out: Path) -> None:
    """One 1 GiB member of zeros, written in 1 MiB pieces so the builder itself stays small."""
    entry = zipfile.ZipInfo("python/zeros.bin", (2024, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o100644 << 16
    entry.file_size = 1 << 30
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(out, "w") as layer, layer.open(entry, "w") as dst:
        for _ in range(1024):
            dst.write(chunk)


def build_layer(spec: LayerSpec) -> tuple[Path, list[Path]]:
    """The layer zip (rebuilt only when its pins change) and the wheels it was built from."""
    wheels = [fetch(w) for w in spec.wheels]
    out = cache_dir() / "layers" / f"{spec.key}.zip"
    stamp = out.with_suffix(".pins")
    pins = json.dumps([[w.filename, w.sha256] for w in spec.wheels] or "bomb-1GiB-v1")
    if out.exists() and stamp.exists() and stamp.read_text() == pins:
        return out, wheels
    out.parent.mkdir(parents=True, exist_ok=True)
    print(f"  building layer ({spec.key}) {out}", file=sys.stderr)
    partial = out.with_name(out.name + ".part")
    if spec.wheels:
        build_from_wheels(wheels, partial)
    else:
        build_bomb(partial)
    partial.replace(out)
    stamp.write_text(pins)
    return out, wheels


def describe(zip_path: Path) -> dict:
    """Size facts from the central directory, and a check that the layer is what its benchmark needs."""
    with zipfile.ZipFile(zip_path) as z:
        infos = z.infolist()
    return {
        "members": len(infos),
        "files": sum(not i.is_dir() for i in infos),
        "zipped_bytes": zip_path.stat().st_size,
        "unzipped_bytes": sum(i.file_size for i in infos),
        "largest_member_bytes": max(i.file_size for i in infos),
    }


def check_layer(spec: LayerSpec, facts: dict) -> None:
    # The pins were chosen to meet these; a changed pin that no longer does must not go unnoticed.
    if spec.key == "b" and facts["members"] <= 10_000:
        sys.exit(f"layer (b) has {facts['members']} members, the benchmark needs over 10,000")
    if spec.key == "c" and facts["largest_member_bytes"] <= 200 * MB:
        sys.exit(f"layer (c)'s largest member is {facts['largest_member_bytes']} bytes, it needs over 200 MB")


def auditwheel() -> Path:
    """auditwheel in its own venv under the cache folder, so it never touches the environment under test."""
    venv = cache_dir() / "venv-auditwheel"
    exe = venv / "bin" / "auditwheel"
    stamp = venv / "pinned.txt"
    if exe.exists() and stamp.exists() and stamp.read_text() == AUDITWHEEL:
        return exe
    print(f"  installing {AUDITWHEEL} into {venv}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", AUDITWHEEL], check=True)
    stamp.write_text(AUDITWHEEL)
    return exe


# ---------------------------------------------------------------------------------------------------------------
# Timing


@dataclass
class Sample:
    wall_s: float
    max_rss_bytes: int
    exit_codes: list[int]


# Runs one command and writes its wall time and rusage to a file. A direct child of this script would inherit
# this script's peak RSS (Linux records the old address space's high-water mark at exec, even after vfork), so each
# command runs under this small interpreter instead: what it reports is the command's own peak RSS, with a floor of
# the wrapper's (about 8 MB), which only tiny tools such as unzip ever show.
WRAPPER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    json.dump([wall, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)], f)  # ru_maxrss is in KiB
"""


def run_child(argv: list[str], env: Optional[dict] = None) -> tuple[float, int, int]:
    """Wall seconds, peak RSS bytes and exit code of one command, from os.wait4 on that command alone."""
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        report = Path(tmp) / "rusage.json"
        subprocess.run([sys.executable, "-I", "-S", "-c", WRAPPER, str(report), *argv], env=env,
                       stdin=subprocess.DEVNULL, stdout=out, stderr=err, check=True)
        wall, rss, code = json.loads(report.read_text())
        if code not in (0, 1):  # 1 is "findings at or above --fail-on"; anything else is worth seeing
            err.seek(0)
            print(f"  exit {code}: {' '.join(argv)}\n{err.read().decode(errors='replace')[-2000:]}", file=sys.stderr)
    return wall, rss, code


@dataclass
class Command:
    """One timed tool: a sequence of children (auditwheel runs once per wheel), with a fresh env per run."""
    argvs: list[list[str]]
    fresh_cache: bool = False  # a new, empty LAYER_LINT_CACHE_DIR for every run
    cache_dir: Optional[Path] = None  # a fixed LAYER_LINT_CACHE_DIR (the warm runs)

    def run(self, scratch: Path) -> Sample:
        env = dict(os.environ)
        tmp = None
        if self.fresh_cache:
            tmp = Path(tempfile.mkdtemp(prefix="cold-", dir=scratch))
            env["LAYER_LINT_CACHE_DIR"] = str(tmp)
        elif self.cache_dir:
            env["LAYER_LINT_CACHE_DIR"] = str(self.cache_dir)
        try:
            results = [run_child(argv, env) for argv in self.argvs]
        finally:
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
        return Sample(sum(r[0] for r in results), max(r[1] for r in results), [r[2] for r in results])


def layer_lint() -> list[str]:
    """The layer-lint installed next to this interpreter (the environment under test), else the one on PATH."""
    beside = Path(sys.executable).with_name("layer-lint")
    found = str(beside) if beside.exists() else shutil.which("layer-lint")
    if not found:
        sys.exit("layer-lint is not installed: pip install -e . first")
    return [found]


def compile_bytecode() -> None:
    """Write layer-lint's bytecode before timing, as pip does when it installs a package. An
    editable install run with PYTHONDONTWRITEBYTECODE=1 (set in some CI images and containers)
    would otherwise compile its modules on every run (about 0.06 s), or only those changed since
    bytecode was last written, so the numbers would depend on the history of the work tree."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    code = "import compileall, os, layer_lint; compileall.compile_dir(os.path.dirname(layer_lint.__file__), quiet=1)"
    subprocess.run([sys.executable, "-c", code], env=env, check=False)


def has_cache(lint: list[str]) -> bool:
    return "--no-cache" in subprocess.run(lint + ["--help"], capture_output=True, text=True).stdout


def commands_for(layer: Path, wheels: list[Path], lint: list[str], cached: bool, scratch: Path,
                 aw: Optional[Path]) -> dict[str, Command]:
    check = lint + ["--format", "json", str(layer)]
    commands: dict[str, Command] = {}
    if cached:
        commands["layer-lint cold"] = Command([lint + ["--no-cache", "--format", "json", str(layer)]],
                                              fresh_cache=True)
        commands["layer-lint first run"] = Command([check], fresh_cache=True)  # empty cache, fills it
        warm_dir = scratch / f"warm-{layer.stem}"
        shutil.rmtree(warm_dir, ignore_errors=True)
        warm = Command([check], cache_dir=warm_dir)
        warm.run(scratch)  # fill the cache once, untimed, so every timed run is warm
        commands["layer-lint warm"] = warm
    else:
        commands["layer-lint cold"] = Command([check], fresh_cache=True)  # without a cache, warm == cold
    if not wheels:
        # With its default limits layer-lint reports the bomb from the central directory without inflating it;
        # raised limits make it inflate and CRC-check the whole 1 GiB, which is the bounded-memory test.
        raised = ["--max-member-bytes", str(2 << 30), "--max-ratio", "1000000000"]
        commands["layer-lint cold, limits raised"] = Command(
            [lint + (["--no-cache"] if cached else []) + raised + ["--format", "json", str(layer)]],
            fresh_cache=True)
    commands["unzip -tq"] = Command([["unzip", "-tq", str(layer)]])
    if wheels and aw:
        commands["auditwheel show"] = Command([[str(aw), "show", str(w)] for w in wheels])
    return commands


def time_interleaved(commands: dict[str, Command], runs: int, scratch: Path) -> dict[str, list[Sample]]:
    """Round-robin over the commands, rotating the order each round so no tool always runs after the same one."""
    names = list(commands)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(commands[name].run(scratch))
        print(f"  round {round_ + 1}/{runs}: " + ", ".join(
            f"{n} {samples[n][-1].wall_s:.2f}s" for n in names), file=sys.stderr)
    return samples


def summarize(samples: list[Sample], unzip_median: float) -> dict:
    walls = [s.wall_s for s in samples]
    median = statistics.median(walls)
    return {
        "median_s": round(median, 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
        "ratio_to_unzip": round(median / unzip_median, 2),
        "peak_rss_bytes": max(s.max_rss_bytes for s in samples),
        "runs": len(samples),
        "wall_s": [round(w, 3) for w in walls],
        "exit_codes": samples[0].exit_codes,
    }


# ---------------------------------------------------------------------------------------------------------------
# Reporting


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"arch": platform.machine(), "cpu": cpu, "cores": os.cpu_count(),
            "python": platform.python_version(), "kernel": platform.release()}


SPIN = "x = 0\nfor i in range(6_000_000):\n    x += i\n"


def two_core_speedup() -> float:
    """How much faster two CPU-bound processes get through their work than one does, now: on a
    shared VM the second core is not always there, and layer-lint reads big layers with two
    processes while unzip uses one, so the ratios mean little without this next to them."""
    def spin(count: int) -> float:
        start = time.perf_counter()
        children = [subprocess.Popen([sys.executable, "-S", "-c", SPIN]) for _ in range(count)]
        for child in children:
            child.wait()
        return time.perf_counter() - start
    one = statistics.median(spin(1) for _ in range(3))
    two = statistics.median(spin(2) for _ in range(3))
    return round(2 * one / two, 2)


def revision() -> str:
    """The commit measured, marked dirty when the work tree differs, since numbers are only comparable per commit."""
    try:
        head = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(HERE), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def targets(results: dict) -> list[dict]:
    """The issue's targets, checked against this run's numbers."""
    def tool(layer: str, name: str) -> Optional[dict]:
        return results["layers"].get(layer, {}).get("tools", {}).get(name)

    rows = []
    for layer, name, limit, what in [("a", "layer-lint cold", 0.7, "cold, layer (a)"),
                                     ("a", "layer-lint warm", 0.2, "warm, layer (a)"),
                                     ("b", "layer-lint cold", 1.0, "cold, layer (b)")]:
        measured = tool(layer, name)
        if name.endswith("warm") and measured is None and tool(layer, "layer-lint cold"):
            measured, what = tool(layer, "layer-lint cold"), what + " (no cache yet: warm == cold)"
        if measured:
            ratio = measured["ratio_to_unzip"]
            rows.append({"target": f"{what} ≤ {limit} × unzip -tq", "measured": f"{ratio} × "
                         f"({measured['median_s']} s vs {tool(layer, 'unzip -tq')['median_s']} s)",
                         "met": ratio <= limit})
    for layer, data in results["layers"].items():
        peaks = [t["peak_rss_bytes"] for n, t in data["tools"].items() if n.startswith("layer-lint")]
        if peaks:
            rows.append({"target": f"peak RSS ≤ 200 MB, layer ({layer})", "measured": f"{max(peaks) / MB:.0f} MB",
                         "met": max(peaks) <= 200 * MB})
    return rows


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Measured {results['date']} on {m['arch']}, {m['cpu']}, {m['cores']} cores (two CPU-bound processes ran "
        f"{m['two_core_speedup'][0]}× as fast as one before the runs, {m['two_core_speedup'][1]}× after), Python {m['python']}; "
        f"layer-lint {results['layer_lint_version']} at {results['revision']}; median of {results['runs']} "
        f"interleaved runs; RSS in MB (10^6 bytes), the peak over all runs. "
        + ("Cold runs pass `--no-cache` with an empty `LAYER_LINT_CACHE_DIR`; \"first run\" starts from an empty "
           "cache and fills it." if results["cache"] else
           "This layer-lint has no cache (`--no-cache` is not in its `--help`), so warm == cold: only cold is timed."),
        "",
        "| layer | members | unzipped MB | tool | median s | min–max s | × unzip -tq | peak RSS MB | exit |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for key, data in results["layers"].items():
        facts = data["facts"]
        for name, t in data["tools"].items():
            lines.append(f"| ({key}) | {facts['members']:,} | {facts['unzipped_bytes'] / MB:,.0f} | {name} | "
                         f"{t['median_s']:.2f} | {t['min_s']:.2f}–{t['max_s']:.2f} | {t['ratio_to_unzip']:.2f} | "
                         f"{t['peak_rss_bytes'] / MB:.0f} | {','.join(map(str, sorted(set(t['exit_codes']))))} |")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {r['target']} | {r['measured']} | {'yes' if r['met'] else '**no**'} |" for r in results["targets"]]
    return "\n".join(lines) + "\n"


def update_readme(table: str) -> None:
    """Replace the results block of benchmarks/README.md, so it always shows the latest run."""
    readme = HERE / "README.md"
    if not readme.exists():
        return
    text = readme.read_text()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        return
    readme.write_text(text[:begin + len(README_BEGIN)] + "\n" + table + text[end:])


# ---------------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each tool (default: 5)")
    parser.add_argument("--layers", default=",".join(s.key for s in LAYERS),
                        help="comma-separated layers to run (default: a,b,c,bomb)")
    parser.add_argument("--no-auditwheel", action="store_true", help="skip auditwheel show (it is the slowest)")
    args = parser.parse_args()
    if not shutil.which("unzip"):
        sys.exit("unzip is needed (Debian: apt-get install unzip)")

    lint = layer_lint()
    compile_bytecode()
    cached = has_cache(lint)
    aw = None if args.no_auditwheel else auditwheel()
    scratch = cache_dir() / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    version = subprocess.run(lint + ["--version"], capture_output=True, text=True).stdout.strip()
    results: dict = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "revision": revision(),
                     "layer_lint_version": version.split()[-1] if version else "unknown", "runs": args.runs,
                     "cache": cached, "layers": {}}
    before = two_core_speedup()

    wanted = args.layers.split(",")
    for spec in (s for s in LAYERS if s.key in wanted):
        print(f"layer ({spec.key}): {spec.title}", file=sys.stderr)
        layer, wheels = build_layer(spec)
        facts = describe(layer)
        check_layer(spec, facts)
        samples = time_interleaved(commands_for(layer, wheels, lint, cached, scratch, aw), args.runs, scratch)
        unzip = statistics.median(s.wall_s for s in samples["unzip -tq"])
        results["layers"][spec.key] = {
            "title": spec.title, "zip": layer.name, "facts": facts,
            "wheels": [w.filename for w in spec.wheels],
            "tools": {name: summarize(s, unzip) for name, s in samples.items()},
        }
    results["targets"] = targets(results)
    results["machine"]["two_core_speedup"] = [before, two_core_speedup()]

    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (HERE / "results.md").write_text("# layer-lint benchmark results\n\n" + table)
    update_readme(table)
    print(table)


if __name__ == "__main__":
    main()
