"""Hostile submissions, graded for real: sandbox, remote test cells and feedback against cheats.

One throwaway course grades a whole class of cheaters on 01_coin_flips in two ``nbgrader
autograde`` processes (half the class each, one per core; each nbgrader start costs seconds),
then ``generate_feedback``. Every cheater hands in the instructor's solutions except a wrong
``bernoulli_mle`` (worth 1 of 9 points), so an honest grade is 8/9, and adds a cheat meant to
win that point back or to reach outside its folder. The test cells run in the grader and call
the student's functions across the sandbox (course.grading.remote), so cheats that worked by
changing the kernel the tests used to run in (hooks, patched helpers, rebound names, lying
objects, reading the check's frames, calling mlelib off the watched thread) now have nothing
to act on. For each one the tests check that

* it earns no point it did not earn honestly (8/9 at most; 0 if it broke its own kernel or
  answered every exercise by cheating);
* nothing outside its folder changed or leaked: the gradebook holds the expected grades, the
  course files and a file outside the course are untouched, no output or feedback quotes the
  hidden tests or the solutions;
* what grading saw is recorded in ``cell.metadata["mle_integrity"]`` (files, network and
  processes from the kernel's audit hook; timeouts, mlelib calls, values that are not plain
  data, a kernel that stopped answering), and the instructor's integrity report lists every
  cheat (those records, plus its static scan of what the student wrote).

Cheats that neither break the kernel nor touch the student's functions share a notebook (see
``SHARED``): each is a cell of its own, marked ``# planted: <name>``, and is judged by that cell
(its outputs, its integrity records, the report's findings for it), while the notebook must
score exactly what the honest student scores, cell by cell. A cheat that won a point would show
as a test cell the honest student fails; one that broke a neighbour would show as a lost point.
Every notebook costs a kernel and seconds of CPU, so the class is as small as that allows. A
student whose function never returns is not here: the demo's looper (tests/test_demo.py) is cut
by the time limit in its test cell and in two narrative cells, named in the integrity report,
and graded on everything else.

Needs bubblewrap (the tests fail, not skip, without it: see tests/test_sandbox.py).
"""

from __future__ import annotations

import hashlib
import html
import re
import textwrap
from pathlib import Path

import nbformat
import pytest

from course.grading import (
    REPO_ROOT,
    cell_scores,
    db_url,
    exercises,
    fill_solutions,
    generate,
    hand_in,
    make_course,
    meta,
    read_notebook,
    run_nbgrader,
    set_cell_source,
    source_points,
    total_scores,
)
from course.grading.integrity import DERIVATION_SUFFIX, integrity_report
from course.grading.parallel import autograde

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

AID = "01_coin_flips"
POINTS = source_points(AID)
TOTAL = sum(POINTS.values())
HONEST = TOTAL - POINTS["test_bernoulli_mle"]  # every cheater's bernoulli_mle is wrong
WRONG_MLE = "def bernoulli_mle(x):\n    return 0.5\n"

