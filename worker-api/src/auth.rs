//! Client authentication: operator-issued bearer tokens.
//!
//! The operator issues tokens (`cargo xtask token LABEL` prints a random token and its SHA-256)
//! and configures only the hashes, in the `API_TOKENS` secret or var:
//!
//! ```json
//! [{"label":"app","sha256":"<64 hex>","models":["smollm2-135m-instruct"],"daily_token_budget":200000}]
//! ```
//!
//! A presented token is hashed and compared against every configured hash in constant time (the
//! comparison does not stop at the first differing byte, and every entry is compared), so timing
//! reveals neither which byte differed nor which entry matched. `ADMIN_TOKEN_SHA256` holds the
//! hash of the operator's admin token, which only reads `GET /v1/usage`.
//!
//! `ALLOW_ANONYMOUS = "true"` (local development only) lets requests without a token through;
//! a token that is sent is still verified, so a bad token is a 401 even then.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::errors::{ApiError, ErrorCode};

/// Length of a SHA-256 digest.
pub const HASH_LEN: usize = 32;

/// One configured client token (its hash, never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEntry {
    pub label: String,
    pub sha256: [u8; HASH_LEN],
    /// Public model names this token may use; `None` = every model.
    pub models: Option<Vec<String>>,
    /// Upper bound on tokens (prompt + completion) per UTC day; `None` = unlimited.
    pub daily_token_budget: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    label: String,
    sha256: String,
    #[serde(default)]
    models: Option<Vec<String>>,
    #[serde(default)]
    daily_token_budget: Option<u64>,
}

/// The configured tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenStore {
    pub entries: Vec<TokenEntry>,
}

/// Labels appear in logs and rate-limit keys: keep them short and plain.
fn valid_label(l: &str) -> bool {
    (1..=64).contains(&l.len())
        && l.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl TokenStore {
    /// Parse `API_TOKENS` (a JSON array). Empty input means no tokens.
    pub fn parse(raw: &str) -> Result<TokenStore, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(TokenStore::default());
        }
        let list: Vec<RawEntry> = serde_json::from_str(raw).map_err(|e| {
            format!("must be a JSON array of {{\"label\",\"sha256\",\"models\"?,\"daily_token_budget\"?}} ({e})")
        })?;
        let mut entries: Vec<TokenEntry> = Vec::with_capacity(list.len());
        for r in list {
            if !valid_label(&r.label) {
                return Err(format!(
                    "has an invalid label {:?}: use 1-64 characters of A-Z a-z 0-9 - _ .",
                    crate::errors::truncate(&r.label, 70)
                ));
            }
            let sha256 = parse_hex_hash(&r.sha256).ok_or_else(|| {
                format!(
                    "has a sha256 for {:?} that is not 64 hex digits (make one with `cargo xtask token {}`)",
                    r.label, r.label
                )
            })?;
            if entries.iter().any(|e| e.label == r.label) {
                return Err(format!("lists the label {:?} twice", r.label));
            }
            if entries.iter().any(|e| e.sha256 == sha256) {
                return Err(format!("lists the same hash twice (label {:?})", r.label));
            }
            entries.push(TokenEntry {
                label: r.label,
                sha256,
                models: r.models,
                daily_token_budget: r.daily_token_budget,
            });
        }
        Ok(TokenStore { entries })
    }

    /// The entry whose hash matches `token`, comparing against every entry in constant time.
    pub fn verify(&self, token: &str) -> Option<&TokenEntry> {
        let h = sha256(token.as_bytes());
        let mut found = None;
        for e in &self.entries {
            if ct_eq(&h, &e.sha256) {
                found = Some(e);
            }
        }
        found
    }

    pub fn find(&self, label: &str) -> Option<&TokenEntry> {
        self.entries.iter().find(|e| e.label == label)
    }
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; HASH_LEN] {
    Sha256::digest(data).into()
}

/// Lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 64 hex digits (either case) → 32 bytes.
pub fn parse_hex_hash(s: &str) -> Option<[u8; HASH_LEN]> {
    let s = s.trim().as_bytes();
    if s.len() != HASH_LEN * 2 {
        return None;
    }
    let nib = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; HASH_LEN];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (nib(s[2 * i])? << 4) | nib(s[2 * i + 1])?;
    }
    Some(out)
}

