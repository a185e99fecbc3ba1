"""`python -m autograder grade SUBMISSIONS --out DIR`: the whole grading run.

SUBMISSIONS is a folder (or a .zip of one) laid out exactly
``<student>/<assignment>/<assignment>.ipynb``. Every submitted notebook is graded by a
worker process, its student code in a sandbox of its own; the parent alone writes the
gradebook (a temporary copy, atomically renamed at the end), the feedback pages,
grades.csv and the report.
"""

import csv
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from . import config
from .feedback import collect_failures, items_of, new_failures, render_feedback, write_report
from .notebooks import grade_id, make_master, make_released

CSV_COLUMNS = ["student", "assignment", "score", "max_score", "status", "auto_score", "auto_max_score",
               "manual_pending", "seconds", "detail"]
JUNK = {"__MACOSX", "__pycache__", "Thumbs.db"}  # and every name starting with "."
LAST_RUN = {}  # statistics of the last run (for the benchmark)
STATUS_ORDER = [config.ERROR, config.INVALID, config.TIMEOUT, config.KERNEL_DIED, config.GRADED, config.MISSING]
NO_SANDBOX_WARNING = ("WARNING: --no-sandbox: student code runs as a plain process of this user, with its "
                      "files, processes and network in reach; use it only for notebooks you trust")


# ------------------------------------------------------------------------------ sources
class Assignment:
    def __init__(self, source_dir):
        import nbformat
        self.id = source_dir.name
        self.dir = source_dir
        self.sources = {}
        for p in sorted(source_dir.glob("*.ipynb")):
            self.sources[p.stem] = nbformat.read(p, as_version=4)
        self.masters = {k: make_master(nb, self.id, k) for k, nb in self.sources.items()}
        self.released = {k: make_released(m, self.id, k) for k, m in self.masters.items()}
        self.items = {k: items_of(self.masters[k], self.released[k]) for k in self.masters}
        self.visible = {k: {grade_id(c): c.source for c in nb.cells if grade_id(c)}
                        for k, nb in self.released.items()}
        self.data_files = [(str(p), str(p.relative_to(source_dir))) for p in sorted(source_dir.rglob("*"))
                           if p.is_file() and p.suffix != ".ipynb" and not _junk(p.relative_to(source_dir))]

    @property
    def auto_max(self):
        return sum(it["points"] for its in self.items.values() for it in its if it["kind"] == "auto")

    @property
    def max_score(self):
        return sum(it["points"] for its in self.items.values() for it in its)


def load_assignments(source_root):
    from .release import list_assignments
    if not Path(source_root).is_dir():
        raise SystemExit(f"no source folder {source_root}")
    return {a: Assignment(Path(source_root, a)) for a in list_assignments(source_root)}


# -------------------------------------------------------------------------- submissions
def _junk(rel):
    return any(p in JUNK or p.startswith(".") for p in Path(rel).parts)


