"""Text as every document format can hold it."""

from __future__ import annotations

import re
from typing import Any

# Characters XML 1.0 cannot hold: Word and Excel refuse the file (openpyxl raises),
# reportlab prints garbage.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: Any) -> str:
    """`text` as a string without the characters no document may hold (None: "")."""
    return NOT_XML.sub("", str(text if text is not None else ""))
