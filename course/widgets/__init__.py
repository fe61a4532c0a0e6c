"""Interactive explorers for the course notebooks.

Each explorer is a pure model (``explorer.model``: state and update methods, no
matplotlib) and a view (the returned ipywidgets box: controls, a status line and a
private ipympl canvas). Creating one never changes matplotlib's global backend, and
without a front end (nbconvert, nbgrader, a plain kernel) it displays as plain text
with nothing on stderr.

| explorer | notebook |
|---|---|
| :func:`coin_flip_explorer` | 01 |
| :func:`gradient_descent_explorer` | 02 |
| :func:`gaussian_explorer` | 03 |
| :func:`sampling_distribution_explorer` | 05 |
| :func:`prior_posterior_explorer` | 06 |
| :func:`em_stepper` | 07 |
"""

from .coin import coin_flip_explorer
from .em import em_stepper
from .gaussian import gaussian_explorer
from .gradient import gradient_descent_explorer
from .prior import prior_posterior_explorer
from .sampling import sampling_distribution_explorer

__all__ = [
    "coin_flip_explorer",
    "em_stepper",
    "gaussian_explorer",
    "gradient_descent_explorer",
    "prior_posterior_explorer",
    "sampling_distribution_explorer",
]