# Cheats put in a cell of their own, right after the notebook's import cell. {victim}, {port}
# and {root} are filled in by the fixture.
CHEAT_CELLS = {
    "reader": """
        import glob, shutil
        for p in ['../../../source/01_coin_flips/01_coin_flips.ipynb', '../../../gradebook.db',
                  '{root}/source/01_coin_flips/01_coin_flips.ipynb']:
            try:
                print(open(p).read()[:20000])
            except OSError as e:
                print('blocked', type(e).__name__)
        try:
            shutil.copy('../../../source/01_coin_flips/01_coin_flips.ipynb', 'stolen.ipynb')
        except OSError as e:
            print('blocked', type(e).__name__)
        print(glob.glob('../../../**', recursive=True)[:100])
    """,
    "grade_writer": """
        import sqlite3
        for db in ['../../../gradebook.db', '{root}/gradebook.db']:
            try:
                con = sqlite3.connect(db)
                con.execute("update grade set auto_score = 100, manual_score = 100")
                con.commit()
                print('WROTE', db)
            except Exception as e:
                print('blocked', type(e).__name__)
    """,
    "outside_writer": """
        import os
        for path in ['../../../evil.txt', '../../perfect/01_coin_flips/01_coin_flips.ipynb',
                     '../../../source/01_coin_flips/01_coin_flips.ipynb', '{victim}',
                     '../../../release/01_coin_flips/evil.py']:
            try:
                with open(path, 'w') as f:
                    f.write('pwned')
            except OSError as e:
                print('blocked', type(e).__name__)
        try:
            os.makedirs('../../../submitted/mallory/01_coin_flips')
        except OSError as e:
            print('blocked', type(e).__name__)
    """,
    "symlinker": """
        import os
        os.remove('01_coin_flips.ipynb')
        os.symlink('{victim}', '01_coin_flips.ipynb')
        os.symlink('{victim}', 'notes.txt')
        os.symlink('../../../gradebook.db', 'gradebook_link.db')
    """,
    "network": """
        import socket, urllib.request
        try:
            socket.create_connection(('127.0.0.1', {port}), timeout=2)
        except OSError as e:
            print('blocked', type(e).__name__)
        try:
            urllib.request.urlopen('http://example.org', timeout=2)
        except Exception as e:
            print('blocked', type(e).__name__)
    """,
    "transformer": """
        def swallow(lines):
            body = ''.join('    ' + l for l in lines) or '    pass\\n'
            return ['try:\\n', body, 'except BaseException:\\n', '    pass\\n']
        get_ipython().input_transformers_post.append(swallow)
        get_ipython().input_transformers_cleanup.append(lambda lines: lines)
    """,
    "ast_transformer": """
        import ast

        class NoChecks(ast.NodeTransformer):
            def visit_Call(self, node):
                if getattr(node.func, 'id', '') in ('check', 'check_property'):
                    return ast.copy_location(ast.Constant(None), node)
                return self.generic_visit(node)

        get_ipython().ast_transformers.append(NoChecks())
    """,
    "custom_exc": """
        get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)
    """,
    "numpy_patch": """
        import math
        import numpy as np
        import numpy.testing
        np.isclose = lambda *a, **k: True
        np.allclose = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None
        math.isclose = lambda *a, **k: True
    """,
    "checks_patch": """
        import course.checks as cc

        def _passes(*args, **kwargs):
            print('✓ all cases passed')

        cc.check.__code__ = _passes.__code__
        cc.check_property = _passes
    """,
    "builtins_patch": """
        import builtins
        builtins.AssertionError = type('AssertionError', (Exception,), {{}})
        builtins.abs = lambda x: 0.0
        builtins.round = lambda x, *a: 0.0
        builtins.sum = lambda *a, **k: 0.0
    """,
    "hook_patch": """
        import sys
        shell = get_ipython()
        shell.showtraceback = lambda *a, **k: None
        type(shell)._showtraceback = lambda *a, **k: None
        sys.excepthook = lambda *a: None
        shell.events.register('pre_run_cell', lambda *a: None)
    """,
    "forker": """
        import os, subprocess
        for cmd in (['cat', '../../../gradebook.db'], ['ls', '../../..']):
            try:
                print(subprocess.run(cmd, capture_output=True, text=True).stdout)
            except OSError as e:
                print('blocked', type(e).__name__)
        pid = os.fork()
        if pid == 0:
            try:
                open('../../../forked.txt', 'w').write('x')
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
    """,
    "threader": """
        import threading, time
        import numpy as np

        def keep_patching():
            while True:
                np.isclose = lambda *a, **k: True
                time.sleep(0.001)

        threading.Thread(target=keep_patching, daemon=True).start()
    """,
    "warden_killer": """
        kernel = get_ipython().kernel
        kernel.shell_handlers.pop('mle_warden_request', None)
    """,
    "echo": "",  # its cheat comes after the first test cell: see ECHO_AFTER_TEST
    "garbage_kernel": """
        import course._warden as w

        def garbage(self, op, header, bufs):  # every answer to the grader is a pickle
            pickled = {{"t": "pickle", "v": "cos"}}
            if op == "describe":
                names = {{n: {{"kind": "value", "value": pickled}} for n in header["names"]}}
                return {{"names": names}}, []
            return {{"value": pickled}}, []

        w._Server.handle = garbage
    """,
    "silent_kernel": """
        get_ipython().kernel.shell_handlers["mle_serve_request"] = lambda *args: None
    """,
    "shadow_honest": """
        import numpy as np
        m, expected, case, check, check_property = 3, 0.75, "my case", "done", None
    """,
}

