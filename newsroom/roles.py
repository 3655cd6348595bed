"""The newsroom's roles: group names shared by migrations, demo data and tests."""

EDITORS = "Editors"
FACT_CHECKERS = "Fact-checkers"
API_CONSUMERS = "API consumers"

ALL_GROUPS = (EDITORS, FACT_CHECKERS, API_CONSUMERS)
