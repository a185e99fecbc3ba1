"""The checker test cells use: friendly failures that name the mistake, never the answer.

A hidden test cell of an assignment looks like this::

    ### BEGIN HIDDEN TESTS
    import convblocks as cb
    from autograder.checks import checker

    ck = checker()
    rng = ck.rng(1234)                  # different inputs for every submission
    x = rng.standard_normal((2, 3, 9, 9)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    out = ck.call(conv2d, x, w, stride=2, padding=1)     # the student's function
    ck.shape(out, (2, 4, 5, 5), "conv2d(x, w, stride=2, padding=1)",
             mistakes={"you forgot the +1 in the output-size formula": (2, 4, 4, 4)})
    ck.close(out, cb.conv2d(x, w, stride=2, padding=1), "conv2d(x, w, stride=2, padding=1)",
             mistakes={"you flipped the kernel": cb.conv2d(x, w[..., ::-1, ::-1], stride=2, padding=1)},
             rtol=1e-5, atol=1e-6)
    ck.dtype(out, np.float32, "conv2d on float32 input")
    ck.equal(n_params, 6656, "the number of shared parameters", mistakes={"you forgot the biases": 6400})
    ### END HIDDEN TESTS

The grader runs it in its own process (:mod:`autograder.trusted`), where ``conv2d`` is a
proxy to the student's sandboxed function and ``n_params`` plain data fetched from the
kernel, so nothing here defends itself; in Jupyter it runs in the student's kernel as
feedback. Every failure is an ``AssertionError`` for the student: what failed, what is
wrong (shape, max abs error, the value returned) and the first of ``mistakes`` the
result matches. Expected array values are never printed; inputs are shown by shape and dtype.
"""

import numpy as np

SALT = 0  # set by the grader for each submission (autograder.trusted); 0 when a student runs the tests
IMPORT_HINT = (" - only NumPy is available when your notebook is graded (convblocks, SciPy and other "
               "libraries cannot be imported)")


def checker():
    """Return a :class:`Checker` (see the module docstring)."""
    return Checker()


def _describe(v):
    if isinstance(v, np.ndarray):
        return f"array{tuple(v.shape)} {v.dtype}"
    if isinstance(v, (tuple, list)):
        inner = ", ".join(_describe(e) for e in v) if len(v) <= 6 else f"{len(v)} items"
        return f"({inner})" if isinstance(v, tuple) else f"[{inner}]"
    if isinstance(v, (float, np.floating)):
        return type(v).__name__
    if isinstance(v, (int, bool, str, type(None), np.generic)):
        r = repr(v)
        return r if len(r) <= 40 else r[:37] + "..."
    return getattr(v, "__name__", None) or type(v).__name__


def _copy(v):
    if isinstance(v, np.ndarray):
        return np.array(v, copy=True)
    if type(v) in (tuple, list):
        return type(v)(_copy(e) for e in v)
    return {k: _copy(e) for k, e in v.items()} if type(v) is dict else v


def _with_hint(msg, mistakes, matches, prefix="This is a common mistake"):
    """``msg`` plus the first mistake whose wrong result ``matches`` (a test on it)."""
    for hint, wrong in (mistakes or {}).items():
        try:
            if matches(wrong):
                return f"{msg}. {prefix}: {hint}"
        except Exception:  # noqa: BLE001 - a mistake that cannot be compared does not match
            continue
    return msg


