"""Feedback preprocessors: what a student sees must not give the hidden tests away.

nbgrader's ``ClearHiddenTests`` removes the hidden region from a test cell's source, but the
outputs of the autograded notebook can still quote it:

* the error output of a failing test cell: IPython prints the lines around the failing one,
  hidden ones included;
* anything a submission printed or displayed on purpose, in any cell: ``print(In[-1])``,
  ``_ih``, ``inspect.getsource``, a cell that echoes the previous cell's code as HTML...

``ClearHiddenTracebacks`` runs before ``ClearHiddenTests`` and removes hidden-test lines from
every output of every cell: traceback lines, the error message, stream text and the textual
forms of displayed results (a display that quotes them is replaced by a notice). The student
still learns which exercise failed and why: the message of a failing check stays (checks from
``course.checks`` print no source), and an error raised inside hidden code is headed by
``A hidden test of <exercise> failed: <error>: <message>``.

What counts as a hidden line: every stripped line of a ``BEGIN HIDDEN TESTS`` ... ``END HIDDEN
TESTS`` region, markers included. Where IPython's traceback of a test cell quotes its own source
(``----> 14 code``), every hidden line goes; everywhere else (messages, printed and displayed
output, other cells) only the distinctive ones (at least six non-blank characters, some of them
letters or digits, and not part of a line outside the hidden regions), so that a bracket or an
``import numpy`` in the student's own output survives.
"""

from __future__ import annotations

import html
import re

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from course.grading.submissions import marked_lines

__all__ = ["ClearHiddenTracebacks"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# A line of source quoted in an IPython traceback: "      3 code" or "----> 3 code".
_LISTING = re.compile(r"^\s*(?:-*>)?\s*\d+\s(.*)$")
REMOVED_DISPLAY = "[output removed by the grader: it showed hidden test code]"
REMOVED_LINES = "[{n} line(s) removed by the grader: they showed hidden test code]"
_TEXT_MIMES = ("text/", "application/json", "application/javascript")


def _hidden_and_public(source: str, begin: str, end: str) -> tuple[list[str], set[str]]:
    """The stripped, non-empty lines of ``source`` inside its hidden regions (markers
    included), and those outside them."""
    hidden, public = marked_lines(source, (begin,), (end,), markers=True)
    return hidden, set(public)


def _distinctive(line: str) -> bool:
    compact = "".join(line.split())
    return len(compact) >= 6 and any(ch.isalnum() for ch in compact)


def _as_text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


class ClearHiddenTracebacks(NbGraderPreprocessor):
    """Remove hidden-test lines from all outputs of the notebook (see the module docstring)."""

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)

    def preprocess(self, nb, resources):
        begin, end = self.begin_test_delimeter, self.end_test_delimeter
        code = [c for c in nb.cells if c.cell_type == "code"]
        public: set[str] = set()
        hidden: list[str] = []
        own: list[list[str]] = []  # each code cell's hidden lines
        for cell in code:
            cell_hidden, cell_public = _hidden_and_public(cell.source, begin, end)
            own.append(cell_hidden)
            public |= cell_public
            hidden += cell_hidden
        self._strong = sorted(
            {
                h
                for h in hidden
                if (_distinctive(h) and not any(h in line for line in public))
                or begin in h
                or end in h
            }
        )
        for cell, cell_hidden in zip(code, own, strict=True):
            self._clean_cell(cell, cell_hidden)
        return nb, resources

    def _clean_cell(self, cell, own: list[str]) -> None:
        """Clean the outputs of one code cell; ``own`` is its hidden lines."""
        in_tb = set(own) | set(self._strong)
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "this exercise")
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error":
                self._clean_error(output, in_tb, bool(own), grade_id)
            elif kind == "stream":
                output["text"] = self._scrub_text(_as_text(output.get("text", "")), notice=True)
            elif kind in ("display_data", "execute_result"):
                self._clean_display(output)

    def _clean_error(self, output, hidden: set[str], has_hidden: bool, grade_id: str) -> None:
        removed = 0
        cleaned = []
        for entry in output.get("traceback", []):
            # Colours are lost on purpose: IPython highlights code token by token, so a hidden
            # line can only be recognised in the plain text.
            lines = _ANSI.sub("", entry).split("\n")
            kept = [ln for ln in lines if not self._hidden_in_traceback(ln, hidden)]
            removed += len(lines) - len(kept)
            cleaned.append("\n".join(kept))
        evalue = self._scrub_text(str(output.get("evalue", "")), notice=False)
        output["evalue"] = evalue
        if removed and has_hidden:
            first = evalue.splitlines()[0] if evalue.strip() else ""
            header = f"A hidden test of {grade_id} failed: {output.get('ename', 'Error')}"
            cleaned.insert(0, header + (f": {first}" if first else ""))
        output["traceback"] = cleaned

    def _hidden_in_traceback(self, line: str, own: set[str]) -> bool:
        """A source line IPython quotes (``----> 3 code``) that is hidden, or any distinctive
        hidden line quoted elsewhere (a message quoting its own code)."""
        listing = _LISTING.match(line)
        if listing and listing.group(1).strip() in own:
            return True
        return self._leaks(line)

    def _scrub_text(self, text: str, *, notice: bool) -> str:
        lines = text.split("\n")
        plain = [_ANSI.sub("", html.unescape(ln)) for ln in lines]
        kept = [ln for ln, p in zip(lines, plain, strict=True) if not self._leaks(p)]
        if len(kept) == len(lines):
            return text
        if notice:
            kept.append(REMOVED_LINES.format(n=len(lines) - len(kept)) + "\n")
        return "\n".join(kept)

    def _leaks(self, text: str) -> bool:
        return any(h in text for h in self._strong)

    def _clean_display(self, output) -> None:
        data = output.get("data", {})
        leaked = any(
            mime.startswith(_TEXT_MIMES) and self._leaks(_ANSI.sub("", html.unescape(_as_text(v))))
            for mime, v in data.items()
        )
        if leaked:
            output["data"] = {"text/plain": REMOVED_DISPLAY}
            output["metadata"] = {}