def _safe_extract(zpath, dest, assignment_ids, max_bytes=4 * 2**30):
    """Unpack a zip (no absolute paths, no "..", no symlinks); returns the folder of students
    (the zip's one top folder when that holds students rather than assignments)."""
    total = 0
    with zipfile.ZipFile(zpath) as zf:
        for info in zf.infolist():
            name = info.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if not parts or ".." in parts or name.startswith("/") or _junk("/".join(parts)):
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:  # symlink
                continue
            target = dest.joinpath(*parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            total += info.file_size
            if total > max_bytes:
                raise SystemExit(f"{zpath}: archive expands beyond {max_bytes / 2**30:.0f} GB")
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    top = list(dest.iterdir())
    if len(top) == 1 and top[0].is_dir() and not any((top[0] / a).is_dir() for a in assignment_ids):
        return top[0]
    return dest


def _entries(path):
    return sorted((e for e in os.scandir(path) if not _junk(e.name)), key=lambda e: e.name)


def discover(root, notebooks):
    """Exactly ``root/<student>/<assignment>/<notebook>.ipynb``; nothing deeper, no symlink followed.

    notebooks: {assignment: [notebook ids]}. Returns (students, {(student, assignment): {notebook:
    path}}, {(student, assignment) or student: [what was not graded and why]}).
    """
    students, found, problems = [], {}, defaultdict(list)
    for s in _entries(root):
        if not s.is_dir(follow_symlinks=False):
            problems[s.name].append(f"{s.name}: {'a symbolic link' if s.is_symlink() else 'not a folder'}; "
                                    "not a student, ignored")
            continue
        students.append(s.name)
        for a in _entries(s.path):
            if not a.is_dir(follow_symlinks=False) or a.name not in notebooks:
                problems[s.name].append(f"{s.name}/{a.name}: not an assignment folder; ignored")
                continue
            files = found.setdefault((s.name, a.name), {})
            for f in _entries(a.path):
                stem = f.name[:-len(".ipynb")] if f.name.endswith(".ipynb") else None
                if stem in notebooks[a.name] and (f.is_symlink() or f.is_file(follow_symlinks=False)):
                    files[stem] = f.path  # a symlink is recorded to be reported, never read
                else:
                    want = ", ".join(f"{n}.ipynb" for n in notebooks[a.name])
                    problems[(s.name, a.name)].append(f"{f.name} not graded (the grader reads only {want} "
                                                      "in this folder)")
    return students, found, dict(problems)


# --------------------------------------------------------------------------------- misc
class Progress:
    """A progress bar on a terminal; a line per 10 % elsewhere."""

    def __init__(self, total, stream=sys.stderr):
        self.total, self.done, self.stream, self.t0 = max(total, 1), 0, stream, time.monotonic()

    def step(self, label=""):
        self.done += 1
        rate = self.done / max(time.monotonic() - self.t0, 1e-9) * 60
        fill = 30 * self.done // self.total
        line = (f"[{'#' * fill}{'.' * (30 - fill)}] {self.done}/{self.total} {rate:5.1f}/min "
                f"ETA {(self.total - self.done) / rate * 60:4.0f}s {label[:40]}")
        if self.stream.isatty():
            self.stream.write("\r" + line.ljust(100) + ("\n" if self.done == self.total else ""))
        elif 10 * self.done // self.total != 10 * (self.done - 1) // self.total:
            self.stream.write(line + "\n")
        self.stream.flush()


def _row_status(results):
    """The worst status of a row's notebooks (missing only if every notebook is)."""
    statuses = {r["status"] for r in results.values()}
    return config.MISSING if statuses == {config.MISSING} else next(s for s in STATUS_ORDER if s in statuses)


def _unscored_row(student, asg, status, detail):
    return {"student": student, "assignment": asg.id, "score": "", "max_score": asg.max_score, "status": status,
            "auto_score": "", "auto_max_score": asg.auto_max, "manual_pending": "", "detail": detail}


# ---------------------------------------------------------------------------------- run
def grade(submissions, out, source=None, workers=2, timeout=config.DEFAULT_TIMEOUT, assignments=None,
          max_restarts=config.DEFAULT_MAX_RESTARTS, quiet=False, stream=sys.stderr, sandbox=True):
    """Grade everything; returns (exit code, rows). ``sandbox=False`` runs student code unsandboxed
    (with a warning on stderr and in report.html)."""
    from .sandbox import available

    ok, why = available() if sandbox else (True, "")
    if not ok:
        raise SystemExit(f"cannot sandbox student code here: {why}\n(`--no-sandbox` grades without a "
                         "sandbox, for trusted notebooks only)")
    if not sandbox:
        print(NO_SANDBOX_WARNING, file=stream, flush=True)
    t_start = time.monotonic()
    out, subs_path = Path(out).resolve(), Path(submissions).resolve()
    source = Path(source or config.SOLUTIONS).resolve()
    if out == subs_path or subs_path in out.parents:
        raise SystemExit("--out must not be inside SUBMISSIONS")
    out.mkdir(parents=True, exist_ok=True)
    tmp_root = Path(tempfile.mkdtemp(prefix="autograder-run-"))
    tmp_root.chmod(0o711)  # the sandbox uid must reach its own folder inside; listing stays closed
    try:
        return _grade(subs_path, out, source, workers, timeout, assignments, max_restarts, quiet, stream,
                      tmp_root, t_start, sandbox)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)


