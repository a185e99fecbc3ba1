"""Plain data across the trust boundary: the only things the grader and a student kernel exchange.

A value crosses as a tree of JSON scalars (None, bools, ints, floats, strings) and
tagged lists for everything else; arrays travel beside the tree as ``.npy`` bytes,
written and read with ``allow_pickle=False``::

    ["l", ...] list    ["t", ...] tuple    ["s", ...] set    ["d", [k, v], ...] dict
    ["a", i] array i   ["g", i] NumPy scalar (0-d array i)   ["y", str] dtype
    ["Y", str] NumPy scalar type (np.float32)   ["b", name] int/float/bool/complex/str
    ["r", state] NumPy Generator (its bit generator's state)   ["f", id] / ["c", id] a function
    that stays on its own side (``f``: in the kernel, ``c``: in the grader), called by id

Anything else is refused with an error naming its type. Decoding builds only exact
built-in types and plain ``ndarray``s of numbers or strings, with caps on depth, items
and size, so nothing that comes back can run code. A frame is ``u32 json length, json,
u32 count, (u64 length, npy bytes)*``. Standard library and NumPy only: the agent imports it too.
"""

import io
import json
import struct

import numpy as np

MAX_FRAME = 64 * 2**20
MAX_DEPTH = 32
MAX_ITEMS = 1_000_000
MAX_STRING = 4 * 2**20
ARRAY_KINDS = "biufcSU"
GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
BUILTIN_TYPES = {"int": int, "float": float, "bool": bool, "complex": complex, "str": str}
PLAIN = ("numbers, strings, None, NumPy arrays and lists, tuples, dicts and sets of these")


class WireError(ValueError):
    """A value that cannot cross, or bytes that are not a valid frame."""


class _Encoder:
    """Builds the JSON tree of a value; arrays go to ``blobs`` as .npy bytes. Sizes are checked
    before anything is copied (a 2 GB broadcast view is refused, not materialised)."""

    def __init__(self, callable_tag):
        self.blobs, self.callable_tag, self.items, self.bytes = [], callable_tag, 0, 0

    def blob(self, a, tag):
        self.bytes += a.nbytes
        if self.bytes > MAX_FRAME:
            raise WireError(f"the value holds more than {MAX_FRAME // 2**20} MB of array data")
        buf = io.BytesIO()
        try:
            np.save(buf, a, allow_pickle=False)
        except ValueError:
            raise WireError(f"an array of dtype {a.dtype} cannot be sent (only {PLAIN})") from None
        self.blobs.append(buf.getvalue())
        return [tag, len(self.blobs) - 1]

    def __call__(self, value, depth=0):
        self.items += 1
        if depth > MAX_DEPTH:
            raise WireError(f"the value is nested more than {MAX_DEPTH} levels deep")
        if self.items > MAX_ITEMS:
            raise WireError(f"the value has more than {MAX_ITEMS} items")
        if value is None or type(value) in (bool, int, float):
            return value
        if isinstance(value, (np.ndarray, np.generic)):
            return self.blob(np.asarray(value), "a" if isinstance(value, np.ndarray) else "g")
        for kind in (bool, int, float, str):  # subclasses cross as the plain type
            if isinstance(value, kind):
                value = kind(value)
                if kind is str and len(value) > MAX_STRING:
                    raise WireError(f"a string is longer than {MAX_STRING} characters")
                return value
        if isinstance(value, (list, tuple, set, frozenset)):
            tag = "l" if isinstance(value, list) else "t" if isinstance(value, tuple) else "s"
            if len(value) > MAX_ITEMS:
                raise WireError(f"the value has more than {MAX_ITEMS} items")
            return [tag] + [self(v, depth + 1) for v in value]
        if isinstance(value, dict):
            return ["d"] + [[self(k, depth + 1), self(v, depth + 1)] for k, v in value.items()]
        if isinstance(value, np.dtype):
            return ["y", value.str]
        if isinstance(value, type) and issubclass(value, np.generic):
            return ["Y", np.dtype(value).str]
        if isinstance(value, type) and value in BUILTIN_TYPES.values():
            return ["b", value.__name__]
        if isinstance(value, np.random.Generator):
            bg = value.bit_generator
            if type(bg).__name__ not in GENERATORS:
                raise WireError(f"a Generator over {type(bg).__name__} cannot be sent")
            return ["r", type(bg).__name__, self(bg.state, depth + 1)]
        if callable(value) and self.callable_tag is not None:
            return self.callable_tag(value)
        raise WireError(f"a value of type {type(value).__name__} cannot be sent (only {PLAIN})")