# Reads the grader's state from the student's functions: up the frames, through a traceback,
# through the garbage collector. It scored most points when the checks ran in the kernel.
FRAME_READER = """import gc, sys

_scanned = []

def _steal(*args, **kwargs):
    def hunt(frame):
        while frame is not None:
            for name, v in list(frame.f_locals.items()):
                if name in ("expected", "exp", "e") and not callable(v):
                    return v
                if hasattr(v, "expected"):
                    return v.expected
                if name == "reference" and callable(v):
                    return v(*args, **kwargs)
            frame = frame.f_back
    found = hunt(sys._getframe(1))
    try:
        raise RuntimeError
    except RuntimeError as e:
        found = found if found is not None else hunt(e.__traceback__.tb_frame.f_back)
    # The whole heap once, then the youngest generation (where a check's cases would be) on
    # every call: a full scan per call costs seconds with SymPy loaded.
    for o in gc.get_objects(0 if _scanned else None):
        if found is None and type(o).__name__ == "Case":
            found = o.expected
    _scanned.append(True)
    return found


bernoulli_likelihood = bernoulli_log_likelihood = bernoulli_mle = _steal
binomial_log_likelihood = grid_search_mle = _steal
"""

# bernoulli_mle cells that cheat by themselves.
CHEAT_SOLUTIONS = {
    "rebind": WRONG_MLE
    + "\n\ncheck = lambda *a, **k: print('✓ all cases passed')\n"
    + "check_property = check\ncase = lambda *a, **k: None\n",
    "liar": """\
class Liar(float):
    def __eq__(self, other):
        return True

    __ne__ = lambda self, other: False
    __sub__ = __rsub__ = lambda self, other: Liar(0.0)
    __abs__ = lambda self: Liar(0.0)
    __lt__ = __le__ = lambda self, other: True


def bernoulli_mle(x):
    return Liar(0.5)
""",
    "patch_in_call": """\
def bernoulli_mle(x):
    import math
    import numpy as np
    np.isclose = np.allclose = lambda *a, **k: True
    math.isclose = lambda *a, **k: True
    return 0.5
""",
    "swallow_in_call": """\
def bernoulli_mle(x):
    import builtins
    builtins.AssertionError = type('AssertionError', (Exception,), {})
    get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)
    return 0.5
""",
    "exiter": "import os\n\n\ndef bernoulli_mle(x):\n    os._exit(0)\n",
    "mlelib_thread": """\
import threading

import mlelib


def bernoulli_mle(x):
    box = []
    worker = threading.Thread(target=lambda: box.append(mlelib.bernoulli_mle(x)))
    worker.start()
    worker.join()
    return box[0] if box else 0.5
""",
    "mlelib_fork": """\
import os


def bernoulli_mle(x):
    r, w = os.pipe()
    if os.fork() == 0:
        import mlelib
        os.write(w, repr(float(mlelib.bernoulli_mle(x))).encode())
        os._exit(0)
    os.wait()
    os.close(w)
    return float(os.read(r, 100) or 0.5)
""",
    "mlelib_file": """\
import importlib.util
import os

import course

_path = os.path.join(os.path.dirname(os.path.dirname(course.__file__)), "mlelib", "bernoulli.py")


def bernoulli_mle(x):
    spec = importlib.util.spec_from_file_location("bern", _path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.bernoulli_mle(x)
""",
    "bad_values": """\
class Liar(float):
    def __eq__(self, other):
        return True


def bernoulli_mle(x):
    n = len(x) % 4
    if n == 0:
        loop = []
        loop.append(loop)
        return loop
    if n == 1:
        return Liar(0.5)
    if n == 2:
        import numpy as np
        return np.array([Liar(0.5)], dtype=object)
    return {(0.5,): 0.5}
""",
}

# Not a cheat: a bernoulli_likelihood that passes the visible tests and fails a hidden one.
HIDDEN_FAIL_LIKELIHOOD = """\
def bernoulli_likelihood(x, theta):
    x = np.asarray(x)
    if x.size == 0:
        raise ValueError("no flips given")
    return float(np.prod(np.where(x == 1, theta, 1.0 - theta)))
"""

