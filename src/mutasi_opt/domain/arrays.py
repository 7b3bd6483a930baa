"""The NumPy array types of the package's annotations, defined once."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["BoolArray", "FloatArray", "IntArray", "ObjectArray", "StrArray"]

#: whole numbers (indices into the problem's tables, counts, exact integer stage values)
IntArray = npt.NDArray[np.int64]
#: hours, FTE, EJ and other real numbers
FloatArray = npt.NDArray[np.float64]
#: masks
BoolArray = npt.NDArray[np.bool_]
#: table cells as read (text, numbers, None)
ObjectArray = npt.NDArray[np.object_]
#: fixed-width text
StrArray = npt.NDArray[np.str_]
