"""Static integrity scan of the code a student wrote (run by the grader, not in the kernel).

The grader parses every code cell the student wrote (answer cells and added
cells; never the restored test cells) and reports what no honest solution to
these assignments needs and what tampers with the grading environment:

- assigning/deleting attributes of imported modules or builtins
  (``np.allclose = ...``, ``np.testing.assert_allclose = ...``, ``del math.pi``),
  ``setattr``/``delattr`` on them, writes through ``__dict__``/``vars()``/``globals()``;
- ``sys.modules`` edits, ``sys.setprofile``/``settrace``/``excepthook``/``meta_path``...;
- defining or importing anything named ``checker``/``Checker``, importing ``autograder``;
- ``exec``/``eval``/``compile``/``__import__``, ``importlib``, ``ctypes``, ``gc``,
  ``inspect``, frame access (``_getframe``, ``f_back``, ``f_locals``...), dunder
  attributes that reach into objects' internals (``__code__``, ``__globals__``...);
- shell escapes and IPython machinery (``!cmd``, ``get_ipython().system``,
  ``%%writefile``...); harmless magics (``%matplotlib``, ``%timeit``...) are allowed.

A finding zeroes the autograded items of that notebook (status ``integrity``); the
feedback lists the findings with their cell and line, so a false positive is easy
for an instructor to check and override in the gradebook.
"""

import ast
import re

ALLOWED_MAGICS = {"matplotlib", "time", "timeit", "precision", "pprint", "who", "whos", "load_ext",
                  "autoreload", "config", "capture", "html", "markdown", "latex", "javascript", "svg"}
BANNED_MODULES = {"autograder", "importlib", "ctypes", "gc", "inspect", "builtins", "__builtin__",
                  "subprocess", "multiprocessing", "pty", "cffi", "sys_monitoring", "marshal",
                  "pickle", "dill", "code", "codeop", "runpy"}
BANNED_CALLS = {"exec", "eval", "compile", "__import__", "setattr", "delattr", "breakpoint", "open_code"}
BANNED_ATTRS = {"_getframe", "f_back", "f_locals", "f_globals", "f_builtins", "f_code", "tb_frame",
                "gi_frame", "cr_frame", "ag_frame", "__code__", "__globals__", "__builtins__",
                "__dict__", "__closure__", "__defaults__", "__kwdefaults__", "__subclasses__",
                "__setattr__", "__delattr__", "__getattribute__", "__class__", "__bases__", "__mro__",
                "__import__", "__loader__", "__spec__", "modules", "setprofile", "settrace",
                "excepthook", "displayhook", "meta_path", "path_hooks", "addaudithook", "monitoring",
                "_profile_hook", "_trace_hook", "system", "popen", "getoutput", "run_cell",
                "run_line_magic", "run_cell_magic", "ex", "ev", "showtraceback", "user_ns"}
BANNED_NAMES = {"checker", "Checker", "__builtins__", "get_ipython", "__import__"}


_MAGIC_LINE = re.compile(r"^(\s*)(%{1,2})([A-Za-z_]\w*)")
_SHELL_LINE = re.compile(r"^(\s*)(!|[A-Za-z_][\w.,\s]*=\s*[!%])")


def neutralize(source):
    """Comment out what the grader never runs in a student's cell: shell escapes
    (``!pip install ...``) and magics other than harmless ones (``%cd``, ``%run``,
    ``%%bash``, ``%%writefile`` ...). Returns (new source, [removed lines])."""
    lines = source.split("\n")
    removed = []
    first = next((ln for ln in lines if ln.strip()), "")
    m = _MAGIC_LINE.match(first)
    if m and m.group(2) == "%%" and m.group(3) not in ALLOWED_MAGICS:
        return "# [grader] this cell (%%" + m.group(3) + " magic) was not run\npass", [first.strip()]
    out = []
    for ln in lines:
        m = _MAGIC_LINE.match(ln)
        s = _SHELL_LINE.match(ln)
        if (m and m.group(2) == "%" and m.group(3) not in ALLOWED_MAGICS) or (s and not m):
            indent = (m or s).group(1)
            out.append(f"{indent}pass  # [grader] not run: {ln.strip()}")
            removed.append(ln.strip())
        else:
            out.append(ln)
    return "\n".join(out), removed


def _ipython_to_python(source):
    """Translate IPython syntax (magics, !shell) to Python; returns (code, magic findings)."""
    findings = []
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        code = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - fall back to the raw source
        code = source
    # magics become get_ipython().run_line_magic('name', ...) / run_cell_magic / system
    return code, findings