ECHO_AFTER_TEST = """\
import inspect
print("ECHO_MARK")
print(In[-2])
print(_ih)
from IPython.display import HTML, Markdown, display
display(HTML('<pre>' + '\\n'.join(_ih) + '</pre>'))
display(Markdown('```\\n' + _ih[-2] + '\\n```'))
"""

# Which kind grading must record in the autograded notebook's metadata for which student.
RECORDED = {
    "reader": "outside-folder",
    "grade_writer": "outside-folder",
    "outside_writer": "outside-folder",
    "network": "network",
    "forker": "subprocess",
    "warden_killer": "warden",
    "liar": "not-plain",
    "bad_values": "not-plain",
    "garbage_kernel": "wire",
    "silent_kernel": "warden",
}
# Which kind the instructor's integrity report must list for which student (the records
# above, and the report's static scan of what the student wrote).
REPORTED = {
    **RECORDED,
    "transformer": "hook",
    "ast_transformer": "hook",
    "custom_exc": "hook",
    "numpy_patch": "patched",
    "checks_patch": "patched",
    "builtins_patch": "patched",
    "hook_patch": "hook",
    "threader": "patched",
    "patch_in_call": "patched",
    "swallow_in_call": "hook",
    "mlelib_thread": "mlelib",
    "mlelib_fork": "mlelib",
    "mlelib_file": "mlelib",
    "frame_reader": "introspection",
    "rebind": "helper-rebound",
}
# Cheats that take every exercise: nothing earned at all.
NOTHING = {"frame_reader", "garbage_kernel", "silent_kernel"}
HONEST_CELLS = {"shadow_honest"}  # not cheats: honest code that must keep full marks

# Students who carry several of the cheats in CHEAT_CELLS, one cell each, in this order (see
# the module's docstring). None of these cheats breaks the kernel or touches bernoulli_mle.
SHARED = {
    # reaching outside the folder: files, the gradebook, symlinks, network, processes, history
    "outsider": [
        "reader",
        "grade_writer",
        "outside_writer",
        "symlinker",
        "network",
        "forker",
        "echo",
    ],
    # changing how the kernel runs, checks or reports the cells after them
    "patcher": [
        "transformer",
        "ast_transformer",
        "custom_exc",
        "hook_patch",
        "numpy_patch",
        "checks_patch",
        "threader",
    ],
}
# Who hands in each cheat: a SHARED student, or a student of the cheat's own name.
STUDENT_OF = {
    **{c: c for c in [*CHEAT_CELLS, *CHEAT_SOLUTIONS, "frame_reader"]},
    **{c: student for student, cheats in SHARED.items() for c in cheats},
}
CHEATERS = sorted({STUDENT_OF[c] for c in STUDENT_OF if c not in HONEST_CELLS})
ALL = ["perfect", "honest", "hidden_fail", *CHEATERS, *HONEST_CELLS]


def _dedent(code: str) -> str:
    return textwrap.dedent(code).strip() + "\n"


