"""API shapes of identity: <Entity><Verb>In for requests, <Entity>Out for responses."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import field_validator

from onestop.core.http.errors import pydantic_checked
from onestop.identity.domain import thai_id
from onestop.identity.models import Business, Citizen, Language, Role


class CitizenRegisterIn(Schema):
    national_id: str = Field(
        ..., examples=["1101700230708"], description="13 digits; dashes allowed"
    )
    first_name: str = Field(..., min_length=1, max_length=150, examples=["สมชาย"])
    last_name: str = Field(..., min_length=1, max_length=150, examples=["ใจดี"])
    password: str = Field(..., min_length=1, max_length=200)
    title: Citizen.Title = Citizen.Title.OTHER
    first_name_en: str = Field("", max_length=100)
    last_name_en: str = Field("", max_length=100)
    birth_date: dt.date | None = None
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=2000)
    preferred_language: Language = Language.THAI

    @field_validator("national_id")
    @classmethod
    def _national_id(cls, value: str) -> str:
        return pydantic_checked(thai_id.validate_national_id, value)


class AccountIn(Schema):
    username: str = Field(..., max_length=150)
    first_name: str = Field(..., min_length=1, max_length=150)
    last_name: str = Field(..., min_length=1, max_length=150)
    email: str = Field(..., max_length=254)
    phone: str = Field("", max_length=20)
    password: str = Field(..., min_length=1, max_length=200)


class BusinessIn(Schema):
    juristic_id: str = Field(
        ..., examples=["0105545012345"], description="13 digits, starts with 0"
    )
    name_th: str = Field(..., min_length=1, max_length=255)
    name_en: str = Field("", max_length=255)
    kind: Business.Kind = Business.Kind.LIMITED
    address: str = Field("", max_length=2000)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)

    @field_validator("juristic_id")
    @classmethod
    def _juristic_id(cls, value: str) -> str:
        return pydantic_checked(thai_id.validate_juristic_id, value)


class BusinessRegisterIn(Schema):
    business: BusinessIn
    account: AccountIn | None = Field(
        None, description="The contact person's new account; omit when already logged in."
    )


class BusinessMemberIn(Schema):
    user: str = Field(..., description="Username, e-mail or national ID")
    role: str = "staff"


class BusinessOut(Schema):
    juristic_id: str
    name_th: str
    name_en: str
    kind: str
    registered_at: dt.datetime


class UserOut(Schema):
    username: str
    display_name: str


class AgencyIn(Schema):
    code: str = Field(..., max_length=20, examples=["CGD"])
    name_th: str = Field(..., min_length=1, max_length=255)
    name_en: str = Field(..., min_length=1, max_length=255)
    kind: str
    parent: str | None = Field(None, description="Code of the ministry it belongs to")


class AgencyOut(Schema):
    code: str
    name_th: str
    name_en: str
    kind: str
    parent: str | None = Field(None, alias="parent_code")

    @staticmethod
    def resolve_parent_code(agency) -> str | None:
        return agency.parent.code if agency.parent_id else None


class OfficerAppointIn(Schema):
    user: str = Field(..., description="Username, e-mail or national ID of the person")
    position: str = Field("", max_length=200)
    roles: list[Role] = []


class OfficerRolesIn(Schema):
    roles: list[Role]
    position: str | None = Field(None, max_length=200)


class OfficerOut(Schema):
    username: str
    display_name: str
    agency: str
    position: str
    roles: list[str]


class PlatformFlagsIn(Schema):
    is_auditor: bool | None = None
    is_platform_admin: bool | None = None


class MeOut(Schema):
    username: str
    display_name: str
    national_id: str | None = Field(None, description="Masked")
    agency: str | None
    roles: list[str]
    business_ids: list[str] = Field(..., description="Juristic IDs of businesses you act for")
    is_auditor: bool
    is_platform_admin: bool
    homes: list[str]


class TokenCreateIn(Schema):
    username: str = Field(..., description="National ID, username or e-mail")
    password: str
    name: str = Field("API", max_length=100)
    days: int | None = Field(None, ge=1, le=365)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., alias="key_prefix")
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="Shown once; store it safely")
