"""Deprecated alias of :mod:`jaxhiggs.fit.models` (the fit models moved into the :mod:`jaxhiggs.fit` package).

``import jaxhiggs.fit_models`` still works (it is the same module object) but warns: import
``jaxhiggs.fit.models`` (or use ``jaxhiggs.fit.models``) instead.
"""

import sys
import warnings

from .fit import models as _models

warnings.warn("jaxhiggs.fit_models is deprecated: use jaxhiggs.fit.models (the same module)", DeprecationWarning,
              stacklevel=2)
sys.modules[__name__] = _models