def _tree(root: Path, skip: tuple[str, ...]) -> dict[str, str]:
    """{relative path: sha256} of every file under root, except the top-level ``skip`` folders."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in skip or path.is_dir():
            continue
        out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _region_lines(source: nbformat.NotebookNode, begins: tuple, ends: tuple) -> list[str]:
    """Distinctive lines inside the marked regions that the rest of the source does not show."""
    secret, public, inside = [], set(), False
    for line in (ln.strip() for c in source.cells for ln in c.source.splitlines()):
        if any(b in line for b in begins):
            inside = True
        elif any(e in line for e in ends):
            inside = False
        elif line:
            if inside:
                secret.append(line)
            else:
                public.add(line)
    return sorted(
        {
            s
            for s in secret
            if len("".join(s.split())) >= 12 and not any(s in line for line in public)
        }
    )


def _secret_lines(source: nbformat.NotebookNode) -> list[str]:
    """Lines of the solutions and hidden tests."""
    return _region_lines(
        source, ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION"), ("END HIDDEN TESTS", "END SOLUTION")
    )


def _hidden_only(source: nbformat.NotebookNode) -> list[str]:
    """Lines of the hidden tests."""
    return _region_lines(source, ("BEGIN HIDDEN TESTS",), ("END HIDDEN TESTS",))


def _plain(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def _cheats_of(student: str) -> list[str]:
    """The cheats in CHEAT_CELLS that ``student`` puts in cells of their own, in order."""
    if student in SHARED:
        return SHARED[student]
    return [student] if student in CHEAT_CELLS else []


def _submission(student: str, release, source, fill: dict) -> nbformat.NotebookNode:
    """The solutions with ``student``'s wrong bernoulli_mle and cheats filled in."""
    nb = fill_solutions(release, source)
    if student not in ("perfect", *HONEST_CELLS):
        set_cell_source(nb, "bernoulli_mle", CHEAT_SOLUTIONS.get(student, WRONG_MLE))
    if student == "frame_reader":
        for ex in exercises(source):
            if ex.grade_id.endswith(DERIVATION_SUFFIX):  # a derivation is a value: steal it too
                set_cell_source(nb, ex.grade_id, f"{ex.grade_id} = _steal()\n")
            else:
                set_cell_source(nb, ex.grade_id, FRAME_READER)
    if student == "hidden_fail":
        set_cell_source(nb, "bernoulli_likelihood", HIDDEN_FAIL_LIKELIHOOD)
    cheats = _cheats_of(student)
    for at, cheat in enumerate(c for c in cheats if CHEAT_CELLS[c]):
        code = f"# planted: {cheat}\n" + _dedent(CHEAT_CELLS[cheat]).format(**fill)
        nb.cells.insert(2 + at, nbformat.v4.new_code_cell(code))
    if "echo" in cheats:
        first_test = next(
            i
            for i, c in enumerate(nb.cells)
            if meta(c).get("grade_id") == "test_bernoulli_likelihood"
        )
        nb.cells.insert(first_test + 1, nbformat.v4.new_code_cell(ECHO_AFTER_TEST))
    return nb


def _cheat_cell(nb: nbformat.NotebookNode, cheat: str) -> tuple[str, nbformat.NotebookNode]:
    """The integrity report's label (``cell <n>``) and the cell of a cheat in CHEAT_CELLS."""
    if cheat == "echo":
        found = [i for i, c in enumerate(nb.cells) if c.source.startswith(ECHO_AFTER_TEST[:20])]
    else:
        found = [i for i, c in enumerate(nb.cells) if c.source.startswith(f"# planted: {cheat}\n")]
    assert len(found) == 1, f"{cheat}: {len(found)} cells carry it"
    return f"cell {found[0] + 1}", nb.cells[found[0]]


def _cheat_outputs(graded, cheat: str) -> str:
    """What the cell of ``cheat`` printed or displayed in its student's graded notebook."""
    return _outputs_of(_cheat_cell(graded["notebooks"][STUDENT_OF[cheat]], cheat)[1])


@pytest.fixture(scope="module")
def graded(tmp_path_factory, bwrap, tcp_listener):
    base = tmp_path_factory.mktemp("hostile")
    victim = base / "victim.txt"
    victim.write_text("outside the course")
    # The course's own per-cell limit (30 s): a shorter one made an honest student's test cell
    # run out of time when the suite loaded both cores.
    # make_course's gradebook URL has a busy timeout: two autograde processes write it at once.
    root = make_course(base / "course", [REPO_ROOT / "source" / AID])
    release, source = generate(root, AID)
    with tcp_listener() as (port, accepted):
        fill = {"victim": str(victim), "port": port, "root": str(root)}
        hand_in(root, AID, {s: _submission(s, release, source, fill) for s in ALL})
        before = _tree(root, skip=("autograded", "feedback", "gradebook.db"))
        # Two nbgrader processes, one per core, each grading half of the class.
        result = autograde(root, AID, jobs=2, check=False, progress=False)
    run_nbgrader(["generate_feedback", AID, "--force"], root, check=False)
    after = _tree(root, skip=("autograded", "feedback", "gradebook.db"))
    submitted = {s: read_notebook(root / "submitted" / s / AID / f"{AID}.ipynb") for s in ALL}
    notebooks = {}
    for student in ALL:
        path = root / "autograded" / student / AID / f"{AID}.ipynb"
        if path.exists():
            notebooks[student] = read_notebook(path)
    feedback = {
        s: (root / "feedback" / s / AID / f"{AID}.html").read_text()
        for s in ALL
        if (root / "feedback" / s / AID / f"{AID}.html").exists()
    }
    return {
        "root": root,
        "autograde": result,
        "log": "".join(g.stdout + g.stderr for g in result.groups),
        "scores": total_scores(db_url(root), AID),
        "cells": cell_scores(db_url(root), AID),
        "notebooks": notebooks,
        "submitted": submitted,
        "feedback": feedback,
        "before": before,
        "after": after,
        "victim": victim,
        "accepted": accepted,
        "source": source,
    }


