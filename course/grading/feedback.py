"""Feedback preprocessors: what a student sees must not give the hidden tests away.

nbgrader's ``ClearHiddenTests`` removes the hidden region from a test cell's source, but the
error output of a failing test cell still quotes it: IPython prints the lines around the failing
one, hidden ones included. ``ClearHiddenTracebacks`` runs first and drops those lines from the
tracebacks. The exception type and message (which ``course.checks`` writes for the student)
stay.
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

__all__ = ["ClearHiddenTracebacks"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _hidden_lines(source: str, begin: str, end: str) -> list[str]:
    """The stripped, non-empty lines of the hidden regions of ``source``, markers included."""
    hidden, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        if inside and line.strip():
            hidden.append(line.strip())
        if end in line:
            inside = False
    return hidden


class ClearHiddenTracebacks(NbGraderPreprocessor):
    """Remove the lines of hidden tests from the error outputs of graded cells."""

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        hidden = _hidden_lines(cell.source, self.begin_test_delimeter, self.end_test_delimeter)
        if not hidden:
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [self._scrub(entry, hidden) for entry in output.traceback]
        return cell, resources

    @staticmethod
    def _scrub(entry: str, hidden: list[str]) -> str:
        # Colours are lost on purpose: IPython highlights code token by token, so a hidden line
        # can only be recognised in the plain text.
        lines = _ANSI.sub("", entry).split("\n")
        kept = [ln for ln in lines if not any(h in ln for h in hidden)]
        return "\n".join(kept)
