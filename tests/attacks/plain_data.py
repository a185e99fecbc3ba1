"""What crosses the wire: non-plain answers, recursion bombs, huge and exotic arrays.

Design item 3 of the issue: only plain data comes back (arrays as .npy with
allow_pickle=False, numbers, strings, tuples/lists/dicts of these); anything else is an
error naming the type, for that item only. These notebooks answer the other items
correctly, and those items must keep their full points.
"""

from . import REST, attack
from .forgery import DUNDERS

PS02 = "ps02_conv_arithmetic"
PLAIN = ("only plain data crosses from the kernel; a bad answer fails its own item with an error "
         "naming the type, and the other items are graded normally")
T = {k: f"ps02_{k}_tests" for k in ("output_size", "same_padding", "pad2d", "conv2d", "receptive_field",
                                     "sheet39")}
# ps02's sheet-39-same and sheet-41 answers are ungraded warm-ups now: the attacks on values
# the grader reads all aim at sheet39, the one graded answer given as a value

# wrong values behind lying subclasses of str/int/float/tuple/dict (and Trick objects)
LIARS = DUNDERS.split("def conv_output_size")[0] + r'''


class S(str):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = str.__hash__


class I(int):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = int.__hash__
    def __index__(self): return 0


class F(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __abs__(self): return 0.0
    __hash__ = float.__hash__


class T(tuple):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = tuple.__hash__


class D(dict):
    def __getitem__(self, key): return T((I(0), I(0), I(0)))
    def __eq__(self, other): return True
    def __contains__(self, key): return True


sheet39 = D({k: {"parameters": {S("nonsense")}, "hyperparameters": [S("nothing"), Trick()]}
             for k in ("Conv2d", "MaxPool2d", "Dense", "Dropout")})
'''

RECURSION_RF = r'''
def receptive_field(layers):
    deep = [(1, 1)]
    for _ in range(1_000_000):          # built with a loop: a million levels of nesting
        deep = [deep]
    return deep
'''

RECURSION_39 = r'''
_deep = {}
for _ in range(100_000):
    _deep = {"next": _deep}                      # dicts nested 100,000 deep
_cycle = []
_cycle.append(_cycle)
sheet39 = {}
sheet39["Conv2d"] = sheet39                      # a dict that contains itself
sheet39["MaxPool2d"] = _cycle                    # a list that contains itself
sheet39["Dense"] = (_cycle, _deep)
sheet39["Dropout"] = {"a": sheet39}
'''

HUGE_PAD = r'''
def pad2d(x, padding, mode="zeros"):
    return np.broadcast_to(np.float64(1.0), (2 ** 14, 2 ** 14))     # 2 GB that occupy 8 bytes
'''

HUGE_CONV = r'''
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    return np.lib.stride_tricks.as_strided(np.zeros(1), shape=(2, 2 ** 13, 2 ** 14), strides=(0, 0, 0))
'''

HUGE_RF = r'''
def receptive_field(layers):
    return [(1, 1)] * 20_000_000                  # 20 million references to one tuple
'''

HUGE_39 = r'''
sheet39 = {"Conv2d": "x" * 200_000_000, "MaxPool2d": {}, "Dense": {}, "Dropout": {}}
'''

TRICKS = DUNDERS.split("def conv_output_size")[0]

EXOTIC_SAME = TRICKS + r'''
_same_true = same_padding


def same_padding(n, kernel_size, stride=1, dilation=1):
    before, after = _same_true(n, kernel_size, stride, dilation)
    return np.array((before, after), dtype=[("before", "<i8"), ("after", "<i8")])[()]   # an np.void
'''

EXOTIC_PAD = r'''
_pad2d_true = pad2d


class PickledFloat(float):
    """Right value, but only a pickle can carry it: unpickling runs code on the other side."""
    def __reduce__(self):
        return (exec, (_REDUCE,))


def pad2d(x, padding, mode="zeros"):
    out = _pad2d_true(x, padding, mode)
    return np.array([PickledFloat(v) for v in out.ravel()], dtype=object).reshape(out.shape)
'''

EXOTIC_CONV = r'''
_conv2d_true = conv2d


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    out = _conv2d_true(x, weight, bias, stride, padding, dilation)
    rec = np.zeros(out.shape, dtype=[("value", out.dtype)])
    rec["value"] = out
    return rec                                   # right numbers inside a structured dtype
'''

EXOTIC_RF = r'''
def receptive_field(layers):
    return [Trick() for _ in range(len(layers) + 1)]
'''


def exotic_same_padding(solution):
    return solution + "\n\n" + EXOTIC_SAME


def exotic_pad2d(solution):
    return solution + "\n\n" + EXOTIC_PAD


