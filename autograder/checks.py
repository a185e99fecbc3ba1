"""The checker every hidden test uses: friendly failures, library and tamper detection.

A hidden test cell of an assignment looks like this::

    ### BEGIN HIDDEN TESTS
    import numpy as np
    import convblocks as cb
    from autograder.checks import checker

    ck = checker()            # fresh, verified copy; AssertionError("integrity: ...") if tampered with
    rng = np.random.default_rng(1234)
    x = rng.standard_normal((2, 3, 9, 9)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    expected = cb.conv2d(x, w, stride=2, padding=1)
    out = ck.call(conv2d, x, w, stride=2, padding=1)     # the student's function, watched
    ck.shape(out, expected.shape, "conv2d(x, w, stride=2, padding=1)",
             mistakes={"you forgot the +1 in the output-size formula": (2, 4, 4, 4)})
    ck.close(out, expected, "conv2d(x, w, stride=2, padding=1)",
             mistakes={"you flipped the kernel (true convolution instead of cross-correlation)":
                           cb.conv2d(x, w[..., ::-1, ::-1], stride=2, padding=1)},
             rtol=1e-5, atol=1e-6)
    ck.dtype(out, np.float32, "conv2d on float32 input")
    ck.equal(n_params, 6656, "the number of shared parameters", mistakes={"you forgot the biases": 6400})
    ### END HIDDEN TESTS

Every failure is an ``AssertionError`` written for the student: which call or
quantity failed, what is wrong (shape got vs expected, max abs error, the value
the student returned) and which common mistake the result matches when one of
``mistakes`` matches. Expected array values and hidden-test source are never
printed. Expected *shapes* and dtypes are printed (they are in the docstrings).

``ck.call(fn, *args, **kwargs)`` runs the student's function on copies of the
array arguments with a profiler installed; if anything executed during the call
lives in ``convblocks``, SciPy, PyTorch, TensorFlow, JAX, scikit-learn,
scikit-image or OpenCV the item fails ("implementations must be written from
scratch"). An exception raised by the student's function becomes a friendly
``AssertionError`` naming the call, the exception and the student's line.

``checker()`` never trusts module state: it re-executes this file into a fresh
namespace (not through ``sys.modules`` or the import system), verifies that the
NumPy functions and builtins it relies on (and those a cheat would patch:
``np.allclose``, ``np.isclose``, ``np.testing.*`` ...) are the originals, that
``sys.modules['autograder.checks']`` was not replaced or patched, and returns a
``Checker`` from the fresh copy. The grader's static scan of the student's cells
is the other half of the defence (see ``autograder.integrity``).
"""

import sys

_FORBIDDEN = ("convblocks", "scipy", "torch", "tensorflow", "jax", "jaxlib", "sklearn",
              "skimage", "cv2", "keras", "autograder")
_LIBRARY_NAMES = {"convblocks": "convblocks (the reference implementation)", "scipy": "SciPy",
                  "torch": "PyTorch", "tensorflow": "TensorFlow", "keras": "Keras", "jax": "JAX",
                  "jaxlib": "JAX", "sklearn": "scikit-learn", "skimage": "scikit-image",
                  "cv2": "OpenCV", "autograder": "the grader"}

# numpy names verified by checker(): ufuncs, C builtins, Python/dispatcher functions
_NP_UFUNCS = ("abs", "absolute", "subtract", "add", "multiply", "divide", "isnan", "isfinite",
              "isinf", "less_equal", "greater", "equal", "logical_and", "logical_or",
              "logical_not", "maximum", "minimum", "sqrt")
_NP_BUILTINS = ("asarray", "array", "asanyarray", "empty", "zeros", "copyto", "result_type",
                "can_cast", "promote_types")
_NP_FUNCS = ("allclose", "isclose", "array_equal", "array_equiv", "all", "any", "max", "min",
             "amax", "amin", "sum", "mean", "shape", "ndim", "issubdtype", "count_nonzero",
             "argmax", "unravel_index", "around", "round", "nanmax")
