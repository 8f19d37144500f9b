"""Monitoring of how the journal is kept (§IV): the span asked for, the indicators of a
college, a teacher and a lesson, and what the screens and the workbook show of them."""