def exotic_conv2d(solution):
    """The solution's conv2d on the true helpers (the module-level ones are the attacked ones)."""
    real = solution.replace("same_padding(", "_same_true(").replace("pad2d(", "_pad2d_true(")
    return real + "\n\n" + EXOTIC_CONV


LAZY_RF = r'''
import itertools


def receptive_field(layers):
    return itertools.count()                     # an iterator that never ends
'''

LAZY_39 = r'''
sheet39 = {k: range(10 ** 15) for k in ("Conv2d", "MaxPool2d", "Dense", "Dropout")}
'''

RAISE_EXIT = r'''
def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    raise SystemExit(0)                           # inside a call the grader makes
'''

RAISE_INTERRUPT = r'''
def receptive_field(layers):
    raise KeyboardInterrupt
'''

RAISE_ON_READ = r'''
class Boom(dict):
    def keys(self): raise GeneratorExit
    def items(self): raise SystemExit(3)
    def __iter__(self): raise KeyboardInterrupt
    def __len__(self): raise SystemExit(4)


sheet39 = Boom(Conv2d={"parameters": set(), "hyperparameters": set()})
'''

ATTACKS = [
    attack("atk_nonplain_values", PS02, PLAIN,
           "the sheet answers are wrong values behind subclasses of str/int/float/tuple/dict whose "
           "__eq__ is always true, and Trick objects (proof file if run outside the kernel)",
           "the sheet39 item 0 (no proof file); the five function items full marks",
           base="solution", cells={
               "ps02_sheet39_code": LIARS},
           targets=[T["sheet39"]], honest=REST),
    attack("atk_recursion_bombs", PS02, PLAIN + " (and bounded: no recursion error on the trusted side)",
           "receptive_field returns a list nested a million deep; sheet39 holds dicts nested "
           "100,000 deep and dicts and lists that contain themselves",
           "those two items 0; the other five full marks", base="solution",
           cells={"ps02_receptive_field_code": RECURSION_RF, "ps02_sheet39_code": RECURSION_39},
           targets=[T["receptive_field"], T["sheet39"]], honest=REST),
    attack("atk_huge_returns", PS02, PLAIN + "; returned data is bounded in size",
           "pad2d and conv2d return 2 GB zero-stride views that occupy 8 bytes, receptive_field a "
           "list of 20 million entries, sheet39 a 200 MB string", "those four items 0; the other "
           "four full marks; the run's folders stay small", base="solution",
           cells={"ps02_pad2d_code": HUGE_PAD, "ps02_conv2d_code": HUGE_CONV,
                  "ps02_receptive_field_code": HUGE_RF, "ps02_sheet39_code": HUGE_39},
           targets=[T["pad2d"], T["conv2d"], T["receptive_field"], T["sheet39"]], honest=REST),
    attack("atk_lazy_values", PS02, PLAIN + " (bounded: a lazy sequence is never materialised)",
           "receptive_field returns itertools.count(), sheet39's values are range(10**15)",
           "those two items 0; the other six full marks", base="solution",
           cells={"ps02_receptive_field_code": LAZY_RF, "ps02_sheet39_code": LAZY_39},
           targets=[T["receptive_field"], T["sheet39"]], honest=REST),
    attack("atk_base_exceptions", PS02, PLAIN + "; an exception of any kind fails only its own item",
           "conv_output_size raises SystemExit and receptive_field KeyboardInterrupt when the grader "
           "calls them; sheet39 is a dict subclass whose keys/items/iteration/len raise "
           "GeneratorExit, SystemExit and KeyboardInterrupt", "those three items 0; the other five "
           "full marks", base="solution",
           cells={"ps02_output_size_code": RAISE_EXIT, "ps02_receptive_field_code": RAISE_INTERRUPT,
                  "ps02_sheet39_code": RAISE_ON_READ},
           targets=[T["output_size"], T["receptive_field"], T["sheet39"]], honest=REST),
    attack("atk_exotic_arrays", PS02, PLAIN + " (.npy with allow_pickle=False: no object arrays, "
           "nothing unpickled on the trusted side)",
           "same_padding returns an np.void of a structured dtype, pad2d an object array of float "
           "subclasses whose __reduce__ runs code, conv2d the right numbers in a structured dtype, "
           "receptive_field a list of Trick objects", "those four items 0, no proof file; the other "
           "four full marks", base="solution",
           cells={"ps02_same_padding_code": exotic_same_padding, "ps02_pad2d_code": exotic_pad2d,
                  "ps02_conv2d_code": exotic_conv2d, "ps02_receptive_field_code": EXOTIC_RF},
           targets=[T["same_padding"], T["pad2d"], T["conv2d"], T["receptive_field"]], honest=REST),
]
