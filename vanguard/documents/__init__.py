"""Document exporters (Word / PDF / Excel), one module per document; shared PDF
plumbing in `pdf.py`."""
