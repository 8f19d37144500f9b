"""Movement orders (приказы о движении контингента): entered by the secretary and the deputy
director, they move students between groups, send them on academic leave and back, expel
them, move a whole group to the next course and graduate it.

An order's group history (``GroupEnrolment``) and the end of roles (``Membership.until``) are
written with their dates when it is entered, so registers and access follow the effective date
by themselves; the rest (status, current group, invites) is made on the effective date by
``effects.apply_due``, which the scheduler runs (and which catches up after a pause)."""