class _Decoder:
    def __init__(self, blobs, on_ref):
        self.blobs, self.on_ref, self.items = blobs, on_ref, 0

    def array(self, i):
        if type(i) is not int or not 0 <= i < len(self.blobs):
            raise WireError("an array reference points nowhere")
        try:
            a = np.load(io.BytesIO(self.blobs[i]), allow_pickle=False)
        except Exception as exc:  # noqa: BLE001 - any reader failure is a bad frame
            raise WireError(f"an array could not be read ({exc})") from None
        if type(a) is not np.ndarray or a.dtype.kind not in ARRAY_KINDS or a.dtype.fields is not None:
            raise WireError(f"an array of dtype {a.dtype} is not accepted")
        return a

    def __call__(self, t, depth=0):
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise WireError("the value is too deep or has too many items")
        if t is None or type(t) in (bool, int, float):
            return t
        if type(t) is str:
            if len(t) > MAX_STRING:
                raise WireError("a string is too long")
            return t
        if type(t) is not list or not t or type(t[0]) is not str:
            raise WireError("malformed value")
        tag, rest = t[0], t[1:]
        try:  # a list, set or dict as a set item or dict key
            if tag in ("l", "t", "s"):
                items = [self(v, depth + 1) for v in rest]
                return items if tag == "l" else tuple(items) if tag == "t" else set(items)
            if tag == "d":
                if not all(type(kv) is list and len(kv) == 2 for kv in rest):
                    raise WireError("malformed dict")
                return {self(k, depth + 1): self(v, depth + 1) for k, v in rest}
        except TypeError:
            why = "a dict key is unhashable" if tag == "d" else "a set holds an unhashable item"
            raise WireError(why) from None
        if tag == "a" and len(rest) == 1:
            return self.array(rest[0])
        if tag == "g" and len(rest) == 1:
            a = self.array(rest[0])
            if a.ndim != 0:
                raise WireError("a NumPy scalar must be a 0-d array")
            return a[()]
        if tag in ("y", "Y") and len(rest) == 1 and type(rest[0]) is str and len(rest[0]) < 16:
            try:
                dt = np.dtype(rest[0])
            except TypeError:
                raise WireError(f"unknown dtype {rest[0]!r}") from None
            if dt.kind not in ARRAY_KINDS:
                raise WireError(f"dtype {dt} is not accepted")
            return dt if tag == "y" else dt.type
        if tag == "b" and rest in [[name] for name in BUILTIN_TYPES]:
            return BUILTIN_TYPES[rest[0]]
        if tag == "r" and len(rest) == 2 and rest[0] in GENERATORS:
            bg = getattr(np.random, rest[0])()
            try:
                bg.state = self(rest[1], depth + 1)
            except (TypeError, ValueError, KeyError) as exc:
                raise WireError(f"a Generator state could not be restored ({exc})") from None
            return np.random.Generator(bg)
        if tag in ("f", "c") and len(rest) == 1 and type(rest[0]) is int and self.on_ref is not None:
            return self.on_ref(tag, rest[0])
        raise WireError(f"value tag {tag!r} is not accepted here")


def pack(message, callable_tag=None):
    """Bytes of one frame holding ``message``; ``callable_tag(fn)`` gives the tag of a function
    (``["f", id]`` or ``["c", id]``), without it a function cannot cross."""
    enc = _Encoder(callable_tag)
    tree = json.dumps(enc(message), allow_nan=True, separators=(",", ":")).encode()
    parts = [struct.pack(">I", len(tree)), tree, struct.pack(">I", len(enc.blobs))]
    for b in enc.blobs:
        parts += [struct.pack(">Q", len(b)), b]
    frame = b"".join(parts)
    if len(frame) > MAX_FRAME:
        raise WireError(f"the value is {len(frame) / 2**20:.0f} MB, more than {MAX_FRAME / 2**20:.0f} MB")
    return struct.pack(">Q", len(frame)) + frame


def unpack(frame, on_ref=None):
    """The message in ``frame`` (the bytes after the 8-byte length); ``on_ref(tag, id)`` resolves
    function tags."""
    try:
        (n,) = struct.unpack_from(">I", frame, 0)
        tree = json.loads(frame[4:4 + n].decode())
        (count,) = struct.unpack_from(">I", frame, 4 + n)
        pos, blobs = 8 + n, []
        for _ in range(count):
            (size,) = struct.unpack_from(">Q", frame, pos)
            if pos + 8 + size > len(frame):
                raise WireError("a frame is shorter than it says")
            blobs.append(frame[pos + 8:pos + 8 + size])
            pos += 8 + size
    except (struct.error, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"malformed frame ({str(exc)[:100]})") from None
    return _Decoder(blobs, on_ref)(tree)


def read_frame(read):
    """One frame via ``read(n)`` (returns exactly n bytes or raises EOFError)."""
    (size,) = struct.unpack(">Q", read(8))
    if size > MAX_FRAME:
        raise WireError(f"a frame of {size} bytes is larger than {MAX_FRAME}")
    return read(size)
