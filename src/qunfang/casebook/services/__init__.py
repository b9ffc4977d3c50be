"""The casebook's writes, one module per book: `cases` (the case register, hand-overs and upward
reports), `mediation`, `inspections` (with rectification orders), `opinions` (the opinion book and
its public form), `reports` (situation reports), `overdue` (the periodic overdue notices) and
`patrol_findings` (the hook that turns a patrol's finding into a case). Each write checks who may
act, saves, writes its book line and notifies; views, commands and tasks all call these."""
