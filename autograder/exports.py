"""What leaves the grader: grade exports for spreadsheets and LMSs, and feedback zips for students.

``python -m autograder export DIR --format long|wide|canvas|moodle [--to FILE]`` and ``nbgrader export
--exporter autograder.exports.WideExport`` (etc.) run the same code: the nbgrader export plugins below hand
their gradebook to :func:`write_export`.

Every table is built by :func:`class_table` from two sources in the ``grade --out`` folder DIR: the
gradebook (students, assignments and scores, manual grades included) and the grader's row record (the
status of every student x assignment and why). A submission that is missing or could not be graded has an
**empty** score with its status beside it, never a 0, and a student of the gradebook without any
submission still gets a row (``missing``).
"""

import csv
import hashlib
import io
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

from . import config, record
from .record import CSV_COLUMNS, NUMBERS, csv_text, plain_number, write_atomic

FORMATS = ("long", "wide", "canvas", "moodle")
CANVAS_ID_COLUMNS = ("ID", "SIS User ID", "SIS Login ID")
MANIFEST_COLUMNS = ["student", "file", "assignments", "pages", "sha256", "written_at"]


# ------------------------------------------------------------------------------- reading
def out_dir_of(gradebook):
    """The ``grade --out`` folder of an open nbgrader Gradebook (the folder of its SQLite file)."""
    db = gradebook.engine.url.database
    if not db or db.startswith("file:") or db == ":memory:":
        raise SystemExit(f"the gradebook {gradebook.engine.url} is not a file in a `grade --out` folder")
    return Path(db).resolve().parent


def _open(out_dir):
    from .gradebook import open_gradebook

    db = Path(out_dir) / "gradebook.db"
    if not db.is_file():
        raise SystemExit(f"{out_dir}: no gradebook.db here; give the folder `python -m autograder grade "
                         "SUBMISSIONS --out DIR` wrote")
    return open_gradebook(f"sqlite:///{db.resolve()}")


def gradebook_scores(gradebook):
    """:func:`gradebook.read_scores` of an open nbgrader Gradebook, or of a ``grade --out`` folder's."""
    from .gradebook import read_scores

    if isinstance(gradebook, (str, Path)):
        with _open(gradebook) as gb:
            return read_scores(gb.db)
    return read_scores(gradebook.db)


def class_table(gradebook, rows, students=(), assignments=(), scores=None):
    """Every student x assignment of the class, as long rows (dicts with CSV_COLUMNS).

    gradebook: an open nbgrader Gradebook; rows: the row record ({(student, assignment): row});
    scores: its :func:`gradebook_scores` when the caller has them already.
    Returns (students, assignments, {(student, assignment): row}, {student: names}).
    """
    scores = gradebook_scores(gradebook) if scores is None else scores
    people = {s.id: {"first_name": s.first_name or "", "last_name": s.last_name or "", "email": s.email or ""}
              for s in gradebook.students}
    maxima = {a.name: float(a.max_score) for a in gradebook.assignments}
    all_students = sorted(set(people) | {s for s, _ in rows} | {s for s, _ in scores})
    all_assignments = sorted(set(maxima) | {a for _, a in rows})
    if students:
        all_students = [s for s in all_students if s in set(map(str, students))]
    if assignments:
        all_assignments = [a for a in all_assignments if a in set(map(str, assignments))]
    auto_max = {a: r["auto_max_score"] for (_, a), r in rows.items() if r.get("auto_max_score") not in ("", None)}
    table = {}
    for s in all_students:
        people.setdefault(s, {"first_name": "", "last_name": "", "email": ""})
        for a in all_assignments:
            row = dict(rows.get((s, a)) or {})
            gb = scores.get((s, a))
            if not row:
                row = {"student": s, "assignment": a, "status": config.GRADED if gb else config.MISSING,
                       "detail": "" if gb else "no submission", "max_score": maxima.get(a, "")}
            row = {k: row.get(k, "") for k in CSV_COLUMNS}
            if row["status"] in config.NO_SCORE:
                row["score"] = row["auto_score"] = row["manual_pending"] = ""  # never a silent zero
            elif gb:
                row.update(score=gb["score"], max_score=gb["max_score"], manual_pending=gb["manual_pending"])
            if a in maxima:
                row["max_score"] = maxima[a]
            if row["auto_max_score"] in ("", None):
                row["auto_max_score"] = auto_max.get(a, "")
            for k in NUMBERS:
                row[k] = plain_number(row[k])
            table[(s, a)] = row
    return all_students, all_assignments, table, people


# ------------------------------------------------------------------------------- writing
def _score_columns(assignments):
    return [c for a in assignments for c in (a, f"{a} status")]


