"""'NumPy only': answers that get their results from convblocks or SciPy (issue 9, second bullet)."""

from . import attack
from .snippets import FIND_LIBS

PS02, PS03 = "ps02_conv_arithmetic", "ps03_pooling"
NUMPY_ONLY = ("the kernel runs a NumPy-only runtime: convblocks and SciPy are not importable, "
              "whatever the path tricks, so an answer that calls them earns nothing")

VIA_CB = r'''

def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    return LIB().conv_output_size(n, kernel_size, stride=stride, padding=padding, dilation=dilation)


def same_padding(n, kernel_size, stride=1, dilation=1):
    return LIB().same_padding(n, kernel_size, stride=stride, dilation=dilation)


def pad2d(x, padding, mode="zeros"):
    return LIB().pad2d(x, padding, mode=mode)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    return LIB().conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)


def receptive_field(layers):
    return [(r, j) for r, j, _ in LIB().receptive_field(layers)]
'''

IMPORT_CB = FIND_LIBS + "\n\ndef LIB():\n    return _find('convblocks')\n" + VIA_CB

# A worker thread started in an earlier cell does the library calls (a profiler on the
# calling thread does not see them).
THREAD_CB = FIND_LIBS + r'''
import queue, threading
_jobs, _results = queue.Queue(), queue.Queue()


def _worker():
    try:
        lib, err = _find("convblocks"), None
    except ImportError as e:
        lib, err = None, e
    while True:
        name, a, k = _jobs.get()
        try:
            if lib is None:
                raise err
            _results.put((True, getattr(lib, name)(*a, **k)))
        except Exception as e:
            _results.put((False, e))


threading.Thread(target=_worker, daemon=True).start()


class _Remote:
    def __getattr__(self, name):
        def call(*a, **k):
            _jobs.put((name, a, k))
            ok, value = _results.get(timeout=20)
            if not ok:
                raise value
            return value
        return call


def LIB():
    return _Remote()
''' + VIA_CB

# Wrong answers, then convblocks' functions replaced by them: a test that compares with
# convblocks now compares the student with the student.
REPLACE_CB = FIND_LIBS + r'''
import os, sys, types
import numpy as np


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    return n


def same_padding(n, kernel_size, stride=1, dilation=1):
    return (0, 0)


def pad2d(x, padding, mode="zeros", value=0.0):
    return np.array(x, copy=True)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return np.zeros((x.shape[0], weight.shape[0]) + x.shape[2:], dtype=x.dtype)


def receptive_field(layers):
    return [(1, 1)] * (len(layers) + 1)


def _rf3(layers):
    return [(r, j, 0.0) for r, j in receptive_field(layers)]


MINE = dict(conv_output_size=conv_output_size, same_padding=same_padding, pad2d=pad2d, conv2d=conv2d,
            receptive_field=_rf3)
try:
    _r = _find("convblocks")
except ImportError:
    _r = types.ModuleType("convblocks")
    sys.modules["convblocks"] = _r
for name, fn in MINE.items():
    setattr(_r, name, fn)
for modname, mod in list(sys.modules.items()):
    if modname.startswith("convblocks.") and mod is not None:
        for name, fn in MINE.items():
            if hasattr(mod, name):
                setattr(mod, name, fn)
# and the same module on disk, first on sys.path
os.makedirs("convblocks", exist_ok=True)
with open("convblocks/__init__.py", "w") as fh:
    fh.write("import numpy as np\n"
             "def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False):\n    return n\n"
             "def same_padding(n, kernel_size, stride=1, dilation=1):\n    return (0, 0)\n"
             "def pad2d(x, padding, mode='zeros', value=0.0):\n    return np.array(x, copy=True)\n"
             "def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):\n"
             "    return np.zeros((x.shape[0], weight.shape[0]) + x.shape[2:], dtype=x.dtype)\n"
             "def receptive_field(layers):\n    return [(1, 1, 0.0)] * (len(layers) + 1)\n")
sys.path.insert(0, os.getcwd())
'''

# convblocks in another Python process: the course's own venv, found on disk.
SUBPROCESS_CB = r'''
import glob, os, pickle, subprocess, sys

_PYTHONS = (["/work/main/.venv/bin/python", "/work/grader/.venv/bin/python"] + glob.glob("/work/*/.venv/bin/python")
            + ["/usr/bin/python3", "/usr/local/bin/python3", sys.executable])
_CODE = ("import sys, pickle; sys.path[:0] = ['/work/main', '/work/grader']; import convblocks as cb; "
         "name, a, k = pickle.loads(sys.stdin.buffer.read()); "
         "sys.stdout.buffer.write(pickle.dumps(getattr(cb, name)(*a, **k)))")


class _Remote:
    def __getattr__(self, name):
        def call(*a, **k):
            errors = []
            for py in dict.fromkeys(_PYTHONS):
                if not os.path.exists(py):
                    continue
                try:
                    p = subprocess.run([py, "-c", _CODE], input=pickle.dumps((name, a, k)),
                                       capture_output=True, timeout=30)
                except Exception as e:
                    errors.append(f"{py}: {e!r}")
                    continue
                if p.returncode == 0:
                    return pickle.loads(p.stdout)
                errors.append(f"{py}: {p.stderr.decode(errors='replace')[-120:]}")
            raise ImportError("no Python outside the kernel has convblocks: " + " | ".join(errors)[:400])
        return call


def LIB():
    return _Remote()
''' + VIA_CB

