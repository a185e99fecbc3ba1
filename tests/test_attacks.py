"""The attack corpus of issue 9, graded in one real run next to honest students.

`tests/attacks/` holds the submissions (each with the promise it tests); this module builds
one SUBMISSIONS folder from them, runs `python -m autograder grade` once as a subprocess
(module fixture), watches what is left of the run afterwards, and checks every promise:

- every attack on a stub scores 0 on what it targets; honest items keep their points;
- no victim or honest student loses a point; max scores come from the source;
- nothing secret (a hidden-test or solution-only line of solutions/, derived here) appears
  in anything a student sees, after decoding base64/hex/zlib blobs;
- no process of the run is alive 10 s after the grader exits; grades.csv and gradebook.db
  are byte-identical 60 s later; the submitted files are unchanged;
- no student code ran on the trusted side (proof files), outputs stay bounded, the upload
  layout rules hold (planted folders, symlinks, zip slip).

Nothing here is timed: the only clocks are the 10 s / 60 s observation points the issue
names and an overall bound that turns a hung grader into a failure instead of a hung test.
"""

import base64
import binascii
import bz2
import csv
import html
import json
import lzma
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import nbformat
import pytest

import grading_support as gs
from attacks import corpus
from attacks.build import Context, build, is_test, last_years_table, notebook, points_of, snapshot
from attacks.build import targets_and_honest
from attacks.discovery import PS02, ZIP_STUDENTS, zip_slip

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 10            # --timeout (seconds per cell) of the run; the replay attack sleeps 0.8 of it
RUN_BOUND = 600         # a run still going after this is a hung grader (a failure, not a wait)
CORPUS = corpus()
ASSIGNMENTS = sorted({a["assignment"] for a in CORPUS})


# ------------------------------------------------------------------------------ helpers
def require_bubblewrap():
    if not shutil.which("bwrap"):
        pytest.fail("the attack corpus grades in bubblewrap sandboxes: apt-get install bubblewrap")


def run_processes(marker):
    """Live processes of this run: the marker in their name, command line or environment."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
            with open(f"/proc/{d}/comm") as fh:
                comm = fh.read().strip()
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ")
            with open(f"/proc/{d}/environ", "rb") as fh:
                env = fh.read()
        except OSError:
            continue
        if state == "Z":
            continue
        if marker in comm or marker.encode() in cmd or marker.encode() in env:
            found.append((int(d), comm, cmd[:160].decode(errors="replace")))
    return found


def kill_run_processes(marker):
    """SIGKILL what this run left behind (only processes carrying this run's marker)."""
    for _ in range(10):
        left = run_processes(marker)
        if not left:
            return
        for pid, _, _ in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.5)


