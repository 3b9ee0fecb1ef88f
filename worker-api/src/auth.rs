//! Client authentication.
//!
//! This slice only knows anonymous access (`ALLOW_ANONYMOUS = "true"`). Token verification
//! (operator-issued bearer tokens, stored hashed, compared in constant time) comes next and
//! slots into [`authorize`]: it will take the token store and return `Principal::Token`.

use crate::errors::{ApiError, ErrorCode};

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
}

impl Principal {
    /// A label that is safe to log (never the token itself).
    pub fn log_label(&self) -> &'static str {
        match self {
            Principal::Anonymous => "anonymous",
        }
    }
}

/// The bearer token of an `Authorization` header, if it has the form `Bearer <token>`.
pub fn bearer_token(authorization: Option<&str>) -> Option<&str> {
    let h = authorization?.trim();
    let (scheme, rest) = h.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let t = rest.trim();
    (!t.is_empty()).then_some(t)
}

/// Decide whether a `/v1` request may proceed.
pub fn authorize(
    authorization: Option<&str>,
    allow_anonymous: bool,
) -> Result<Principal, ApiError> {
    if allow_anonymous {
        // Tokens are not verified yet, so a token sent while anonymous access is on is ignored.
        return Ok(Principal::Anonymous);
    }
    let err = match bearer_token(authorization) {
        None => ApiError::new(
            ErrorCode::Unauthorized,
            "This edge API requires a bearer token (Authorization: Bearer <token>) and anonymous access is off. \
             Token issuing is not configured on this deployment yet; for local development set ALLOW_ANONYMOUS = \"true\" in wrangler.toml [vars].",
        ),
        Some(_) => ApiError::new(
            ErrorCode::Unauthorized,
            "Bearer tokens are not configured on this deployment yet, so no token can be accepted. \
             The operator must enable token issuing, or set ALLOW_ANONYMOUS = \"true\" for local development.",
        ),
    };
    Err(err.with_header(
        "www-authenticate",
        "Bearer realm=\"machine-dream-edge-api\"",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some("bearer   abc ")), Some("abc"));
        assert_eq!(bearer_token(Some("Basic abc")), None);
        assert_eq!(bearer_token(Some("Bearer ")), None);
        assert_eq!(bearer_token(Some("Bearer")), None);
        assert_eq!(bearer_token(None), None);
    }

    #[test]
    fn anonymous_allowed() {
        assert_eq!(authorize(None, true), Ok(Principal::Anonymous));
        assert_eq!(authorize(Some("Bearer x"), true), Ok(Principal::Anonymous));
    }

    #[test]
    fn anonymous_off_rejects_everything_with_401() {
        for h in [None, Some("Bearer tok"), Some("Basic x")] {
            let e = authorize(h, false).unwrap_err();
            assert_eq!(e.code, ErrorCode::Unauthorized);
            assert_eq!(e.status, 401);
            assert!(e.message.contains("not configured"), "{}", e.message);
            assert!(e.headers.iter().any(|(k, _)| *k == "www-authenticate"));
        }
        // The message never echoes the token.
        let e = authorize(Some("Bearer super-secret-token"), false).unwrap_err();
        assert!(!e.to_json().contains("super-secret-token"));
    }
}
