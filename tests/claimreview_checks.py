"""The checks every ClaimReview we publish must pass (Google's Fact Check markup requirements).

Shared by the API export tests, the public page tests and the browser tests, so a review
extracted from a rendered page is held to exactly what the API's is.
"""

from __future__ import annotations

from claims.claimreview import CLAIM_REVIEWED_MAX


def google_claimreview_problems(review: dict) -> list[str]:
    """Return what keeps `review` from Google's Fact Check requirements ([] when it passes)."""
    problems = []
    if review.get("@type") != "ClaimReview":
        problems.append("@type is not ClaimReview")
    reviewed = review.get("claimReviewed")
    if not isinstance(reviewed, str) or not reviewed.strip():
        problems.append("claimReviewed is missing")
    elif len(reviewed) > CLAIM_REVIEWED_MAX:
        problems.append(f"claimReviewed is longer than {CLAIM_REVIEWED_MAX} characters")
    if not str(review.get("url", "")).startswith(("http://", "https://")):
        problems.append("url is not an absolute URL")
    rating = review.get("reviewRating") or {}
    if rating.get("@type") != "Rating" or not rating.get("alternateName"):
        problems.append("reviewRating has no alternateName")
    for bound in ("ratingValue", "bestRating", "worstRating"):
        if not isinstance(rating.get(bound), int):
            problems.append(f"reviewRating.{bound} is not a number")
    author = review.get("author") or {}
    if author.get("@type") != "Organization" or not author.get("name"):
        problems.append("author is not a named Organization")
    if not review.get("datePublished"):
        problems.append("datePublished is missing")
    item = review.get("itemReviewed") or {}
    if item.get("@type") != "Claim":
        problems.append("itemReviewed is not a Claim")
    elif not item.get("appearance") and not item.get("firstAppearance"):
        problems.append("itemReviewed has no appearance")
    return problems
