from vanguard.accounts import permissions


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "current_member": None}
    return {
        "user_roles": permissions.roles(user),
        "current_member": permissions.member_of(user),
        "is_committee_admin": permissions.is_committee_admin(user),
        "manages_roster": permissions.manages_any_roster(user),
        "reads_opinions": permissions.reads_opinions(user),
        "reviews_branch": permissions.branch_review_units(user).exists(),
        "sorts_opinions": permissions.record_units(user).exists(),
    }
