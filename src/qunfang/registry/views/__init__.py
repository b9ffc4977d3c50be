"""The registry's pages, one module per book: `organisations` (and their posts), `people` (with
vetting and training), `households`, `groups` (ten-household groups), `contracts` (security
contracts) and `io` (spreadsheet import, export and templates); `common` holds what they share.
The routes are in `registry/urls.py`."""
