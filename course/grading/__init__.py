"""The instructor pipeline: nbgrader course directories, synthetic submissions, grades.

``pipeline`` runs nbgrader, ``submissions`` builds notebooks a student could hand in, and
``gradebook`` reads the scores back. ``course.release`` and ``course.demo`` are built on these,
and so are the pipeline tests.
"""

from course.grading.gradebook import CellScore, cell_scores, total_scores
from course.grading.pipeline import (
    REPO_CONFIG,
    REPO_ROOT,
    NbgraderError,
    assignment_ids,
    course_config,
    db_url,
    generate,
    hand_in,
    make_course,
    nbgrader_command,
    nbgrader_env,
    run_nbgrader,
    scripts_dir,
    source_notebook,
    source_points,
)
from course.grading.submissions import (
    Exercise,
    exercises,
    fill_solutions,
    grade_cells,
    is_test_cell,
    leaked_lines,
    meta,
    read_notebook,
    set_cell_source,
    write_notebook,
)

__all__ = [
    "REPO_CONFIG",
    "REPO_ROOT",
    "CellScore",
    "Exercise",
    "NbgraderError",
    "assignment_ids",
    "cell_scores",
    "course_config",
    "db_url",
    "exercises",
    "fill_solutions",
    "generate",
    "grade_cells",
    "hand_in",
    "is_test_cell",
    "leaked_lines",
    "make_course",
    "meta",
    "nbgrader_command",
    "nbgrader_env",
    "read_notebook",
    "run_nbgrader",
    "scripts_dir",
    "set_cell_source",
    "source_notebook",
    "source_points",
    "total_scores",
    "write_notebook",
]
