"""The record of every graded row of a class, ``DIR/rows.json``: what grades.csv and report.html are made from.

Each ``grade`` run merges the rows it decided into the record, whatever subset it graded (``--student``,
``--assignments``, unchanged submissions skipped), and :func:`regenerate` then rewrites ``grades.csv`` and
``report.html`` from the whole record. A row holds the grades.csv columns and what incremental grading and
the report need::

    key         what it was graded from: {"notebooks": {notebook id: SHA-256 of the submitted
                file, or None}, "source": SHA-256 of the assignment's source folder (notebooks
                and data files), "settings": {timeout, max_restarts, sandboxed}, "notes": [...]}
    failures    {item id: message} of its failed autograded items (for the report and its page)
    notebooks   {notebook id: {status, reason, ran, cell_errors, notes}}: what its feedback page
                shows besides the gradebook's scores (pages are rewritten at every run)
    sandboxed   False if graded with --no-sandbox

The record is replaced atomically (:func:`write_atomic`), so a crash leaves the previous record whole.
The gradebook (``gradebook.db``) stays nbgrader's.
"""

import csv
import hashlib
import io
import json
import os
from pathlib import Path

from .config import NO_SCORE

RECORD = "rows.json"
CSV_COLUMNS = ["student", "assignment", "score", "max_score", "status", "auto_score", "auto_max_score",
               "manual_pending", "seconds", "detail"]
NUMBERS = ("score", "max_score", "auto_score", "auto_max_score")
NO_SANDBOX_WARNING = ("WARNING: --no-sandbox: student code runs as a plain process of this user, with its "
                      "files, processes and network in reach; use it only for notebooks you trust")


def file_hash(path):
    """SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(2**20), b""):
            h.update(block)
    return h.hexdigest()


def folder_hash(files):
    """SHA-256 of ``[(relative name, path), ...]``: names and contents."""
    h = hashlib.sha256()
    for name, path in sorted(files):
        h.update(f"{name}\0{file_hash(path)}\0".encode())
    return h.hexdigest()


def load(out_dir):
    """The record of DIR: ``{"rows": {(student, assignment): row}, "assignments": {id: {source, items}}}``."""
    path = Path(out_dir) / RECORD
    if not path.exists():
        return {"rows": {}, "assignments": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = {(r["student"], r["assignment"]): r for r in data["rows"]}
        return {"rows": rows, "assignments": dict(data["assignments"])}
    except (ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"{path} is damaged ({exc}); move it away and grade again with --force") from None


def save(out_dir, record):
    """Replace DIR/rows.json atomically."""
    rows = [record["rows"][k] for k in sorted(record["rows"])]
    text = json.dumps({"format": 1, "rows": rows, "assignments": record["assignments"]}, indent=1, sort_keys=True)
    write_atomic(Path(out_dir) / RECORD, text)


def regenerate(out_dir):
    """Rewrite DIR/grades.csv, DIR/report.html and the feedback pages from the whole record and the
    gradebook (hand grades given in formgrader since a row was graded included), then the exports and zips."""
    from .exports import gradebook_scores, write_all
    from .feedback import write_report
    from .gradebook import GradebookWriter

    out_dir = Path(out_dir)
    if not (out_dir / "gradebook.db").is_file():  # nothing was ever executed into DIR: an empty gradebook
        writer = GradebookWriter(out_dir / "gradebook.db")
        try:
            writer.commit()
        finally:
            writer.close()
    record = load(out_dir)
    rows = [record["rows"][k] for k in sorted(record["rows"])]
    scores = gradebook_scores(out_dir)
    items = {a: v["items"] for a, v in record["assignments"].items()}
    for i, r in enumerate(rows):
        got = scores.get((r["student"], r["assignment"])) if r["status"] not in NO_SCORE else None
        if got:
            rows[i] = r = dict(r, score=got["score"], max_score=got["max_score"], manual_pending=got["manual_pending"])
        if "notebooks" in r or r["status"] in NO_SCORE:  # a row recorded without what its page needs keeps its page
            _write_page(out_dir, r, items.get(r["assignment"], {}), got and got["items"])
    shown = [dict(r, **{c: plain_number(r.get(c)) for c in NUMBERS}) for r in rows]
    write_atomic(out_dir / "grades.csv", csv_text(CSV_COLUMNS, shown))
    unsandboxed = any(r.get("sandboxed") is False for r in rows)
    write_report(out_dir, rows, items, warning=NO_SANDBOX_WARNING if unsandboxed else None)
    write_all(out_dir, record["rows"], scores)


def _write_page(out_dir, row, items, scores):
    """DIR/feedback/<student>/<assignment>/<assignment>.html, rewritten only when it changes."""
    from .feedback import render_feedback

    page = render_feedback(row, items, scores)
    path = out_dir / "feedback" / row["student"] / row["assignment"] / f"{row['assignment']}.html"
    if not path.is_file() or path.read_text(encoding="utf-8") != page:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")


def csv_text(columns, rows, **options):
    """CSV text of dict ``rows`` under ``columns`` (a missing cell is empty, other keys are ignored)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, restval="", extrasaction="ignore", **options)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def plain_number(v):
    """A score as grades.csv shows it: ``3`` not ``3.0``, empty for no score."""
    if v in ("", None):
        return ""
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:g}"


def write_atomic(path, data):
    """Replace ``path`` by ``data`` (text or bytes), fsynced: a crash leaves the old file or the new."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