_NP_TESTING = ("assert_allclose", "assert_array_equal", "assert_equal", "assert_almost_equal",
               "assert_array_almost_equal", "assert_array_less", "assert_")
_BUILTIN_FUNCS = ("abs", "max", "min", "len", "isinstance", "issubclass", "all", "any", "repr",
                  "round", "sum", "getattr", "hasattr", "callable", "print", "sorted", "id",
                  "iter", "next", "open", "compile", "exec", "setattr", "format", "hash", "divmod")


def _integrity(msg):
    return AssertionError("integrity: " + msg + " - the notebook tampered with the grading "
                          "environment, so this item cannot be graded and earns 0")


def _this_file():
    return sys._getframe(0).f_code.co_filename


def _verify_builtins(bi):
    """bi: the builtins module. Literals give the true types, which cannot be patched."""
    bfunc = type([].append)
    for name, true in (("int", type(1)), ("float", type(1.0)), ("bool", type(True)),
                       ("str", type("")), ("tuple", type(())), ("list", type([])),
                       ("dict", type({})), ("type", type(type(1))), ("object", type(1).__mro__[-1]),
                       ("set", type({1})), ("complex", type(1j)), ("slice", type(slice(1)))):
        if getattr(bi, name, None) is not true:
            raise _integrity(f"the builtin {name} was replaced")
    for name in _BUILTIN_FUNCS:
        f = getattr(bi, name, None)
        owners = ("_io", "io") if name == "open" else ("builtins",)
        if type(f) is not bfunc or f.__name__ != name or getattr(f.__self__, "__name__", "") not in owners:
            raise _integrity(f"the builtin {name}() was replaced")
    for name in ("AssertionError", "Exception", "BaseException", "TypeError", "ValueError",
                 "ImportError", "ModuleNotFoundError", "IndexError", "KeyError"):
        e = getattr(bi, name, None)
        if not (type(e) is type(type(1)) and e.__module__ == "builtins" and e.__name__ == name
                and e.__mro__[-1] is type(1).__mro__[-1]):
            raise _integrity(f"the builtin exception {name} was replaced")


def _numpy_dir(np):
    import os.path
    d = os.path.dirname(os.path.realpath(np.__spec__.origin))
    if not os.path.isfile(os.path.join(d, "_core", "numeric.py")) and not os.path.isfile(
            os.path.join(d, "core", "numeric.py")):
        raise _integrity("numpy's location looks wrong")
    return d + os.sep


def _verify_numpy(np):
    import os.path
    ndir = _numpy_dir(np)
    bfunc = type([].append)
    ufunc = type(np.core.umath.add) if not hasattr(np, "_core") else type(np._core.umath.add)
    if ufunc.__name__ != "ufunc":
        raise _integrity("numpy.ufunc was replaced")

    def pyfunc_ok(f, name):
        impl = getattr(f, "_implementation", f) if type(f).__name__ == "_ArrayFunctionDispatcher" else f
        if type(f).__name__ == "_ArrayFunctionDispatcher" and type(f).__module__ != "numpy":
            return False
        if type(f).__name__ not in ("function", "_ArrayFunctionDispatcher"):
            return False
        if type(impl) is bfunc:
            return impl.__name__ in (name, "_" + name, name.lstrip("_"))
        code = getattr(impl, "__code__", None)
        if code is None or code.co_name not in (name, "_" + name, name.lstrip("_")):
            return False
        if not os.path.realpath(code.co_filename).startswith(ndir):
            return False
        # closures and defaults could smuggle a fake in; numpy's own functions do not use closures here
        return True

    for name in _NP_UFUNCS:
        f = getattr(np, name, None)
        want = {"abs": "absolute"}.get(name, name)
        if type(f) is not ufunc or not (f.__name__ == want or (name == "divide" and f.__name__ == "true_divide")):
            raise _integrity(f"numpy.{name} was replaced")
    for name in _NP_BUILTINS:
        f = getattr(np, name, None)
        if type(f) is bfunc:
            if f.__name__ != name:
                raise _integrity(f"numpy.{name} was replaced")
        elif not pyfunc_ok(f, name):
            raise _integrity(f"numpy.{name} was replaced")
    for name in _NP_FUNCS:
        f = getattr(np, name, None)
        if type(f) is bfunc:
            if f.__name__ != name:
                raise _integrity(f"numpy.{name} was replaced")
            continue
        if not pyfunc_ok(f, {"max": "amax", "min": "amin"}.get(name, name)) and not pyfunc_ok(f, name):
            raise _integrity(f"numpy.{name} was replaced")
    testing = getattr(np, "testing", None)
    if testing is None or type(testing).__name__ != "module":
        raise _integrity("numpy.testing was replaced")
    for name in _NP_TESTING:
        f = getattr(testing, name, None)
        if not pyfunc_ok(f, name):
            raise _integrity(f"numpy.testing.{name} was replaced")
    if type(np.ndarray) is not type(type(1)) or np.ndarray.__module__ != "numpy" \
            or type(np.zeros(1)) is not np.ndarray:
        raise _integrity("numpy.ndarray was replaced")


