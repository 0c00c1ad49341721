"""Claims of the test provider: those of `people.PEOPLE`, released by scope like VNeID would."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator

from .people import PEOPLE


class VNeIDLikeValidator(OAuth2Validator):
    # The national ID number is released with "profile"; DOT drops claims it has no scope for.
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "national_id": "profile"}

    def get_additional_claims(self, request):
        # "sub" here replaces DOT's default (the user's primary key) with a national-ID-based one.
        return dict(PEOPLE.get(request.user.username, {}))
