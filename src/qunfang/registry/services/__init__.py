"""The registry's writes, one module per book: `people` (people and their vetting),
`organisations` (posts and who holds them), `groups` (ten-household groups) and `contracts`
(security contracts). Views, imports, the API and the demo all call these."""
