"""The integrity report: what in each submission looked like tampering, after autograde.

Grades say how many points a notebook earned; this report tells the instructor which
submissions deserve a look before the grades are released. It reads, per student,

- the **submitted** notebook (what the student wrote) against the **release** notebook (what
  they fetched): locked cells and test cells that were edited or deleted (nbgrader restores
  them from the gradebook, so the grade is safe, but the attempt is worth knowing), and a
  static scan (``ast``) of every code cell the student wrote or changed: imports of the
  reference library ``mlelib``; files opened by absolute path or through ``..``; the
  gradebook, ``source/``, sockets, subprocesses, ``os.system``, ``os._exit``; IPython hooks,
  ``sys.setprofile``/``settrace``, assignments to attributes of numpy, math, builtins or
  ``course``; IPython's input history (``In``, ``_ih``: the test cells' source, hidden tests
  included); classes that subclass numbers or arrays or define ``__eq__`` (lying objects);
  ``exec``/``eval``;
- the **autograded** notebook (what grading saw): ``PermissionError``/``FileNotFoundError``/
  ``OSError`` outputs, cells cut by the time limit, and the records that
  :class:`course.grading.execute.GuardedExecute` left in ``cell.metadata["mle_integrity"]``
  (a list of ``{"kind", "detail"}``: what the kernel's audit hook saw, a student's function that
  called the unavailable ``mlelib``, returned something that is not plain data, or a kernel
  that stopped answering the grader);
- derivation cells (solution cells named ``<exercise>_steps``) whose steps call SymPy's own
  ``diff``, ``solve``, ``integrate``...: the instructor decides what that means;
- a submission with no autograded notebook (autograde failed, e.g. the kernel died), or one
  that is not a readable notebook at all.

A finding is a reason to look, not a verdict: the grades never depend on it. The report is
written to ``<course root>/reports/<assignment>/integrity.csv`` (one row per finding: student,
notebook, cell, kind, detail) and ``integrity.md`` (the same, grouped by student).
It needs no sandbox and no gradebook: only the course directory's folders.
"""

from __future__ import annotations

import ast
import csv
import os
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import nbformat

from course.grading.submissions import INTEGRITY_KEY, meta, parse_cell, read_notebook

__all__ = [
    "FIELDS",
    "Finding",
    "format_findings",
    "integrity_report",
    "scan_code",
    "scan_notebook",
    "write_report",
]


# A derivation exercise's solution cell is named ``<exercise>_steps``: the report notes steps
# that SymPy's own diff/solve/integrate worked out (course.derivations.derivation_findings).
DERIVATION_SUFFIX = "_steps"


@dataclass(frozen=True)
class Finding:
    """One thing in one submission that looked like tampering."""

    student: str
    notebook: str
    cell: str  # the cell's grade_id, or "cell <n>" (1-based) for an unmarked cell
    kind: str
    detail: str


FIELDS = tuple(f.name for f in fields(Finding))  # the report's columns


# --- what the tests printed ----------------------------------------------------------------

_OS_ERRORS = {"PermissionError", "FileNotFoundError", "OSError", "IsADirectoryError"}
_TIMEOUT = re.compile(r"Timeout|KeyboardInterrupt|DeadKernel", re.IGNORECASE)


def _scan_outputs(cell) -> list[tuple[str, str]]:
    found = []
    interrupted = []
    for o in cell.get("outputs", []):
        if o.get("output_type") != "error":
            continue
        ename = o.get("ename", "")
        if ename in _OS_ERRORS:
            found.append(("outside-folder", f"{ename}: {o.get('evalue', '')}"[:300]))
        elif _TIMEOUT.search(ename) and ename not in interrupted:
            interrupted.append(ename)
    if interrupted:
        found.append(("timeout", f"stopped by the time limit ({', '.join(interrupted)})"))
    for record in cell.get("metadata", {}).get(INTEGRITY_KEY, []) or []:
        if isinstance(record, dict):
            found.append((str(record.get("kind", "sandbox")), str(record.get("detail", ""))))
        else:
            found.append(("sandbox", str(record)))
    return found


# --- what the student wrote ----------------------------------------------------------------

