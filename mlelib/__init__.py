"""mlelib: the course's reference library for maximum likelihood estimation.

Pure numpy/scipy. Every graded exercise in the course is compared with a
function from here, and every function here is tested against scipy.stats,
statsmodels, scikit-learn or a closed form.
"""

from .discrete import *  # noqa: F401,F403
from .gaussian import *  # noqa: F401,F403
from .inference import *  # noqa: F401,F403
from .laplace import *  # noqa: F401,F403
from .lifetimes import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .mixtures import *  # noqa: F401,F403
from .optimize import *  # noqa: F401,F403
from .priors import *  # noqa: F401,F403
from .regression import *  # noqa: F401,F403
