"""Numbers that several likelihoods share."""

from __future__ import annotations

import numpy as np

__all__ = ["LOG_2PI"]

#: log(2 pi), the constant in every Gaussian log-density.
LOG_2PI = float(np.log(2.0 * np.pi))
