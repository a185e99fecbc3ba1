"""`python -m autograder grade SUBMISSIONS --out DIR`: the whole grading run.

SUBMISSIONS is a folder (or a .zip of one) laid out exactly ``<student>/<assignment>/<assignment>.ipynb``.
A submission is executed only if it is new, changed, or its assignment's source changed since DIR last
graded it (``force`` executes all), each notebook by a worker process with its student code in a sandbox of
its own. The parent alone writes the gradebook, the feedback pages and the row record (:mod:`record`), from
which grades.csv and report.html are rewritten whole.
"""

import fcntl
import functools
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

from . import config, record
from .feedback import failed_items, items_of
from .notebooks import grade_id, make_master, make_released
from .record import NO_SANDBOX_WARNING

JUNK = {"__MACOSX", "__pycache__", "Thumbs.db"}  # and every name starting with "."
NBGRADER_FILES = {"timestamp.txt", "submission_secret.txt"}  # what `nbgrader collect` leaves beside a notebook
LAST_RUN = {}  # statistics of the last run (for the benchmark)
STATUS_ORDER = [config.ERROR, config.INVALID, config.TIMEOUT, config.KERNEL_DIED, config.GRADED, config.MISSING]


# ------------------------------------------------------------------------------ sources
class Assignment:
    """One assignment's source folder; its nbgrader versions are made when first needed."""

    def __init__(self, source_dir):
        self.id, self.dir = source_dir.name, source_dir
        self.notebooks = sorted(p.stem for p in source_dir.glob("*.ipynb"))
        files = [p for p in sorted(source_dir.rglob("*")) if p.is_file() and not _junk(p.relative_to(source_dir))]
        self.data_files = [(str(p), str(p.relative_to(source_dir))) for p in files if p.suffix != ".ipynb"]
        self.hash = record.folder_hash((str(p.relative_to(source_dir)), p) for p in files)

    @functools.cached_property
    def sources(self):
        import nbformat
        return {k: nbformat.read(self.dir / f"{k}.ipynb", as_version=4) for k in self.notebooks}

    @functools.cached_property
    def masters(self):
        return {k: make_master(nb, self.id, k) for k, nb in self.sources.items()}

    @functools.cached_property
    def visible(self):
        """{notebook: {grade id: source}} of the released version (tests without their hidden part)."""
        released = {k: make_released(m, self.id, k) for k, m in self.masters.items()}
        return {k: {grade_id(c): c.source for c in nb.cells if grade_id(c)} for k, nb in released.items()}

    @functools.cached_property
    def items(self):
        return {k: items_of(self.masters[k], self.visible[k]) for k in self.masters}

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
            symlink = (info.external_attr >> 16) & 0o170000 == 0o120000
            if not parts or ".." in parts or name.startswith("/") or _junk("/".join(parts)) or symlink:
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
                if f.name in NBGRADER_FILES and f.is_file(follow_symlinks=False):
                    continue
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


def _refuse(message, stream):
    """Bad input: say what was wrong and exit with code 2, having created nothing."""
    print(f"error: {message}", file=stream, flush=True)
    raise SystemExit(2)


def _layout_problem(root, known):
    """What a SUBMISSIONS folder holding no <student>/<assignment>/ folder holds instead, and a hint."""
    entries = _entries(root)
    shown = ", ".join(f"{e.name}{'/' if e.is_dir(follow_symlinks=False) else ''}" for e in entries[:8])
    found = f"it holds {len(entries)} entries ({shown}{', ...' if len(entries) > 8 else ''})" if entries \
        else "it is empty"
    names = {e.name for e in entries}
    below = {n for e in entries if e.is_dir(follow_symlinks=False) for s in _entries(e.path)
             if s.is_dir(follow_symlinks=False) for n in os.listdir(s.path)}
    hint = ""
    if names & set(known) or any(n.endswith(".ipynb") for n in names):
        hint = "; it looks like one student's folder or one assignment: point at the folder that holds the students"
    elif below & set(known):
        hint = "; the students seem to be one level deeper: point at the folder that holds them"
    return (f"{root} has no <student>/<assignment>/<assignment>.ipynb submissions: {found}; expected a folder "
            f"per student, each holding assignment folders named {', '.join(sorted(known)[:4])}"
            f"{', ...' if len(known) > 4 else ''}{hint}")


