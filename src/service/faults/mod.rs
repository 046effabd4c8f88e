//! Fault injection: per-organization rules that make matching SCIM requests fail, slow down or
//! get rate-limited, before anything is written. The rules live in the database (every process
//! sharing it applies them) and are read through a per-process cache (see `cache`).

mod cache;

use serde::{Deserialize, Serialize};

pub use cache::Faults;

/// Which requests a rule applies to; absent fields match everything.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FaultMatch {
    /// HTTP method, case-insensitive.
    pub method: Option<String>,
    /// Prefix of the path below the SCIM base, e.g. `/Users`.
    pub path_prefix: Option<String>,
}

/// What happens to a matching request.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum FaultAction {
    /// Answer `429` with `Retry-After`.
    RateLimit { rate_limit: RateLimit },
    /// Wait before handling the request normally.
    Delay {
        #[schema(maximum = 60000)]
        delay_ms: u64,
    },
    /// Answer with this SCIM error.
    Error {
        #[schema(minimum = 400, maximum = 599)]
        status: u16,
        scim_type: Option<String>,
        detail: Option<String>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RateLimit {
    #[schema(maximum = 86400)]
    pub retry_after_s: u64,
}

/// One rule: a match, an action, and how often it fires.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FaultRule {
    #[serde(rename = "match", default)]
    pub matcher: FaultMatch,
    pub action: FaultAction,
    /// Fire this many times, then stop (remaining count is shown). Counted across every process
    /// sharing the database.
    #[schema(maximum = 18446744073709551615_u64)]
    pub times: Option<u64>,
    /// Fire with this probability (0..=1) on each matching request.
    #[schema(minimum = 0, maximum = 1)]
    pub probability: Option<f64>,
}

impl FaultRule {
    /// Checks ranges so a bad rule is refused when set, not when it fires.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err("probability must be between 0 and 1".into());
            }
        }
        match &self.action {
            FaultAction::Error { status, .. } if !(400..=599).contains(status) => {
                Err("an error action needs a status from 400 to 599".into())
            }
            FaultAction::Delay { delay_ms } if *delay_ms > 60_000 => {
                Err("delay_ms is at most 60000".into())
            }
            FaultAction::RateLimit { rate_limit } if rate_limit.retry_after_s > 86_400 => {
                Err("retry_after_s is at most 86400".into())
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        self.matcher
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .matcher
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }
}