/// Constant-time equality of two equal-length byte arrays.
pub fn ct_eq(a: &[u8; HASH_LEN], b: &[u8; HASH_LEN]) -> bool {
    let mut diff = 0u8;
    for i in 0..HASH_LEN {
        diff |= a[i] ^ b[i];
    }
    // black_box keeps the optimiser from turning the loop into an early-exit compare.
    std::hint::black_box(diff) == 0
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    Token(TokenEntry),
}

impl Principal {
    /// A label that is safe to log (never the token itself).
    pub fn log_label(&self) -> &str {
        match self {
            Principal::Anonymous => "anonymous",
            Principal::Token(t) => &t.label,
        }
    }

    /// May this principal use the model with this public name?
    pub fn may_use(&self, model: &str) -> bool {
        match self {
            Principal::Anonymous => true,
            Principal::Token(t) => t
                .models
                .as_ref()
                .is_none_or(|list| list.iter().any(|m| m == model)),
        }
    }

    pub fn daily_token_budget(&self) -> Option<u64> {
        match self {
            Principal::Anonymous => None,
            Principal::Token(t) => t.daily_token_budget,
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

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Unauthorized, message).with_header(
        "www-authenticate",
        "Bearer realm=\"machine-dream-edge-api\"",
    )
}

/// Decide whether a `/v1` request may proceed.
pub fn authorize(
    authorization: Option<&str>,
    tokens: &TokenStore,
    allow_anonymous: bool,
) -> Result<Principal, ApiError> {
    let presented = authorization.map(str::trim).filter(|h| !h.is_empty());
    match (presented, bearer_token(presented)) {
        (None, _) if allow_anonymous => Ok(Principal::Anonymous),
        (None, _) => Err(unauthorized(
            "This edge API requires a bearer token: send the header Authorization: Bearer <token>. Ask the operator for a token.",
        )),
        (Some(_), None) => Err(unauthorized(
            "The Authorization header must have the form \"Bearer <token>\".",
        )),
        (Some(_), Some(token)) => tokens
            .verify(token)
            .cloned()
            .map(Principal::Token)
            .ok_or_else(|| {
                unauthorized(
                    "The bearer token is not valid for this edge API (unknown or revoked). Ask the operator for a new token.",
                )
            }),
    }
}

/// Check the admin token for `GET /v1/usage`.
pub fn authorize_admin(
    authorization: Option<&str>,
    admin_sha256: Option<&[u8; HASH_LEN]>,
) -> Result<(), ApiError> {
    let Some(expected) = admin_sha256 else {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "Usage reporting is off: the operator has not set ADMIN_TOKEN_SHA256.",
        ));
    };
    let token = bearer_token(authorization).ok_or_else(|| {
        unauthorized("GET /v1/usage requires the admin token: Authorization: Bearer <admin token>.")
    })?;
    if ct_eq(&sha256(token.as_bytes()), expected) {
        Ok(())
    } else {
        Err(unauthorized(
            "The admin token is not valid. GET /v1/usage needs the token whose hash is ADMIN_TOKEN_SHA256.",
        ))
    }
}

