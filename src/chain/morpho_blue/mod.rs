//! Morpho Blue (issue 11): isolated markets of one loan and one collateral token with a fixed
//! LLTV, positions held as shares. [`math`] owns the exact integer rules as Morpho 1.0.0
//! applies them (its rounding, virtual shares, interest accrual); the reader and the protocol
//! abstraction the desk uses come next.

pub mod math;
