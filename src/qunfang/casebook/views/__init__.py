"""The casebook's screens, one module per book: `cases` (with upward reports and situation
reports), `inspections`, `mediation` and `opinions` (with the public form). Thin: parse, call a
service or a selector, render."""