class Checker:
    """Checks on the student's results; obtain one with :func:`checker`."""

    def __init__(self):
        self._last = None

    def rng(self, seed):
        """A Generator for a test's inputs: ``seed`` mixed with the submission's salt (0 in Jupyter)."""
        return np.random.default_rng([int(seed), int(SALT)])

    def call(self, fn, /, *args, **kwargs):
        """Call the student's ``fn(*args, **kwargs)`` on copies of the arguments; return its result.

        Fails kindly when ``fn`` is not callable or raises (its type and at most 500 characters
        of its message)."""
        name = getattr(fn, "__name__", None) or type(fn).__name__
        desc = f"{name}(" + ", ".join([_describe(a) for a in args] +
                                      [f"{k}={_describe(v)}" for k, v in kwargs.items()]) + ")"
        self._last = desc
        if not callable(fn):
            raise AssertionError(f"{name} is not a function (got {type(fn).__name__}); "
                                 "did you run the cell that defines it?")
        try:
            return fn(*_copy(args), **_copy(kwargs))
        except Exception as exc:  # the student's error, reported kindly
            kind = getattr(exc, "type_name", type(exc).__name__)
            text = str(getattr(exc, "message", None) or exc)[:500]
            if kind == "UnsendableResult":
                raise AssertionError(f"{desc}: {text}") from None
            line = getattr(exc, "line", None)
            raise AssertionError(f"{desc} raised {kind}{': ' + text if text else ''}"
                                 f"{f' (line {line} of your cell)' if line else ''}"
                                 f"{IMPORT_HINT if kind in ('ModuleNotFoundError', 'ImportError') else ''}") from None

    def _as_array(self, v, desc):
        if isinstance(v, np.ndarray):
            a = np.array(np.ndarray.view(v, np.ndarray), copy=True)
        elif isinstance(v, (int, float, bool, np.generic)):
            a = np.array(v)
        elif type(v) in (list, tuple):
            parts = [self._as_array(e, desc) for e in v]
            try:
                a = np.array(parts)
            except Exception:  # noqa: BLE001 - ragged or mixed
                raise AssertionError(f"{desc}: returned a ragged {type(v).__name__} that is not an array") from None
        elif v is None:
            raise AssertionError(f"{desc}: returned None - did you forget the return statement?")
        else:
            raise AssertionError(f"{desc}: returned a {type(v).__name__}, expected a NumPy array or a number")
        if a.dtype.kind not in "biuf":
            raise AssertionError(f"{desc}: returned values of dtype {a.dtype}, expected numbers")
        return a

    # -- checks -------------------------------------------------------------------------
    def shape(self, out, expected_shape, desc=None, mistakes=None):
        """``out`` (an array) must have shape ``expected_shape``; mistakes map hints to wrong shapes."""
        desc = desc or self._last or "your result"
        got = tuple(int(s) for s in self._as_array(out, desc).shape)
        exp = tuple(int(s) for s in expected_shape)
        if got != exp:
            raise AssertionError(_with_hint(f"{desc}: wrong shape: got {got}, expected {exp}", mistakes,
                                            lambda w: tuple(int(s) for s in w) == got))

    @staticmethod
    def _mismatch(a, b, rtol, atol):
        """Where ``a`` and ``b`` (same shape) differ beyond the tolerance; NaN matches only NaN."""
        a, b = a.astype(np.float64), b.astype(np.float64)
        with np.errstate(invalid="ignore"):
            same = np.less_equal(np.abs(a - b), atol + rtol * np.abs(b)) | (a == b) | (np.isnan(a) & np.isnan(b))
        return ~same

    def close(self, out, expected, desc=None, mistakes=None, rtol=1e-5, atol=1e-8):
        """``out`` must equal ``expected`` up to ``|out - expected| <= atol + rtol*|expected|``.

        ``mistakes`` maps a hint (what the student probably did) to the result that mistake
        gives; when ``out`` matches one, the hint is in the failure message."""
        desc = desc or self._last or "your result"
        a, b = self._as_array(out, desc), np.asarray(expected)
        if a.shape != b.shape:
            raise AssertionError(_with_hint(f"{desc}: wrong shape: got {tuple(a.shape)}, expected {tuple(b.shape)}",
                                            mistakes, lambda w: np.shape(w) == a.shape))
        bad = self._mismatch(a, b, rtol, atol)
        if not bad.any():
            return
        af, bf = a.astype(np.float64), b.astype(np.float64)
        bad_nan, n_bad = int(((~np.isfinite(af)) & np.isfinite(bf)).sum()), int(bad.sum())
        with np.errstate(invalid="ignore"):
            err = np.abs(af - bf)
        if bad_nan:
            msg = f"{desc}: your result contains NaN or inf in {bad_nan} of {a.size} entries"
        else:
            finite = np.where(np.isfinite(err), err, 0.0)
            idx = tuple(int(i) for i in np.unravel_index(int(finite.argmax()), finite.shape)) if a.ndim else ()
            msg = (f"{desc}: wrong values in {n_bad} of {a.size} entries "
                   f"(max abs error {float(finite.max()):.3g}" + (f", e.g. at index {idx})" if idx else ")"))
        raise AssertionError(_with_hint(msg, mistakes, lambda w: np.asarray(w).dtype.kind in "biuf"
                                        and np.shape(w) == a.shape
                                        and not self._mismatch(a, np.asarray(w), max(rtol, 1e-4), max(atol, 1e-6)).any(),
                                        "Your result matches a common mistake"))

    def equal(self, got, expected, desc=None, mistakes=None):
        """Exact equality (ints, tuples, strings, bools); mistakes map hints to wrong answers."""
        desc = desc or self._last or "your result"

        def norm(v):
            if isinstance(v, np.ndarray):
                return ("array", tuple(v.shape), tuple(v.ravel().tolist()))
            if isinstance(v, np.generic):
                return v.item()
            return tuple(norm(e) for e in v) if type(v) in (list, tuple) else v

        g, e = norm(got), norm(expected)
        try:
            same = bool(g == e) and g is not None or (g is None and e is None)
        except Exception:  # noqa: BLE001
            same = False
        if same:
            return
        shown = repr(g) if isinstance(got, (int, float, tuple, list, str, bool, np.generic)) else _describe(got)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise AssertionError(_with_hint(f"{desc}: got {shown}, which is not correct", mistakes,
                                        lambda w: norm(w) == g))

    def dtype(self, out, expected_dtype, desc=None):
        """``out`` must be an array of dtype ``expected_dtype`` (float32 stays float32)."""
        desc = desc or self._last or "your result"
        if not isinstance(out, np.ndarray):
            raise AssertionError(f"{desc}: returned a {type(out).__name__}, expected a NumPy array")
        if out.dtype != np.dtype(expected_dtype):
            raise AssertionError(f"{desc}: returned dtype {out.dtype}, expected {np.dtype(expected_dtype)}")

    def check(self, condition, message):
        """Generic check: fail with ``message`` (written for the student) unless ``condition``."""
        if not condition:
            raise AssertionError(message)
