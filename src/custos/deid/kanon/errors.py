"""Errors of the k-anonymity family; messages name columns, files, rows and parameters, never values."""

from __future__ import annotations

from custos.errors import ValidationError


class KanonParameterError(ValidationError):
    """A privacy-model or search parameter is out of range or inconsistent (k, l, c, t, limit)."""

    code = "kanon_invalid_parameter"


class KanonColumnMissing(ValidationError):
    code = "kanon_missing_column"


class HierarchyMalformed(ValidationError):
    """A hierarchy file is not a tree of equal-depth rows (ARX format, one row per value)."""

    code = "kanon_hierarchy_malformed"


class HierarchyValueMissing(ValidationError):
    """The data hold a value the column's hierarchy does not list."""

    code = "kanon_hierarchy_value_missing"


class InputMalformed(ValidationError):
    """The input table cannot be read (empty, ragged rows, undetectable delimiter)."""

    code = "kanon_input_malformed"


class LatticeTooLarge(ValidationError):
    code = "kanon_lattice_too_large"


class KanonNoSolution(ValidationError):
    """No node of the lattice satisfies the models within the suppression limit."""

    code = "kanon_no_solution"
