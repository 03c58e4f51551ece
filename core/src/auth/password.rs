//! Passwords: the rules for new ones, and bcrypt hashing in which every character counts.

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::Error;

/// A password as typed. Never printed: `Debug` is redacted and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

impl Password {
    pub const MIN_CHARS: usize = 10;
    /// Generous, but bounded: hashing is cheap, reading a megabyte of "password" is not useful.
    pub const MAX_CHARS: usize = 1024;

    /// A new password, held to the rules.
    pub fn new(raw: String) -> Result<Password, Error> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(Error::invalid(
                "password",
                format!(
                    "A password must be at least {} characters long.",
                    Self::MIN_CHARS
                ),
            ));
        }
        if count > Self::MAX_CHARS {
            return Err(Error::invalid(
                "password",
                format!("A password can be at most {} characters.", Self::MAX_CHARS),
            ));
        }
        Ok(Password(raw))
    }

    /// A password offered at login: no rules, it is only compared.
    pub fn offered(raw: String) -> Password {
        Password(raw)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// bcrypt reads at most 72 bytes, so a long password would be cut silently. Hashing it with
/// SHA-256 first (44 base64 characters) makes every byte count, whatever the length.
fn prehash(password: &str) -> String {
    let digest = Sha256::digest(password.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// The bcrypt hash to store. Slow on purpose: call it on a blocking thread.
pub fn hash(password: &Password, cost: u32) -> Result<String, Error> {
    bcrypt::hash(prehash(password.expose()), cost)
        .map_err(|e| Error::Internal(format!("bcrypt hash failed: {e}")))
}

/// Whether `password` matches a stored hash. A malformed hash never matches. Slow on purpose.
pub fn verify(password: &Password, stored: &str) -> bool {
    bcrypt::verify(prehash(password.expose()), stored).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_for_new_passwords() {
        assert_eq!(
            Password::new("short".into()).expect_err("short").field(),
            Some("password")
        );
        // Characters count, not bytes.
        assert!(Password::new("éééééééééé".into()).is_ok());
        assert!(Password::new("x".repeat(1025)).is_err());
    }

    #[test]
    fn every_byte_counts_past_72() {
        let a = Password::new(format!("{}A", "p".repeat(80))).expect("ok");
        let b = Password::new(format!("{}B", "p".repeat(80))).expect("ok");
        let stored = hash(&a, 4).expect("hash");
        assert!(verify(&a, &stored));
        assert!(!verify(&b, &stored));
        assert!(!verify(&a, "not a hash"));
    }

    #[test]
    fn never_printed() {
        let p = Password::new("correct horse battery".into()).expect("ok");
        assert!(!format!("{p:?}").contains("horse"));
    }
}
