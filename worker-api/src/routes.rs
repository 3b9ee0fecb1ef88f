//! The routing table: which routes exist, their methods, and what a request asks for.

use crate::errors::ApiError;

/// The API's routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /health`
    Health,
    /// `GET /v1/models`
    Models,
    /// `POST /v1/chat/completions`
    ChatCompletions,
    /// `GET /v1/usage` (admin token)
    Usage,
}

impl Route {
    /// The value of `Allow` for this path.
    pub fn allow(self) -> &'static str {
        match self {
            Route::Health | Route::Models | Route::Usage => "GET, OPTIONS",
            Route::ChatCompletions => "POST, OPTIONS",
        }
    }

    /// `/v1` routes need authorization and an allowed origin.
    pub fn is_v1(self) -> bool {
        matches!(self, Route::Models | Route::ChatCompletions | Route::Usage)
    }
}

/// What the entry should do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// An `OPTIONS` (CORS preflight) for a known path.
    Preflight(Route),
    /// A request for a route with its method.
    Handle(Route),
}

/// Route by method and path: unknown path → 404, known path with the wrong method → 405.
pub fn route(method: &str, path: &str) -> Result<Dispatch, ApiError> {
    let r = match path {
        "/health" => Route::Health,
        "/v1/models" => Route::Models,
        "/v1/chat/completions" => Route::ChatCompletions,
        "/v1/usage" => Route::Usage,
        _ => return Err(ApiError::not_found(path)),
    };
    let m = method.to_ascii_uppercase();
    match (r, m.as_str()) {
        (_, "OPTIONS") => Ok(Dispatch::Preflight(r)),
        (Route::Health | Route::Models | Route::Usage, "GET")
        | (Route::ChatCompletions, "POST") => Ok(Dispatch::Handle(r)),
        _ => Err(ApiError::method_not_allowed(&m, path, r.allow())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ErrorCode;

    #[test]
    fn routes() {
        assert_eq!(route("GET", "/health"), Ok(Dispatch::Handle(Route::Health)));
        assert_eq!(
            route("GET", "/v1/models"),
            Ok(Dispatch::Handle(Route::Models))
        );
        assert_eq!(
            route("POST", "/v1/chat/completions"),
            Ok(Dispatch::Handle(Route::ChatCompletions))
        );
        assert_eq!(
            route("OPTIONS", "/v1/chat/completions"),
            Ok(Dispatch::Preflight(Route::ChatCompletions))
        );
        assert_eq!(
            route("options", "/health"),
            Ok(Dispatch::Preflight(Route::Health))
        );
    }

    #[test]
    fn unknown_path_is_404_and_wrong_method_is_405() {
        for p in [
            "/",
            "/v1",
            "/v1/chat/completions/",
            "/v1/completions",
            "/HEALTH",
        ] {
            let e = route("GET", p).unwrap_err();
            assert_eq!(e.code, ErrorCode::NotFound, "{p}");
            assert_eq!(e.status, 404);
        }
        let e = route("GET", "/v1/chat/completions").unwrap_err();
        assert_eq!((e.code, e.status), (ErrorCode::MethodNotAllowed, 405));
        assert_eq!(e.headers, vec![("allow", "POST, OPTIONS".to_string())]);
        let e = route("POST", "/health").unwrap_err();
        assert_eq!(e.headers, vec![("allow", "GET, OPTIONS".to_string())]);
        assert_eq!(route("DELETE", "/v1/models").unwrap_err().status, 405);
        // An unknown path wins over the method: OPTIONS on it is still 404.
        assert_eq!(route("OPTIONS", "/nope").unwrap_err().status, 404);
    }

    #[test]
    fn v1_flags() {
        assert!(!Route::Health.is_v1());
        assert!(Route::Models.is_v1());
        assert!(Route::ChatCompletions.is_v1());
        assert!(Route::Usage.is_v1());
        assert_eq!(
            route("GET", "/v1/usage"),
            Ok(Dispatch::Handle(Route::Usage))
        );
        assert_eq!(route("POST", "/v1/usage").unwrap_err().status, 405);
    }
}
