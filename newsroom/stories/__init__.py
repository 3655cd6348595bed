"""The newsroom's own stories: citations of claims, the editorial workflow, the publish guard
and corrections (DESIGN.md §3 promise 6)."""
