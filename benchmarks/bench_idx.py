"""Benchmark of skdigit.read_idx.

Two claims are measured:

* reading ``t10k-images-idx3-ubyte.gz`` with ``read_idx`` takes at most 1.2 times
  as long as decompressing it alone with ``gzip -dc file > /dev/null``
  (Python's ``gzip.decompress`` is shown for reference);
* ``read_idx(raw_file, mmap=True)`` costs the same for a small and a large file
  (a full read of the large file is shown for contrast).

Usage::

    python benchmarks/bench_idx.py [--data-dir DIR] [--json PATH] [--repeats N]

``DIR`` defaults to where skdigit looks (``$SKDIGIT_DATA``, else
``~/skdigit_data``). ``run(data_dir)`` returns the figures as a dict for a larger
harness.
"""

import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _data
import numpy as np

from skdigit import read_idx, write_idx

T10K_IMAGES = "t10k-images-idx3-ubyte.gz"
TARGET_RATIO = 1.2
SMALL_IMAGES = 10
LARGE_IMAGES = 100_000


def median_seconds(function, repeats):
    """Median wall time of ``function()`` over ``repeats`` calls, after a warm-up."""
    function()  # warm the page cache and imports
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def gzip_command(path):
    """``gzip -dc path > /dev/null`` as a callable, or None without gzip."""
    executable = shutil.which("gzip")
    if executable is None:
        return None

    def decompress():
        with open(os.devnull, "wb") as sink:
            subprocess.run([executable, "-dc", str(path)], stdout=sink, check=True)

    return decompress


def time_gzip_read(path, repeats):
    command = gzip_command(path)
    figures = {
        "file": str(path),
        "compressed_bytes": path.stat().st_size,
        "read_idx_s": median_seconds(lambda: read_idx(path), repeats),
        "python_gzip_decompress_s": median_seconds(
            lambda: gzip.decompress(path.read_bytes()), repeats
        ),
        "gzip_dc_s": median_seconds(command, repeats) if command else None,
    }
    if figures["gzip_dc_s"]:
        ratio = figures["read_idx_s"] / figures["gzip_dc_s"]
        figures["ratio_to_gzip_dc"] = ratio
        figures["within_target"] = ratio <= TARGET_RATIO
    return figures


def time_mmap(folder, repeats):
    """Time memory-mapped reads of a small and a large raw IDX file."""
    timings = {}
    for label, n_images in (("small", SMALL_IMAGES), ("large", LARGE_IMAGES)):
        path = Path(folder) / f"{label}-idx3-ubyte"
        write_idx(path, np.zeros((n_images, 28, 28), dtype=np.uint8))
        timings[f"{label}_bytes"] = path.stat().st_size
        timings[f"{label}_mmap_s"] = median_seconds(
            lambda path=path: read_idx(path, mmap=True), repeats
        )
    large = Path(folder) / "large-idx3-ubyte"
    timings["large_full_read_s"] = median_seconds(lambda: read_idx(large), repeats)
    timings["mmap_large_over_small"] = timings["large_mmap_s"] / timings["small_mmap_s"]
    return timings


def run(data_dir=None, repeats=15):
    """Run the benchmark; return its figures as a dict.

    Parameters
    ----------
    data_dir : str or path-like, default=None
        Folder holding ``t10k-images-idx3-ubyte.gz``; None means where skdigit
        looks (``$SKDIGIT_DATA``, else ``~/skdigit_data``). Without the file, only
        the mmap part runs.

    repeats : int, default=15
        Timed calls per measurement; the median is reported.
    """
    data_dir = data_dir or _data.default_data_dir()
    results = {"python": sys.version.split()[0], "numpy": np.__version__}
    images = Path(data_dir) / T10K_IMAGES if data_dir else None
    if images is not None and images.is_file():
        results["gzip_read"] = time_gzip_read(images, repeats)
    else:
        results["gzip_read"] = {"skipped": f"{T10K_IMAGES} not found in {data_dir}"}
    with tempfile.TemporaryDirectory() as folder:
        results["mmap"] = time_mmap(folder, repeats)
    return results


def report(results):
    lines = []
    gz = results["gzip_read"]
    if "skipped" in gz:
        lines.append(f"gzip read: skipped ({gz['skipped']})")
    else:
        lines.append(f"{gz['file']} ({gz['compressed_bytes']} bytes), median:")
        lines.append(f"  read_idx            {gz['read_idx_s'] * 1e3:8.1f} ms")
        if gz["gzip_dc_s"] is not None:
            lines.append(f"  gzip -dc > /dev/null{gz['gzip_dc_s'] * 1e3:8.1f} ms")
        lines.append(
            f"  gzip.decompress     {gz['python_gzip_decompress_s'] * 1e3:8.1f} ms"
        )
        if "ratio_to_gzip_dc" in gz:
            verdict = "within" if gz["within_target"] else "MISSES"
            lines.append(
                f"  read_idx / gzip -dc = {gz['ratio_to_gzip_dc']:.2f} "
                f"({verdict} the {TARGET_RATIO}x target)"
            )
    mm = results["mmap"]
    lines.append("read_idx(raw, mmap=True), median:")
    for label in ("small", "large"):
        lines.append(
            f"  {label:5} {mm[f'{label}_bytes']:>11} bytes "
            f"{mm[f'{label}_mmap_s'] * 1e6:8.1f} us"
        )
    lines.append(f"  large / small = {mm['mmap_large_over_small']:.2f}")
    lines.append(
        f"  (full read of the large file: {mm['large_full_read_s'] * 1e3:.1f} ms)"
    )
    return "\n".join(lines)


def main(argv=None):
    parser = _data.argument_parser(__doc__)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)

    results = run(args.data_dir, repeats=args.repeats)
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
