//! Morpho Blue (issue 11): isolated markets of one loan and one collateral token with a fixed
//! LLTV, positions held as shares. [`math`] owns the exact integer rules as Morpho 1.0.0
//! applies them (its rounding, virtual shares, interest accrual); [`reader`] reads a user's
//! positions in every configured Morpho market in one round trip ([`position`] is what it
//! gives); [`risk`] computes the figures people act on from them.

pub mod common;
pub mod json;
pub mod math;
pub mod position;
pub mod reader;
pub mod risk;

pub use position::{MarketFacts, MorphoPosition, TokenFacts};
pub use reader::{MorphoCatalog, MorphoLiquidation, MorphoReader, PendingMorpho};
pub use risk::MorphoRisk;