def _verify_registered_module(path):
    """sys.modules['autograder.checks'] (if imported) must be this file, unpatched."""
    import os.path
    mod = sys.modules.get("autograder.checks")
    if mod is None:
        return
    real = os.path.realpath(path)

    def from_here(obj):
        code = getattr(obj, "__code__", None)
        return code is not None and os.path.realpath(code.co_filename) == real

    if type(mod).__name__ != "module" or os.path.realpath(getattr(mod, "__file__", "") or "") != real:
        raise _integrity("sys.modules['autograder.checks'] was replaced")
    for name in ("checker", "_verify_builtins", "_verify_numpy", "_verify_registered_module"):
        if not from_here(mod.__dict__.get(name)):
            raise _integrity(f"autograder.checks.{name} was replaced")
    cls = mod.__dict__.get("Checker")
    if type(cls) is not type(type(1)):
        raise _integrity("autograder.checks.Checker was replaced")
    for name in ("call", "shape", "close", "equal", "dtype", "check"):
        if not from_here(cls.__dict__.get(name)):
            raise _integrity(f"autograder.checks.Checker.{name} was replaced")


def checker():
    """Return a fresh, verified :class:`Checker` (see the module docstring).

    Raises ``AssertionError("integrity: ...")`` when numpy, the builtins or this
    module were tampered with.
    """
    path = sys._getframe(0).f_code.co_filename
    bi = sys.modules["builtins"]
    if type(bi).__name__ != "module":
        raise _integrity("the builtins module was replaced")
    # verify with this (possibly patched) copy *and* with a fresh copy of the file:
    # the fresh copy's functions are the ones that decide
    with bi.open(path, "rb") as fh:
        src = fh.read()
    _verify_builtins(bi)
    ns = {"__name__": "autograder._checks_fresh", "__file__": path, "__builtins__": bi}
    bi.exec(bi.compile(src, path, "exec"), ns)
    ns["_verify_builtins"](bi)
    import numpy
    ns["_verify_numpy"](numpy)
    ns["_verify_registered_module"](path)
    return ns["Checker"](numpy, path)


def _describe(v, np):
    if isinstance(v, np.ndarray):
        return f"array{tuple(v.shape)} {v.dtype}"
    if isinstance(v, (tuple, list)) and len(v) > 6:
        return f"{type(v).__name__} of {len(v)}"
    if isinstance(v, (tuple, list)):
        inner = ", ".join(_describe(e, np) for e in v)
        return f"({inner}{',' if len(v) == 1 and isinstance(v, tuple) else ''})" if isinstance(v, tuple) else f"[{inner}]"
    if isinstance(v, (int, float, bool, str, type(None), np.generic)):
        r = repr(v)
        return r if len(r) <= 40 else r[:37] + "..."
    return type(v).__name__


def _copy_args(v, np):
    if isinstance(v, np.ndarray):
        return np.array(np.ndarray.view(v, np.ndarray), copy=True)
    if type(v) is tuple:
        return tuple(_copy_args(e, np) for e in v)
    if type(v) is list:
        return [_copy_args(e, np) for e in v]
    if type(v) is dict:
        return {k: _copy_args(e, np) for k, e in v.items()}
    return v


