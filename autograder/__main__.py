"""python -m autograder {release,validate,grade,bench} — see README (instructor section)."""

import argparse
import sys

from . import config


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m autograder",
                                 description="Release, validate and grade the Conv Blocks assignments.")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("release", help="generate exercises/ from solutions/ (nbgrader generate_assignment)")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all in the source folder)")
    p.add_argument("--check", action="store_true",
                   help="regenerate into a temporary folder and fail (exit 1) if exercises/ differs")
    p.add_argument("--source", default=None, help="source folder (default: solutions/)")
    p.add_argument("--dest", default=None, help="release folder (default: exercises/)")

    p = sub.add_parser("validate", help="run a notebook and report its tests; exit 1 if any fails")
    p.add_argument("notebook")
    p.add_argument("--hidden", action="store_true",
                   help="restore locked cells and hidden tests from the source first (instructors)")
    p.add_argument("--source", default=None)
    p.add_argument("--timeout", type=float, default=config.DEFAULT_TIMEOUT, help="seconds per cell")

    p = sub.add_parser("grade", help="grade SUBMISSIONS/<student>/<assignment>/*.ipynb (folder or .zip)")
    p.add_argument("submissions")
    p.add_argument("--out", default=None, help=f"output folder (default: {config.work_dir()})")
    p.add_argument("--workers", type=int, default=2, help="parallel worker processes (default 2)")
    p.add_argument("--timeout", type=float, default=config.DEFAULT_TIMEOUT, help="seconds per cell (default 30)")
    p.add_argument("--assignments", nargs="+", default=None,
                   help="grade these assignments (students lacking one get a `missing` row)")
    p.add_argument("--source", default=None, help="source folder (default: solutions/)")
    p.add_argument("--max-restarts", type=int, default=config.DEFAULT_MAX_RESTARTS,
                   help="kernel restarts per notebook after a timeout or a crash "
                        f"(default {config.DEFAULT_MAX_RESTARTS}; the time budget bounds them too)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run student code without the bubblewrap sandbox (trusted notebooks only; warns)")

    p = sub.add_parser("bench", help="grade a synthetic class with 1 and 2 workers; print submissions/minute")
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--assignments", nargs="+", default=None)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--source", default=None)

    args = ap.parse_args(argv)
    if args.cmd == "release":
        from .release import release
        return release(args.assignments or None, args.source, args.dest, check=args.check)
    if args.cmd == "validate":
        from .release import validate
        return validate(args.notebook, args.source, hidden=args.hidden, timeout=args.timeout)
    if args.cmd == "grade":
        from .grade import grade
        code, _ = grade(args.submissions, args.out or config.work_dir(), source=args.source,
                        workers=args.workers, timeout=args.timeout, assignments=args.assignments,
                        max_restarts=args.max_restarts, quiet=args.quiet, sandbox=not args.no_sandbox)
        return code
    if args.cmd == "bench":
        from .bench import bench
        bench(students=args.students, assignments=args.assignments, workers=args.workers, source=args.source)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
