"""nbgrader configuration: the repository root is the course directory.

Run nbgrader from this folder (``nbgrader generate_assignment 01_coin_flips``, ``autograde``,
``generate_feedback``, ``export``, ``validate``) or use the make targets, which also put the
virtualenv's ``bin/`` on PATH (nbgrader shells out to ``alembic`` when it creates a gradebook).

Throwaway course directories (tests, ``make demo``) load this file with ``load_subconfig`` and
then point ``CourseDirectory.root`` and ``db_url`` at themselves, so every grading setting lives
here and only here.
"""

import os
import sys

c = get_config()  # noqa: F821 - injected by traitlets when it loads this file

# --- the course ----------------------------------------------------------------------------
c.CourseDirectory.course_id = "mle-course"
# The folder of this file, wherever nbgrader is started from. The gradebook stays at its
# default place, <root>/gradebook.db (git-ignored).
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# nbgrader starts `alembic` as a subprocess; make sure the interpreter's own bin/ is searched
# first even when an instructor forgot to activate the virtualenv.
_bin = os.path.join(sys.prefix, "bin")
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

# --- generate_assignment ---------------------------------------------------------------------
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# --- autograde -------------------------------------------------------------------------------
# Per-cell limit. A correct solution cell runs in well under a second; a cell that loops
# forever is interrupted after this many seconds and the rest of the notebook is still graded.
# Every cell, the student's own and a graded test cell (run in the grader, see
# course/grading/remote.py), counts the CPU seconds of the student's kernel against it, and may
# run four times as long by the clock (course/grading/execute.py).
c.Execute.timeout = 30
# After a cell's reply, nbgrader waits this long for the kernel's last output messages and,
# past it, fails the whole submission ("Timeout waiting for IOPub output"). nbclient's 4 s
# default was exceeded by a figure-drawing cell of 05 on a loaded two-core grader.
c.Execute.iopub_timeout = 30
# Any stderr output in a test cell scores it 0. A warning raised by numpy/matplotlib in a
# correct answer must not cost the student the points, so outputs on stderr that are warnings
# are dropped before grading. (The preprocessor is off by default in nbgrader 0.9.)
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"Warning"
# A student who deletes a graded cell gets it back (with the instructor's source) instead of a
# silently smaller notebook.
c.OverwriteCells.add_missing_cells = True

# The kernel that runs submissions: bubblewrap sandbox (course/grading/sandbox.py). It sees a
# scratch copy of its own autograded/<student>/<assignment> folder, the read-only system,
# virtualenv and course package, a stand-in for mlelib, and nothing else: no gradebook,
# source/, other students, network.
# If the sandbox cannot start, that submission is not graded (it never runs unsandboxed).
# MLE_COURSE_UNSANDBOXED=1 opts out (plain python3 kernel) on a machine without bubblewrap.
from course.grading import sandbox as _sandbox  # noqa: E402

# Only autograde's GuardedExecute knows the sandbox kernelspec (it adds the folder to its own
# kernel manager): nothing here touches JUPYTER_PATH, so a JupyterLab started in this folder
# (whose nbgrader extension reads this file) never offers the grading kernel to students.
# `nbgrader validate` runs a notebook as the student's own kernel would.
if _sandbox.unsandboxed():
    print(
        "WARNING: MLE_COURSE_UNSANDBOXED is set: submissions run WITHOUT the sandbox and can "
        "read the solutions and rewrite the gradebook.",
        file=sys.stderr,
    )
    c.GuardedExecute.kernel_name = "python3"
    c.GuardedExecute.extra_arguments = [f"--IPKernelApp.extensions={_sandbox.WARDEN_EXTENSION}"]
else:
    c.GuardedExecute.kernel_name = _sandbox.KERNEL_NAME
    c.KernelManager.transport = "ipc"  # the sandbox has no network; sockets in a private dir
    c.KernelManager.connection_file = _sandbox.connection_file()
# Execute, except that graded test cells run here in the grader, calling the student's
# functions in the kernel with plain data (course/grading/execute.py, remote.py); what the
# kernel's audit hook saw is recorded in the cell metadata for the integrity report.
c.Autograde.autograde_preprocessors = [
    "course.grading.execute.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# --- generate_feedback -----------------------------------------------------------------------
# nbgrader's default feedback shows the autograded notebook, whose test cells were restored
# from the gradebook *with* their hidden tests. ClearHiddenTests takes them out of the cells'
# source; ClearHiddenTracebacks (ours) first takes them out of the tracebacks, which IPython
# prints with the lines around the failing one.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course.grading.feedback.ClearHiddenTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
