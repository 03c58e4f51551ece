//! Signed tokens (JWT, HS256): access tokens for the API and one-time link tokens for the web page.

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Who signs Tally's tokens (`iss`). Checked on every decode, so a token minted elsewhere with a
/// shared or leaked secret, for another service, is still refused here.
pub const ISSUER: &str = "tally";

/// What a token is for. A token is accepted only where its purpose is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// Calls to the API on behalf of an account.
    Access,
    /// The web page a `/login` link opens: attaches a chat identity to an account, once.
    Link,
}

impl Purpose {
    /// The audience (`aud`) a token for this purpose names. Each purpose has its own, so a token
    /// meant for one reader is refused by the others even if its `purpose` claim were ignored.
    pub fn audience(self) -> &'static str {
        match self {
            Purpose::Access => "tally-api",
            Purpose::Link => "tally-link",
        }
    }
}

/// The claims Tally signs. `ver` is set on access tokens, `platform`/`puid` on link tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Always [`ISSUER`].
    pub iss: String,
    /// [`Purpose::audience`] of `purpose`.
    pub aud: String,
    /// The account id.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    /// Unique per token: revocation and single use are recorded by it.
    pub jti: String,
    pub purpose: Purpose,
    /// The account's token version when issued; bumping it revokes every older token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ver: Option<i64>,
    /// The chat identity a link token is for: its platform and platform user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub puid: Option<String>,
}

impl Claims {
    /// Claims for `purpose` about account `sub`, valid from `iat` until `exp`, with a fresh id and
    /// the issuer and audience that [`Keys::verify`] expects.
    pub fn new(purpose: Purpose, sub: String, iat: i64, exp: i64) -> Claims {
        Claims {
            iss: ISSUER.to_owned(),
            aud: purpose.audience().to_owned(),
            sub,
            iat,
            exp,
            jti: new_jti(),
            purpose,
            ver: None,
            platform: None,
            puid: None,
        }
    }

    pub fn account_id(&self) -> Option<i64> {
        self.sub.parse().ok()
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.exp, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// Why a token was refused. All of them mean 401; the message says what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token we signed: malformed, tampered, another algorithm, or `alg: none`.
    Invalid,
    Expired,
    WrongPurpose,
}

impl TokenError {
    pub fn message(&self) -> &'static str {
        match self {
            TokenError::Invalid => "This token is not valid. Log in again to get a new one.",
            TokenError::Expired => "This token has expired. Log in again to get a new one.",
            TokenError::WrongPurpose => {
                "This token can't be used here: it was issued for something else."
            }
        }
    }
}

impl From<TokenError> for Error {
    fn from(e: TokenError) -> Error {
        Error::Unauthorized(e.message().to_owned())
    }
}

/// The signing and verifying keys made from the HS256 secret.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys([redacted])")
    }
}

impl Keys {
    pub fn from_secret(secret: &[u8]) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| Error::Internal(format!("signing a token failed: {e}")))
    }

    /// Checks signature, algorithm (HS256 only), issuer, audience, purpose and expiry against
    /// `now` (our clock, not the library's, so tests can move time). A token without `iss` or
    /// `aud` is refused: every token Tally signs carries both.
    pub fn verify(
        &self,
        token: &str,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[purpose.audience()]);
        let claims = jsonwebtoken::decode::<Claims>(token.trim(), &self.decoding, &validation)
            .map_err(|e| match e.kind() {
                // Ours, but for another reader: say so rather than "not valid".
                ErrorKind::InvalidAudience => TokenError::WrongPurpose,
                _ => TokenError::Invalid,
            })?
            .claims;
        if claims.purpose != purpose {
            return Err(TokenError::WrongPurpose);
        }
        if claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

/// A fresh token id: 128 random bits, hex.
pub fn new_jti() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-24T12:00:00Z".parse().expect("instant")
    }

    fn claims(purpose: Purpose, exp_in: i64) -> Claims {
        Claims {
            ver: Some(0),
            ..Claims::new(
                purpose,
                "7".into(),
                now().timestamp(),
                now().timestamp() + exp_in,
            )
        }
    }

    /// Signs arbitrary claims with the test secret, as a forger holding the secret could.
    fn forge(claims: &serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(SECRET),
        )
        .expect("sign")
    }

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn tokens_name_their_issuer_and_audience() {
        let keys = Keys::from_secret(SECRET);
        let good = claims(Purpose::Access, 60);
        assert_eq!(
            (good.iss.as_str(), good.aud.as_str()),
            ("tally", "tally-api")
        );
        let link = claims(Purpose::Link, 60);
        assert_eq!(link.aud, "tally-link");
        let token = keys.sign(&good).expect("sign");
        assert!(keys.verify(&token, Purpose::Access, now()).is_ok());

        let as_json = serde_json::to_value(&good).expect("json");
        let without = |key: &str| {
            let mut v = as_json.clone();
            v.as_object_mut().expect("object").remove(key);
            v
        };
        let with = |key: &str, value: &str| {
            let mut v = as_json.clone();
            v[key] = serde_json::Value::from(value);
            v
        };
        for (what, forged, expected) in [
            ("no iss", without("iss"), TokenError::Invalid),
            ("no aud", without("aud"), TokenError::Invalid),
            (
                "another issuer",
                with("iss", "someone-else"),
                TokenError::Invalid,
            ),
            (
                "another audience",
                with("aud", "tally-link"),
                TokenError::WrongPurpose,
            ),
            (
                "a stranger audience",
                with("aud", "billing"),
                TokenError::WrongPurpose,
            ),
        ] {
            assert_eq!(
                keys.verify(&forge(&forged), Purpose::Access, now()),
                Err(expected),
                "{what}"
            );
        }
        // The link page refuses an access token on its audience alone, whatever its purpose says.
        let mut mixed = as_json.clone();
        mixed["purpose"] = serde_json::Value::from("link");
        assert_eq!(
            keys.verify(&forge(&mixed), Purpose::Link, now()),
            Err(TokenError::WrongPurpose)
        );
    }

    #[test]
    fn round_trip_and_rejections() {
        let keys = Keys::from_secret(SECRET);
        let token = keys.sign(&claims(Purpose::Access, 60)).expect("sign");
        let back = keys.verify(&token, Purpose::Access, now()).expect("valid");
        assert_eq!(back.account_id(), Some(7));
        assert_eq!(
            keys.verify(&token, Purpose::Link, now()),
            Err(TokenError::WrongPurpose)
        );
        assert_eq!(
            keys.verify(
                &token,
                Purpose::Access,
                now() + chrono::Duration::seconds(60)
            ),
            Err(TokenError::Expired)
        );
        let other = Keys::from_secret(b"another secret, also 32 bytes long!");
        assert_eq!(
            other.verify(&token, Purpose::Access, now()),
            Err(TokenError::Invalid)
        );
        // alg: none with the same claims.
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = token.split('.').nth(1).expect("payload");
        let unsigned = format!("{header}.{body}.");
        assert_eq!(
            keys.verify(&unsigned, Purpose::Access, now()),
            Err(TokenError::Invalid)
        );
    }
}
