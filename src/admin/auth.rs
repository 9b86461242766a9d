//! Who may sign in and how: the password policy and argon2id hashing (D189 §6.11), generated
//! one-time passwords, random session ids and CSRF tokens, the session cookie (D189 §6.3.11)
//! and the limits on failed logins.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::content::sha256_hex;
use crate::slug::turkic_lowercase;

/// A session ends after this long without a request.
pub const SESSION_IDLE_SECONDS: i64 = 30 * 60;
/// A session ends this long after login, however active.
pub const SESSION_ABSOLUTE_SECONDS: i64 = 12 * 60 * 60;
/// Failed logins are counted over this window.
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// Failed logins for one account within the window before it is locked for the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed logins from one address within the window before it is refused for the window.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// The three limits above, as the store applies them.
pub const LOGIN_LIMITS: crate::store::LoginLimits = crate::store::LoginLimits {
    window_seconds: THROTTLE_WINDOW_SECONDS,
    max_per_account: MAX_FAILURES_PER_ACCOUNT,
    max_per_address: MAX_FAILURES_PER_ADDRESS,
};
/// The shortest password the policy accepts (D189 §6.11).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Base words of passwords that attackers try first, compared after removing digits and
/// symbols and lowercasing: `Parol2024!` is `parol`.
const COMMON_WORDS: &str = include_str!("common-passwords.txt");

/// Why a password is not accepted; each reason is one sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyViolation {
    TooShort,
    TooFewKinds,
    TooFewDistinct,
    RunOrSequence,
    ContainsUserName,
    Common,
}

impl PolicyViolation {
    /// The key of the admin interface string that explains it.
    pub fn message_key(&self) -> &'static str {
        match self {
            PolicyViolation::TooShort => "password_too_short",
            PolicyViolation::TooFewKinds => "password_too_few_kinds",
            PolicyViolation::TooFewDistinct => "password_too_few_distinct",
            PolicyViolation::RunOrSequence => "password_run",
            PolicyViolation::ContainsUserName => "password_contains_name",
            PolicyViolation::Common => "password_common",
        }
    }

    /// The explanation in English, for the command line.
    pub fn english(&self) -> String {
        match self {
            PolicyViolation::TooShort => {
                format!("it must be at least {MIN_PASSWORD_CHARS} characters long")
            }
            PolicyViolation::TooFewKinds => "it must mix at least three of: lowercase letters, capital letters, digits, other characters".into(),
            PolicyViolation::TooFewDistinct => "it must use at least 7 different characters".into(),
            PolicyViolation::RunOrSequence => "it must not contain a character repeated 3 times in a row or a run like `1234` or `abcd`".into(),
            PolicyViolation::ContainsUserName => "it must not contain the user name".into(),
            PolicyViolation::Common => "it is built on a commonly used password; choose something less guessable".into(),
        }
    }
}

/// Checks a new password against the policy (D189 §6.11); every violation, in order.
pub fn check_password_policy(password: &str, user_name: &str) -> Vec<PolicyViolation> {
    let mut violations = Vec::new();
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < MIN_PASSWORD_CHARS {
        violations.push(PolicyViolation::TooShort);
    }
    let kinds = [
        chars.iter().any(|c| c.is_lowercase()),
        chars.iter().any(|c| c.is_uppercase()),
        chars.iter().any(|c| c.is_numeric()),
        chars.iter().any(|c| !c.is_alphanumeric()),
    ];
    if kinds.iter().filter(|&&kind| kind).count() < 3 {
        violations.push(PolicyViolation::TooFewKinds);
    }
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 7 {
        violations.push(PolicyViolation::TooFewDistinct);
    }
    let repeated = chars.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]);
    let sequence = chars.windows(4).any(|w| {
        let codes: Vec<i64> = w
            .iter()
            .map(|c| i64::from(u32::from(c.to_ascii_lowercase())))
            .collect();
        let step = codes[1] - codes[0];
        (step == 1 || step == -1) && codes.windows(2).all(|pair| pair[1] - pair[0] == step)
    });
    if repeated || sequence {
        violations.push(PolicyViolation::RunOrSequence);
    }
    let lowered = turkic_lowercase(password);
    let name = turkic_lowercase(user_name);
    if name.chars().count() >= 3 && lowered.contains(&name) {
        violations.push(PolicyViolation::ContainsUserName);
    }
    let base: String = lowered.chars().filter(|c| c.is_alphabetic()).collect();
    let digits_only: String = lowered.chars().filter(|c| c.is_alphanumeric()).collect();
    let common = COMMON_WORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|word| base == word || digits_only == word || lowered == word);
    if common {
        violations.push(PolicyViolation::Common);
    }
    violations
}

/// Hashes a password with argon2id and a random salt, in the PHC string format.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|error| anyhow::anyhow!("no random numbers: {error}"))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|error| anyhow::anyhow!("cannot encode a salt: {error}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| anyhow::anyhow!("cannot hash the password: {error}"))?
        .to_string())
}

/// Does the password match the stored hash? A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash to verify against when the account does not exist, so that a login for an unknown
/// name takes as long as one for a known name.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("not a password of anyone").unwrap_or_default());
    &DUMMY
}

