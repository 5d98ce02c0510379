"""Feedback (反馈): the sheet of sorted opinions a member reads about themself, with
no source (page, PDF and API), and the member's acknowledgement."""