class Checker:
    """Checks on the student's results; obtain one with :func:`checker`."""

    def __init__(self, np, path):
        self._np = np
        self._path = path
        self._last = None
        import importlib.util
        import os.path
        dirs = []
        for name in _FORBIDDEN:
            try:
                spec = sys.modules[name].__spec__ if name in sys.modules else importlib.util.find_spec(name)
            except Exception:
                spec = None
            if spec is None:
                continue
            locs = list(spec.submodule_search_locations or []) or (
                [os.path.dirname(spec.origin)] if spec.origin and name in ("cv2",) else
                [spec.origin] if spec.origin else [])
            for loc in locs:
                if loc and loc not in ("built-in", "frozen"):
                    dirs.append((os.path.realpath(loc).rstrip(os.sep) + (os.sep if os.path.isdir(loc) else ""), name))
        self._forbidden_dirs = tuple(dirs)

    def rng(self, seed):
        """A NumPy Generator for a test's random inputs: ``seed`` mixed with the submission's salt.

        The grader sets a different salt for every submission, so knowing the inputs of
        one run tells nothing about another; without a grader (a student validating
        their own notebook) the salt is 0 and the inputs are repeatable.
        """
        import os
        return self._np.random.default_rng([int(seed), int(os.environ.get("AUTOGRADER_SEED", "0"))])

    # -- running the student's code -----------------------------------------------------
    def _library_of(self, filename, cache={}):
        hit = cache.get(filename, 0)
        if hit != 0:
            return hit
        import os.path
        real = os.path.realpath(filename) if filename and not filename.startswith("<") else filename
        hit = None
        for d, name in self._forbidden_dirs:
            if real == d or real.startswith(d):
                hit = name
                break
        cache[filename] = hit
        return hit

    def call(self, fn, /, *args, **kwargs):
        """Call the student's ``fn(*args, **kwargs)`` and return its result.

        Array arguments are passed as copies (the test's inputs stay intact). Fails
        with a friendly message when ``fn`` is missing or not callable, raises, or uses
        a library (convblocks, SciPy, PyTorch, ...) to do the work.
        """
        np = self._np
        name = getattr(fn, "__name__", None) or type(fn).__name__
        desc = (f"{name}(" + ", ".join([_describe(a, np) for a in args] +
                                       [f"{k}={_describe(v, np)}" for k, v in kwargs.items()]) + ")")
        self._last = desc
        if not callable(fn):
            raise AssertionError(f"{name} is not a function (got {type(fn).__name__}); "
                                 "did you run the cell that defines it?")
        if getattr(fn, "__module__", None) and str(fn.__module__).split(".")[0] in _FORBIDDEN:
            lib = str(fn.__module__).split(".")[0]
            raise AssertionError(f"{desc}: {name} is {_LIBRARY_NAMES.get(lib, lib)}'s function, "
                                 "not your own implementation - write it yourself with NumPy; this item earns 0")
        args = _copy_args(args, np)
        kwargs = _copy_args(kwargs, np)
        found = []
        tampered = []
        armed = [True]
        library_of = self._library_of
        forbidden = _FORBIDDEN
        sys_mod = sys
        import threading

        def hook(frame, event, arg):
            if not armed[0]:
                return None
            if event == "call":
                lib = library_of(frame.f_code.co_filename)
                if lib is not None and not found:
                    found.append((lib, frame.f_code.co_name))
            elif event == "c_call":
                mod = getattr(arg, "__module__", None)
                if mod is None:
                    owner = getattr(arg, "__self__", None)
                    mod = getattr(owner, "__name__", None) if type(owner).__name__ == "module" else \
                        getattr(type(owner), "__module__", None)
                if type(mod) is str and mod.split(".")[0] in forbidden and not found:
                    found.append((mod.split(".")[0], getattr(arg, "__name__", "?")))
                if arg is sys_mod.setprofile or arg is sys_mod.settrace or \
                        getattr(arg, "__name__", "") in ("setprofile", "settrace"):
                    tampered.append(getattr(arg, "__name__", "?"))
            return None

        old = sys.getprofile()
        old_thread = getattr(threading, "_profile_hook", None)
        sys.setprofile(hook)
        threading.setprofile(hook)
        try:
            try:
                result = fn(*args, **kwargs)
            finally:
                armed[0] = False
                still = sys.getprofile() is hook
                sys.setprofile(old)
                threading.setprofile(old_thread)
        except Exception as exc:  # the student's error, reported kindly
            if found:
                self._library_failure(desc, name, found)
            text = str(exc)
            raise AssertionError(f"{desc} raised {type(exc).__name__}{': ' + text if text else ''}"
                                 f"{self._where(exc, fn)}") from None
        if tampered or not still:
            raise _integrity(f"{name} changed the profiler or inspected the caller's frames "
                             f"({', '.join(tampered) or 'setprofile'})")
        if found:
            self._library_failure(desc, name, found)
        return result

    def _library_failure(self, desc, name, found):
        lib, fname = found[0]
        raise AssertionError(
            f"{desc}: your {name} calls {_LIBRARY_NAMES.get(lib, lib)} ({fname}) to do the work; "
            "implementations must be written from scratch with NumPy, so this item earns 0")

    def _where(self, exc, fn):
        tb = exc.__traceback__
        last = None
        while tb is not None:
            f = tb.tb_frame.f_code
            if f.co_filename != self._path and self._library_of(f.co_filename) is None and \
                    "site-packages" not in f.co_filename and "/lib/python" not in f.co_filename:
                last = (f.co_name, tb.tb_lineno, f.co_filename)
            tb = tb.tb_next
        if last is None:
            return ""
        line = ""
        try:
            import linecache
            line = linecache.getline(last[2], last[1]).strip()
        except Exception:
            pass
        where = f" (in {last[0]}, line {last[1]}"
        return where + (f": {line[:120]})" if line else ")")

    # -- converting results -------------------------------------------------------------
    def _as_array(self, v, desc):
        np = self._np
        if isinstance(v, np.ndarray):
            a = np.array(np.ndarray.view(v, np.ndarray), copy=True)
        elif isinstance(v, (int, float, bool, np.generic)) and not isinstance(v, (str, bytes)):
            a = np.array(v)
        elif type(v) in (list, tuple):
            try:
                a = np.array([self._as_array(e, desc) for e in v])
            except AssertionError:
                raise
            except Exception:
                raise AssertionError(f"{desc}: returned a ragged {type(v).__name__} that is not an array") from None
        elif v is None:
            raise AssertionError(f"{desc}: returned None - did you forget the return statement?")
        else:
            raise AssertionError(f"{desc}: returned a {type(v).__name__}, expected a NumPy array or a number")
        if a.dtype.kind not in "biuf":
            raise AssertionError(f"{desc}: returned values of dtype {a.dtype}, expected numbers")
        return a

    def _desc(self, desc):
        return desc or self._last or "your result"

    # -- checks -------------------------------------------------------------------------
    def shape(self, out, expected_shape, desc=None, mistakes=None):
        """``out`` (an array) must have shape ``expected_shape``; mistakes map hints to wrong shapes."""
        desc = self._desc(desc)
        got = tuple(int(s) for s in self._as_array(out, desc).shape)
        exp = tuple(int(s) for s in expected_shape)
        if got == exp:
            return
        msg = f"{desc}: wrong shape: got {got}, expected {exp}"
        for hint, wrong in (mistakes or {}).items():
            if tuple(int(s) for s in wrong) == got:
                msg += f". This is a common mistake: {hint}"
                break
        raise AssertionError(msg)

    def _close(self, a, b, rtol, atol):
        np = self._np
        if a.shape != b.shape:
            return False
        a = a.astype(np.float64)
        b = b.astype(np.float64)
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        if not (nan_a == nan_b).all():
            return False
        with np.errstate(invalid="ignore"):
            ok = np.less_equal(np.abs(np.subtract(a, b)), atol + rtol * np.abs(b)) | (a == b) | nan_a
        return bool(ok.all())

    def close(self, out, expected, desc=None, mistakes=None, rtol=1e-5, atol=1e-8):
        """``out`` must equal ``expected`` up to ``|out - expected| <= atol + rtol*|expected|``.

        ``mistakes`` maps a hint (what the student probably did) to the result that
        mistake gives; when ``out`` matches one, the hint is in the failure message.
        """
        np = self._np
        desc = self._desc(desc)
        a = self._as_array(out, desc)
        b = np.asarray(expected)
        if a.shape != b.shape:
            msg = f"{desc}: wrong shape: got {tuple(a.shape)}, expected {tuple(b.shape)}"
            for hint, wrong in (mistakes or {}).items():
                w = np.asarray(wrong)
                if w.shape == a.shape:
                    msg += f". This is a common mistake: {hint}"
                    break
            raise AssertionError(msg)
        if self._close(a, b, rtol, atol):
            return
        af = a.astype(np.float64)
        bf = b.astype(np.float64)
        bad_nan = int(((~np.isfinite(af)) & np.isfinite(bf)).sum())
        with np.errstate(invalid="ignore"):
            err = np.abs(af - bf)
            bad = ~(np.less_equal(err, atol + rtol * np.abs(bf)) | (af == bf))
        n_bad = int(bad.sum())
        if bad_nan:
            msg = f"{desc}: your result contains NaN or inf in {bad_nan} of {a.size} entries"
        else:
            finite = np.where(np.isfinite(err), err, 0.0)
            idx = tuple(int(i) for i in np.unravel_index(int(finite.argmax()), finite.shape)) if a.ndim else ()
            msg = (f"{desc}: wrong values in {n_bad} of {a.size} entries "
                   f"(max abs error {float(finite.max()):.3g}" + (f", e.g. at index {idx})" if idx else ")"))
        for hint, wrong in (mistakes or {}).items():
            try:
                w = np.asarray(wrong)
                if w.dtype.kind in "biuf" and self._close(a, w, max(rtol, 1e-4), max(atol, 1e-6)):
                    msg += f". Your result matches a common mistake: {hint}"
                    break
            except Exception:
                continue
        raise AssertionError(msg)

    def equal(self, got, expected, desc=None, mistakes=None):
        """Exact equality (ints, tuples, strings, bools); mistakes map hints to wrong answers."""
        np = self._np
        desc = self._desc(desc)

        def norm(v):
            if isinstance(v, np.ndarray):
                return ("array", tuple(v.shape), tuple(v.ravel().tolist()))
            if isinstance(v, np.generic):
                return v.item()
            if type(v) in (list, tuple):
                return tuple(norm(e) for e in v)
            return v

        g, e = norm(got), norm(expected)
        try:
            same = bool(g == e) and type(g) is not type(None) or (g is None and e is None)
        except Exception:
            same = False
        if same:
            return
        shown = _describe(got, np) if not isinstance(got, (int, float, tuple, list, str, bool, np.generic)) \
            else repr(norm(got))
        if len(shown) > 80:
            shown = shown[:77] + "..."
        msg = f"{desc}: got {shown}, which is not correct"
        for hint, wrong in (mistakes or {}).items():
            try:
                if norm(wrong) == g:
                    msg += f". This is a common mistake: {hint}"
                    break
            except Exception:
                continue
        raise AssertionError(msg)

    def dtype(self, out, expected_dtype, desc=None):
        """``out`` must be an array of dtype ``expected_dtype`` (float32 stays float32)."""
        np = self._np
        desc = self._desc(desc)
        if not isinstance(out, np.ndarray):
            raise AssertionError(f"{desc}: returned a {type(out).__name__}, expected a NumPy array")
        if out.dtype != np.dtype(expected_dtype):
            raise AssertionError(f"{desc}: returned dtype {out.dtype}, expected {np.dtype(expected_dtype)}")

    def check(self, condition, message):
        """Generic check: fail with ``message`` (written for the student) unless ``condition``."""
        if not condition:
            raise AssertionError(message)