SHELL_ESCAPE = r'''
!pip install --quiet scipy convblocks 2>&1 | tail -n 2
!python3 -c "import scipy, sys; print('scipy', scipy.__version__, sys.executable)" 2>&1 | tail -n 1
'''

SHELL_INSTALL = r'''
import subprocess, sys
try:
    print(subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--user", "scipy"],
                         capture_output=True, text=True, timeout=60).stderr[-300:])
except Exception as e:
    print("pip:", repr(e))
'''

SCIPY_CONV = FIND_LIBS + r'''
import numpy as np


def _same(n, k, s, d):
    out = -(-n // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    signal = _find("scipy.signal")
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    kh, kw = weight.shape[2:]
    if isinstance(padding, str):
        padding = 0 if padding == "valid" else (_same(x.shape[2], kh, sh, dh), _same(x.shape[3], kw, sw, dw))
    (t, b_), (l, r) = pad_pairs(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (t, b_), (l, r)))
    wd = np.zeros(weight.shape[:2] + (dh * (kh - 1) + 1, dw * (kw - 1) + 1), dtype=weight.dtype)
    wd[:, :, ::dh, ::dw] = weight
    out = np.stack([np.stack([sum(signal.correlate(xp[n, c], wd[o, c], mode="valid") for c in range(x.shape[1]))
                              for o in range(weight.shape[0])]) for n in range(x.shape[0])])
    out = out[:, :, ::sh, ::sw]
    if bias is not None:
        out = out + bias[:, None, None]
    return out.astype(np.result_type(x, weight), copy=False)


def pad2d(x, padding, mode="zeros"):
    ndimage = _find("scipy.ndimage")
    (t, b), (l, r) = pad_pairs(padding)
    modes = {"zeros": "constant", "reflect": "mirror", "replicate": "nearest", "circular": "grid-wrap"}
    h, w = x.shape[-2:]
    rows, cols = np.meshgrid(np.arange(-t, h + b), np.arange(-l, w + r), indexing="ij")
    flat = x.reshape((-1, h, w))
    out = np.stack([ndimage.map_coordinates(img, [rows, cols], order=0, mode=modes[mode]) for img in flat])
    return out.reshape(x.shape[:-2] + rows.shape)
'''

IMPORT_CB_PS03 = FIND_LIBS + r'''


def pool_output_size(n, k, s, p, ceil_mode=False):
    return _find("convblocks").conv_output_size(n, k, stride=s, padding=p, ceil_mode=ceil_mode)

def max_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    return _find("convblocks").max_pool2d(x, kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode)


def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    return _find("convblocks").avg_pool2d(x, kernel_size, stride=stride, padding=padding,
                                          count_include_pad=count_include_pad)


def global_avg_pool2d(x):
    return _find("convblocks").global_avg_pool2d(x)


def global_max_pool2d(x):
    return _find("convblocks").global_max_pool2d(x)
'''

ATTACKS = [
    attack("atk_import_convblocks", PS02, NUMPY_ONLY,
           "every function calls convblocks, imported directly, from the course checkout on sys.path, "
           "from the course venv's site-packages, or by file path", "every item 0",
           answers=IMPORT_CB),
    attack("atk_thread_convblocks", PS02, NUMPY_ONLY,
           "a worker thread started in an earlier cell imports convblocks and computes every answer",
           "every item 0", answers=THREAD_CB),
    attack("atk_replace_convblocks", PS02,
           "expected values come from the grader's own convblocks: `_r = convblocks; _r.conv2d = mine` "
           "in the kernel cannot make a test compare the student with the student",
           "wrong answers, then convblocks' functions (module, submodules, sys.modules, a package on "
           "disk first on sys.path) replaced by the wrong answers", "every item 0",
           answers=REPLACE_CB),
    attack("atk_subprocess_convblocks", PS02, NUMPY_ONLY + " (nor is any other Python on the host)",
           "every function pickles its arguments to the course venv's Python in a subprocess that "
           "imports convblocks", "every item 0", answers=SUBPROCESS_CB),
    attack("atk_scipy", PS02, NUMPY_ONLY,
           "conv2d with scipy.signal.correlate and pad2d with scipy.ndimage (scipy found wherever it is), "
           "after trying to pip-install scipy from a shell escape", "every item 0",
           insert=[("ps02_setup", SHELL_INSTALL), ("ps02_setup", SHELL_ESCAPE)], answers=SCIPY_CONV),
    attack("atk_ps03_convblocks", PS03, NUMPY_ONLY,
           "pool_output_size and max/avg/global pooling of ps03 by calling convblocks",
           "every item 0", answers=IMPORT_CB_PS03),
]
