"""Feedback pages for students and the class report for instructors.

A student's feedback shows, per graded item, the points and, for a failed test, the message the grader
composed (the checker's diagnostic, or the student's own exception type with at most 500 characters of its
message). Test cells run in the grader's process and their outputs hold only what the grader wrote there,
so there is nothing to clean: no hidden-test source or traceback ever reaches them. The visible part of
each test (what the student already has) is shown for context.
"""

import html
import re
from collections import Counter

from . import config
from .notebooks import grade_id, is_autograded_test, is_grade


def items_of(master, visible):
    """Ordered graded items of one notebook: dicts gid, kind (auto|manual), points, visible.

    visible: {grade id: released source}; an autograded test's is shown with its failures.
    """
    return [{"gid": grade_id(c), "kind": "auto" if is_autograded_test(c) else "manual",
             "points": float(c.metadata.nbgrader.get("points", 0)),
             "visible": visible.get(grade_id(c), "") if is_autograded_test(c) else ""}
            for c in master.cells if is_grade(c)]


def failure_message(cell):
    """The student-facing message of a failed test cell ('' if it passed)."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not errors:
        return ""
    ename, evalue = str(errors[-1].get("ename", "")), str(errors[-1].get("evalue", ""))
    if ename in ("CellTimeoutError", "DeadKernelError", "NotExecuted"):
        return evalue
    if not evalue:
        return "AssertionError: a test failed (see the test's visible part)" if ename == "AssertionError" else ename
    return f"{ename}: {evalue}"


def mistake_hints(message):
    return re.findall(r"common mistake: ([^\n]+?)(?:\.?$|\.\s)", message or "")


CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
.ok{color:#17692d}.bad{color:#a4161a}.pending{color:#7a5a00}pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
.msg{background:#fff4f4;border-left:4px solid #a4161a}.note{background:#fffbe6;border-left:4px solid #c9a100;padding:.4rem .6rem}"""


def _fmt(x):
    return "" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))


def render_feedback(row, assignment_items, scores):
    """HTML feedback for one student × assignment.

    row: a record row (student, assignment, status, detail, auto_score, failures {gid: message},
    notebooks {notebook: status, reason, ran, cell_errors, notes}); assignment_items:
    {notebook: items}; scores: the gradebook's scores of the submission's items (or None).
    """
    e = html.escape
    student, assignment = row["student"], row["assignment"]
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(assignment)} feedback: {e(student)}"
             f"</title><style>{CSS}</style></head><body>",
             f"<h1>{e(assignment)}: feedback for {e(student)}</h1>"]
    status = row["status"]
    if status in config.NO_SCORE:
        explain = {config.MISSING: "No submission was found for this assignment.",
                   config.INVALID: "Your submission could not be read as a Jupyter notebook, so it was not graded "
                                   "(it does not count as zero: contact your instructor).",
                   config.ERROR: "The grader failed on your submission (not your fault); it will be graded again."}
        why = row.get("detail") if status != config.ERROR else ""  # a grader error's text is the grader's business
        parts.append(f"<p class='note'>{e(explain[status])}" + (f"<br>Why: {e(why)}" if why else "") + "</p></body></html>")
        return "".join(parts)
    parts.append(f"<p><b>Autograded score: {_fmt(row.get('auto_score'))} / {_fmt(row.get('auto_max_score'))}</b>"
                 f" &nbsp; (status: {e(status)})</p>")
    if row.get("detail"):
        parts.append(f"<p class='note'>Notes from the grader: {e(row['detail'])}</p>")
    if row.get("manual_pending"):
        parts.append(f"<p class='pending'>{row['manual_pending']} written answer(s) will be graded by hand.</p>")
    if status == config.TIMEOUT:
        parts.append("<p class='note'>Some cells did not finish within the time limit and were stopped; "
                     "the rest of the notebook was graded.</p>")
    if status == config.KERNEL_DIED:
        parts.append("<p class='note'>The Python kernel died while running your notebook (for example "
                     "<code>os._exit</code> or running out of memory); it was restarted and the rest graded.</p>")
    notebooks = row.get("notebooks", {})
    for notebook, res in notebooks.items():
        if len(notebooks) > 1:
            parts.append(f"<h2>{e(notebook)}.ipynb</h2>")
        if res.get("status") == config.MISSING:
            parts.append("<p class='note'>This notebook was not submitted: its items score 0.</p>")
        if res.get("status") == config.INVALID:
            parts.append(f"<p class='note'>This notebook could not be read: {e(res.get('reason', ''))}</p>")
        if res.get("cell_errors"):
            parts.append("<div class='note'>Errors in your cells while grading:<ul>" + "".join(
                f"<li>{e(c['cell'])}: {e(c['ename'])}: {e(c['evalue'])}</li>" for c in res["cell_errors"])
                + "</ul></div>")
        if res.get("notes"):
            parts.append("<div class='note'>Restored before grading:<ul>" +
                         "".join(f"<li>{e(n)}</li>" for n in res["notes"]) + "</ul></div>")
        parts.append("<table><tr><th>item</th><th>points</th><th>result</th></tr>")
        details = []
        for it in assignment_items.get(notebook, []):
            gid = it["gid"]
            sc = (scores or {}).get(gid, {})
            if it["kind"] == "manual":
                got = sc.get("manual_score")
                result = "graded by hand" if got is not None else "to be graded by hand"
                if sc.get("auto_score") == 0 and got is None:
                    result = "no answer given"
                if sc.get("comment"):
                    result += f": {sc['comment']}"
                parts.append(f"<tr><td>{e(gid)}</td><td>{_fmt(got) if got is not None else '–'} / "
                             f"{_fmt(it['points'])}</td><td class='pending'>{e(result)}</td></tr>")
                continue
            score = sc.get("score")
            msg = row.get("failures", {}).get(gid, "") if res.get("ran") else "not run"
            ok = score is not None and score >= it["points"] and not msg
            parts.append(f"<tr><td>{e(gid)}</td><td>{_fmt(score if score is not None else 0.0)} / "
                         f"{_fmt(it['points'])}</td><td class='{'ok' if ok else 'bad'}'>"
                         f"{'passed' if ok else 'failed'}</td></tr>")
            if not ok:
                details.append(f"<h3>{e(gid)}</h3><pre class='msg'>{e(msg or 'failed')}</pre>"
                               + (f"<details><summary>visible part of this test</summary><pre>{e(it['visible'])}"
                                  "</pre></details>" if it["visible"].strip() else ""))
        parts.append("</table>")
        parts.extend(details)
    parts.append("</body></html>")
    return "".join(parts)


