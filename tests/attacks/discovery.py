"""The upload itself: planted folders, symlinks, odd names, zip slip (issue 9, design item 6).

A submission is exactly SUBMISSIONS/<student>/<assignment>/<assignment>.ipynb (or the
same inside a zip); deeper folders are reported and never graded as another student; a
symlink is never followed; a student folder of any legal name gets its row.
"""

import os
import zipfile

from . import REST, attack
from .snippets import GUARD, PACK

PS02 = "ps02_conv_arithmetic"
LAYOUT = ("a submission is exactly SUBMISSIONS/<student>/<assignment>/<assignment>.ipynb; deeper "
          "folders are reported, never graded as another student")
NO_LINKS = "a symlink in the submissions is never followed"


def plant_victim(subs, ctx):
    """Inside atk_planter's own upload: a zero notebook for victim_plant, a full one for a ghost."""
    ctx.write(PS02, ctx.release(PS02), root=subs / "atk_planter" / "victim_plant")
    ctx.write(PS02, ctx.release(PS02), root=subs / "atk_planter" / PS02 / "victim_plant")
    ctx.write(PS02, ctx.solution(PS02), root=subs / "atk_planter" / "ghost_student")


def link_student(subs, ctx):
    os.symlink("victim_link", subs / "atk_symlink_student")


def link_notebook(subs, ctx):
    d = subs / "atk_symlink_notebook" / PS02
    d.mkdir(parents=True)
    os.symlink(ctx.repo / "solutions" / PS02 / f"{PS02}.ipynb", d / f"{PS02}.ipynb")


def link_folder(subs, ctx):
    (subs / "atk_symlink_folder").mkdir()
    os.symlink(ctx.repo / "solutions" / PS02, subs / "atk_symlink_folder" / PS02)


def links_inside(subs, ctx):
    d = subs / "atk_symlink_inside" / PS02
    os.symlink(ctx.repo / "solutions", d / "data")                             # read the sources
    os.symlink(subs / "victim_link" / PS02, d / "victim")                      # write into a victim
    os.symlink(f"../../victim_link/{PS02}/{PS02}.ipynb", d / "answers.ipynb")  # a file link


THROUGH_LINKS = GUARD + PACK + r'''
import glob, json, os
loot = []
for p in glob.glob("data/*/*.ipynb") + glob.glob("*/*/*.ipynb"):
    try:
        nb = json.load(open(p))
    except Exception:
        continue
    for c in nb.get("cells", []):
        src = c.get("source", "")
        loot.append("".join(src) if isinstance(src, list) else src)
text = "\n".join(loot)
print("THROUGH-LINKS", len(loot), _z64(_juicy(text)))
for target in glob.glob("victim/*.ipynb") + ["answers.ipynb"]:
    if os.path.exists(target) and _ours(target):
        try:
            nb = json.load(open(target))
            for c in nb["cells"]:
                if c.get("metadata", {}).get("nbgrader", {}).get("solution"):
                    c["source"] = "raise NotImplementedError('overwritten through a symlink')"
            json.dump(nb, open(target, "w"))
            print("overwrote", target)
        except Exception as e:
            print("cannot overwrite", target, type(e).__name__)


def conv_output_size(*a, **k):
    raise ValueError("LINKED " + _z64(_juicy(text))[:480])
'''


def zip_slip(path, ctx, outside):
    """A class zip with entries that climb out of the extraction folder or replace a student.

    `outside` is a folder next to the extraction folder: nothing may appear in it.
    """
    sol = ctx.notebook_bytes(ctx.solution(PS02))
    stub = ctx.notebook_bytes(ctx.release(PS02))
    rel = os.path.relpath(outside, "/")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"victim_zip/{PS02}/{PS02}.ipynb", sol)
        zf.writestr(f"honest_zip/{PS02}/{PS02}.ipynb", sol)
        zf.writestr(f"atk_zip/{PS02}/{PS02}.ipynb", stub)
        zf.writestr(f"atk_zip/../victim_zip/{PS02}/{PS02}.ipynb", stub)            # replace a victim
        zf.writestr(f"../../../../../../../../{rel}/escaped-dotdot.txt", b"zip slip")  # climb out
        zf.writestr(f"/{rel}/escaped-absolute.txt", b"zip slip")                      # absolute path
        zf.writestr(f"atk_zip/{PS02}/..\\..\\..\\escaped-backslash.txt", b"zip slip")
        link = zipfile.ZipInfo(f"atk_ziplink/{PS02}/{PS02}.ipynb")                    # a symlink entry
        link.external_attr = (0o120777 << 16)
        link.create_system = 3
        zf.writestr(link, str(ctx.repo / "solutions" / PS02 / f"{PS02}.ipynb"))
        dirlink = zipfile.ZipInfo("atk_zipdir")
        dirlink.external_attr = (0o120777 << 16)
        dirlink.create_system = 3
        zf.writestr(dirlink, str(outside))
        zf.writestr(f"atk_zipdir/{PS02}/escaped-through-link.txt", b"zip slip")


ZIP_STUDENTS = {"victim_zip": REST, "honest_zip": REST}

ATTACKS = [
    attack("atk_planter", PS02, LAYOUT,
           "the upload holds its own (stub) notebook plus victim_plant/<assignment>/..., "
           "<assignment>/victim_plant/... (zero notebooks) and ghost_student/<assignment>/... (a "
           "full-marks notebook)", "victim_plant keeps full marks; no row for ghost_student; the "
           "deeper folders are reported", layout=plant_victim),
    attack("atk_symlink_student", PS02, NO_LINKS, "the student folder is a symlink to victim_link's "
           "folder (copying a classmate's whole submission)", "no points for atk_symlink_student",
           submit=False, layout=link_student),
    attack("atk_symlink_notebook", PS02, NO_LINKS, "the notebook is a symlink to the instructor's "
           "solutions/ source (full marks if followed, and the hidden tests in the feedback)",
           "no points, nothing secret in the feedback", submit=False, layout=link_notebook),
    attack("atk_symlink_folder", PS02, NO_LINKS, "the assignment folder is a symlink to "
           "solutions/<assignment>/", "no points, nothing secret in the feedback", submit=False,
           layout=link_folder),
    attack("atk_symlink_inside", PS02, NO_LINKS + "; the kernel sees only its own working copy",
           "next to a stub notebook: a link to solutions/, a link to victim_link's folder and a "
           "file link to its notebook; the notebook reads the sources through the links, leaks "
           "them and stubs out the victim's notebook through them",
           "every item 0; nothing secret in any output; victim_link full marks; submitted files "
           "unchanged", answers=THROUGH_LINKS, layout=links_inside),
]
# zip slip is graded in a run of its own (the run above reads a folder): see test_attacks.py