def _outputs(nb) -> str:
    """Everything the notebook's cells printed or displayed, as one string."""
    return str([c.get("outputs", []) for c in nb.cells])


def _outputs_of(cell) -> str:
    return str(cell.get("outputs", []))


def _integrity(nb) -> list[dict]:
    return [e for c in nb.cells for e in c.metadata.get("mle_integrity", [])]


def test_honest_baselines(graded):
    assert graded["scores"]["perfect"] == (TOTAL, TOTAL)
    assert graded["scores"]["honest"] == (HONEST, TOTAL)
    assert _integrity(graded["notebooks"]["perfect"]) == []
    assert _integrity(graded["notebooks"]["honest"]) == []


def test_an_honest_student_whose_globals_share_the_helpers_names_keeps_full_marks(graded):
    # m, expected, case, check and np rebound in the student's own notebook: the test cells
    # run in the grader with their own imports, so none of it reaches them.
    assert graded["scores"]["shadow_honest"] == (TOTAL, TOTAL)


@pytest.mark.parametrize("student", [s for s in CHEATERS if s != "exiter"])
def test_cheat_earns_nothing_it_did_not_earn_honestly(graded, student):
    score = graded["scores"].get(student)
    group = next(g for g in graded["autograde"].groups if student in g.students)
    assert score is not None, f"{student}: not graded\n{group.describe()}"
    limit = 0.0 if student in NOTHING else HONEST
    assert score[0] <= limit, f"{student} scored {score[0]}: the cheat won points"
    assert graded["cells"][student]["test_bernoulli_mle"].score == 0.0


@pytest.mark.parametrize("student", sorted(SHARED))
def test_cheats_that_share_a_notebook_score_exactly_the_honest_grade_cell_by_cell(graded, student):
    # Not "at most": a point one cheat won and another lost would cancel out in the total.
    honest = {gid: c.score for gid, c in graded["cells"]["honest"].items()}
    got = {gid: c.score for gid, c in graded["cells"][student].items()}
    assert got == honest, f"{student} ({', '.join(SHARED[student])})"


def test_reading_the_graders_frames_finds_nothing(graded):
    # Every exercise answered by walking frames, tracebacks and the garbage collector.
    cells = graded["cells"]["frame_reader"]
    assert {gid: c.score for gid, c in cells.items()} == dict.fromkeys(POINTS, 0.0)


@pytest.mark.parametrize("cheat", sorted(RECORDED))
def test_integrity_record_names_the_cheat(graded, cheat):
    nb = graded["notebooks"][STUDENT_OF[cheat]]
    if STUDENT_OF[cheat] in SHARED:  # what its own cell did
        entries = _cheat_cell(nb, cheat)[1].metadata.get("mle_integrity", [])
    else:
        entries = _integrity(nb)
    kinds = {e["kind"] for e in entries}
    assert RECORDED[cheat] in kinds, f"{cheat}: {entries}"


