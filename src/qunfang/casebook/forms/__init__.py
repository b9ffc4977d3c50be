"""The casebook's forms, one module per book (`cases`, `inspections`, `mediation`, `opinions`)."""
