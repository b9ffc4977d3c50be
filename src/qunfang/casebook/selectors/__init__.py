"""The casebook's reads for pages, one module per book: `cases`, `inspections`, `mediation`,
`opinions` and `reports` (situation reports). Every read starts from `visible_to(user)`, or, on a
public page, from what the village chose to publish."""
