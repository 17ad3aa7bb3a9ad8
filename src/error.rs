//! Errors and problems. A `Problem` is one thing wrong with the user's input, located by
//! file, line and column, with a hint on what to do; commands collect every problem they
//! find and report them all at once. `Error` is what a stage returns when it cannot go on.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with an input file, with where and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line, when the problem has a position.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Problem {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self.column = line.map(|_| 1);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The archive's content is invalid; every problem found is listed.
    #[error("{}", list_problems(.0))]
    Problems(Vec<Problem>),
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A template failed to parse or to render (names the template and, when rendering, the page).
    #[error("template error{}: {message}\n  help: {}", page.as_deref().map(|p| format!(" while rendering {p}")).unwrap_or_default(), template_help(page.is_some()))]
    Template {
        page: Option<String>,
        message: String,
    },
    #[error("{0}")]
    Other(String),
}

fn template_help(rendering: bool) -> &'static str {
    if rendering {
        "the README's \"Templates\" section lists the variables each template gets (undefined ones are errors); or remove the file from templates/ to use the built-in one"
    } else {
        "fix the template at the spot shown (Tera 2 syntax), or remove the file from templates/ to use the built-in one"
    }
}

fn list_problems(problems: &[Problem]) -> String {
    let mut out = String::new();
    for p in problems {
        out.push_str(&format!("error: {p}\n"));
    }
    let n = problems.len();
    out.push_str(&format!(
        "{n} problem{} found",
        if n == 1 { "" } else { "s" }
    ));
    out
}

impl Error {
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn problem(p: Problem) -> Self {
        Error::Problems(vec![p])
    }
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Self {
        Error::Problems(vec![p])
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// 1-based line of the first line of `text` that contains `needle`, if any.
pub fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}