def _scores(table, student, assignments):
    """One student's score and status cells, keyed by _score_columns."""
    cells = {}
    for a in assignments:
        cells[a], cells[f"{a} status"] = table[(student, a)]["score"], table[(student, a)]["status"]
    return cells


def _long(students, assignments, table, people):
    return CSV_COLUMNS, [table[(s, a)] for s in students for a in assignments]


def _wide(students, assignments, table, people):
    out = []
    for s in students:
        row = {"student": s, **_scores(table, s, assignments)}
        got = [float(row[a]) for a in assignments if row[a] != ""]
        row["total"] = plain_number(sum(got)) if got else ""
        row["max_total"] = plain_number(sum(float(table[(s, a)]["max_score"] or 0) for a in assignments))
        out.append(row)
    return ["student", *_score_columns(assignments), "total", "max_total"], out


def _canvas(students, assignments, table, people, id_column="SIS Login ID"):
    if id_column not in CANVAS_ID_COLUMNS:
        raise SystemExit(f"--id-column must be one of {', '.join(CANVAS_ID_COLUMNS)}, not {id_column!r}")
    out = [{"Student": "Points Possible"}]
    for a in assignments:
        out[0][a] = plain_number(next((table[(s, a)]["max_score"] for s in students), ""))
    for s in students:
        p = people[s]
        name = f"{p['last_name']}, {p['first_name']}" if p["last_name"] and p["first_name"] else s
        out.append({"Student": name, id_column: s, **_scores(table, s, assignments)})
    return ["Student", *CANVAS_ID_COLUMNS, "Section", *_score_columns(assignments)], out


def _moodle(students, assignments, table, people):
    out = [{"Username": s, "First name": people[s]["first_name"], "Last name": people[s]["last_name"],
            "Email address": people[s]["email"], **_scores(table, s, assignments)} for s in students]
    return ["Username", "First name", "Last name", "Email address", *_score_columns(assignments)], out


LAYOUTS = {"long": _long, "wide": _wide, "canvas": _canvas, "moodle": _moodle}


def render(fmt, table, **options):
    """The CSV text of one export format of a :func:`class_table` (``options``: canvas's ``id_column``)."""
    header, out = LAYOUTS[fmt](*table, **options)
    return csv_text(header, out, lineterminator="\n")


def write_export(out_dir, fmt, to=None, gradebook=None, students=(), assignments=(), **options):
    """Write DIR/grades-<fmt>.csv (or ``to``); returns its path."""
    out_dir = Path(out_dir).resolve()
    if gradebook is None:
        with _open(out_dir) as gb:
            return write_export(out_dir, fmt, to, gb, students, assignments, **options)
    dest = Path(to) if to else out_dir / f"grades-{fmt}.csv"
    table = class_table(gradebook, record.load(out_dir)["rows"], students, assignments)
    write_atomic(dest, render(fmt, table, **options))
    return dest


def write_all(out_dir, rows=None, scores=None):
    """Rewrite every export and the feedback zips of DIR (called after every grading run with the
    record's ``rows`` and the gradebook's ``scores`` it has read; read here when not given)."""
    from .formgrader import CONFIG_NAME, course_config

    out_dir = Path(out_dir).resolve()
    with _open(out_dir) as gb:  # the whole class: one table for every format
        table = class_table(gb, record.load(out_dir)["rows"] if rows is None else rows, scores=scores)
    for fmt in FORMATS:
        write_atomic(out_dir / f"grades-{fmt}.csv", render(fmt, table))
    if not (out_dir / CONFIG_NAME).is_file():  # so nbgrader commands run in DIR see this gradebook
        course_config(out_dir)
    stage_exchange_feedback(out_dir)
    write_feedback_zips(out_dir)


# ------------------------------------------------------------------- nbgrader export plugins
class _Export(ExportPlugin):
    """`nbgrader export --exporter autograder.exports.<Format>Export`: the file our `export` writes.

    Without ``--to`` the file goes where ``python -m autograder export`` puts it,
    ``DIR/grades-<format>.csv`` beside the gradebook (nbgrader's own default is ./grades.csv).
    """

    def export(self, gradebook):
        options = {"id_column": self.id_column} if self.format == "canvas" else {}
        dest = write_export(out_dir_of(gradebook), self.format, to=self.to or None, gradebook=gradebook,
                            students=self.student, assignments=self.assignment, **options)
        self.log.info("Exported %s grades to %s", self.format, dest)


class LongExport(_Export):
    format = "long"


class WideExport(_Export):
    format = "wide"


