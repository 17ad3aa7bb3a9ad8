//! Who is speaking: the people, unnamed sources and organisations of one article, and how
//! each mention (a full name, a surname, "he", "the diplomat", "the Kremlin") resolves to
//! one of them. Named people are never merged with unnamed sources; a surname or a
//! description resolves to the most recent compatible speaker; a pronoun to the subject or
//! speaker of the nearest sentence before it. Unresolvable mentions resolve to nothing.

use super::lexicon::{self as lx, key};
use super::mentions::{self, Mention};
use super::registry::Registry;
use super::text::{Kind, Para};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    Person,
    Anonymous,
    Organization,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
    /// Only guessed from a first name ending in -a: any pronoun overrides it.
    LikelyFemale,
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub kind: EntityKind,
    pub name: String,
    /// The role as this article gives it.
    pub role: Option<String>,
    pub gender: Gender,
    pub plural: bool,
    /// Words describing the entity (lower case): role words or the source description.
    pub words: Vec<String>,
    /// Head noun of an unnamed source ("official", "diplomats").
    pub head: String,
    pub first_seen: usize,
    pub last_seen: usize,
    /// The registry entry this entity was found in, if any.
    pub registry_id: Option<String>,
}

/// What a sentence was about: its grammatical subject and the speaker it attributes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Focus {
    pub subject: Option<usize>,
    pub speaker: Option<usize>,
}

#[derive(Debug)]
pub struct Entities<'r> {
    pub list: Vec<Entity>,
    clock: usize,
    history: Vec<Focus>,
    registry: &'r Registry,
}

/// A mention found while reading a sentence.
#[derive(Debug, Clone)]
pub struct Found {
    pub first_token: usize,
    pub entity: Option<usize>,
    pub subject: bool,
}

const MALE_NAMES_ENDING_IN_A: &[&str] = &[
    "nikita", "ilya", "luka", "foma", "kuzma", "joshua", "ezra", "elijah", "jonah", "akira",
    "misha", "sasha", "pasha", "grisha", "vanya", "kolya", "tolya", "zhenya", "dima", "seryozha",
    "andrea", "mustafa", "musa", "isa", "yahya", "zakaria", "hamza", "osama", "attila", "luca",
    "nicola", "garcia",
];

fn gender_of(name: &str, role: Option<&str>) -> Gender {
    let role = role.unwrap_or_default().to_lowercase();
    let female_words = [
        "spokeswoman",
        "chairwoman",
        "congresswoman",
        "businesswoman",
        "woman",
        "ms.",
        "mrs.",
        "queen",
        "princess",
        "actress",
        "first lady",
        "wife",
        "mother",
        "sister",
        "daughter",
    ];
    let male_words = [
        "spokesman",
        "chairman",
        "congressman",
        "businessman",
        "mr.",
        "king",
        "prince",
        "husband",
        "father",
        "brother",
        "son",
    ];
    let role_words: Vec<&str> = role.split_whitespace().collect();
    if female_words.iter().any(|w| role_words.contains(w)) {
        return Gender::Female;
    }
    if male_words.iter().any(|w| role_words.contains(w)) {
        return Gender::Male;
    }
    let first = name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    // Last resort, after role words (and honorifics, see `person`): a weak guess that
    // the first "he" or "she" overrides.
    if name.split_whitespace().count() >= 2
        && first.len() > 2
        && first.ends_with('a')
        && !MALE_NAMES_ENDING_IN_A.contains(&first.as_str())
    {
        return Gender::LikelyFemale;
    }
    Gender::Unknown
}

fn spokes(w: &str) -> &str {
    match w {
        "spokesman" | "spokeswoman" | "spokesperson" => "spokesperson",
        "spokesmen" | "spokeswomen" | "spokespeople" => "spokespeople",
        "advisor" => "adviser",
        "advisors" => "advisers",
        other => other,
    }
}

fn words_of(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| spokes(&key(w.trim_matches(|c: char| c == ',' || c == '.'))).to_string())
        .collect()
}

