//! The speaker registry, content/speakers/*.md: loading it, finding a person by full name,
//! alias, surname or exact role, and choosing ids for new speakers so that one person is
//! one speaker across the whole archive.

use std::collections::HashSet;
use std::path::Path;

use crate::content::{parse_document, SpeakerMeta};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Default)]
pub struct Registry {
    speakers: Vec<(String, SpeakerMeta)>,
    /// The normalised names of `speakers`, same order: made once per speaker, because
    /// lookups happen for every mention and would otherwise normalise the whole registry
    /// each time.
    keys: Vec<Keys>,
    /// Ids added during this import (their files are still to be written).
    pub added: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct Keys {
    name: String,
    surname: String,
    aliases: Vec<String>,
    role: Option<String>,
}

impl Keys {
    fn of(meta: &SpeakerMeta) -> Keys {
        Keys {
            name: norm(&meta.name),
            surname: surname(&meta.name),
            aliases: meta.aliases.iter().map(|a| norm(a)).collect(),
            role: meta.role.as_deref().map(norm),
        }
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn surname(name: &str) -> String {
    norm(name)
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string()
}

impl Registry {
    /// Read every content/speakers/*.md; a broken file is a problem naming it.
    pub fn load(dir: &Path) -> Result<Registry> {
        let mut reg = Registry::default();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(reg);
        };
        let mut problems = Vec::new();
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
            match parse_document::<SpeakerMeta>(&path, &text) {
                Ok(doc) => reg.push(doc.id, doc.meta),
                Err(p) => problems.push(p),
            }
        }
        if problems.is_empty() {
            Ok(reg)
        } else {
            Err(Error::Problems(problems))
        }
    }

    pub fn get(&self, id: &str) -> Option<&SpeakerMeta> {
        self.speakers.iter().find(|(i, _)| i == id).map(|(_, m)| m)
    }

    /// A named person or organisation: full name or alias.
    pub fn by_name(&self, name: &str, organization: bool) -> Option<&str> {
        let n = norm(name);
        self.entries()
            .find(|((_, m), k)| {
                !m.anonymous
                    && m.organization == organization
                    && (k.name == n || k.aliases.contains(&n))
            })
            .map(|((id, _), _)| id.as_str())
    }

    fn entries(&self) -> impl Iterator<Item = (&(String, SpeakerMeta), &Keys)> {
        self.speakers.iter().zip(&self.keys)
    }

    fn push(&mut self, id: String, meta: SpeakerMeta) {
        self.keys.push(Keys::of(&meta));
        self.speakers.push((id, meta));
    }

    /// A person by surname alone, only when exactly one registered person answers to it.
    pub fn by_surname(&self, word: &str) -> Option<(&str, &SpeakerMeta)> {
        let w = norm(word);
        let mut hits = self.entries().filter(|((_, m), k)| {
            !m.anonymous && !m.organization && (k.surname == w || k.aliases.contains(&w))
        });
        let ((id, meta), _) = hits.next()?;
        hits.next().is_none().then_some((id.as_str(), meta))
    }

    /// A person by an exact role ("Kremlin spokesman"), when only one has it.
    pub fn by_role(&self, role: &str) -> Option<(&str, &SpeakerMeta)> {
        let r = norm(role);
        let mut hits = self
            .entries()
            .filter(|((_, m), k)| !m.anonymous && k.role.as_ref() == Some(&r));
        let ((id, meta), _) = hits.next()?;
        hits.next().is_none().then_some((id.as_str(), meta))
    }

    /// Resolve a speaker to a registry id, adding a new entry if needed. Returns the id.
    pub fn resolve(&mut self, meta: SpeakerMeta) -> String {
        if meta.anonymous {
            let id = format!("anonymous-{}", slug::slugify(anon_base(&meta.name)));
            if self.get(&id).is_none() {
                self.add(id.clone(), meta);
            }
            return id;
        }
        if let Some(id) = self.by_name(&meta.name, meta.organization) {
            return id.to_string();
        }
        let base = slug::slugify(meta.name.replace(['\'', '\u{2019}'], ""));
        let base = if base.is_empty() {
            "speaker".to_string()
        } else {
            base
        };
        let taken: HashSet<&str> = self.speakers.iter().map(|(i, _)| i.as_str()).collect();
        let mut id = base.clone();
        let mut n = 2;
        while taken.contains(id.as_str()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.add(id.clone(), meta);
        id
    }

    fn add(&mut self, id: String, meta: SpeakerMeta) {
        self.push(id.clone(), meta);
        self.added.push(id);
    }
}

/// "Russian official (anonymous)" -> "Russian official".
pub fn anon_base(name: &str) -> &str {
    name.strip_suffix(" (anonymous)").unwrap_or(name)
}

/// Where a speaker's registry file lives.
pub fn speaker_path(root: &Path, id: &str) -> std::path::PathBuf {
    root.join("content")
        .join("speakers")
        .join(format!("{id}.md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, aliases: &[&str], role: Option<&str>) -> SpeakerMeta {
        SpeakerMeta {
            name: name.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            role: role.map(Into::into),
            anonymous: false,
            organization: false,
        }
    }

    #[test]
    fn lookups() {
        let mut r = Registry::default();
        r.push(
            "dmitry-peskov".into(),
            person("Dmitry Peskov", &["Peskov"], Some("Kremlin spokesman")),
        );
        assert_eq!(r.by_name("Dmitry Peskov", false), Some("dmitry-peskov"));
        assert_eq!(r.by_surname("Peskov").map(|x| x.0), Some("dmitry-peskov"));
        assert_eq!(
            r.by_role("Kremlin spokesman").map(|x| x.0),
            Some("dmitry-peskov")
        );
        let id = r.resolve(person("Sergei Ryabkov", &[], None));
        assert_eq!(id, "sergei-ryabkov");
        assert_eq!(
            r.resolve(person("Sergei Ryabkov", &[], None)),
            "sergei-ryabkov"
        );
        assert_eq!(r.added, vec!["sergei-ryabkov"]);
    }
}
