"""Intake: the channels by which opinions come in — the suggestion box (意见箱), the
written survey (书面调查), individual talks (个人交谈) and symposia (座谈会) — and
each campaign's aspects and rounds, which every later step reads."""
