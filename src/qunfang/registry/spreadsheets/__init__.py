"""The registry's spreadsheets: the three layouts (households, people, memberships) in the
layouts villages keep (Chinese headers; English headers accepted too), and their importers.
The machinery (reading, cells, writing, the import that checks the whole file before it writes)
is `qunfang.core.spreadsheets`; views, commands and the benchmark call `import_file`,
`export_file` and `template_file` here.

Households come before people (a head is linked once the people are in), people before
memberships; a roster of household heads records each head as a person too. Rows are matched by
the household number (or the household's head), the ID number (or name and birth date) and
(person, post, start date).

- `columns`: the columns the layouts share (ID numbers, 是/否).
- `register`: what the checks read (the village's register, who holds an ID number anywhere)
  and the importers' common base.
- `households`, `people`, `memberships`: one book each, its importer and its layout.
- `files`: the layouts by key, and files in and out.
"""

from qunfang.registry.spreadsheets.columns import EXAMPLE_ID
from qunfang.registry.spreadsheets.files import LAYOUTS, export_file, import_file, template_file

__all__ = ["EXAMPLE_ID", "LAYOUTS", "export_file", "import_file", "template_file"]
