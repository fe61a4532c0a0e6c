"""``python -m course._nbgrader ARGS``: the ``nbgrader`` command, without one slow import.

It lives outside ``course.grading``, whose package imports nbgrader: run as ``-m``, this module
must run before anything imports jsonschema.

jsonschema, which nbformat and so nbgrader import, loads ``rfc3987_syntax`` as it is imported
whenever that package is installed (``jsonschema[format-nongpl]``, which the Jupyter packages
require, installs it), and ``rfc3987_syntax`` builds its Earley parsers at import: about 1.1 s
of CPU time, half the cost of starting nbgrader (upstream: python-jsonschema/jsonschema#1428).
It serves jsonschema's "iri" and "iri-reference" format checks only, and nbgrader never runs
a format check: nbformat, nbconvert, nbclient and nbgrader validate without a format checker.
So the nbgrader processes the course starts (:func:`course.grading.run_nbgrader`, parallel
autograde, ``mle-course nbgrader``) block that import, and jsonschema goes without those two
checks, as it does wherever the package is not installed. Everything else is nbgrader's own
command line, and ``nbgrader`` typed in a shell is unchanged.
"""

import sys

# A None entry makes `import rfc3987_syntax` raise ImportError, which jsonschema expects.
sys.modules.setdefault("rfc3987_syntax", None)

from nbgrader.apps.nbgraderapp import main  # noqa: E402 - after the entry above

if __name__ == "__main__":
    sys.exit(main())