class _Visitor(ast.NodeVisitor):
    def __init__(self):
        self.findings = []
        self.modules = {"np", "numpy", "sys", "os", "math", "builtins", "convblocks", "cb",
                        "autograder", "checks", "scipy", "plt", "matplotlib", "random", "io",
                        "threading", "operator", "functools", "types", "itertools", "time"}

    def add(self, node, what):
        self.findings.append((getattr(node, "lineno", 0), what))

    # imports ---------------------------------------------------------------------------
    def visit_Import(self, node):
        for a in node.names:
            root = a.name.split(".")[0]
            self.modules.add((a.asname or a.name).split(".")[0])
            if root in BANNED_MODULES:
                self.add(node, f"imports {a.name}")
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        root = (node.module or "").split(".")[0]
        if root in BANNED_MODULES or node.level:
            self.add(node, f"imports from {node.module or '.'}")
        for a in node.names:
            name = a.asname or a.name
            if a.name in ("checker", "Checker", "modules", "setprofile", "settrace", "_getframe") \
                    or name in BANNED_NAMES:
                self.add(node, f"imports {a.name} from {node.module}")
            if a.name == "*":
                continue
            # `from numpy import testing` binds a module
            self.modules.add(name)
        self.generic_visit(node)

    # assignments -----------------------------------------------------------------------
    def _root(self, node):
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
            node = node.value
        return node

    def _check_target(self, target, node, verb):
        if isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self._check_target(t, node, verb)
            return
        if isinstance(target, ast.Starred):
            self._check_target(target.value, node, verb)
            return
        if isinstance(target, ast.Name):
            if target.id in BANNED_NAMES:
                self.add(node, f"{verb} the name {target.id}")
            return
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            root = self._root(target)
            if isinstance(root, ast.Name) and root.id in self.modules:
                self.add(node, f"{verb} {ast.unparse(target)} (changes a module)")
            elif isinstance(root, ast.Call):
                self.add(node, f"{verb} {ast.unparse(target)}")

    def visit_Assign(self, node):
        for t in node.targets:
            self._check_target(t, node, "assigns")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_target(node.target, node, "assigns")
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._check_target(node.target, node, "assigns")
        self.generic_visit(node)

    def visit_Delete(self, node):
        for t in node.targets:
            self._check_target(t, node, "deletes")
        self.generic_visit(node)

    def visit_NamedExpr(self, node):
        self._check_target(node.target, node, "assigns")
        self.generic_visit(node)

    def _def(self, node):
        if node.name in BANNED_NAMES:
            self.add(node, f"defines {node.name}")
        self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _def

    def visit_Global(self, node):
        for n in node.names:
            if n in BANNED_NAMES:
                self.add(node, f"declares global {n}")

    # uses ------------------------------------------------------------------------------
    def visit_Call(self, node):
        f = node.func
        if isinstance(f, ast.Name) and f.id in BANNED_CALLS:
            self.add(node, f"calls {f.id}()")
        if isinstance(f, ast.Attribute) and f.attr in ("update", "pop", "setdefault", "__setitem__",
                                                       "popitem", "clear", "__delitem__"):
            v = f.value
            if (isinstance(v, ast.Attribute) and v.attr in ("modules", "__dict__")) or (
                    isinstance(v, ast.Call) and isinstance(v.func, ast.Name)
                    and v.func.id in ("globals", "vars", "locals")):
                self.add(node, f"calls {ast.unparse(f)}()")
        if isinstance(f, ast.Attribute) and f.attr == "run_line_magic" and node.args and \
                isinstance(node.args[0], ast.Constant) and node.args[0].value in ALLOWED_MAGICS:
            # allowed magic: skip the get_ipython() / run_line_magic findings
            for a in node.args[1:]:
                self.visit(a)
            return
        if isinstance(f, ast.Attribute) and f.attr == "run_cell_magic" and node.args and \
                isinstance(node.args[0], ast.Constant) and node.args[0].value in ALLOWED_MAGICS:
            return
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr in BANNED_ATTRS:
            self.add(node, f"uses .{node.attr}")
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in BANNED_NAMES and isinstance(node.ctx, ast.Load):
            self.add(node, f"uses {node.id}")


def scan_source(source):
    """Findings [(line, text)] for one cell's source (IPython syntax allowed)."""
    code, findings = _ipython_to_python(source)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return findings  # the kernel will report it; a syntax error cannot tamper
    v = _Visitor()
    v.visit(tree)
    # dedupe, keep order
    out, seen = [], set()
    for f in findings + v.findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


def scan_cells(cells, indices):
    """Findings for the student's code cells: list of dicts {cell, grade_id, line, finding}."""
    from .notebooks import grade_id
    found = []
    for i in indices:
        cell = cells[i]
        if cell.get("cell_type") != "code":
            continue
        for line, text in scan_source(cell.get("source", "")):
            found.append({"cell": i, "grade_id": grade_id(cell), "line": line, "finding": text})
    return found
