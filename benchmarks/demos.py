"""Latency of the live demos: one update (compute + redraw) as a reader sees it in JupyterLab.

Run from the repository root: ``python -m benchmarks.demos [--markdown] [--size 256]``.

Each demo is built as its live widget at ``--size`` (the image side, where
the demo has an image) and a control is moved through its values; an update
is the time from the new settings to the new PNGs in the image widgets and
the new label text (what the browser then only has to paint). The median over
all updates is reported with the goal (50 ms).
"""

import argparse
import inspect
import itertools
import statistics

from convblocks.demos import DEMOS
from convblocks.demos._base import DemoView

GOAL_MS = 50.0


def update_times(demo, rounds=3):
    """Milliseconds of every update while each control walks through its values ``rounds`` times."""
    view = DemoView(demo)
    times = []
    for _, control in itertools.product(range(rounds), demo.controls):
        for value in control.options:
            view.update(**{**view.settings(), control.name: value})
            times.append(view.last_update_ms)
        view.update(**{**view.settings(), control.name: control.default})
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.demos", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256, help="image side for demos with an image (default 256)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    rows = [("demo", "image", "updates", "median ms", "max ms", f"≤ {GOAL_MS:.0f} ms")]
    for name, cls in DEMOS.items():
        takes_size = "size" in inspect.signature(cls).parameters
        demo = cls(size=args.size) if takes_size else cls()
        times = update_times(demo)
        median = statistics.median(times)
        rows.append((f"{name}()", f"{args.size}×{args.size}" if takes_size else "—", str(len(times)),
                     f"{median:.1f}", f"{max(times):.1f}", "yes" if median <= GOAL_MS else "NO"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print("\nDemo updates (compute + PNG encode + label), median over every control value\n")
    for i, row in enumerate(rows):
        if args.markdown:
            print("| " + " | ".join(row) + " |")
            if i == 0:
                print("|" + "|".join("---" for _ in row) + "|")
        else:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
            if i == 0:
                print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
