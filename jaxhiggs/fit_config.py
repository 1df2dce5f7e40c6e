"""Deprecated alias of :mod:`jaxhiggs.fit.config` (fit configurations moved into the :mod:`jaxhiggs.fit` package).

``import jaxhiggs.fit_config`` still works (it is the same module object) but warns: import
``jaxhiggs.fit.config`` (or use ``jaxhiggs.fit.config``) instead.
"""

import sys
import warnings

from .fit import config as _config

warnings.warn("jaxhiggs.fit_config is deprecated: use jaxhiggs.fit.config (the same module)", DeprecationWarning,
              stacklevel=2)
sys.modules[__name__] = _config