def _grade(subs_path, out, source, workers, timeout, only, max_restarts, quiet, stream, tmp_root, t_start, sandbox):
    import warnings

    from .gradebook import GradebookWriter
    warnings.filterwarnings("ignore", message=".*not in session.*")
    say = (lambda msg: None) if quiet else (lambda msg: print(msg, file=stream, flush=True))
    known = load_assignments(source)
    if subs_path.is_file() and zipfile.is_zipfile(subs_path):
        root = tmp_root / "submissions"
        root.mkdir()
        root = _safe_extract(subs_path, root, set(known))
    elif subs_path.is_dir():
        root = subs_path
    else:
        raise SystemExit(f"{subs_path}: not a folder or a zip file")
    students, found, problems = discover(root, {a: list(known[a].sources) for a in known})
    for where, lines in problems.items():
        for line in lines:
            say(f"warning: {line}")
    graded_ids = sorted(only) if only else sorted({a for _, a in found})
    for a in graded_ids:
        if a not in known:
            raise SystemExit(f"unknown assignment {a!r} (sources in {source})")
    rows_keys = [(s, a) for s in students for a in graded_ids]
    say(f"{len(students)} student(s), {len(graded_ids)} assignment(s), "
        f"{sum(1 for k in rows_keys if k in found)} submission(s); {workers} worker(s)")

    writer = GradebookWriter(out / "gradebook.db")
    committed = False
    try:
        register_errors = {}
        for a in graded_ids:
            try:
                writer.register(a, known[a].sources)
            except Exception as exc:  # noqa: BLE001 - e.g. cells changed after students were graded
                register_errors[a] = f"cannot record {a} in the gradebook: {exc}"
                say(f"error: {register_errors[a]}")
        tasks, row_notes, pending = [], {}, {}
        results = defaultdict(dict)
        for key in rows_keys:
            s, a = key
            if key not in found or a in register_errors:
                continue
            mapping = {nb: found[key].get(nb) for nb in known[a].sources}
            row_notes[key] = problems.get(key, [])
            pending[key] = len(mapping)
            for nb_id, path in mapping.items():
                tasks.append({"student": s, "assignment": a, "notebook": nb_id, "path": path,
                              "master": known[a].masters[nb_id], "visible": known[a].visible[nb_id],
                              "data_files": known[a].data_files,
                              "timeout": timeout, "max_restarts": max_restarts,
                              "sandbox_root": str(tmp_root), "sandboxed": sandbox})
        rows = {}
        failures = new_failures()
        progress = Progress(len(tasks), stream) if not quiet else None
        fb_root = out / "feedback"

        def finish_row(key):
            s, a = key
            asg = known[a]
            res = results[key]
            status = _row_status(res)
            detail = "; ".join(row_notes.get(key, []) + [f"{nb}: {r['reason']}" for nb, r in res.items()
                                                          if r.get("reason")])
            row = dict(_unscored_row(s, asg, status, detail),
                       seconds=round(sum(r.get("seconds", 0.0) for r in res.values()), 2))
            scores = None
            if status not in config.NO_SCORE:
                scores = writer.save(s, a, {nb: (r.get("nb") if r["status"] != config.MISSING else None)
                                            for nb, r in res.items()})
                auto_ids = {it["gid"] for its in asg.items.values() for it in its if it["kind"] == "auto"}
                row["score"] = scores["score"]
                row["max_score"] = scores["max_score"]
                row["auto_score"] = sum(float(v["score"] or 0) for g, v in scores["items"].items()
                                        if g in auto_ids)
                row["manual_pending"] = sum(1 for g, v in scores["items"].items()
                                            if g not in auto_ids and v["manual_score"] is None
                                            and v["needs_manual_grade"])
                collect_failures(failures, a, res, asg.items)
                adir = out / "autograded" / s / a
                adir.mkdir(parents=True, exist_ok=True)
                for nb_id, r in res.items():
                    if r.get("nb"):
                        (adir / f"{nb_id}.ipynb").write_text(json.dumps(r["nb"], indent=1), encoding="utf-8")
            fdir = fb_root / s / a
            fdir.mkdir(parents=True, exist_ok=True)
            (fdir / f"{a}.html").write_text(render_feedback(row, res, asg.items, scores), encoding="utf-8")
            rows[key] = row

        LAST_RUN.clear()
        LAST_RUN.update(startup_seconds=[], notebook_seconds=[])

        def handle(res):
            key = (res["student"], res["assignment"])
            LAST_RUN["startup_seconds"].extend(res.get("startup_seconds", []))
            LAST_RUN["notebook_seconds"].append(res.get("seconds", 0.0))
            results[key][res["notebook"]] = res
            if progress:
                progress.step(f"{res['student']}/{res['assignment']} {res['status']}")
            if len(results[key]) == pending[key]:
                try:
                    finish_row(key)
                except Exception as exc:  # noqa: BLE001
                    rows[key] = _unscored_row(key[0], known[key[1]], config.ERROR, f"grader error while saving: {exc}")

        _run_pool(tasks, workers, handle)

        for key in rows_keys:
            if key in rows:
                continue
            s, a = key
            status, detail = (config.ERROR, register_errors[a]) if a in register_errors else (
                config.MISSING, "no submission")
            rows[key] = _unscored_row(s, known[a], status, detail)
            fdir = fb_root / s / a
            fdir.mkdir(parents=True, exist_ok=True)
            (fdir / f"{a}.html").write_text(render_feedback(rows[key], {}, known[a].items, None), encoding="utf-8")
        writer.commit()
        committed = True
    except KeyboardInterrupt:
        writer.commit()  # what was graded so far is consistent; keep it
        committed = True
        raise
    finally:
        if not committed:
            writer.abort()
        writer.close()

    ordered = [rows[k] for k in rows_keys]
    _write_csv(out / "grades.csv", ordered)
    try:
        write_report(out, ordered, failures, {a: known[a].items for a in graded_ids},
                     warning=None if sandbox else NO_SANDBOX_WARNING)
    except Exception as exc:  # noqa: BLE001 - the report must not fail the run
        say(f"warning: report failed: {exc}")
    elapsed = time.monotonic() - t_start
    if not quiet:
        print_summary(ordered, len(tasks), elapsed, stream)
    code = 1 if any(r["status"] in config.FAILING for r in ordered) else 0
    return code, ordered