# ---------------------------------------------------------------------------------- run
def grade(submissions, out, source=None, workers=2, timeout=config.DEFAULT_TIMEOUT, assignments=None,
          max_restarts=config.DEFAULT_MAX_RESTARTS, quiet=False, stream=sys.stderr, sandbox=True,
          students=None, force=False, scheduler=None):
    """Grade what is new or changed in SUBMISSIONS into ``out`` (everything with ``force``); then
    rewrite grades.csv and report.html from the whole record. Returns (exit code, this run's rows).

    ``students`` limits the run to those student folders; ``sandbox=False`` runs student code
    unsandboxed (with a warning on stderr and in report.html); ``scheduler`` (``tcp://HOST:PORT``)
    grades on that Dask cluster instead of a local one of ``workers`` processes (engine.py). Bad
    input exits with code 2 and creates nothing.
    """
    out, subs_path = Path(out).resolve(), Path(submissions).resolve()
    source = Path(source or config.SOLUTIONS).resolve()
    if out == subs_path or subs_path in out.parents:
        _refuse(f"--out {out} is inside SUBMISSIONS {subs_path}: it would be taken for a student", stream)
    if not subs_path.is_dir() and not zipfile.is_zipfile(subs_path):
        _refuse(f"{subs_path}: not a folder or a zip file", stream)
    if not sandbox:
        print(NO_SANDBOX_WARNING, file=stream, flush=True)
    tmp_root = Path(tempfile.mkdtemp(prefix="autograder-run-"))
    tmp_root.chmod(0o711)  # the sandbox uid must reach its own folder inside; listing stays closed
    settings = {"timeout": timeout, "max_restarts": max_restarts, "sandboxed": sandbox}
    try:
        return _grade(subs_path, out, source, settings, assignments, students, force, workers, scheduler, tmp_root,
                      quiet, stream)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)


def _grade(subs_path, out, source, settings, only, only_students, force, workers, scheduler, tmp_root, quiet, stream):
    import warnings
    warnings.filterwarnings("ignore", message=".*not in session.*")
    t_start = time.monotonic()
    say = (lambda msg: None) if quiet else (lambda msg: print(msg, file=stream, flush=True))
    known = load_assignments(source)
    root = subs_path
    if subs_path.is_file():
        (tmp_root / "submissions").mkdir()
        root = _safe_extract(subs_path, tmp_root / "submissions", set(known))
    students, found, problems = discover(root, {a: known[a].notebooks for a in known})
    if not found:
        _refuse(_layout_problem(root, known), stream)
    unknown = sorted(set(only_students or ()) - set(students))
    if unknown:
        _refuse(f"no student folder {', '.join(unknown)} in {subs_path} ({len(students)} student folders there)",
                stream)
    students = [s for s in students if not only_students or s in only_students]
    graded_ids = sorted(only) if only else sorted({a for _, a in found})
    for a in graded_ids:
        if a not in known:
            _refuse(f"unknown assignment {a!r} (sources in {source})", stream)
    for line in [line for lines in problems.values() for line in lines]:
        say(f"warning: {line}")
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".grade.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(f"another grader run is using {out}; wait for it to finish") from None
        rec = record.load(out)
        scope = [(s, a) for s in students for a in graded_ids]
        for a in graded_ids:  # max scores come from the record's items while the source is unchanged
            if rec["assignments"].get(a, {}).get("source") == known[a].hash:
                known[a].items = rec["assignments"][a]["items"]
        keys, todo = {}, []
        for s, a in scope:
            if not found.get((s, a)):  # no notebook of it submitted
                continue
            keys[(s, a)] = {"notebooks": {nb: _hash(found[(s, a)].get(nb)) for nb in known[a].notebooks},
                            "source": known[a].hash, "settings": settings, "notes": problems.get((s, a), [])}
            old = rec["rows"].get((s, a))
            if force or not old or old.get("status") == config.ERROR or old.get("key") != keys[(s, a)]:
                todo.append((s, a))
        say(f"{len(students)} student(s), {len(graded_ids)} assignment(s), {len(keys)} submission(s): "
            f"{len(todo)} to grade; " + (f"Dask cluster {scheduler}" if scheduler else f"{workers} worker(s)"))
        LAST_RUN.clear()
        LAST_RUN.update(startup_seconds=[], notebook_seconds=[], executed=len(todo), skipped=len(keys) - len(todo))
        new_rows = {}
        try:
            if todo:
                _execute(todo, found, known, keys, problems, out, tmp_root, settings, workers, scheduler, quiet, stream,
                         new_rows)
        finally:  # what was graded is in the gradebook: record it, even after Ctrl-C or a crash
            for key in scope:
                old = rec["rows"].get(key)
                if key in new_rows:
                    rec["rows"][key] = new_rows[key]
                elif not found.get(key) and (force or not old or old["status"] == config.MISSING):
                    rec["rows"][key] = _missing_row(key, known[key[1]], problems.get(key, []))
            for a in graded_ids:
                if "items" in known[a].__dict__:
                    rec["assignments"][a] = {"source": known[a].hash, "items": known[a].items}
            record.save(out, rec)
        try:
            record.regenerate(out)
        except Exception as exc:  # noqa: BLE001 - the record is safe; the outputs can be made again
            print(f"warning: could not rewrite grades.csv or report.html: {type(exc).__name__}: {exc}",
                  file=stream, flush=True)
    ordered = [rec["rows"][k] for k in scope if k in rec["rows"]]
    if not quiet:
        print_summary(ordered, sum(len(known[a].notebooks) for _, a in todo), time.monotonic() - t_start, stream)
    say(f"executed {len(todo)} submission(s), skipped {len(keys) - len(todo)} unchanged"
        + (" (grade --force re-grades them)" if len(keys) > len(todo) else ""))
    return (1 if any(r["status"] in config.FAILING for r in ordered) else 0), ordered


