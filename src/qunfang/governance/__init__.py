"""Governance (群防群治的组织建设): meetings, training, selection and appointment, written rules,
mandates. See models/__init__.py."""