def _run_pool(tasks, workers, handle):
    """Run tasks in worker processes; a dead worker only fails its own submissions."""
    from .worker import grade_notebook, warm_up

    todo = list(tasks)
    if sys.platform == "linux":
        # workers fork from a server that has already imported what they need
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["autograder.worker", "nbformat", "convblocks"])
    else:
        ctx = multiprocessing.get_context("spawn")
    slots = ctx.Value("i", 0)  # each worker process takes the next sandbox slot
    while todo:
        with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx, initializer=warm_up,
                                 initargs=(slots,)) as pool:
            futs = {pool.submit(grade_notebook, t): t for t in todo}
            todo = []
            broken = False
            remaining = set(futs)
            while remaining:
                done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                for f in done:
                    t = futs[f]
                    try:
                        res = f.result()
                    except BrokenProcessPool:
                        broken = True
                        t["_attempts"] = t.get("_attempts", 0) + 1
                        if t["_attempts"] >= 2:
                            handle(_error_result(t, "a grader worker process died twice on this notebook"))
                        else:
                            todo.append(t)
                        continue
                    except Exception as exc:  # noqa: BLE001
                        res = _error_result(t, f"grader error: {type(exc).__name__}: {exc}")
                    handle(res)
            if not broken:
                break


def _error_result(task, reason):
    return {"student": task["student"], "assignment": task["assignment"], "notebook": task["notebook"],
            "status": config.ERROR, "reason": reason, "notes": [], "nb": None}


def _write_csv(path, rows):
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction="ignore", restval="")
        w.writeheader()
        for r in rows:
            w.writerow({k: (_num(r.get(k)) if k in ("score", "max_score", "auto_score", "auto_max_score")
                            else r.get(k, "")) for k in CSV_COLUMNS})
    os.replace(tmp, path)


def _num(v):
    if v in ("", None):
        return ""
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:g}"


def print_summary(rows, n_notebooks, elapsed, stream=sys.stdout):
    from collections import Counter
    lines = [""]
    for a in sorted({r["assignment"] for r in rows}):
        rs = [r for r in rows if r["assignment"] == a]
        sc = [float(r["auto_score"]) for r in rs if r["auto_score"] not in ("", None)]
        mean = f"mean {sum(sc) / len(sc):.2f} / {_num(rs[0]['auto_max_score'])}" if sc else "no scores"
        lines.append(f"{a:<28}{len(rs):>4} rows, {mean}; " +
                     ", ".join(f"{k}={v}" for k, v in sorted(Counter(r["status"] for r in rs).items())))
    lines.append(f"{n_notebooks} notebook(s) in {elapsed:.1f} s = {n_notebooks / max(elapsed, 1e-9) * 60:.1f} "
                 "submissions/minute")
    bad = [r for r in rows if r["status"] in config.FAILING]
    lines += [f"{len(bad)} row(s) could not be (fully) graded:"] * bool(bad) + [
        f"  {r['student']}/{r['assignment']}: {r['status']} ({r['detail'][:100]})" for r in bad[:20]]
    print("\n".join(lines), file=stream, flush=True)