fn last_word(name: &str) -> String {
    name.split_whitespace()
        .last()
        .map(|w| w.to_lowercase())
        .unwrap_or_default()
}

/// `last_word(name) == last` (`last` being a `last_word`), without a new string when the
/// word is ASCII, as most names are: this runs for every entity at every mention.
fn has_last_word(name: &str, last: &str) -> bool {
    let w = name.split_whitespace().last().unwrap_or_default();
    if w.is_ascii() {
        w.eq_ignore_ascii_case(last) && !last.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        w.to_lowercase() == last
    }
}

impl<'r> Entities<'r> {
    pub fn new(registry: &'r Registry) -> Entities<'r> {
        Entities {
            list: Vec::new(),
            clock: 0,
            history: Vec::new(),
            registry,
        }
    }

    fn touch(&mut self, i: usize) -> usize {
        self.clock += 1;
        self.list[i].last_seen = self.clock;
        i
    }

    fn push(&mut self, mut e: Entity) -> usize {
        self.clock += 1;
        e.first_seen = self.clock;
        e.last_seen = self.clock;
        self.list.push(e);
        self.list.len() - 1
    }

    /// Record what a finished sentence was about, for pronouns in the next ones.
    pub fn end_sentence(&mut self, focus: Focus) {
        self.history.push(focus);
    }

    /// Resolve a mention. `subject_here` is the current sentence's subject, if it comes
    /// before the mention (for "Peskov ..., which he labeled").
    pub fn resolve(&mut self, m: &Mention, subject_here: Option<usize>) -> Option<usize> {
        match m {
            Mention::Pronoun(p) => self.pronoun(p, subject_here),
            Mention::Person { name, role } => self.person(name, role.as_deref()),
            Mention::Anonymous {
                name, head, plural, ..
            } => Some(self.anonymous(name, head, *plural)),
            Mention::Definite {
                head,
                mods,
                plural,
                anon_name,
            } => self.definite(head, mods, *plural, anon_name.as_deref()),
            Mention::Org { name } => self.org(name),
        }
    }

    /// A person named as the subject of a speech verb ("Trump said", "said Zelensky"):
    /// resolved like any mention, but a surname alone that nobody introduced still makes a
    /// speaker (a full name given earlier in the article is used when there is one).
    pub fn speaker_by_name(&mut self, m: &Mention, sentence_initial: bool) -> Option<usize> {
        let Mention::Person { name, role } = m else {
            return None;
        };
        if let Some(i) = self.person(name, role.as_deref()) {
            return Some(i);
        }
        let word = name.trim();
        let k = key(word);
        let listed = |l: &[&str]| lx::has(l, &k);
        if word.contains(' ')
            || listed(lx::ANON_HEADS)
            || listed(lx::ORG_HEADS)
            || listed(lx::TITLE_NOUNS)
            || listed(lx::MEDIA_WORDS)
            || listed(lx::NOT_NAME_WORDS)
            || listed(lx::SENTENCE_OPENERS)
            || !mentions::is_name_word(word)
            // "Critics said", "Witnesses told": a plural noun opening a sentence.
            || (sentence_initial && k.ends_with('s') && !k.ends_with("ss"))
        {
            return None;
        }
        Some(self.push(Entity {
            kind: EntityKind::Person,
            gender: Gender::Unknown,
            name: word.to_string(),
            role: None,
            plural: false,
            words: Vec::new(),
            head: String::new(),
            first_seen: 0,
            last_seen: 0,
            registry_id: None,
        }))
    }

    fn person(&mut self, name: &str, role: Option<&str>) -> Option<usize> {
        // "Mr Peskov": a surname, but surely a person's.
        let (name, honorific) = match name.split_once(' ') {
            Some((h, rest)) if mentions::is_honorific(h) => (rest, Some(h)),
            _ => (name, None),
        };
        let tokens: Vec<&str> = name.split_whitespace().collect();
        let last = last_word(name);
        let full = tokens.len() >= 2;
        let found = (0..self.list.len())
            .filter(|&i| {
                let e = &self.list[i];
                e.kind == EntityKind::Person && has_last_word(&e.name, &last) && {
                    let mut en = e.name.split_whitespace();
                    let first = en.next().unwrap_or_default();
                    !full || en.next().is_none() || first.eq_ignore_ascii_case(tokens[0])
                }
            })
            .max_by_key(|&i| self.list[i].last_seen);
        if let Some(i) = found {
            let e = &mut self.list[i];
            if full && e.name.split_whitespace().count() < 2 {
                e.name = name.to_string();
            }
            if e.role.is_none() && role.is_some() {
                e.role = role.map(String::from);
                e.words = words_of(role.unwrap_or_default());
                if matches!(e.gender, Gender::Unknown | Gender::LikelyFemale) {
                    e.gender = gender_of(&e.name, role);
                }
            }
            return Some(self.touch(i));
        }
        let (name, registry_id) = if full {
            (
                name.to_string(),
                self.registry.by_name(name, false).map(String::from),
            )
        } else if let Some((id, meta)) = self.registry.by_surname(name) {
            (meta.name.clone(), Some(id.to_string()))
        } else if role.is_some() || honorific.is_some() {
            (name.to_string(), None)
        } else {
            return None;
        };
        let gender = match honorific.map(str::to_lowercase).as_deref() {
            Some("mr" | "mr." | "sir" | "lord") => Gender::Male,
            Some("mrs" | "mrs." | "ms" | "ms." | "dame" | "lady") => Gender::Female,
            _ => gender_of(&name, role),
        };
        Some(self.push(Entity {
            kind: EntityKind::Person,
            gender,
            name,
            role: role.map(String::from),
            plural: false,
            words: words_of(role.unwrap_or_default()),
            head: String::new(),
            first_seen: 0,
            last_seen: 0,
            registry_id,
        }))
    }

    fn anonymous(&mut self, name: &str, head: &str, plural: bool) -> usize {
        let words = words_of(name);
        let head = spokes(head).to_string();
        let found = (0..self.list.len())
            .filter(|&i| {
                let e = &self.list[i];
                e.kind == EntityKind::Anonymous
                    && e.plural == plural
                    && e.head == head
                    && (subset(&words, &e.words) || subset(&e.words, &words))
            })
            .max_by_key(|&i| self.list[i].last_seen);
        if let Some(i) = found {
            return self.touch(i);
        }
        self.push(Entity {
            kind: EntityKind::Anonymous,
            name: name.to_string(),
            role: None,
            gender: Gender::Unknown,
            plural,
            words,
            head,
            first_seen: 0,
            last_seen: 0,
            registry_id: None,
        })
    }

    fn definite(
        &mut self,
        head: &str,
        mods: &[String],
        plural: bool,
        anon_name: Option<&str>,
    ) -> Option<usize> {
        let head = spokes(head).to_string();
        if let Some(name) = anon_name {
            if let Some(i) = self
                .list
                .iter()
                .position(|e| e.kind == EntityKind::Anonymous && e.name.eq_ignore_ascii_case(name))
            {
                return Some(self.touch(i));
            }
        }
        let mods: Vec<String> = mods.iter().map(|m| spokes(m).to_string()).collect();
        let found = (0..self.list.len())
            .filter(|&i| {
                let e = &self.list[i];
                match e.kind {
                    EntityKind::Anonymous => {
                        e.plural == plural && e.head == head && subset(&mods, &e.words)
                    }
                    EntityKind::Person => {
                        !plural && e.words.contains(&head) && subset(&mods, &e.words)
                    }
                    EntityKind::Organization => false,
                }
            })
            .max_by_key(|&i| self.list[i].last_seen);
        if let Some(i) = found {
            return Some(self.touch(i));
        }
        if let Some(name) = anon_name {
            return Some(self.anonymous(name, &head, plural));
        }
        // "the Kremlin spokesman" with no antecedent: a registry role, when unique.
        if !plural && !mods.is_empty() {
            let role = format!("{} {}", mods.join(" "), head);
            if let Some((id, meta)) = self.registry.by_role(&role) {
                let (id, name) = (id.to_string(), meta.name.clone());
                return Some(self.push(Entity {
                    kind: EntityKind::Person,
                    gender: gender_of(&name, Some(&role)),
                    name,
                    role: None,
                    plural: false,
                    words: words_of(&role),
                    head: String::new(),
                    first_seen: 0,
                    last_seen: 0,
                    registry_id: Some(id),
                }));
            }
        }
        None
    }

    fn org(&mut self, name: &str) -> Option<usize> {
        let generic = !lx::is_capitalized(name);
        let last = last_word(name);
        let n = name.to_lowercase();
        let found = (0..self.list.len())
            .filter(|&i| {
                let e = &self.list[i];
                e.kind == EntityKind::Organization
                    && if generic {
                        has_last_word(&e.name, &last)
                    } else {
                        let en = e.name.to_lowercase();
                        en == n || en.ends_with(&format!(" {n}")) || n.ends_with(&format!(" {en}"))
                    }
            })
            .max_by_key(|&i| self.list[i].last_seen);
        if let Some(i) = found {
            return Some(self.touch(i));
        }
        if generic {
            return None;
        }
        let registry_id = self.registry.by_name(name, true).map(String::from);
        Some(self.push(Entity {
            kind: EntityKind::Organization,
            name: name.to_string(),
            role: None,
            gender: Gender::Unknown,
            plural: false,
            words: words_of(name),
            head: last,
            first_seen: 0,
            last_seen: 0,
            registry_id,
        }))
    }

    fn pronoun(&mut self, p: &str, subject_here: Option<usize>) -> Option<usize> {
        let fits = |e: &Entity| match p {
            "he" => {
                (e.kind == EntityKind::Person || (e.kind == EntityKind::Anonymous && !e.plural))
                    && e.gender != Gender::Female
            }
            "she" => {
                (e.kind == EntityKind::Person || (e.kind == EntityKind::Anonymous && !e.plural))
                    && e.gender != Gender::Male
            }
            "they" => e.plural || e.kind == EntityKind::Organization,
            "it" => e.kind == EntityKind::Organization,
            _ => false,
        };
        let mut candidates = subject_here.into_iter().collect::<Vec<_>>();
        for f in self.history.iter().rev().take(8) {
            candidates.extend(f.speaker);
            candidates.extend(f.subject);
        }
        let i = candidates.into_iter().find(|&i| fits(&self.list[i]))?;
        let e = &mut self.list[i];
        if matches!(e.gender, Gender::Unknown | Gender::LikelyFemale)
            && e.kind == EntityKind::Person
        {
            e.gender = if p == "she" {
                Gender::Female
            } else if p == "he" {
                Gender::Male
            } else {
                Gender::Unknown
            };
        }
        Some(self.touch(i))
    }

    /// Read the names in a sentence (outside quotations): register people and
    /// organisations, and find the sentence's subject.
    pub fn scan(&mut self, p: &Para, range: std::ops::Range<usize>) -> Vec<Found> {
        let mut out = Vec::new();
        let mut i = range.start;
        let mut subject_seen = false;
        while i < range.end {
            if p.tokens[i].quote.is_some() || !p.is_word(i) {
                i += 1;
                continue;
            }
            let w = p.word(i);
            let lw = p.lower(i);
            if matches!(lw, "he" | "she") {
                let subject = verbish(p, i + 1, range.end);
                let entity = self.pronoun(
                    lw,
                    out.iter()
                        .rev()
                        .find(|f: &&Found| f.subject)
                        .and_then(|f| f.entity),
                );
                if subject && !subject_seen {
                    subject_seen = true;
                }
                out.push(Found {
                    first_token: i,
                    entity,
                    subject,
                });
                i += 1;
                continue;
            }
            if !lx::is_capitalized(w) {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < range.end
                && p.is_word(j)
                && p.tokens[j].quote.is_none()
                && (lx::is_capitalized(p.word(j)) || (j > i && role_bridge(p, j, range.end)))
            {
                let possessive = lx::is_possessive(p.word(j));
                j += 1;
                if possessive {
                    break;
                }
            }
            let mut a = i;
            while a < j
                && lx::has(lx::SENTENCE_OPENERS, lx::key_lower(p.lower(a)))
                && !p.word(a).eq_ignore_ascii_case("the")
            {
                a += 1;
            }
            if a == j {
                i = j.max(i + 1);
                continue;
            }
            // Lower-case role words just before: "presidential spokesperson Dmitry Peskov".
            let mut s = a;
            while s > range.start
                && s + 4 > a
                && p.is_word(s - 1)
                && p.tokens[s - 1].quote.is_none()
                && !lx::is_capitalized(p.word(s - 1))
                && (lx::has(lx::TITLE_NOUNS, lx::key_lower(p.lower(s - 1)))
                    || lx::is_modifier_key(lx::key_lower(p.lower(s - 1))))
            {
                s -= 1;
            }
            let mut end = j;
            let mut mention = mentions::classify(p, s, j).or_else(|| mentions::classify(p, a, j));
            if let Some(Mention::Person {
                role: role @ None, ..
            }) = &mut mention
            {
                if p.is_punct(j, ',') {
                    let app_end = (j + 1..range.end)
                        .find(|&k| !p.is_word(k) || p.tokens[k].quote.is_some())
                        .unwrap_or(range.end);
                    let ws: Vec<&str> = (j + 1..app_end).map(|k| p.word(k)).collect();
                    if let Some(r) = mentions::appositive_role(&ws) {
                        *role = Some(r);
                        end = if p.is_punct(app_end, ',') {
                            app_end + 1
                        } else {
                            app_end
                        };
                    }
                }
            }
            let entity = match &mention {
                Some(m @ (Mention::Person { .. } | Mention::Org { .. })) => self.resolve(m, None),
                _ => None,
            };
            let possessive = lx::is_possessive(p.word(j - 1));
            let subject =
                entity.is_some() && !possessive && !subject_seen && verbish(p, end, range.end);
            if subject {
                subject_seen = true;
            }
            out.push(Found {
                first_token: s,
                entity,
                subject,
            });
            i = j.max(i + 1);
        }
        out
    }
}

/// A lower-case word inside a name run: "of" in "Ministry of Defense", a role noun in
/// "Kremlin spokesman Dmitry Peskov" (only when capitalised words follow).
fn role_bridge(p: &Para, j: usize, end: usize) -> bool {
    let w = p.lower(j);
    let mut k = j;
    while k < end && p.is_word(k) && !lx::is_capitalized(p.word(k)) && k < j + 3 {
        let lw = p.lower(k);
        // `lw` is in lower case already: its key needs no new string.
        let word_key = lx::key_lower(lw);
        let modifier = lx::is_capitalized(lw) || lx::is_modifier_key(word_key);
        if !(lw == "of" || lx::has(lx::TITLE_NOUNS, word_key) || modifier) {
            return false;
        }
        k += 1;
    }
    (w == "of" || k > j)
        && k < end
        && p.is_word(k)
        && p.tokens[k].quote.is_none()
        && lx::is_capitalized(p.word(k))
}

/// Is the word at `i` plausibly the verb of a clause whose subject ends just before it?
fn verbish(p: &Para, i: usize, end: usize) -> bool {
    let mut i = i;
    // "Peskov on Monday said", "Russia on Thursday confirmed"
    if i + 1 < end && p.lower(i) == "on" && lx::has(lx::WEEKDAYS, p.lower(i + 1)) {
        i += 2;
    }
    if i >= end || !p.is_word(i) || p.tokens[i].kind != Kind::Word {
        return false;
    }
    let w = p.word(i);
    let lw = w.to_lowercase();
    !lx::is_capitalized(w)
        && !lx::has(lx::PREPOSITIONS, &lw)
        && !lx::has(lx::DETERMINERS, &lw)
        && !lx::has(lx::CLAUSE_BOUNDARIES, &lw)
        && !lw.chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn subset(a: &[String], b: &[String]) -> bool {
    a.iter().all(|x| b.contains(x))
}