def grade(subs, out, tmp, log, workers=2):
    """`python -m autograder grade` as a subprocess in its own session; (exit code, hung)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), TMPDIR=str(tmp))
    env.pop("AUTOGRADER_WORK", None)
    cmd = [sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out),
           "--workers", str(workers), "--timeout", str(TIMEOUT)]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            return proc.wait(timeout=RUN_BOUND), False, proc.pid
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            return proc.wait(), True, proc.pid


def read_file(path):
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def copy_results(out, dest):
    dest.mkdir()
    for name in ("grades.csv", "gradebook.db"):
        if (out / name).exists():
            shutil.copy2(out / name, dest / name)
    return dest


def rows_of(folder):
    if not (folder / "grades.csv").exists():
        return {}
    with open(folder / "grades.csv", newline="") as fh:
        return {(r["student"], r["assignment"]): r for r in csv.DictReader(fh)}


def grades_of(folder):
    if not (folder / "gradebook.db").exists():
        return {}
    return gs.gradebook_grades(folder)


def num(v):
    return None if v in (None, "") else float(v)


# --------------------------------------------------------------- secrets and their decoding
def secret_lines():
    out = set()
    for a in ASSIGNMENTS:
        nb = gs.load(REPO / "solutions" / a / f"{a}.ipynb")
        out.update(gs.hidden_lines(nb))
        out.update(gs.solution_lines(nb))
    assert len(out) > 50, "too few secret lines derived from solutions/: the leak check would be empty"
    return sorted(out)


B64 = re.compile(r"[A-Za-z0-9+/]{32,}={0,2}|[A-Za-z0-9_-]{32,}={0,2}")
HEX = re.compile(r"(?:[0-9a-fA-F]{2}){16,}")
LIMIT = 20_000_000


def _unpack(raw):
    """Text of raw bytes, and of what they decompress to (partial streams too: truncated blobs)."""
    out = [raw.decode("utf-8", "replace")]
    for wbits in (15, -15, 31):
        try:
            out.append(zlib.decompressobj(wbits).decompress(raw, LIMIT).decode("utf-8", "replace"))
        except zlib.error:
            pass
    for make in (bz2.BZ2Decompressor, lzma.LZMADecompressor):
        try:
            out.append(make().decompress(raw, LIMIT).decode("utf-8", "replace"))
        except (OSError, EOFError, lzma.LZMAError, ValueError):
            pass
    return [t for t in out if t]


def decoded(text, depth=3):
    """`text` and every text hidden in it as base64/base64url/hex, of zlib/gzip/bz2/xz or plain."""
    found, frontier = [text[:LIMIT]], [text[:LIMIT]]
    for _ in range(depth):
        nxt = []
        for t in frontier:
            for m in B64.finditer(t):
                s = m.group(0).rstrip("=")[:4_000_000]
                s = s[:len(s) - len(s) % 4]
                for dec in (base64.b64decode, base64.urlsafe_b64decode):
                    try:
                        nxt.extend(_unpack(dec(s)))
                    except (binascii.Error, ValueError):
                        pass
            for m in HEX.finditer(t):
                s = m.group(0)[:8_000_000]
                nxt.extend(_unpack(bytes.fromhex(s[:len(s) - len(s) % 2])))
        nxt = [t for t in nxt if len(t) >= 12]
        found += nxt
        frontier = nxt
    return found


def leaked(texts, secrets_, own=""):
    """Secret lines found in any of `texts` (decoded), except lines of the student's own file."""
    hits = set()
    candidates = [s for s in secrets_ if s not in own]
    for text in texts:
        for t in decoded(html.unescape(text)):
            hits.update(s for s in candidates if s in t)
    return sorted(hits)


