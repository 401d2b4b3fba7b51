//! Passphrase policy (WPA2/3 PSK as a passphrase): 8–63 printable ASCII, never 64 characters
//! (that would be read as a raw hex PSK), never starting with `0x`, and none of the characters
//! that break vendor configs, RADIUS attributes or the `WIFI:` QR format: quotes, backslash,
//! `;` `,` `:`.

/// The generator's alphabet: letters and digits that can't be mistaken for each other
/// (no 0/O/o, 1/l/I). 56 symbols ≈ 5.8 bits each.
pub const ALPHABET: &[u8] = b"23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
/// Generated passphrases: 3 groups of 4 symbols joined by `-` (12 symbols ≈ 69 bits).
pub const GROUPS: usize = 3;
pub const GROUP_LEN: usize = 4;

/// A passphrase in clear on its way to being sealed: never shown by Debug.
#[derive(Clone, PartialEq, Eq)]
pub struct Plaintext(String);

impl Plaintext {
    pub fn new(value: impl Into<String>) -> Self {
        Plaintext(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Plaintext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Plaintext([redacted])")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PassphraseError {
    #[error("a passphrase needs at least 8 characters")]
    TooShort,
    #[error("a passphrase can have at most 63 characters")]
    TooLong,
    #[error("a passphrase may not start with 0x")]
    HexPrefix,
    #[error("a passphrase may only use printable ASCII characters")]
    NotPrintableAscii,
    #[error("a passphrase may not contain quotes, backslashes, ';', ',' or ':'")]
    ForbiddenCharacter,
    #[error(
        "a passphrase you choose needs at least {CHOSEN_MIN_LEN} characters: try four or more \
         unrelated words, like \"maple rocket tuesday violin\""
    )]
    ChosenTooShort,
    #[error(
        "this passphrase is too easy to guess (a common password, a name, a date or a simple \
         pattern): try four or more unrelated words, like \"maple rocket tuesday violin\", or \
         use a generated one"
    )]
    TooWeak,
}

/// A passphrase a person chooses is at least this long (a generated one has 12 random symbols).
pub const CHOSEN_MIN_LEN: usize = 12;
/// The zxcvbn score (0–4) a chosen passphrase needs: 3 is "safely unguessable" (about 10^8
/// guesses or more), well past what a rate-limited online guesser can try.
pub const CHOSEN_MIN_SCORE: u8 = 3;

pub fn validate(passphrase: &str) -> Result<(), PassphraseError> {
    if !passphrase.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(PassphraseError::NotPrintableAscii);
    }
    if passphrase.len() < 8 {
        return Err(PassphraseError::TooShort);
    }
    if passphrase.len() > 63 {
        return Err(PassphraseError::TooLong);
    }
    if passphrase.starts_with("0x") || passphrase.starts_with("0X") {
        return Err(PassphraseError::HexPrefix);
    }
    if passphrase.contains(['"', '\'', '`', '\\', ';', ',', ':']) {
        return Err(PassphraseError::ForbiddenCharacter);
    }
    Ok(())
}

/// A passphrase a person chose: the policy above, at least [`CHOSEN_MIN_LEN`] characters, and
/// not guessable by zxcvbn's dictionaries (common passwords, names, words, dates, keyboard
/// patterns) below [`CHOSEN_MIN_SCORE`].
pub fn validate_chosen(passphrase: &str) -> Result<(), PassphraseError> {
    validate(passphrase)?;
    if passphrase.chars().count() < CHOSEN_MIN_LEN {
        return Err(PassphraseError::ChosenTooShort);
    }
    let score = u8::from(zxcvbn::zxcvbn(passphrase, &[]).score());
    if score < CHOSEN_MIN_SCORE {
        return Err(PassphraseError::TooWeak);
    }
    Ok(())
}

/// Builds a passphrase from uniformly random alphabet indices (the caller draws them from a
/// CSPRNG; keeping the draw outside keeps this crate pure).
pub fn from_indices(indices: &[usize; GROUPS * GROUP_LEN]) -> String {
    let mut out = String::with_capacity(GROUPS * (GROUP_LEN + 1));
    for (i, index) in indices.iter().enumerate() {
        if i > 0 && i % GROUP_LEN == 0 {
            out.push('-');
        }
        out.push(ALPHABET[index % ALPHABET.len()] as char);
    }
    out
}

/// Bits of entropy of a generated passphrase.
pub fn generated_entropy_bits() -> f64 {
    (GROUPS * GROUP_LEN) as f64 * (ALPHABET.len() as f64).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passphrases_have_at_least_64_bits_and_pass_the_policy() {
        assert!(generated_entropy_bits() >= 64.0);
        let p = from_indices(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ALPHABET.len() - 1]);
        assert_eq!(p, "2345-6789-abcZ");
        assert_eq!(validate(&p), Ok(()));
    }

    #[test]
    fn the_alphabet_has_no_ambiguous_or_forbidden_characters() {
        for c in ALPHABET {
            assert!(!b"0Oo1lI\"'\\;,:".contains(c), "{}", *c as char);
        }
    }

    #[test]
    fn policy_violations_are_named() {
        assert_eq!(validate("short"), Err(PassphraseError::TooShort));
        assert_eq!(validate(&"a".repeat(64)), Err(PassphraseError::TooLong));
        assert_eq!(validate(&"a".repeat(63)), Ok(()));
        assert_eq!(validate("0xdeadbeef"), Err(PassphraseError::HexPrefix));
        assert_eq!(
            validate("pass;word1"),
            Err(PassphraseError::ForbiddenCharacter)
        );
        assert_eq!(
            validate("pass\"word1"),
            Err(PassphraseError::ForbiddenCharacter)
        );
        assert_eq!(
            validate("pässwörd12"),
            Err(PassphraseError::NotPrintableAscii)
        );
        assert_eq!(validate("correct horse battery"), Ok(()));
    }

    #[test]
    fn chosen_passphrases_must_be_long_and_not_common() {
        // What the security review's guesser tried: short and common passphrases.
        assert_eq!(
            validate_chosen("password"),
            Err(PassphraseError::ChosenTooShort)
        );
        assert_eq!(
            validate_chosen("summer2024"),
            Err(PassphraseError::ChosenTooShort)
        );
        assert_eq!(
            validate_chosen("password1234"),
            Err(PassphraseError::TooWeak)
        );
        assert_eq!(
            validate_chosen("qwertyuiopasdf"),
            Err(PassphraseError::TooWeak)
        );
        assert_eq!(
            validate_chosen("aaaaaaaaaaaaaaaa"),
            Err(PassphraseError::TooWeak)
        );
        assert_eq!(validate_chosen("maple rocket tuesday violin"), Ok(()));
        assert_eq!(
            validate_chosen("0xmaple rocket tuesday"),
            Err(PassphraseError::HexPrefix)
        );
        let generated = from_indices(&[3, 14, 15, 9, 26, 5, 35, 8, 9, 7, 9, 32]);
        assert_eq!(validate_chosen(&generated), Ok(()));
        assert!(
            PassphraseError::TooWeak
                .to_string()
                .contains("unrelated words"),
            "the refusal says how to pick a better one"
        );
    }
}
