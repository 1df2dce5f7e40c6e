"""Alias of :mod:`jaxhiggs.fit.config` (fit configurations moved into the :mod:`jaxhiggs.fit` package)."""

import sys

from .fit import config as _config

sys.modules[__name__] = _config
