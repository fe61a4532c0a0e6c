"""Read grades back from an nbgrader gradebook."""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import Gradebook, MissingEntry

__all__ = ["CellScore", "cell_scores", "total_scores"]


@dataclass(frozen=True)
class CellScore:
    """The score of one graded cell of one submission."""

    score: float
    max_score: float
    needs_manual_grade: bool


def cell_scores(db_url: str, assignment: str) -> dict[str, dict[str, CellScore]]:
    """``{student: {grade_id: CellScore}}`` for every submission of ``assignment``."""
    out: dict[str, dict[str, CellScore]] = {}
    with Gradebook(db_url) as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            return out
        for sub in submissions:
            cells = out.setdefault(sub.student_id, {})
            for nb in sub.notebooks:
                for grade in nb.grades:
                    cells[grade.name] = CellScore(
                        float(grade.score), float(grade.max_score), bool(grade.needs_manual_grade)
                    )
    return out


def total_scores(db_url: str, assignment: str) -> dict[str, tuple[float, float]]:
    """``{student: (score, max_score)}`` for every submission of ``assignment``."""
    with Gradebook(db_url) as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            return {}
        return {s.student_id: (float(s.score), float(s.max_score)) for s in submissions}
