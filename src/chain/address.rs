//! Parsing user-supplied Ethereum addresses, with messages a person can act on.

use alloy::primitives::Address;

/// Why a string is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Nothing was given.
    #[error("no address given")]
    Empty,
    /// A shortened form such as 0x7099…79C8.
    #[error("{0} is a shortened address; the full 42-character address is needed")]
    Shortened(Shown),
    /// Missing the 0x prefix.
    #[error("{0} is not an address: it must start with 0x")]
    MissingPrefix(Shown),
    /// Not 40 hex digits after 0x.
    #[error("{input} is not an address: expected 40 hex digits after 0x, found {found}")]
    WrongLength {
        /// The input (trimmed), as shown.
        input: Shown,
        /// Digits found.
        found: usize,
    },
    /// Characters that are not hexadecimal.
    #[error("{0} is not an address: it contains characters that are not hexadecimal")]
    NotHex(Shown),
    /// Mixed case that does not match the EIP-55 checksum: likely a typo.
    #[error("{0} fails its EIP-55 checksum (mixed upper/lower case): check it for a typo")]
    BadChecksum(Shown),
}

/// How an input appears in an error message: quoted when it is short enough to be a mistyped
/// address, otherwise only its length — a pasted private key must not be echoed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// The input, quoted.
    Quoted(String),
    /// Too long to show: its length in characters.
    Long(usize),
}

impl Shown {
    fn of(input: &str) -> Self {
        let n = input.chars().count();
        if n <= 46 {
            Self::Quoted(format!("{input:?}"))
        } else {
            Self::Long(n)
        }
    }
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shown::Quoted(q) => f.write_str(q),
            Shown::Long(n) => write!(f, "the input ({n} characters)"),
        }
    }
}

/// Parses an address: `0x` + 40 hex digits; mixed case must be a valid EIP-55 checksum,
/// all-lowercase and all-uppercase are accepted as they carry no checksum.
pub fn parse_address(input: &str) -> Result<Address, AddressError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(AddressError::Empty);
    }
    if s.contains('…') || s.contains("...") {
        return Err(AddressError::Shortened(Shown::of(s)));
    }
    let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) else {
        return Err(AddressError::MissingPrefix(Shown::of(s)));
    };
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AddressError::NotHex(Shown::of(s)));
    }
    if hex.len() != 40 {
        return Err(AddressError::WrongLength {
            input: Shown::of(s),
            found: hex.len(),
        });
    }
    let has_lower = hex.chars().any(|c| c.is_ascii_lowercase());
    let has_upper = hex.chars().any(|c| c.is_ascii_uppercase());
    let normalized = format!("0x{hex}");
    if has_lower && has_upper {
        return Address::parse_checksummed(&normalized, None)
            .map_err(|_| AddressError::BadChecksum(Shown::of(s)));
    }
    normalized
        .parse()
        .map_err(|_| AddressError::NotHex(Shown::of(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    #[test]
    fn accepts_checksummed_lowercase_and_uppercase() {
        let a = parse_address(GOOD).unwrap();
        assert_eq!(parse_address(&GOOD.to_lowercase()).unwrap(), a);
        assert_eq!(
            parse_address(&format!("0x{}", &GOOD[2..].to_uppercase())).unwrap(),
            a
        );
        assert_eq!(parse_address(&format!("  {GOOD}\n")).unwrap(), a);
    }

    #[test]
    fn rejects_a_broken_checksum() {
        let typo = GOOD.replace("C51812dc", "C51812DC");
        assert!(matches!(
            parse_address(&typo),
            Err(AddressError::BadChecksum(_))
        ));
    }

    #[test]
    fn never_echoes_a_pasted_key() {
        let key = format!(
            "0x{}",
            "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
        );
        let message = parse_address(&key).unwrap_err().to_string();
        assert!(!message.contains("4c0883a6"), "{message}");
        assert!(message.contains("66 characters"), "{message}");
    }

    #[test]
    fn explains_each_malformation() {
        assert_eq!(parse_address(""), Err(AddressError::Empty));
        assert!(matches!(
            parse_address("0x7099…79C8"),
            Err(AddressError::Shortened(_))
        ));
        assert!(matches!(
            parse_address(&GOOD[2..]),
            Err(AddressError::MissingPrefix(_))
        ));
        assert!(matches!(
            parse_address("0x1234"),
            Err(AddressError::WrongLength { found: 4, .. })
        ));
        assert!(matches!(
            parse_address("0xZZ997970C51812dc3A010C7d01b50e0d17dc79C8"),
            Err(AddressError::NotHex(_))
        ));
    }
}
