"""The checks: validations of what Multus users write by hand. They report, and never change an item."""
