"""The drafted campaign review report (活动工作回顾初稿, Word): the seed's review of the
college's campaign as a first draft the committee edits — the phases and what each
achieved, the figures the seed quotes counted by the apps that own them, charts, and
the examples the committee chose from the branch records (`candidates`)."""