# ---------------------------------------------------------------------------------- report
def _normalise(msg):
    m = re.sub(r"(?<![\w.])[-+]?\d+(\.\d+)?(e[-+]?\d+)?(?![\w.])", "#", msg.split("\n")[0])
    m = re.sub(r"array\([^)]*\) \w+", "array", m)
    return m[:160]


def not_attempted(message):
    """A test that failed because the answer cell still raises the release's NotImplementedError."""
    return (message or "").startswith("NotImplementedError")


def _bar(fraction, color):
    return (f"<span style='display:inline-block;width:{12 * fraction:.2f}rem;height:.8rem;"
            f"background:{color}'></span>")


def write_report(out_dir, rows, items_by_assignment, warning=None):
    """report.html: per assignment the score distribution, the failure rate of every test item,
    how many did not attempt it (NotImplementedError, its own column) and the most common diagnostics
    of the others (the class's misconceptions), as plain HTML bars.

    rows: the record's rows (grades.csv columns and ``failures``, {gid: message}).
    """
    e = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Grading report</title>"
             f"<style>{CSS}</style></head><body><h1>Grading report</h1>"]
    if warning:
        parts.append(f"<p class='note'><b>{e(warning)}</b></p>")
    counts = Counter(r["status"] for r in rows)
    parts.append("<p>" + ", ".join(f"{e(s)}: {counts[s]}" for s in config.STATUSES if counts[s]) + "</p>")
    for a in sorted({r["assignment"] for r in rows}):
        rs = [r for r in rows if r["assignment"] == a and r["auto_score"] not in ("", None)]
        scores = Counter(float(r["auto_score"]) for r in rs)
        mx = _fmt(next((r["auto_max_score"] for r in rows if r["assignment"] == a), ""))
        mean = f"mean {sum(s * n for s, n in scores.items()) / len(rs):.2f} / {mx}" if rs else "nothing graded"
        parts.append(f"<h2>{e(a)}</h2><p>{len(rs)} graded, {mean}; " + ", ".join(
            f"{e(k)} {v}" for k, v in sorted(Counter(r['status'] for r in rows if r['assignment'] == a).items()))
            + "</p><table><tr><th>autograded score</th><th>students</th></tr>" + "".join(
            f"<tr><td>{_fmt(s)}</td><td>{_bar(n / len(rs), '#3b6ea8')} {n}</td></tr>" for s, n in sorted(scores.items()))
            + "</table><table><tr><th>item</th><th>failed</th><th>not attempted</th>"
              "<th>most common diagnostics</th></tr>")
        for it in [it for its in items_by_assignment.get(a, {}).values() for it in its if it["kind"] == "auto"]:
            everything = [r["failures"][it["gid"]] for r in rows
                          if r["assignment"] == a and it["gid"] in r.get("failures", {})]
            msgs = [m for m in everything if not not_attempted(m)]
            skipped = len(everything) - len(msgs)
            rate = len(msgs) / len(rs) if rs else 0.0
            hints = Counter(h for m in msgs for h in mistake_hints(m))
            generic = Counter(_normalise(m) for m in msgs if not mistake_hints(m))
            common = [f"{e(h)} ({n})" for h, n in hints.most_common(4)] + \
                     [f"<code>{e(m)}</code> ({n})" for m, n in generic.most_common(3)]
            parts.append(f"<tr><td>{e(it['gid'])}</td><td>{_bar(rate, '#a4161a')} {len(msgs)}/{len(rs)} "
                         f"({100 * rate:.0f}%)</td><td>{skipped}</td><td>{'<br>'.join(common)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    (out_dir / "report.html").write_text("".join(parts), encoding="utf-8")
    return out_dir / "report.html"


def failed_items(results, items):
    """{gid: message} of the failed autograded items in one submission's graded notebooks."""
    failures = {}
    for notebook, res in results.items():
        cells = {grade_id(c): c for c in (res.get("nb") or {}).get("cells", []) if grade_id(c)}
        for it in items.get(notebook, []):
            msg = failure_message(cells[it["gid"]]) if it["kind"] == "auto" and it["gid"] in cells else ""
            if msg:
                failures.setdefault(it["gid"], msg)
    return failures