def _hash(path):
    """SHA-256 of a submitted notebook; a symbolic link is never read."""
    if path is None:
        return None
    return "symbolic link" if os.path.islink(path) else record.file_hash(path)


def _missing_row(key, asg, notes):
    return _unscored_row(key[0], asg, config.MISSING, "; ".join(["no submission", *notes]))


def _execute(todo, found, known, keys, problems, out, tmp_root, settings, workers, scheduler, quiet, stream, rows):
    """Grade the submissions ``todo`` into the gradebook and their record rows into ``rows`` (left empty
    if the gradebook could not be committed)."""
    from .gradebook import GradebookWriter
    from .sandbox import available

    sandboxed = settings["sandboxed"]
    ok, why = available() if sandboxed and not scheduler else (True, "")  # a cluster's workers are checked there
    if not ok:
        raise SystemExit(f"cannot sandbox student code here: {why}\n(`--no-sandbox` grades without a "
                         "sandbox, for trusted notebooks only)")
    writer = GradebookWriter(out / "gradebook.db")
    try:
        register_errors = {}
        for a in sorted({a for _, a in todo}):
            try:
                writer.register(a, known[a].sources)
            except Exception as exc:  # noqa: BLE001 - e.g. cells changed after students were graded
                register_errors[a] = f"cannot record {a} in the gradebook: {exc}"
                print(f"error: {register_errors[a]}", file=stream, flush=True)
        tasks, results = [], defaultdict(dict)
        for s, a in todo:
            if a in register_errors:
                rows[(s, a)] = dict(_unscored_row(s, known[a], config.ERROR, register_errors[a]), key=keys[(s, a)])
                continue
            tasks += [{"student": s, "assignment": a, "notebook": nb, "path": found[(s, a)].get(nb),
                       "master": known[a].masters[nb], "visible": known[a].visible[nb],
                       "data_files": known[a].data_files, "sandbox_root": str(tmp_root), **settings}
                      for nb in known[a].notebooks]
        progress = Progress(len(tasks), stream) if not quiet else None

        def finish_row(key):
            s, a = key
            asg, res = known[a], results[key]
            status = _row_status(res)
            detail = "; ".join(problems.get(key, []) + [f"{nb}: {r['reason']}" for nb, r in res.items()
                                                        if r.get("reason")])
            row = dict(_unscored_row(s, asg, status, detail), key=keys[key], failures={}, sandboxed=sandboxed,
                       seconds=round(sum(r.get("seconds", 0.0) for r in res.values()), 2))
            if status not in config.NO_SCORE:
                scores = writer.save(s, a, {nb: (r.get("nb") if r["status"] != config.MISSING else None)
                                            for nb, r in res.items()})
                auto_ids = {it["gid"] for its in asg.items.values() for it in its if it["kind"] == "auto"}
                row.update(score=scores["score"], max_score=scores["max_score"],
                           manual_pending=scores["manual_pending"],
                           auto_score=sum(float(v["score"] or 0) for g, v in scores["items"].items() if g in auto_ids))
                row["failures"] = failed_items(res, asg.items)
                adir = out / "autograded" / s / a
                adir.mkdir(parents=True, exist_ok=True)
                for nb_id, r in res.items():
                    if r.get("nb"):
                        (adir / f"{nb_id}.ipynb").write_text(json.dumps(r["nb"], indent=1), encoding="utf-8")
            # what its feedback page shows besides the gradebook's scores (record.regenerate writes the page)
            row["notebooks"] = {nb: {"status": r["status"], "reason": r.get("reason", ""), "ran": bool(r.get("nb")),
                                     "cell_errors": r.get("cell_errors", []), "notes": r.get("notes", [])}
                                for nb, r in res.items()}
            rows[key] = row

        def handle(res):
            key = (res["student"], res["assignment"])
            LAST_RUN["startup_seconds"].extend(res.get("startup_seconds", []))
            LAST_RUN["notebook_seconds"].append(res.get("seconds", 0.0))
            results[key][res["notebook"]] = res
            if progress:
                progress.step(f"{res['student']}/{res['assignment']} {res['status']}")
            if len(results[key]) == len(known[key[1]].notebooks):
                try:
                    finish_row(key)
                except Exception as exc:  # noqa: BLE001
                    rows[key] = dict(_unscored_row(key[0], known[key[1]], config.ERROR,
                                                   f"grader error while saving: {exc}"), key=keys[key])

        _run_pool(tasks, workers, handle, scheduler)
        writer.commit()
    except KeyboardInterrupt:
        writer.commit()  # what was graded so far is consistent; keep it
        raise
    finally:
        if not writer.committed:
            rows.clear()  # nothing of this run reached the gradebook: record none of it
        writer.close()


