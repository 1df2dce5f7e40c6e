"""Alias of :mod:`jaxhiggs.fit.models` (the fit models moved into the :mod:`jaxhiggs.fit` package)."""

import sys

from .fit import models as _models

sys.modules[__name__] = _models
