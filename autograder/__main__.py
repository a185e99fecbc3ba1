"""python -m autograder {release,validate,grade,bench,export,formgrader} — see README (instructor section)."""

import argparse
import sys

from . import config
from .bench import MEASURES


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m autograder",
                                 description="Release, validate and grade the Conv Blocks assignments.")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("release", help="generate exercises/ from solutions/ (nbgrader generate_assignment)")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all in the source folder)")
    p.add_argument("--check", action="store_true",
                   help="regenerate into a temporary folder and fail (exit 1) if exercises/ differs")
    p.add_argument("--source", help="source folder (default: solutions/)")
    p.add_argument("--dest", help="release folder (default: exercises/)")

    p = sub.add_parser("validate", help="run a notebook and report its tests; exit 1 if any fails")
    p.add_argument("notebook")
    p.add_argument("--hidden", action="store_true",
                   help="restore locked cells and hidden tests from the source first (instructors)")
    p.add_argument("--source")
    p.add_argument("--timeout", type=float, default=config.DEFAULT_TIMEOUT, help="seconds per cell")

    p = sub.add_parser("grade", help="grade SUBMISSIONS/<student>/<assignment>/*.ipynb (folder or .zip)")
    p.add_argument("submissions")
    p.add_argument("--out", help=f"output folder (default: {config.work_dir()})")
    p.add_argument("--workers", type=int, default=2, help="worker processes of the local Dask cluster (default 2)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="grade on this running Dask cluster instead of a local one (autograder/README.md)")
    p.add_argument("--timeout", type=float, default=config.DEFAULT_TIMEOUT, help="seconds per cell (default 30)")
    p.add_argument("--assignments", nargs="+",
                   help="grade these assignments (students lacking one get a `missing` row)")
    p.add_argument("--student", action="append", metavar="NAME",
                   help="grade only this student's folder (repeatable); the other rows stay as they are")
    p.add_argument("--force", action="store_true",
                   help="execute every submission again, even those unchanged since they were graded")
    p.add_argument("--source", help="source folder (default: solutions/)")
    p.add_argument("--max-restarts", type=int, default=config.DEFAULT_MAX_RESTARTS,
                   help="kernel restarts per notebook after a timeout or a crash "
                        f"(default {config.DEFAULT_MAX_RESTARTS}; the time budget bounds them too)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run student code without the bubblewrap sandbox (trusted notebooks only; warns)")

    p = sub.add_parser("bench", help="grade a synthetic class: submissions/minute, re-run, 1 vs 2 workers, cluster")
    p.add_argument("--submissions", type=int, default=1000, help="size of the class (default 1000)")
    p.add_argument("--subset", type=int, default=120,
                   help="submissions graded for the 1-vs-2-worker and cluster comparisons (default 120)")
    p.add_argument("--measure", nargs="+", choices=MEASURES, default=list(MEASURES), help="default: all")
    p.add_argument("--assignments", nargs="+")
    p.add_argument("--source")

    p = sub.add_parser("export", help="grades of a `grade --out` folder for a spreadsheet or an LMS (CSV)")
    p.add_argument("dir", help="the --out folder of `grade`")
    p.add_argument("--format", required=True, choices=["long", "wide", "canvas", "moodle"])
    p.add_argument("--to", help="output file (default: DIR/grades-<format>.csv)")
    p.add_argument("--id-column", default="SIS Login ID", choices=["ID", "SIS User ID", "SIS Login ID"],
                   help="canvas: the column that holds the student folder names (default: SIS Login ID)")

    p = sub.add_parser("formgrader", help="nbgrader's formgrader on the gradebook of a `grade --out` folder")
    p.add_argument("dir", nargs="?", help=f"the --out folder of `grade` (default: {config.work_dir()})")
    p.add_argument("--port", type=int, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--source", help="assignment sources (default: solutions/)")

    args = ap.parse_args(argv)
    if args.cmd == "release":
        from .release import release
        return release(args.assignments or None, args.source, args.dest, check=args.check)
    if args.cmd == "validate":
        from .release import validate
        return validate(args.notebook, args.source, hidden=args.hidden, timeout=args.timeout)
    if args.cmd == "grade":
        from .grade import grade
        return grade(args.submissions, args.out or config.work_dir(), source=args.source,
                     workers=args.workers, timeout=args.timeout, assignments=args.assignments,
                     max_restarts=args.max_restarts, quiet=args.quiet, sandbox=not args.no_sandbox,
                     students=args.student, force=args.force, scheduler=args.scheduler)[0]
    if args.cmd == "bench":
        from .bench import bench
        bench(submissions=args.submissions, subset=args.subset, assignments=args.assignments,
              measure=args.measure, source=args.source)
        return 0
    if args.cmd == "export":
        from .exports import export_command
        export_command(args.dir, args.format, to=args.to, id_column=args.id_column)
        return 0
    if args.cmd == "formgrader":
        from .formgrader import serve
        return serve(args.dir or config.work_dir(), port=args.port, source=args.source)


if __name__ == "__main__":
    sys.exit(main())
