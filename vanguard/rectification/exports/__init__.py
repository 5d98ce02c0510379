"""Links out of rectification (issue 14, point 5): a member's plan and its state as PDF
and Excel for the annual assessment (年度考核) and post appointment (聘岗), and the
plan's summary on the member appraisal registration form (党员评议登记表), added
through grading's `registration_sections` (`registration.py`)."""
