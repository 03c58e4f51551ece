//! Usernames and e-mail addresses as accounts carry them: validated once, on the way in.

use std::fmt;

use crate::error::Error;

/// A login name: 3 to 32 letters, digits, `_` or `.`; unique without regard to case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 32;

    pub fn parse(raw: &str) -> Result<Username, Error> {
        let name = raw.trim();
        let count = name.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&count) {
            return Err(Error::invalid(
                "username",
                "A username must be 3 to 32 characters long.",
            ));
        }
        // ASCII only: look-alike letters from other scripts would make two names that read the same.
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(Error::invalid(
                "username",
                "A username may use letters, digits, '_' and '.' only.",
            ));
        }
        Ok(Username(name.to_owned()))
    }

    /// As the user wrote it (`Ann.Lee`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness and login compare (`ann.lee`).
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, checked only for shape: we never send mail, so deliverability is moot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;

    /// `None` for an empty value: the address is optional.
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Email>, Error> {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let bad = || Error::invalid("email", "That doesn't look like an e-mail address.");
        if raw.chars().count() > Self::MAX_CHARS
            || raw.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad());
        }
        let (local, domain) = raw.split_once('@').ok_or_else(bad)?;
        if local.is_empty() || domain.is_empty() || domain.contains('@') || !domain.contains('.') {
            return Err(bad());
        }
        Ok(Some(Email(raw.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(
            Username::parse(" Ann.Lee_2 ").expect("ok").key(),
            "ann.lee_2"
        );
        for bad in ["ab", "a b c", "ann!", &"x".repeat(33), "änn"] {
            assert_eq!(
                Username::parse(bad).expect_err(bad).field(),
                Some("username")
            );
        }
    }

    #[test]
    fn emails() {
        assert!(Email::parse_optional(None).expect("ok").is_none());
        assert!(Email::parse_optional(Some("  ")).expect("ok").is_none());
        assert!(Email::parse_optional(Some("a@b.co")).expect("ok").is_some());
        for bad in ["a", "a@b", "@b.co", "a b@c.de", "a@b@c.de"] {
            assert!(Email::parse_optional(Some(bad)).is_err(), "{bad}");
        }
    }
}
