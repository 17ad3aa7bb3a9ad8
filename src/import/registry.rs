//! The speaker registry, content/speakers/*.md: loading it, finding a person by full name,
//! alias, surname or exact role, and choosing ids for new speakers so that one person is
//! one speaker across the whole archive.

use std::collections::HashMap;
use std::path::Path;

use crate::content::{parse_document, SpeakerMeta};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Default)]
pub struct Registry {
    speakers: Vec<(String, SpeakerMeta)>,
    /// `speakers` by id and by each normalised name (made once per speaker, because
    /// lookups happen for every mention): lookups cost the same in an archive of
    /// ten speakers and in one of ten thousand.
    index: Index,
    /// Ids added during this import (their files are still to be written).
    pub added: Vec<String>,
}

/// Positions in `Registry::speakers`, in order.
#[derive(Debug, Clone, Default)]
struct Index {
    id: HashMap<String, usize>,
    name: HashMap<String, Vec<usize>>,
    surname: HashMap<String, Vec<usize>>,
    alias: HashMap<String, Vec<usize>>,
    role: HashMap<String, Vec<usize>>,
}

impl Index {
    fn add(&mut self, i: usize, id: &str, k: &Keys) {
        self.id.entry(id.to_string()).or_insert(i);
        self.name.entry(k.name.clone()).or_default().push(i);
        self.surname.entry(k.surname.clone()).or_default().push(i);
        for a in &k.aliases {
            self.alias.entry(a.clone()).or_default().push(i);
        }
        if let Some(r) = &k.role {
            self.role.entry(r.clone()).or_default().push(i);
        }
    }

    /// Positions under `key` in either map, in registry order, each once.
    fn either(
        a: &HashMap<String, Vec<usize>>,
        b: &HashMap<String, Vec<usize>>,
        key: &str,
    ) -> Vec<usize> {
        let mut out: Vec<usize> = a
            .get(key)
            .into_iter()
            .chain(b.get(key))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
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
        self.index.id.get(id).map(|&i| &self.speakers[i].1)
    }

    /// A named person or organisation: full name or alias.
    pub fn by_name(&self, name: &str, organization: bool) -> Option<&str> {
        let n = norm(name);
        Index::either(&self.index.name, &self.index.alias, &n)
            .into_iter()
            .map(|i| &self.speakers[i])
            .find(|(_, m)| !m.anonymous && m.organization == organization)
            .map(|(id, _)| id.as_str())
    }

    /// The only entry among `candidates` (positions) that `keep` accepts.
    fn only(
        &self,
        candidates: &[usize],
        keep: impl Fn(&SpeakerMeta) -> bool,
    ) -> Option<(&str, &SpeakerMeta)> {
        let mut hits = candidates
            .iter()
            .map(|&i| &self.speakers[i])
            .filter(|(_, m)| keep(m));
        let (id, meta) = hits.next()?;
        hits.next().is_none().then_some((id.as_str(), meta))
    }

    fn push(&mut self, id: String, meta: SpeakerMeta) {
        let keys = Keys::of(&meta);
        self.index.add(self.speakers.len(), &id, &keys);
        self.speakers.push((id, meta));
    }

    /// A person by surname alone, only when exactly one registered person answers to it.
    pub fn by_surname(&self, word: &str) -> Option<(&str, &SpeakerMeta)> {
        let w = norm(word);
        let candidates = Index::either(&self.index.surname, &self.index.alias, &w);
        self.only(&candidates, |m| !m.anonymous && !m.organization)
    }

    /// A person by an exact role ("Kremlin spokesman"), when only one has it.
    pub fn by_role(&self, role: &str) -> Option<(&str, &SpeakerMeta)> {
        let r = norm(role);
        let candidates = self.index.role.get(&r).map_or(&[][..], Vec::as_slice);
        self.only(candidates, |m| !m.anonymous)
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
        let mut id = base.clone();
        let mut n = 2;
        while self.index.id.contains_key(&id) {
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
