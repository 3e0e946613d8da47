//! Errors raised while reading FAQ topics.

use std::path::PathBuf;

/// Why a topic file or the FAQ folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// The folder or a file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The folder or file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The `+++` front matter block is missing or not closed.
    #[error("{source_name}: {message}")]
    FrontMatter {
        /// The file (or other source) the text came from.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// The front matter is not valid TOML or does not have the expected keys.
    #[error("{source_name}: front matter: {source}")]
    Toml {
        /// The file (or other source) the text came from.
        source_name: String,
        /// The TOML error, with line and column.
        #[source]
        source: toml::de::Error,
    },
    /// The `# en` / `# zh` body sections are missing, repeated or out of order.
    #[error("{source_name}: body: {message}")]
    Body {
        /// The file (or other source) the text came from.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// Two files declare the same topic id.
    #[error("duplicate topic id {id:?} in {first} and {second}")]
    DuplicateId {
        /// The id.
        id: String,
        /// The first file that declares it.
        first: String,
        /// The second file that declares it.
        second: String,
    },
}