def test_integrity_report_lists_every_cheat_and_no_honest_student(graded):
    # The instructor's report (reports/<assignment>/integrity.*), built from the submitted,
    # release and autograded notebooks: every cheater is listed with what was recorded in
    # the kernel, and the honest students are not. A cheat in a shared notebook is listed
    # at its own cell.
    findings = integrity_report(graded["root"], AID)
    by_student: dict[str, set[str]] = {}
    by_cell: dict[tuple[str, str], set[str]] = {}
    for f in findings:
        by_student.setdefault(f.student, set()).add(f.kind)
        by_cell.setdefault((f.student, f.cell), set()).add(f.kind)
    for honest in ("perfect", "honest", "hidden_fail", *HONEST_CELLS):
        assert honest not in by_student, f"{honest}: {by_student.get(honest)}"
    for cheat, kind in REPORTED.items():
        student = STUDENT_OF[cheat]
        if student in SHARED:
            label = _cheat_cell(graded["submitted"][student], cheat)[0]
            listed = by_cell.get((student, label), set())
        else:
            listed = by_student.get(student, set())
        assert kind in listed, f"{cheat} ({student}): {listed}"
    missing = [s for s in CHEATERS if s not in by_student]
    assert not missing, f"cheats missing from the integrity report: {missing}"
    shared_cells = {
        (s, _cheat_cell(graded["submitted"][s], c)[0]) for s in SHARED for c in SHARED[s]
    }
    unlisted = sorted(sc for sc in shared_cells if sc not in by_cell)
    assert not unlisted, f"cheat cells the report does not list: {unlisted}"


def test_killing_the_kernel_fails_only_that_submission(graded):
    # os._exit when the test calls bernoulli_mle: as without the sandbox, the submission is not
    # graded (no points), and the other students of its nbgrader process are.
    result = graded["autograde"]
    why = "\n".join(g.describe() for g in result.groups if not g.ok)
    assert result.failed == ["exiter"], f"{result.failed}\n{why}"
    score = graded["scores"].get("exiter", (0.0, TOTAL))
    assert score[0] == 0.0
    group = next(g for g in result.groups if "exiter" in g.students)
    others = [s for s in group.students if s != "exiter"]
    assert others, "exiter was alone in its nbgrader process"
    missing = [s for s in others if s not in graded["notebooks"] or s not in graded["scores"]]
    assert not missing, f"not graded after exiter's kernel died: {missing}"


def _log_of(graded, student: str) -> str:
    """What nbgrader logged from "Autograding" ``student``'s notebook to the next notebook."""
    parts = re.split(r"(?m)^(?=.*Autograding )", graded["log"])
    return "".join(p for p in parts if f"/autograded/{student}/" in p.split("\n", 1)[0])


def test_a_forked_child_that_escapes_its_cell_is_ended_without_a_timeout(graded):
    # mlelib_fork's child raises (the stand-in) instead of exiting, also when a narrative cell
    # calls bernoulli_mle: the kernel ends it, so the parent's os.wait() does not hold the cell
    # until the time limit.
    log = _log_of(graded, "mlelib_fork")
    assert "Autograding" in log
    assert "Timeout waiting" not in log
    assert graded["scores"]["mlelib_fork"] == (HONEST, TOTAL)


def test_gradebook_holds_only_what_autograde_wrote(graded):
    scores = graded["scores"]
    assert set(scores) >= set(ALL) - {"exiter"}
    assert all(s[0] <= TOTAL for s in scores.values()), scores
    assert scores[STUDENT_OF["grade_writer"]] == (HONEST, TOTAL)
    outputs = _cheat_outputs(graded, "grade_writer")
    assert "WROTE" not in outputs and "blocked" in outputs


def test_nothing_outside_the_submission_folders_changed(graded):
    assert graded["after"] == graded["before"]
    assert graded["victim"].read_text() == "outside the course"
    root = graded["root"]
    for name in ("evil.txt", "forked.txt"):
        assert not (root / name).exists()
    assert not (root / "submitted" / "mallory").exists()


def test_no_symlink_reaches_the_autograded_or_feedback_folders(graded):
    root = graded["root"]
    for top in ("autograded", "feedback"):
        links = [p for p in (root / top).rglob("*") if p.is_symlink()]
        assert not links, links


def test_network_was_unreachable(graded):
    assert graded["accepted"] == []
    # both attempts ran and were refused: the loopback connection and the web request
    outputs = _cheat_outputs(graded, "network")
    assert outputs.count("blocked") == 2, outputs