_OUTSIDE_MODULES = {"socket", "subprocess", "sqlite3", "ctypes", "multiprocessing", "pty"}
_OUTSIDE_CALLS = {
    "os.system",
    "os.popen",
    "os._exit",
    "os.kill",
    "os.fork",
    "os.exec",
    "os.spawn",
    "os.chdir",
    "os.symlink",
    "os.link",
    "shutil.rmtree",
    "get_ipython().system",
    "get_ipython().getoutput",
}
# Attributes of the IPython shell that rewrite or silence later cells.
_SHELL_HOOKS = {
    "input_transformers_post",
    "input_transformers_cleanup",
    "input_transformer_manager",
    "ast_transformers",
    "set_custom_exc",
    "register_magic_function",
    "showtraceback",
    "run_cell",
    "run_cell_async",
}
# Attributes of sys that see or replace every call, exception or output.
_SYS_HOOKS = {"settrace", "setprofile", "excepthook", "displayhook", "modules", "meta_path"}
_PATCHABLE = {"np", "numpy", "math", "builtins", "__builtins__", "course", "checks", "scipy"}
_LYING_BASES = {"float", "int", "complex", "ndarray", "np.ndarray", "numpy.ndarray", "list"}
_LYING_METHODS = {"__eq__", "__ne__", "__float__", "__array__", "__bool__", "__abs__", "__lt__"}
_SENSITIVE = re.compile(r"gradebook|(^|[/\\])source([/\\]|$)|nbgrader|\.\.[/\\]|^\.\.$")


# Reaching other code's frames: how a submission read the checks' expected values when the
# tests ran in its kernel. They run in the grader now; the attempt is still worth a look.
_INTROSPECTION = {
    "_getframe",
    "f_back",
    "f_locals",
    "tb_frame",
    "gi_frame",
    "cr_frame",
    "get_objects",
    "get_referrers",
    "currentframe",
    "stack",
}
_LOADERS = {"spec_from_file_location", "exec_module", "SourceFileLoader", "load_module"}
# The test helpers' names: a student function under one of them imitates a test. (Test cells run
# in the grader with their own imports, so it changes no grade; an honest variable named
# `check` or `case` is not a finding.)
_HELPERS = {
    "check",
    "case",
    "check_value",
    "check_property",
    "check_monte_carlo",
    "check_derivation",
}

# IPython's input/output history in the user namespace: reading it shows the test cells'
# source, hidden tests included, as the kernel ran it.
_HISTORY = re.compile(r"In|Out|_ih|_oh|_i{1,3}|_i\d+")


