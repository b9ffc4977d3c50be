"""Every scoped patrol read used by pages, one module per area, each read starting from
`visible_to(user)`:

- `common.py`: who may change what (`may_change`, `change_or_403`), the query pieces the
  areas share, the check-in window and where a shift may check in;
- `people.py`: who may serve (the roster's pool, qualifications, household members) and who
  may take a shift over;
- `planning.py`, `records.py`, `self.py`, `display.py`: the reads of the pages of the same
  name in `views/`.
"""