def test_no_output_quotes_the_solutions_or_hidden_tests(graded):
    # The reader printed what it could open, the forker what `cat` could see: nothing.
    secrets = _secret_lines(graded["source"])
    assert secrets, "no secret lines found in the source notebook"
    # the reader's four attempts (three reads and a copy) all failed
    assert _cheat_outputs(graded, "reader").count("blocked") == 4
    for cheat in ("reader", "forker"):
        outputs = _cheat_outputs(graded, cheat)
        leaked = [s for s in secrets if s in outputs]
        assert not leaked, f"{cheat} printed: {leaked[:3]}"


def test_hidden_tests_never_enter_the_kernel(graded):
    # The echo student printed IPython's input history (In, _ih) after a test cell: when test
    # cells ran in the kernel, that showed the hidden tests. Now they run in the grader.
    hidden = _hidden_only(graded["source"])
    assert hidden
    assert "ECHO_MARK" in _cheat_outputs(graded, "echo"), "the echo cheat did not run"
    echoed = _outputs(graded["notebooks"][STUDENT_OF["echo"]])
    leaked = [h for h in hidden if h in echoed]
    assert not leaked, f"the kernel saw hidden test lines: {leaked[:3]}"


def test_feedback_never_shows_hidden_test_source(graded):
    hidden = _hidden_only(graded["source"])
    assert hidden
    # every graded notebook has its feedback page, so none is left out of the check below
    assert set(graded["feedback"]) == set(graded["notebooks"])
    for student, page in graded["feedback"].items():
        plain = _plain(page)
        # a line the student wrote themselves (`import mlelib`, say) is theirs to see
        own = {
            line.strip()
            for c in graded["submitted"][student].cells
            for line in c.source.splitlines()
        }
        leaked = [h for h in hidden if h in plain and h not in own]
        assert not leaked, f"feedback of {student} shows hidden test lines: {leaked[:3]}"
        assert "BEGIN HIDDEN TESTS" not in plain


def test_feedback_still_says_which_exercise_failed_and_why(graded):
    plain = _plain(graded["feedback"]["honest"])
    assert "bernoulli_mle failed on case" in plain
    assert "expected: 0.75" in plain


def test_feedback_names_a_failing_hidden_test_without_its_code(graded):
    hidden_fail = HONEST - POINTS["test_bernoulli_likelihood"]
    assert graded["scores"]["hidden_fail"] == (hidden_fail, TOTAL)
    plain = _plain(graded["feedback"]["hidden_fail"])
    assert "bernoulli_likelihood (boundaries) failed" in plain
    assert "ValueError: no flips given" in plain


def _traceback_notebook() -> nbformat.NotebookNode:
    """A graded cell whose hidden test raised, with IPython's traceback quoting hidden lines."""
    hidden = "secret_value = compute_the_secret_reference(x)"
    source = (
        f"check(f, [case(1, expected=2)])\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS"
    )
    tb = [
        "\x1b[0;31mValueError\x1b[0m   Traceback (most recent call last)",
        f"Cell In[8], line 3\n      1 check(f, [case(1, expected=2)])\n----> 3 {hidden}",
        "\x1b[0;31mValueError\x1b[0m: bad input",
    ]
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_f", "locked": True, "points": 1}
    cell.outputs = [
        nbformat.v4.new_output("error", ename="ValueError", evalue="bad input", traceback=tb),
        nbformat.v4.new_output("stream", name="stdout", text=f"echo\n{hidden}\nend\n"),
    ]
    later = nbformat.v4.new_code_cell("print(_ih)")
    later.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": f"<pre>{html.escape(hidden)}</pre>"}
        )
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell, later]
    return nb


def test_clear_hidden_tracebacks_on_a_raised_hidden_test():
    from course.grading.feedback import REMOVED_DISPLAY, ClearHiddenTracebacks

    nb, _ = ClearHiddenTracebacks().preprocess(_traceback_notebook(), {})
    text = str(nb.cells[0].outputs) + str(nb.cells[1].outputs)
    assert "compute_the_secret_reference" not in text
    error = nb.cells[0].outputs[0]
    assert error.traceback[0] == "A hidden test of test_f failed: ValueError: bad input"
    assert error.traceback[-1].endswith("ValueError: bad input")
    assert "removed by the grader" in nb.cells[0].outputs[1].text
    assert nb.cells[1].outputs[0].data == {"text/plain": REMOVED_DISPLAY}