/// A strong password that passes the policy: 16 characters from an alphabet without
/// look-alikes (no `0/O`, `1/l/I`), mixing all four kinds.
pub fn generate_password() -> anyhow::Result<String> {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const OTHER: &[u8] = b"-_.:+=!?";
    loop {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)
            .map_err(|error| anyhow::anyhow!("no random numbers: {error}"))?;
        let password: String = bytes
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                let alphabet = match i % 8 {
                    0 | 4 | 6 => LOWER,
                    1 | 5 => UPPER,
                    2 | 7 => DIGITS,
                    _ => OTHER,
                };
                char::from(alphabet[usize::from(b) % alphabet.len()])
            })
            .collect();
        if check_password_policy(&password, "").is_empty() {
            return Ok(password);
        }
    }
}

/// 32 random bytes as hex: session ids and CSRF tokens.
pub fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("no random numbers: {error}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What the database keeps of a session id.
pub fn session_hash(session_id: &str) -> String {
    sha256_hex(session_id.as_bytes())
}

/// The session cookie's name; the `__Host-` prefix (HTTPS only) binds it to this host.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-govsite_session"
    } else {
        "govsite_session"
    }
}

/// The `Set-Cookie` value for a session id: nothing but the opaque id, HttpOnly and
/// SameSite=Strict, Secure over HTTPS (D189 §6.3.11). `None` clears the cookie.
pub fn session_cookie(session_id: Option<&str>, secure: bool) -> String {
    let name = cookie_name(secure);
    let secure_flag = if secure { "; Secure" } else { "" };
    match session_id {
        Some(id) => format!("{name}={id}; Path=/; HttpOnly; SameSite=Strict{secure_flag}"),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure_flag}"),
    }
}

/// The session id in a `Cookie` header, if any.
pub fn session_from_cookie_header(header: &str, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Compares secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Is a user name acceptable: 2–32 characters of `a-z`, `0-9`, `.`, `_`, `-`, starting with a
/// letter?
pub fn is_valid_user_name(name: &str) -> bool {
    (2..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violations(password: &str) -> Vec<PolicyViolation> {
        check_password_policy(password, "aynur")
    }

    #[test]
    fn accepts_strong_passwords() {
        // D189 §6.11
        assert!(violations("Bahar-Yağışı-7-Quba").is_empty());
        assert!(violations("tR8#wq2!Lm9z").is_empty());
        assert!(violations("Gəncə şəhəri 1804-cü il").is_empty());
    }

    #[test]
    fn refuses_weak_passwords_with_reasons() {
        assert_eq!(violations("Ab1!xyzq"), vec![PolicyViolation::TooShort]);
        assert_eq!(
            violations("abcdefghkmnpqr"),
            vec![PolicyViolation::TooFewKinds, PolicyViolation::RunOrSequence]
        );
        assert!(violations("Aa1!Aa1!Aa1!Aa1!").contains(&PolicyViolation::TooFewDistinct));
        assert!(violations("Xq9!aaa-Lm2#zz").contains(&PolicyViolation::RunOrSequence));
        assert!(violations("Xq9!1234-Lm#zz").contains(&PolicyViolation::RunOrSequence));
        assert!(violations("Mənim-AYNUR-2024").contains(&PolicyViolation::ContainsUserName));
        assert!(violations("Password2024!!").contains(&PolicyViolation::Common));
        assert!(violations("Azərbaycan!1918").contains(&PolicyViolation::Common));
        assert!(violations("Qwerty!2468#").contains(&PolicyViolation::Common));
    }

    #[test]
    fn generated_passwords_pass_the_policy_and_differ() {
        let first = generate_password().unwrap();
        let second = generate_password().unwrap();
        assert_eq!(first.chars().count(), 16);
        assert!(check_password_policy(&first, "admin").is_empty());
        assert_ne!(first, second);
    }

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let hash = hash_password("tR8#wq2!Lm9z").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("tR8#wq2!Lm9z", &hash));
        assert!(!verify_password("tR8#wq2!Lm9Z", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert_ne!(hash, hash_password("tR8#wq2!Lm9z").unwrap(), "salted");
    }

    #[test]
    fn cookies_carry_only_the_id() {
        // D189 §6.3.11
        let cookie = session_cookie(Some("ab"), true);
        assert_eq!(
            cookie,
            "__Host-govsite_session=ab; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        assert!(!session_cookie(Some("ab"), false).contains("Secure"));
        let id = "a".repeat(64);
        assert_eq!(
            session_from_cookie_header(&format!("x=1; govsite_session={id}"), false),
            Some(id.clone())
        );
        assert_eq!(
            session_from_cookie_header("govsite_session=../../etc", false),
            None
        );
        assert_eq!(
            session_from_cookie_header(&format!("govsite_session={id}"), true),
            None
        );
    }

    #[test]
    fn user_names() {
        assert!(is_valid_user_name("aynur.mammadova"));
        assert!(!is_valid_user_name("Aynur"));
        assert!(!is_valid_user_name("1admin"));
        assert!(!is_valid_user_name("a b"));
    }
}