def strings_in(obj):
    """Every string inside a JSON-like structure (outputs, display data, metadata)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield str(k)
            yield from strings_in(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from strings_in(v)


def executed_notebook(out, student, assignment):
    p = out / "autograded" / student / assignment / f"{assignment}.ipynb"
    if not p.is_file() or p.stat().st_size > 50 * 2**20:
        return None
    try:
        return json.loads(p.read_text(errors="replace"))
    except ValueError:
        return None


def student_outputs(nb):
    """Outputs of the cells a student sees as theirs (everything but the test cells)."""
    texts = []
    for c in nb.get("cells", []):
        if c.get("cell_type") == "code" and not is_test(c):
            texts.extend(strings_in(c.get("outputs", [])))
    return texts


def own_text(subs, student):
    """Everything the student wrote (regular files only: a symlink is not their text)."""
    root = subs / student
    out = []
    if root.is_symlink() or not root.is_dir():
        return ""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames:
            p = Path(dirpath) / name
            if p.is_symlink():
                continue
            text = p.read_text(errors="replace")
            out.append(text)
            try:
                nb = json.loads(text)
                out.extend("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                           for c in nb.get("cells", []))
            except (ValueError, KeyError, TypeError, AttributeError):
                pass
    return "\n".join(out)


# ------------------------------------------------------------------------------ the run
def run_folder():
    """A fresh folder whose path carries the run's marker (see attacks.snippets).

    Made in the system temporary folder and searchable by everyone (0755): the sandboxes
    run as unprivileged users and need to traverse the path to their working folders.
    """
    marker = "atkcorpus" + secrets.token_hex(3)
    base = Path(tempfile.mkdtemp(prefix=marker + "-"))
    base.chmod(0o755)
    return marker, base


def graded_run(grade_it):
    """Yield ``grade_it(marker, base)`` in a fresh run folder; then end the run's processes and
    remove the folder (the set-up and teardown of the module fixtures)."""
    require_bubblewrap()
    marker, base = run_folder()
    try:
        yield grade_it(marker, base)
    finally:
        kill_run_processes(marker)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def run():
    yield from graded_run(_run)


def _run(marker, base):
    subs, out, tmp, proof = base / "SUBMISSIONS", base / "OUT", base / "tmp", base / "proof"
    tmp.mkdir()
    table, n = last_years_table()
    assert n >= 5, "the conv2d tests made too few calls to build last year's table"
    # a host process the grader must never signal (atk_forged_sandbox_info names it)
    sacrifice = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1800)", marker + "-sacrifice"],
                                 start_new_session=True, stdin=subprocess.DEVNULL)
    try:
        return _graded(marker, base, subs, out, tmp, proof, table, sacrifice)
    finally:
        sacrifice.kill()
        sacrifice.wait()


def _graded(marker, base, subs, out, tmp, proof, table, sacrifice):
    values = {"@MARKER@": marker, "@PROOF@": str(proof), "@SUBS@": str(subs), "@OUT@": str(out),
              "@BASE@": str(base), "@TIMEOUT@": str(TIMEOUT), "@TABLE@": table,
              "@SACRIFICE@": str(sacrifice.pid)}
    ctx = Context(subs, values)
    build(CORPUS, subs, ctx)
    before = snapshot(subs)
    solutions_before = snapshot(REPO / "solutions")
    code, hung, pid = grade(subs, out, tmp, base / "grader.log")
    # what is left of the run: processes 10 s after the grader, the grades 60 s after
    snap0 = copy_results(out, base / "at-exit")
    exit_time = time.monotonic()
    time.sleep(10)
    alive = [p for p in run_processes(marker) if p[0] != sacrifice.pid]
    sacrifice_alive = sacrifice.poll() is None
    time.sleep(max(0.0, exit_time + 60 - time.monotonic()))
    later = {name: read_file(out / name) for name in ("grades.csv", "gradebook.db")}
    kill_run_processes(marker)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    return dict(marker=marker, base=base, subs=subs, out=out, proof=proof, code=code, hung=hung,
                sacrifice_alive=sacrifice_alive, tmp_left=sum(p.stat().st_size for p in tmp.rglob("*")
                                                              if p.is_file() and not p.is_symlink()),
                log=(base / "grader.log").read_text(errors="replace"), snap0=snap0, alive=alive,
                later=later, before=before, after=snapshot(subs), solutions_before=solutions_before,
                solutions_after=snapshot(REPO / "solutions"), rows=rows_of(snap0), grades=grades_of(snap0))


def _problems(found):
    assert not found, f"{len(found)} problem(s):\n" + "\n".join(found)


# -------------------------------------------------------------------------------- tests
def test_the_corpus_covers_the_issue():
    attacks = [a for a in CORPUS if a["name"].startswith("atk_")]
    assert len(attacks) >= 30, len(attacks)
    for a in CORPUS:
        assert a["promise"] and a["attack"] and a["expect"], a["name"]
    # every entry builds into a notebook (the placeholders are filled in the real run)
    ctx = Context(Path("/nonexistent"), {})
    for a in CORPUS:
        if a["submit"]:
            nb = notebook(a, ctx)
            assert any(is_test(c) for c in nb.cells) or a["edit"] is not None, a["name"]


def test_the_leak_and_survivor_checks_can_fail():
    """The checks below are only as good as their decoding and their process scan."""
    secret = ["expected = cb.conv2d(x, w, b, **kw)", "mistakes = {FLIP: cb.conv2d(x, w[..., ::-1, ::-1], b, **kw)}"]
    blob = "\n".join(secret).encode()
    z64 = base64.b64encode(zlib.compress(blob, 9)).decode()
    for page in [f"<pre>ValueError: L0 {z64}</pre>", f"raised KeyError: {zlib.compress(blob).hex()}",
                 f"{base64.urlsafe_b64encode(blob).decode()}", html.escape(secret[1]),
                 f"truncated: {z64[:len(z64) * 3 // 4]}"]:
        assert leaked([page], secret), page
    assert leaked(["nothing here"], secret) == []
    assert leaked([secret[0]], secret, own=secret[0]) == []      # the student's own text
    marker, base = run_folder()
    try:
        p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
        try:
            assert [pid for pid, _, _ in run_processes(marker)] == [p.pid]
        finally:
            p.kill()
            p.wait()
        assert run_processes(marker) == []
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_the_run_completed(run):
    assert not run["hung"], (f"the grader was still running after {RUN_BOUND} s and was killed "
                             f"(a frozen or exhausted grader); its log ends with:\n{run['log'][-3000:]}")
    assert run["code"] in (0, 1), f"exit code {run['code']}; log:\n{run['log'][-3000:]}"
    assert run["rows"], "no grades.csv after the run; log:\n" + run["log"][-3000:]
    assert run["grades"], "no gradebook.db after the run"


def test_every_submission_has_its_row(run):
    missing = [f"{a['student']} / {a['assignment']}" for a in CORPUS
               if a["submit"] and (a["student"], a["assignment"]) not in run["rows"]]
    _problems(missing)


def test_attacks_score_zero_on_their_targets(run):
    found = []
    for a in CORPUS:
        targets, honest = targets_and_honest(a)
        auto, _ = points_of(a["assignment"])
        for gid in targets:
            got = run["grades"].get((a["student"], a["assignment"], gid))
            if got not in (None, 0, 0.0):
                found.append(f"{a['name']}: {gid} scored {got} ({a['attack'][:90]})")
        row = run["rows"].get((a["student"], a["assignment"]))
        if row and num(row.get("auto_score")) is not None:
            allowed = sum(auto[g] for g in honest) + sum(auto[g] for g in a["unchecked"])
            if num(row["auto_score"]) > allowed + 1e-9:
                found.append(f"{a['name']}: auto_score {row['auto_score']} > {allowed} from its honest items")
    _problems(found)


def test_honest_students_and_honest_parts_keep_every_point(run):
    found = []
    for a in CORPUS:
        _, honest = targets_and_honest(a)
        auto, _ = points_of(a["assignment"])
        for gid in honest:
            got = run["grades"].get((a["student"], a["assignment"], gid))
            if got != auto[gid]:
                found.append(f"{a['name']}: {gid} scored {got}, expected {auto[gid]}")
        row = run["rows"].get((a["student"], a["assignment"]))
        if a["status"] and (row is None or row["status"] != a["status"]):
            found.append(f"{a['name']}: status {row and row['status']}, expected {a['status']}")
    _problems(found)


def test_max_scores_come_from_the_source(run):
    found = []
    for (student, assignment), row in run["rows"].items():
        if assignment not in ASSIGNMENTS:
            found.append(f"{student}: row for unknown assignment {assignment}")
            continue
        auto, manual = points_of(assignment)
        if num(row.get("auto_max_score")) not in (None, sum(auto.values())):
            found.append(f"{student}/{assignment}: auto_max_score {row['auto_max_score']}")
        if num(row.get("max_score")) not in (None, sum(auto.values()) + manual):
            found.append(f"{student}/{assignment}: max_score {row['max_score']}")
    for (student, assignment, gid), score in run["grades"].items():
        if assignment in ASSIGNMENTS and gid not in points_of(assignment)[0]:
            con = sqlite3.connect(run["snap0"] / "gradebook.db")
            manual = [r[0] for r in con.execute("SELECT name FROM base_cell")]
            con.close()
            if gid not in manual:
                found.append(f"{student}/{assignment}: gradebook item {gid} is not in the source")
    _problems(found)


def test_nothing_secret_reaches_a_student(run):
    secret = secret_lines()
    out, subs = run["out"], run["subs"]
    found = []
    students = sorted({a["student"] for a in CORPUS} | {s for s, _ in run["rows"]})
    csv_text = (run["snap0"] / "grades.csv").read_text(errors="replace") if run["rows"] else ""
    for student in students:
        own = own_text(subs, student)
        texts = []
        fb = out / "feedback" / student
        if fb.is_dir() and not fb.is_symlink():
            texts += [p.read_text(errors="replace")[:LIMIT] for p in fb.rglob("*.html")]
        texts += [ln for ln in csv_text.splitlines() if ln.startswith(student)]
        for assignment in ASSIGNMENTS:
            nb = executed_notebook(out, student, assignment)
            if nb is not None:
                texts += student_outputs(nb)
        hits = leaked(texts, secret, own)
        if hits:
            found.append(f"{student}: {len(hits)} secret line(s), e.g. {hits[:3]}")
    report = out / "report.html"
    if report.exists():
        hits = leaked([report.read_text(errors="replace")], secret)
        if hits:
            found.append(f"report.html: {len(hits)} secret line(s), e.g. {hits[:3]}")
    _problems(found)


def test_no_process_of_the_run_survives(run):
    assert not run["alive"], ("processes of the run alive 10 s after the grader exited:\n"
                              + "\n".join(f"pid {p} {c!r}: {cmd}" for p, c, cmd in run["alive"]))


def test_grades_do_not_change_after_the_run(run):
    for name in ("grades.csv", "gradebook.db"):
        assert read_file(run["snap0"] / name) == run["later"][name], f"{name} changed after the grader exited"


def test_submitted_files_and_sources_are_untouched(run):
    changed = sorted(k for k in set(run["before"]) | set(run["after"])
                     if run["before"].get(k) != run["after"].get(k))
    assert not changed, f"submitted files changed by the run: {changed[:10]}"
    assert run["solutions_before"] == run["solutions_after"], "solutions/ changed during the run"


def test_the_grader_never_signals_what_a_sandbox_names(run):
    assert run["sacrifice_alive"], "a host process named by atk_forged_sandbox_info was killed during the run"


def test_no_student_code_ran_on_the_trusted_side(run):
    proofs = sorted(p.name for p in run["proof"].iterdir()) if run["proof"].exists() else []
    assert not proofs, f"student code ran outside its kernel (unpickled or called by the grader): {proofs}"


def test_probes_report_nothing_reachable(run):
    found = []
    for a in CORPUS:
        if not (a["must_print"] or a["must_not_print"]):
            continue
        nb = executed_notebook(run["out"], a["student"], a["assignment"])
        if nb is None:
            found.append(f"{a['name']}: no executed notebook to read the probe's output from")
            continue
        text = "\n".join(student_outputs(nb))
        found += [f"{a['name']}: never printed {s!r}" for s in a["must_print"] if s not in text]
        found += [f"{a['name']}: {ln.strip()[:200]}" for s in a["must_not_print"]
                  for ln in text.splitlines() if s in ln]
    _problems(found)


def test_outputs_stay_bounded(run):
    found = []
    out = run["out"]
    for p in (out / "autograded").rglob("*.ipynb") if (out / "autograded").is_dir() else []:
        if p.stat().st_size > 10 * 2**20:
            found.append(f"{p.relative_to(out)}: {p.stat().st_size >> 20} MB")
    for p in (out / "feedback").rglob("*.html") if (out / "feedback").is_dir() else []:
        if p.stat().st_size > 2 * 2**20:
            found.append(f"{p.relative_to(out)}: {p.stat().st_size >> 10} KB")
    if run["tmp_left"] > 100 * 2**20:
        found.append(f"the sandboxes' folders still hold {run['tmp_left'] >> 20} MB after the run")
    for dirpath, _, filenames in os.walk(run["base"], followlinks=False):
        for name in filenames:
            p = Path(dirpath) / name
            if not p.is_symlink() and p.stat().st_size > 100 * 2**20:
                found.append(f"left on disk: {p.relative_to(run['base'])} ({p.stat().st_size >> 20} MB)")
    _problems(found)


def test_feedback_escapes_the_students_markup(run):
    found = []
    pages = list((run["out"] / "feedback").rglob("*.html")) + [run["out"] / "report.html"]
    for p in pages:
        if p.is_file():
            raw = p.read_text(errors="replace")
            for needle in ('<script>alert("atk-xss")', "<img src=x", '<a href="javascript:'):
                if needle in raw:
                    found.append(f"{p.relative_to(run['out'])}: raw {needle!r}")
    _problems(found)


def test_planted_folders_are_reported_not_graded(run):
    rows = run["rows"]
    assert not any(s == "ghost_student" for s, _ in rows), "a folder inside atk_planter became a student"
    reported = "\n".join([run["log"], (run["snap0"] / "grades.csv").read_text(errors="replace")]
                         + [p.read_text(errors="replace") for p in [run["out"] / "report.html"]
                            + list((run["out"] / "feedback" / "atk_planter").rglob("*.html"))
                            if p.is_file()])
    for planted in ("victim_plant", "ghost_student"):
        assert any("atk_planter" in ln and planted in ln for ln in reported.splitlines()), \
            f"atk_planter's planted folder {planted}/ is not reported"


def test_symlinks_are_never_followed(run):
    found = []
    for student in ("atk_symlink_student", "atk_symlink_notebook", "atk_symlink_folder"):
        for (s, a), row in run["rows"].items():
            if s == student and (num(row.get("auto_score")) or 0) > 0:
                found.append(f"{student}: {row['auto_score']} points through a symlink")
        for (s, a, gid), score in run["grades"].items():
            if s == student and score:
                found.append(f"{student}: {gid} scored {score} through a symlink")
    _problems(found)


# ------------------------------------------------------------------------ zip slip (own run)
@pytest.fixture(scope="module")
def zip_run():
    yield from graded_run(_zip_run)


def _zip_run(marker, base):
    outside, tmp = base / "outside", base / "tmp"
    outside.mkdir()
    tmp.mkdir()
    ctx = Context(base / "unused", {})
    zpath = base / "class.zip"
    zip_slip(zpath, ctx, outside)
    code, hung, pid = grade(zpath, base / "OUT", tmp, base / "grader.log", workers=2)
    kill_run_processes(marker)
    return dict(base=base, outside=outside, code=code, hung=hung, out=base / "OUT",
                log=(base / "grader.log").read_text(errors="replace"), rows=rows_of(base / "OUT"),
                grades=grades_of(base / "OUT"))


def test_zip_slip_writes_nothing_outside_and_replaces_nobody(zip_run):
    assert not zip_run["hung"], "the grader hung on the zip"
    escaped = sorted(str(p.relative_to(zip_run["outside"])) for p in zip_run["outside"].rglob("*"))
    assert not escaped, f"zip entries were written outside the extraction folder: {escaped}"
    rows, grades = zip_run["rows"], zip_run["grades"]
    if not rows:      # refusing the whole zip is allowed, with an error that names the bad entry
        assert zip_run["code"] != 0 and ".." in zip_run["log"], zip_run["log"][-2000:]
        return
    auto, _ = points_of(PS02)
    for student in ZIP_STUDENTS:
        for gid, pts in auto.items():
            assert grades.get((student, PS02, gid)) == pts, (student, gid, grades.get((student, PS02, gid)))
    for (s, a, gid), score in grades.items():
        assert not (s.startswith("atk_") and score), f"{s}: {gid} scored {score} from the zip"
    assert not [s for s, _ in rows if "escaped" in s or s.startswith((".", "/"))], sorted(rows)
