"""``python -m course._nbgrader ARGS``: the ``nbgrader`` command, without two slow starts.

It lives outside ``course.grading``, whose package imports nbgrader: run as ``-m``, this module
must run before anything imports jsonschema.

1. jsonschema, which nbformat and so nbgrader import, loads ``rfc3987_syntax`` as it is
   imported whenever that package is installed (``jsonschema[format-nongpl]``, which the
   Jupyter packages require, installs it), and ``rfc3987_syntax`` builds its Earley parsers at
   import: about 1.1 s of CPU time, half the cost of starting nbgrader (upstream:
   python-jsonschema/jsonschema#1428). It serves jsonschema's "iri" and "iri-reference" format
   checks only, and nbgrader never runs a format check: nbformat, nbconvert, nbclient and
   nbgrader validate without a format checker. So this launcher blocks that import, and
   jsonschema goes without those two checks, as it does wherever the package is not installed.
2. When nbgrader creates a gradebook it stamps it with the newest revision of its database
   schema, which it learns by running ``alembic heads`` as a subprocess
   (``nbgrader.api.get_alembic_version``): a second Python start that imports alembic,
   SQLAlchemy and nbgrader's models, about 3 s of CPU time, and the reason nbgrader needs
   ``alembic`` on ``PATH``. This launcher asks alembic's own Python API for the same head in
   the process that already has those modules (:func:`alembic_head`); if nbgrader's migrations
   ever have more than one head, it leaves nbgrader's own subprocess to decide.

The course starts nbgrader this way everywhere (:func:`course.grading.run_nbgrader`, parallel
autograde, ``mle-course nbgrader``). Everything else is nbgrader's own command line, and
``nbgrader`` typed in a shell is unchanged.
"""

import sys

# A None entry makes `import rfc3987_syntax` raise ImportError, which jsonschema expects.
sys.modules.setdefault("rfc3987_syntax", None)

import nbgrader.api  # noqa: E402 - after the entry above
from nbgrader.apps.nbgraderapp import main  # noqa: E402


def alembic_head() -> str | None:
    """The head revision of nbgrader's gradebook schema, as ``alembic heads`` prints it.

    Read from nbgrader's migration scripts with alembic's ``ScriptDirectory``, in this process.
    None when there is not exactly one head (``alembic heads`` would print several lines).
    """
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    heads = ScriptDirectory.from_config(config).get_heads()
    return heads[0] if len(heads) == 1 else None


_subprocess_head = nbgrader.api.get_alembic_version


def _gradebook_version() -> str:
    """``nbgrader.api.get_alembic_version`` without the ``alembic`` subprocess."""
    return alembic_head() or _subprocess_head()


if __name__ == "__main__":
    nbgrader.api.get_alembic_version = _gradebook_version
    sys.exit(main())
