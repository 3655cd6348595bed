"""The claims admin, one module per concept; importing them registers their ModelAdmins.

`display` shows quotes, chains and evidence; `inlines` routes the claim page's rows into the
recording services; `filters` holds the changelist's filters and review queue; `workflow` the
move forms and actions; `suggest` the suggester's forms; `views` one class per custom page;
`claim`, `appearance` and `log` the registered admins; `document` extends the sources
document page with its claims, and `quote` starts a claim or appearance from a selection.
"""

from claims.admin.appearance import AppearanceAdmin
from claims.admin.claim import ClaimAdmin
from claims.admin.document import DocumentAdmin
from claims.admin.log import HistoryAdmin, TopicAdmin, VerificationEventAdmin

__all__ = [
    "AppearanceAdmin",
    "ClaimAdmin",
    "DocumentAdmin",
    "HistoryAdmin",
    "TopicAdmin",
    "VerificationEventAdmin",
]
