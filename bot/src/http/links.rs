//! The web server's link page (`/link?token=`): the link port the core shows `/login` links with.

use tally_core::domain::Platform;
use tally_core::links::LinkPort;

/// Where the `/link` route ([`super::link_page`]) is reached from outside.
#[derive(Debug, Clone)]
pub struct WebLinks {
    /// The public base URL (`TALLY_PUBLIC_URL`), without a trailing `/`.
    base: String,
}

impl WebLinks {
    pub fn new(public_url: &str) -> WebLinks {
        WebLinks {
            base: public_url.trim_end_matches('/').to_owned(),
        }
    }
}

impl LinkPort for WebLinks {
    fn platform(&self) -> Platform {
        Platform::Web
    }

    fn login_page(&self, token: &str) -> Option<String> {
        Some(format!("{}/link?token={token}", self.base))
    }
}
