"""A container whose catalog has roles (shared with the identity tests)."""

from __future__ import annotations

import pytest
from tests.integration.identity.rbac import with_roles

from custos.bootstrap import Container


@pytest.fixture
def rbac(container: Container) -> Container:
    return with_roles(container)