/// The error for a model outside a token's allowlist.
pub fn model_forbidden(label: &str, model: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ModelNotAllowed,
        format!(
            "The token {label:?} may not use model {:?}; ask the operator to add it to the token's models.",
            crate::errors::truncate(model, 100)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> TokenStore {
        let a = to_hex(&sha256(b"tok-alpha"));
        let b = to_hex(&sha256(b"tok-beta")).to_uppercase();
        TokenStore::parse(&format!(
            r#"[{{"label":"alpha","sha256":"{a}"}},
                {{"label":"beta","sha256":"{b}","models":["m1"],"daily_token_budget":500}}]"#
        ))
        .unwrap()
    }

    #[test]
    fn sha256_known_vectors() {
        assert_eq!(
            to_hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            to_hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hex_round_trip_and_rejects() {
        let h = sha256(b"x");
        assert_eq!(parse_hex_hash(&to_hex(&h)), Some(h));
        assert_eq!(parse_hex_hash(&to_hex(&h).to_uppercase()), Some(h));
        assert_eq!(parse_hex_hash("abc"), None);
        assert_eq!(parse_hex_hash(&"g".repeat(64)), None);
        assert!(ct_eq(&h, &h));
        assert!(!ct_eq(&h, &sha256(b"y")));
    }

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
    fn several_tokens_verify_with_labels_models_and_budgets() {
        let s = store();
        let p = authorize(Some("Bearer tok-alpha"), &s, false).unwrap();
        assert_eq!(p.log_label(), "alpha");
        assert!(p.may_use("anything"));
        assert_eq!(p.daily_token_budget(), None);
        let p = authorize(Some("Bearer tok-beta"), &s, false).unwrap();
        assert_eq!(p.log_label(), "beta");
        assert!(p.may_use("m1"));
        assert!(!p.may_use("m2"));
        assert_eq!(p.daily_token_budget(), Some(500));
    }

    #[test]
    fn missing_or_invalid_token_is_401_without_echo() {
        let s = store();
        for h in [
            None,
            Some("Bearer nope"),
            Some("Basic x"),
            Some("Bearer tok-alph"),
        ] {
            let e = authorize(h, &s, false).unwrap_err();
            assert_eq!((e.code, e.status), (ErrorCode::Unauthorized, 401), "{h:?}");
            assert!(e.headers.iter().any(|(k, _)| *k == "www-authenticate"));
        }
        let e = authorize(Some("Bearer super-secret-token"), &s, false).unwrap_err();
        assert!(!e.to_json().contains("super-secret-token"));
    }

    #[test]
    fn anonymous_only_without_a_header_and_only_when_allowed() {
        let s = store();
        assert_eq!(authorize(None, &s, true), Ok(Principal::Anonymous));
        assert!(Principal::Anonymous.may_use("x"));
        // A token sent while anonymous access is on is still verified.
        assert_eq!(
            authorize(Some("Bearer tok-alpha"), &s, true)
                .unwrap()
                .log_label(),
            "alpha"
        );
        assert_eq!(
            authorize(Some("Bearer bad"), &s, true).unwrap_err().status,
            401
        );
        assert_eq!(
            authorize(None, &TokenStore::default(), false)
                .unwrap_err()
                .status,
            401
        );
    }

    #[test]
    fn admin() {
        let h = sha256(b"admin-secret");
        assert!(authorize_admin(Some("Bearer admin-secret"), Some(&h)).is_ok());
        assert_eq!(
            authorize_admin(Some("Bearer tok-alpha"), Some(&h))
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(authorize_admin(None, Some(&h)).unwrap_err().status, 401);
        assert_eq!(
            authorize_admin(Some("Bearer admin-secret"), None)
                .unwrap_err()
                .status,
            403
        );
    }

    #[test]
    fn parse_rejects_bad_entries() {
        let h = to_hex(&sha256(b"a"));
        assert!(TokenStore::parse("").unwrap().entries.is_empty());
        assert!(TokenStore::parse("{}").is_err());
        assert!(TokenStore::parse(r#"[{"label":"a","sha256":"zz"}]"#).is_err());
        assert!(TokenStore::parse(&format!(r#"[{{"label":"a b","sha256":"{h}"}}]"#)).is_err());
        assert!(TokenStore::parse(&format!(
            r#"[{{"label":"a","sha256":"{h}"}},{{"label":"a","sha256":"{}"}}]"#,
            to_hex(&sha256(b"b"))
        ))
        .is_err());
        assert!(TokenStore::parse(&format!(
            r#"[{{"label":"a","sha256":"{h}"}},{{"label":"b","sha256":"{h}"}}]"#
        ))
        .is_err());
        assert!(
            TokenStore::parse(&format!(r#"[{{"label":"a","sha256":"{h}","extra":1}}]"#)).is_err()
        );
        let e = TokenStore::parse(r#"[{"label":"a","sha256":"zz"}]"#).unwrap_err();
        assert!(e.contains("cargo xtask token"));
    }
}
