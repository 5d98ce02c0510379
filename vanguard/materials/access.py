"""Who may see and make the branch's materials, the college's figures, the drafted
report, the paper forms and the archive. Built on the vocabulary of `accounts.access`
and the access modules of the apps whose records the documents hold; views and tasks
ask here, never decide themselves."""

from __future__ import annotations
