//! Request and response bodies of the OAuth client routes (also the OpenAPI schemas).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{CodeChallengeMethod, Timestamp};
use crate::service::oauth::{IssuedSecret, OAuthClientState};
use crate::service::SecretStatus;
use crate::store::{OAuthClient, OAuthSecret};

/// A redirect URI as the document describes it: an `http(s)` URL without a fragment (the
/// handler also takes other absolute URIs that can carry a query, such as an app's scheme).
pub struct RedirectUri;

impl utoipa::PartialSchema for RedirectUri {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(
                r"^https?://[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?){0,3}(?::[1-9][0-9]{0,3})?(?:/[A-Za-z0-9._~-]{0,30}){0,4}$",
            ))
            .max_length(Some(2000))
            .examples(["https://idp.example.com/callback"])
            .into()
    }
}

impl ToSchema for RedirectUri {}

/// How many calendar months a client secret lives: ABM offers 6, 9 and 12.
pub struct SecretLifetimeMonths;

impl utoipa::PartialSchema for SecretLifetimeMonths {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .enum_values(Some([6, 9, 12]))
            .into()
    }
}

impl ToSchema for SecretLifetimeMonths {}

/// A client secret, never its value.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecretView {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The last SCIM request authorised by an access token obtained with this secret.
    pub last_used_at: Option<DateTime<Utc>>,
    /// `expiring` in its last 60 days, `expired` after.
    pub status: SecretStatus,
}

impl SecretView {
    pub fn new(secret: &OAuthSecret, now: Timestamp) -> Self {
        SecretView {
            id: secret.id.clone(),
            created_at: secret.created_at.to_datetime(),
            expires_at: secret.expires_at.to_datetime(),
            last_used_at: secret.last_used_at.map(Timestamp::to_datetime),
            status: SecretStatus::of(secret, now),
        }
    }
}

/// The organization's OAuth client (ABM: custom identity provider), without secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthClientView {
    /// `SCIM.<uuid>`
    pub client_id: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub secrets: Vec<SecretView>,
}

impl OAuthClientView {
    pub fn new(client: &OAuthClient, secrets: &[OAuthSecret], now: Timestamp) -> Self {
        OAuthClientView {
            client_id: client.id.clone(),
            name: client.name.clone(),
            redirect_uris: client.redirect_uris.clone(),
            created_at: client.created_at.to_datetime(),
            updated_at: client.updated_at.to_datetime(),
            secrets: secrets
                .iter()
                .filter(|s| s.client_id == client.id)
                .map(|s| SecretView::new(s, now))
                .collect(),
        }
    }

    pub fn of(state: &OAuthClientState, now: Timestamp) -> Self {
        Self::new(&state.client, &state.secrets, now)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateOAuthClientRequest {
    /// Shown on the authorization page ("Allow <name> to sync users..."): 1 to 200 characters
    /// once trimmed.
    #[schema(
        pattern = r"^[^\u0000]*[^\s\u0000\u0085][^\u0000]*$",
        min_length = 1,
        max_length = 200
    )]
    pub name: String,
    /// 1 to 10 absolute URIs without a fragment; the authorization endpoint compares them
    /// exactly.
    #[schema(value_type = Vec<RedirectUri>, min_items = 1, max_items = 10)]
    pub redirect_uris: Vec<String>,
    /// 6, 9 or 12 (default 12): how many calendar months the first secret lives.
    #[schema(value_type = Option<SecretLifetimeMonths>)]
    pub secret_lifetime_months: Option<u64>,
}

/// A new client with its first secret: the secret is in this response only.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedClientView {
    pub client_id: String,
    pub client_secret: String,
    pub secret_id: String,
    pub secret_expires_at: DateTime<Utc>,
    pub redirect_uris: Vec<String>,
}

impl From<IssuedSecret> for IssuedClientView {
    fn from(issued: IssuedSecret) -> Self {
        IssuedClientView {
            client_id: issued.client.id,
            client_secret: issued.client_secret,
            secret_id: issued.secret_id,
            secret_expires_at: issued.expires_at.to_datetime(),
            redirect_uris: issued.client.redirect_uris,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PatchOAuthClientRequest {
    /// 1 to 200 characters once trimmed.
    #[schema(
        pattern = r"^[^\u0000]*[^\s\u0000\u0085][^\u0000]*$",
        min_length = 1,
        max_length = 200
    )]
    pub name: Option<String>,
    /// Replaces the list (1 to 10 absolute URIs without a fragment).
    #[schema(value_type = Option<Vec<RedirectUri>>, min_items = 1, max_items = 10)]
    pub redirect_uris: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateSecretRequest {
    /// 6, 9 or 12 (default 12).
    #[schema(value_type = Option<SecretLifetimeMonths>)]
    pub lifetime_months: Option<u64>,
}

/// A new secret: the secret is in this response only.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedSecretView {
    pub client_id: String,
    pub client_secret: String,
    pub secret_id: String,
    pub secret_expires_at: DateTime<Utc>,
}

impl From<IssuedSecret> for IssuedSecretView {
    fn from(issued: IssuedSecret) -> Self {
        IssuedSecretView {
            client_id: issued.client.id,
            client_secret: issued.client_secret,
            secret_id: issued.secret_id,
            secret_expires_at: issued.expires_at.to_datetime(),
        }
    }
}

/// An approval without a browser, checked as `GET /auth/oauth2/v2/authorize` checks it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AuthorizationRequestBody {
    /// One of the client's redirect URIs, exactly.
    #[schema(example = "https://idp.example.com/callback")]
    pub redirect_uri: String,
    pub state: Option<String>,
    /// RFC 7636: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.
    #[schema(pattern = r"^[A-Za-z0-9._~-]{43,128}$")]
    pub code_challenge: Option<String>,
    /// Default `plain` when a challenge is given.
    pub code_challenge_method: Option<CodeChallengeMethod>,
}