def _dotted(node: ast.AST) -> str:
    """``a.b.c`` for a Name/Attribute chain; ``f().x`` keeps a call as ``f()``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_dotted(node.func)}()"
    return "?"


def scan_code(source: str) -> list[tuple[str, str]]:
    """``[(kind, detail)]`` for what the code of one cell does that looks like tampering."""
    return [(kind, f"line {line}: {what}") for kind, line, what in _scan(source)]


def _scan(source: str) -> list[tuple[str, int, str]]:
    tree = parse_cell(source)
    if tree is None:
        return []  # does not run either; the tests say so
    found: list[tuple[str, int, str]] = []

    def add(kind: str, node: ast.AST, what: str) -> None:
        found.append((kind, getattr(node, "lineno", 0), what))

    # Names the cell binds to modules a verdict could depend on (``import course.checks as cc``).
    patchable = set(_PATCHABLE)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in _PATCHABLE | {"course"}:
                    patchable.add(a.asname or a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _PATCHABLE:
            patchable.update(a.asname or a.name for a in node.names)

    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names]
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else names
            for m in modules:
                top = m.split(".")[0]
                if top == "mlelib":
                    add("mlelib", node, f"imports {m}")
                elif top in _OUTSIDE_MODULES:
                    add("outside-folder", node, f"imports {m}")
                elif top == "course" and any(
                    p.startswith("_") or p == "grading" for p in m.split(".")[1:] + names
                ):
                    add("patched", node, f"imports {m} {', '.join(names)}".strip())
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in ("exec", "eval", "compile", "__import__", "importlib.import_module"):
                add("dynamic-code", node, f"calls {name}()")
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and str(first.value).startswith("mlelib"):
                    add("mlelib", node, f"imports {first.value}")
            if name.split(".")[-1] in _LOADERS:
                add("dynamic-code", node, f"loads code from a file with {name}()")
            if any(name == c or name.startswith(c) for c in _OUTSIDE_CALLS) or (
                name.split(".")[0] in _OUTSIDE_MODULES and "." in name
            ):
                add("outside-folder", node, f"calls {name}()")
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    _check_path(arg.value, name, node, add)
        elif isinstance(node, ast.Name) and _HISTORY.fullmatch(node.id):
            add(
                "history",
                node,
                f"reads IPython's input history ({node.id}): the source of the "
                "test cells, hidden tests included",
            )
        elif isinstance(node, ast.Attribute):
            chain = _dotted(node)
            if node.attr == "history_manager":
                add("history", node, f"uses {chain}: the source of the test cells")
            if node.attr in _INTROSPECTION and (
                node.attr not in ("stack", "get_objects", "get_referrers", "currentframe")
                or chain.split(".")[0] in ("inspect", "gc")
            ):
                add("introspection", node, f"reads other code's frames or objects ({chain})")
            if (
                node.attr in _SHELL_HOOKS
                or (node.attr == "events" and "get_ipython" in chain)
                or (node.attr in _SYS_HOOKS and chain.split(".")[0] == "sys")
            ):
                add("hook", node, f"uses {chain}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            value = getattr(node, "value", None)
            if isinstance(value, ast.Lambda):
                for t in targets:
                    if isinstance(t, ast.Name) and t.id in _HELPERS:
                        add("helper-rebound", node, f"binds {t.id} to a function of its own")
            for t in targets:
                if isinstance(t, ast.Attribute) and (
                    _dotted(t.value).split(".")[0] in patchable or t.attr == "__code__"
                ):
                    add("patched", node, f"assigns {_dotted(t)}")
        elif isinstance(node, ast.FunctionDef) and node.name in _HELPERS:
            add("helper-rebound", node, f"defines its own {node.name}()")
        elif isinstance(node, ast.ClassDef):
            bases = {_dotted(b) for b in node.bases}
            methods = {
                n.name
                for n in node.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                and n.name in _LYING_METHODS
            }
            if bases & _LYING_BASES or methods:
                what = ", ".join(sorted(bases & _LYING_BASES) + sorted(methods))
                add("lying-object", node, f"class {node.name} ({what})")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _SENSITIVE.search(node.value) and "gradebook" in node.value.lower():
                add("outside-folder", node, f"names {node.value[:80]!r}")
            if node.value == "mlelib" or "mlelib/" in node.value:
                add("mlelib", node, f"names the reference library ({node.value[:80]!r})")
    merged: dict[tuple[str, int], list[str]] = {}
    for kind, line, what in found:
        whats = merged.setdefault((kind, line), [])
        if what not in whats:
            whats.append(what)
    return [(kind, line, "; ".join(whats)) for (kind, line), whats in merged.items()]


def _check_path(text: str, func: str, node: ast.AST, add) -> None:
    """A string handed to a call: absolute paths, ``..`` and course files are outside."""
    if "\n" in text or len(text) > 300:
        return
    if (
        (text.startswith("/") and len(text) > 1)
        or text.startswith("~")
        or re.match(r"^[A-Za-z]:[\\/]", text)
        or _SENSITIVE.search(text)
    ):
        add("outside-folder", node, f"{func}({text!r})")


# --- one submission ------------------------------------------------------------------------


def _norm(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _label(cell, index: int) -> str:
    return meta(cell).get("grade_id") or f"cell {index + 1}"


@dataclass(frozen=True)
class _Release:
    """What a submission is compared with, prepared once per release notebook."""

    cells: dict[str, nbformat.NotebookNode]  # the marked cells, by grade_id
    sources: frozenset[str]  # the normalised source of every code cell
    unmarked: frozenset[tuple[str, str]]  # (kind, what) the unmarked code cells already do

    @classmethod
    def of(cls, release: nbformat.NotebookNode) -> _Release:
        return cls(
            cells={meta(c)["grade_id"]: c for c in release.cells if meta(c).get("grade_id")},
            sources=frozenset(_norm(c.source) for c in release.cells if c.cell_type == "code"),
            # A student may edit those cells: what they already do is no finding.
            unmarked=frozenset(
                (kind, what)
                for c in release.cells
                if c.cell_type == "code" and not meta(c).get("grade_id")
                for kind, _, what in _scan(c.source)
            ),
        )


def scan_notebook(
    student: str,
    notebook: str,
    submitted: nbformat.NotebookNode,
    release: nbformat.NotebookNode,
    autograded: nbformat.NotebookNode | None = None,
) -> list[Finding]:
    """The findings for one notebook of one student.

    ``submitted`` is what the student handed in, ``release`` what they fetched, and
    ``autograded`` nbgrader's graded copy (``None``: autograde produced none, which is a
    finding too).
    """
    return _scan_submission(student, notebook, submitted, _Release.of(release), autograded)


def _scan_submission(
    student: str,
    notebook: str,
    submitted: nbformat.NotebookNode,
    release: _Release,
    autograded: nbformat.NotebookNode | None,
) -> list[Finding]:
    found: list[tuple[str, str, str]] = []
    seen = set()
    for i, cell in enumerate(submitted.cells):
        m = meta(cell)
        gid = m.get("grade_id")
        orig = release.cells.get(gid) if gid else None
        if orig is not None:
            seen.add(gid)
            om = meta(orig)
            if om.get("locked") and not om.get("solution"):
                test = om.get("grade")
                if _norm(cell.source) != _norm(orig.source):
                    kind = "test-cell-edited" if test else "locked-cell-edited"
                    found.append((gid, kind, _describe_edit(orig.source, cell.source)))
                if any(m.get(k) != om.get(k) for k in ("grade", "solution", "locked", "points")):
                    found.append((gid, "metadata-edited", "its nbgrader metadata was changed"))
        if m.get("solution") and str(gid).endswith(DERIVATION_SUFFIX):
            from course.derivations import derivation_findings

            for what in derivation_findings(cell.source):
                found.append((gid, "derivation-sympy", what))
        if cell.cell_type == "code" and _norm(cell.source) not in release.sources:
            if orig is not None:
                already = {(k, w) for k, _, w in _scan(orig.source)}
            else:
                already = release.unmarked
            for kind, line, what in _scan(cell.source):
                if (kind, what) not in already:
                    found.append((_label(cell, i), kind, f"line {line}: {what}"))
    for gid, orig in release.cells.items():
        if gid not in seen and (meta(orig).get("grade") or meta(orig).get("locked")):
            kind = "test-cell-deleted" if meta(orig).get("grade") else "locked-cell-deleted"
            found.append((gid, kind, "missing from the submission (or its grade_id was changed)"))
    if autograded is None:
        found.append(("-", "not-graded", "autograde produced no graded notebook"))
    else:
        for i, cell in enumerate(autograded.cells):
            for kind, detail in _scan_outputs(cell):
                found.append((_label(cell, i), kind, detail))
    unique = list(dict.fromkeys(found))
    return [Finding(student, notebook, cell, kind, detail) for cell, kind, detail in unique]


def _describe_edit(before: str, after: str) -> str:
    new = _norm(after)
    if not new:
        return "emptied"
    first = new.splitlines()[0]
    n = len(new.splitlines())
    return f"replaced by {n} line(s) starting {first[:60]!r}"


# --- a whole assignment -------------------------------------------------------------------


def integrity_report(root: str | os.PathLike[str], assignment: str) -> list[Finding]:
    """Findings for every submission of ``assignment`` in the course directory ``root``."""
    root = Path(root)
    release_dir = root / "release" / assignment
    if not release_dir.is_dir():
        raise FileNotFoundError(
            f"no release of {assignment!r} at {release_dir}: run generate_assignment first"
        )
    findings: list[Finding] = []
    releases: dict[str, _Release] = {}  # by notebook file name, read on first use
    submitted = root / "submitted"
    students = sorted(
        p.name for p in (submitted.iterdir() if submitted.is_dir() else []) if p.is_dir()
    )
    for student in students:
        folder = submitted / student / assignment
        for path in sorted(folder.glob("*.ipynb")):
            release_nb = release_dir / path.name
            if not release_nb.is_file():
                findings.append(
                    Finding(student, path.stem, "-", "extra-notebook", "not in the release")
                )
                continue
            try:
                submitted_nb = read_notebook(path)
            except Exception as exc:  # not JSON, not a notebook: nbgrader fails it too
                detail = f"not a readable notebook ({type(exc).__name__}: {exc})"[:300]
                findings.append(Finding(student, path.stem, "-", "unreadable", detail))
                continue
            if path.name not in releases:
                releases[path.name] = _Release.of(read_notebook(release_nb))
            graded = root / "autograded" / student / assignment / path.name
            findings += _scan_submission(
                student,
                path.stem,
                submitted_nb,
                releases[path.name],
                read_notebook(graded) if graded.is_file() else None,
            )
    return findings


def write_report(
    root: str | os.PathLike[str], assignment: str, findings: list[Finding] | None = None
) -> tuple[Path, Path]:
    """Write ``reports/<assignment>/integrity.csv`` and ``.md`` under ``root``; return both.

    ``findings`` defaults to :func:`integrity_report` of the course directory.
    """
    root = Path(root)
    if findings is None:
        findings = integrity_report(root, assignment)
    out = root / "reports" / assignment
    out.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out / "integrity.csv", out / "integrity.md"
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(asdict(x) for x in findings)
    md_path.write_text(
        f"# Integrity report: {assignment}\n\n"
        "What looked like tampering in each submission. A finding is a reason to look at the\n"
        "submission, not a verdict: the grades do not depend on it.\n\n"
        + _markdown(findings)
        + "\n"
    )
    return csv_path, md_path


def _markdown(findings: list[Finding]) -> str:
    if not findings:
        return "No findings."
    lines = ["| student | notebook | cell | kind | detail |", "|---|---|---|---|---|"]
    for x in findings:
        cells = [x.student, x.notebook, x.cell, x.kind, x.detail]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def format_findings(findings: list[Finding], students: list[str] | None = None) -> str:
    """A plain-text summary, one block per student (``students`` lists those with none too)."""
    by_student: dict[str, list[Finding]] = {}
    for x in findings:
        by_student.setdefault(x.student, []).append(x)
    names = students if students is not None else sorted(by_student)
    lines = []
    for s in names:
        mine = by_student.get(s, [])
        if not mine:
            lines.append(f"{s}: nothing found")
            continue
        lines.append(f"{s}: {len(mine)} finding(s)")
        lines += [f"    {x.cell}: {x.kind}: {x.detail}" for x in mine]
    return "\n".join(lines)
