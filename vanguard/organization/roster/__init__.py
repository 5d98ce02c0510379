"""Roster import and export (名册导入、导出) as Excel workbooks (.xlsx), one module per job:

- `fileformat` — the columns, their headers and guide, how a file spells a choice, and
  the empty template;
- `export` — a unit's roster written in the template's layout;
- `container` — the file's container checked before any parser sees it: not a workbook
  (empty, CSV, old .xls, password-protected), macro-enabled, or a zip bomb (declared
  sizes and ratios from the central directory; parts inflated in bounded chunks that
  stop at their declared size);
- `reading` — a file read and checked: the upload itself, then every row, each fault
  collected with its sheet, row number, column header and cell (C7). Files as offices
  send them are read as the office sees them (title rows, extra or missing optional
  columns, numbers Excel turned into numbers, full-width characters, standing words
  and date forms); see `tests/test_roster_corpus.py` for one file of each kind;
- `writing` — checked rows applied in one transaction;
- `jobs` — an upload stored as an import job and run as a background task.

Import validates everything, then saves once (habit 5):

1. the file itself — not an .xlsx, over the size limit, macro-enabled, a zip bomb,
   password-protected, no data rows, no header — is refused with a message that names
   the file or the header, the cheap container checks before the file is even stored;
2. every row is checked and every fault is collected with its row number and column
   header; numbers repeated inside the file, branches the scope does not hold and
   numbers that belong to a member the importer may not manage are faults too;
3. only when no row is at fault, one transaction creates, updates and moves members
   with bulk writes, builds the transfer history with `services.transfer_for`, and
   records every change in the audit trail with `audit_record_many` (bulk writes fire
   no signals). Re-importing the same file finds nothing to change and writes nothing.
   Members missing from the file are left as they are.

Who may import into or export a unit is decided by the entry points, through
`organization.access` (`can_import_roster`, `can_manage_roster`); the job checks again
when it runs, because the right may be lost while the job waits.
"""