def _run_pool(tasks, workers, handle, scheduler=None):
    """Grade the tasks on Dask: a local cluster of ``workers`` processes, or ``scheduler``'s (engine.py)."""
    from .engine import run
    run(tasks, handle, workers=workers, scheduler=scheduler)


def print_summary(rows, n_notebooks, elapsed, stream=sys.stdout):
    lines = [""]
    for a in sorted({r["assignment"] for r in rows}):
        rs = [r for r in rows if r["assignment"] == a]
        sc = [float(r["auto_score"]) for r in rs if r["auto_score"] not in ("", None)]
        top = record.plain_number(rs[0]["auto_max_score"])
        mean = f"mean {sum(sc) / len(sc):.2f} / {top}" if sc else "no scores"
        lines.append(f"{a:<28}{len(rs):>4} rows, {mean}; " +
                     ", ".join(f"{k}={v}" for k, v in sorted(Counter(r["status"] for r in rs).items())))
    lines.append(f"{n_notebooks} notebook(s) in {elapsed:.1f} s = {n_notebooks / max(elapsed, 1e-9) * 60:.1f} "
                 "submissions/minute")
    bad = [r for r in rows if r["status"] in config.FAILING]
    lines += [f"{len(bad)} row(s) could not be (fully) graded:"] * bool(bad) + [
        f"  {r['student']}/{r['assignment']}: {r['status']} ({r['detail'][:100]})" for r in bad[:20]]
    print("\n".join(lines), file=stream, flush=True)
