"""What other apps may use of identity: the Principal, its rules, and read/write use cases."""

from onestop.identity.auth import API_AUTH
from onestop.identity.domain.thai_id import (
    formatted as thai_id_formatted,
)
from onestop.identity.domain.thai_id import (
    has_valid_check_digit,
    validate_juristic_id,
    validate_national_id,
    with_check_digit,
)
from onestop.identity.domain.thai_id import (
    masked as thai_id_masked,
)
from onestop.identity.domain.totp import DEMO_TOTP_SECRET
from onestop.identity.http.api import router as api_router
from onestop.identity.models import Role
from onestop.identity.policies import (
    ANONYMOUS,
    Principal,
    require_authenticated,
    require_officer_of,
    require_platform_admin,
    require_role,
)
from onestop.identity.selectors import (
    agency_get,
    agency_list,
    business_get,
    businesses_of,
    has_second_factor,
    principal_for,
    user_find,
)
from onestop.identity.services import (
    SecondFactorMissingError,
    SecondFactorReplayedError,
    SecondFactorWrongError,
    account_create,
    agency_create,
    business_member_add,
    business_register,
    citizen_register,
    officer_appoint,
    officer_release,
    officer_roles_set,
    platform_admin_bootstrap,
    platform_flags_set,
    totp_enroll_known_secret,
    totp_verify,
)

__all__ = [
    "ANONYMOUS",
    "API_AUTH",
    "DEMO_TOTP_SECRET",
    "Principal",
    "Role",
    "SecondFactorMissingError",
    "SecondFactorReplayedError",
    "SecondFactorWrongError",
    "account_create",
    "agency_create",
    "agency_get",
    "agency_list",
    "api_router",
    "business_get",
    "business_member_add",
    "business_register",
    "businesses_of",
    "citizen_register",
    "has_second_factor",
    "has_valid_check_digit",
    "officer_appoint",
    "officer_release",
    "officer_roles_set",
    "platform_admin_bootstrap",
    "platform_flags_set",
    "principal_for",
    "require_authenticated",
    "require_officer_of",
    "require_platform_admin",
    "require_role",
    "thai_id_formatted",
    "thai_id_masked",
    "totp_enroll_known_secret",
    "totp_verify",
    "user_find",
    "validate_juristic_id",
    "validate_national_id",
    "with_check_digit",
]