class CanvasExport(_Export):
    format = "canvas"
    id_column = Unicode("SIS Login ID", help="Canvas column that holds the student folder names: "
                        + ", ".join(CANVAS_ID_COLUMNS)).tag(config=True)


class MoodleExport(_Export):
    format = "moodle"


# ------------------------------------------------------------------------- feedback zips
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")
EXCHANGE_FEEDBACK = "exchange_feedback"  # DIR/nbgrader_config.py's feedback_directory


def stage_exchange_feedback(out_dir):
    """For submissions `nbgrader collect` put in DIR/submitted/<student>/<assignment>/, put our feedback
    page with nbgrader's timestamp.txt and submission_secret.txt in DIR/exchange_feedback/<student>/<assignment>/,
    where `nbgrader release_feedback` (run in DIR) picks them up.

    A folder of its own: release_feedback stops at the first page without those two files, and
    the pages of other students (missing, not collected) have none.
    """
    out_dir = Path(out_dir).resolve()
    for folder in sorted((out_dir / "submitted").glob("*/*")):
        student, assignment = folder.parent.name, folder.name
        page = out_dir / "feedback" / student / assignment / f"{assignment}.html"
        files = [folder / n for n in EXCHANGE_FILES]
        if folder.is_symlink() or not page.is_file() or not all(f.is_file() and not f.is_symlink() for f in files):
            continue
        dest = out_dir / EXCHANGE_FEEDBACK / student / assignment
        wanted = {f.name: f.read_bytes()[:4096] for f in files}  # a time stamp and 128 hex digits
        wanted[page.name] = page.read_bytes()
        for name, data in wanted.items():
            if not (dest / name).is_file() or (dest / name).read_bytes() != data:
                write_atomic(dest / name, data)


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the same pages give the same zip (and sha256)


def _zip_bytes(student, pages, root):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in pages:
            info = zipfile.ZipInfo(f"{student}/{p.relative_to(root).as_posix()}", _ZIP_TIME)
            info.external_attr = 0o644 << 16
            zf.writestr(info, p.read_bytes(), zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def write_feedback_zips(out_dir):
    """DIR/feedback/<student>.zip (that student's pages, under a folder named for them) and
    DIR/feedback/returned.csv (student, file, assignments, pages, sha256, written_at).

    ``written_at`` (UTC) is when the zip last changed: a re-run that changes nothing for a
    student keeps the zip byte for byte and its time, so the manifest shows what to hand back again.
    """
    out_dir = Path(out_dir).resolve()
    fb = out_dir / "feedback"
    if not fb.is_dir():
        return
    manifest = fb / "returned.csv"
    if manifest.is_dir():
        raise SystemExit(f"{manifest} is a folder (a student named returned.csv?); rename it to write the manifest")
    before = {}
    if manifest.is_file():
        with open(manifest, newline="", encoding="utf-8") as fh:
            before = {r["student"]: r for r in csv.DictReader(fh)}
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    entries = []
    for s in sorted(d.name for d in fb.iterdir() if d.is_dir() and not d.is_symlink()):
        pages = sorted(p for p in (fb / s).glob("*/*.html") if p.is_file() and not p.is_symlink())
        if not pages:
            continue
        if (fb / f"{s}.zip").is_dir():  # a student folder named "<s>.zip": say so, hand back by folder
            print(f"warning: feedback/{s}.zip not written: a student folder has that name", file=sys.stderr)
            continue
        data = _zip_bytes(s, pages, fb / s)
        digest = hashlib.sha256(data).hexdigest()
        dest = fb / f"{s}.zip"
        old = before.get(s)
        unchanged = old and old.get("sha256") == digest and dest.is_file()
        if not unchanged:
            write_atomic(dest, data)
        entries.append({"student": s, "file": dest.relative_to(out_dir).as_posix(),
                        "assignments": ";".join(sorted({p.parent.name for p in pages})),
                        "pages": len(pages), "sha256": digest,
                        "written_at": old["written_at"] if unchanged else now})
    write_atomic(manifest, csv_text(MANIFEST_COLUMNS, entries, lineterminator="\n"))


# ---------------------------------------------------------------------------------- CLI
def export_command(out_dir, fmt, to=None, id_column="SIS Login ID"):
    """`python -m autograder export`: write one format; prints and returns its path."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise SystemExit(f"{out_dir}: not a folder (give the `--out` folder of `python -m autograder grade`)")
    options = {"id_column": id_column} if fmt == "canvas" else {}
    dest = write_export(out_dir, fmt, to=to, **options)
    stage_exchange_feedback(out_dir)  # restores what a forced `nbgrader generate_feedback` removed
    print(dest)
    return dest
