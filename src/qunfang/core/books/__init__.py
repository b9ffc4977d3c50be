"""The books kit: append-only models whose lines are hash-chained.

- `base`: `AppendOnly` (the abstract model every book inherits) and `ChainHead`;
- `chain`: what a line hashes and how new lines are linked to their chain;
- `verify`: walking the chains, anchors outside the database;
- `retention`: archiving the security log's old lines as a chained step;
- `core/triggers.py`: the database triggers that refuse UPDATE and DELETE.
"""
