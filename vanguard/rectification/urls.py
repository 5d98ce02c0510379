"""URLs of the rectification app (namespace "rectification", under /rectification/):
each workflow keeps its own — plans (members', branches' and the committee's plans,
their items, updates and review) and activities (donations, golden ideas,
initiatives) and exports (a member's plan as PDF and Excel), and the ledgers
(each member's, the branch's, the roll-up, "you said, we did")."""

from vanguard.rectification.activities import urls as activities_urls
from vanguard.rectification.exports import urls as exports_urls
from vanguard.rectification.ledgers import urls as ledgers_urls
from vanguard.rectification.plans import urls as plans_urls

app_name = "rectification"

urlpatterns = [
    *plans_urls.urlpatterns,
    *activities_urls.urlpatterns,
    *exports_urls.urlpatterns,
    *ledgers_urls.urlpatterns,
]
