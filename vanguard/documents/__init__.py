"""Generic renderers for documents with Chinese text: `pdf.py` lays text of any length
out with the CJK font embedded. It imports no app of the project; each document's
content belongs to the app whose record it is (the registration form to grading, the
feedback sheet to opinions), which builds it on these primitives."""
