"""Honest students, victims and honest mistakes (issue 9: "Honest students are hurt too").

Every entry here must keep the points of its honest items: the solutions full marks, the
victims of the sabotage attacks full marks, and the honest mistakes the points of every
item the mistake does not touch.
"""

import copy

from . import ALL, REST, attack

PS02, PS03 = "ps02_conv_arithmetic", "ps03_pooling"
FULL = "an honest submission graded next to the attackers keeps every point"
ODD = ("a student folder of any legal name gets its row (no option injection, no clash with the "
       "grader's own files, no SQL/CSV breakage)")


def duplicate_visible_tests(nb, ctx):
    """Copy-paste two visible test cells (Jupyter keeps their metadata), one of them edited."""
    out = []
    for c in nb.cells:
        out.append(c)
        gid = c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in ("ps02_pad2d_tests", "ps02_conv2d_tests"):
            dup = copy.deepcopy(c)
            if gid == "ps02_conv2d_tests":
                dup.source = "# my copy, to debug\n" + dup.source
            out.append(dup)
    nb.cells = out
    return nb


def exit_in_answer(solution):
    return solution + "\n\nexit()   # left over from trying things in a console"


ATTACKS = [
    attack("honest_ps02", PS02, FULL, "the solution notebook", "full marks", base="solution",
           targets=(), honest=REST, status="graded"),
    attack("honest_ps03", PS03, FULL, "the solution notebook", "full marks", base="solution",
           targets=(), honest=REST, status="graded"),
    attack("victim_both:ps02", PS02, FULL, "the solution, target of the snooping and sabotage attacks",
           "full marks", base="solution", targets=(), honest=REST, student="victim_both", status="graded"),
    attack("victim_both:ps03", PS03, FULL, "the solution, target of the snooping and sabotage attacks",
           "full marks", base="solution", targets=(), honest=REST, student="victim_both", status="graded"),
    attack("victim_link", PS02, FULL, "the solution; atk_symlink_* link to it", "full marks",
           base="solution", targets=(), honest=REST, status="graded"),
    attack("victim_plant", PS02, FULL, "the solution; atk_planter plants a zero notebook in its name",
           "full marks", base="solution", targets=(), honest=REST, status="graded"),
    attack("honest_blank", PS02, "a stub earns nothing (the corpus's zero point is real)",
           "the released notebook, untouched", "every item 0", targets=ALL, status="graded"),
    attack("honest_exit", PS02, "an exit() in an answer cell is an honest mistake: the kernel is "
           "restarted, the rest replayed, every other item graded",
           "the solution with `exit()` at the end of the receptive_field answer cell",
           "every other item full marks (receptive_field itself is not checked)", base="solution",
           cells={"ps02_receptive_field_code": exit_in_answer}, targets=(), honest=REST,
           unchecked=["ps02_receptive_field_tests"]),
    attack("honest_os_exit", PS02, "a cell that kills the kernel is recorded and the rest replayed "
           "without it: every item whose code ran is graded",
           "the solution with an added cell `os._exit(1)` after pad2d", "full marks", base="solution",
           insert=[("ps02_pad2d_code", "import os\nos._exit(1)   # tried to restart the kernel")],
           targets=(), honest=REST),
    attack("honest_endless_loop", PS03, "a cell that never ends is stopped, the rest replayed without "
           "it: every other item graded", "the ps03 solution with an added cell `while True: pass` "
           "after the max-pool answer (a forgotten experiment)", "full marks", base="solution",
           insert=[("ps03_max_pool_code", "n = 0\nwhile True:   # how many iterations per second?\n    n += 1")],
           targets=(), honest=REST),
    attack("honest_dup_tests", PS02, "a duplicated visible test cell is ignored, not an integrity zero",
           "the solution with the pad2d test cell pasted twice and the conv2d test cell pasted "
           "with a comment added", "full marks, status graded", base="solution",
           edit=duplicate_visible_tests, targets=(), honest=REST, status="graded"),
    attack("gradebook.db", PS02, ODD, "a student folder named like the grader's gradebook",
           "full marks, its own row, the gradebook intact", base="solution", targets=(), honest=REST,
           status="graded"),
    attack("--bind", PS02, ODD, "a student folder named like a bubblewrap option",
           "full marks, its own row", base="solution", targets=(), honest=REST, status="graded"),
    attack("o'brien; drop table student;--", PS03, ODD, "quotes, a semicolon and SQL in the name",
           "full marks, its own row", base="solution", targets=(), honest=REST, status="graded"),
]
