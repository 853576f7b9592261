//! The message catalogue (`locales/fr.ftl`, `locales/en.ftl`) is whole: both files parse, carry
//! the same messages with the same placeholders, every message is used somewhere, and every
//! message the code asks for exists. `scripts/test` runs this with the rest of the suite.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast;
use sesame_core::messages::{ENGLISH, FRENCH};
use sesame_core::vocab::{AuditAction, Field, KeyAction, KeyStatus, Right};

/// Each message's identifier and the placeholders (`$name`) it uses, in every variant.
fn messages(source: &str, file: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(resource) => resource,
        Err((_, errors)) => panic!("{file} does not parse: {errors:?}"),
    };
    let mut found = BTreeMap::new();
    for entry in resource.body {
        if let ast::Entry::Message(message) = entry {
            let mut variables = BTreeSet::new();
            if let Some(pattern) = &message.value {
                pattern_variables(pattern, &mut variables);
            }
            let id = message.id.name.to_owned();
            assert!(
                found.insert(id.clone(), variables).is_none(),
                "{file}: {id} twice"
            );
        }
    }
    found
}

fn pattern_variables(pattern: &ast::Pattern<&str>, variables: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, variables);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, variables: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, variables);
            for variant in variants {
                pattern_variables(&variant.value, variables);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, variables),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, variables: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            variables.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => {
            expression_variables(expression, variables);
        }
        _ => {}
    }
}

/// The text of every Rust, TypeScript and Svelte file of the workspace that people's words may
/// be asked for from (tests excluded: they may name anything).
fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for folder in [
        "crates/sesame-core/src",
        "crates/sesamectl/src",
        "src-tauri/src",
        "ui/src",
    ] {
        collect(&root.join(folder), &mut files);
    }
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("source file");
            (file, text)
        })
        .collect()
}

fn collect(folder: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|extension| {
            ["rs", "ts", "svelte"].contains(&extension.to_str().unwrap_or_default())
        }) {
            files.push(path);
        }
    }
}

#[test]
fn both_languages_have_the_same_messages_with_the_same_placeholders() {
    let french = messages(FRENCH, "fr.ftl");
    let english = messages(ENGLISH, "en.ftl");
    let only_french: Vec<_> = french
        .keys()
        .filter(|id| !english.contains_key(*id))
        .collect();
    let only_english: Vec<_> = english
        .keys()
        .filter(|id| !french.contains_key(*id))
        .collect();
    assert!(only_french.is_empty(), "in French only: {only_french:?}");
    assert!(only_english.is_empty(), "in English only: {only_english:?}");
    for (id, variables) in &french {
        assert_eq!(
            variables, &english[id],
            "{id}: placeholders differ between fr and en"
        );
    }
    assert!(french.len() > 400, "{} messages", french.len());
}

/// Families of messages whose identifier the code builds from a code: `prefix` + the code.
const FAMILIES: &[&str] = &[
    "error-",
    "cli-error-",
    "field-",
    "status-",
    "key-action-done-",
    "right-",
    "audit-field-",
    "audit-part-",
    "audit-grace-",
    "audit-reason-",
    "import-column-",
    "report-column-",
    "export-verdict-",
    "verify-",
    "bulk-change-",
    "offboard-end-",
    "key-effect-",
    "audit-kind-",
    "audit-during-",
    "audit-from-",
];

#[test]
fn every_message_is_used_and_every_message_asked_for_exists() {
    let catalogue = messages(FRENCH, "fr.ftl");
    let sources = sources();
    // Every quoted literal of the sources: message identifiers, and the codes families use.
    let literal = regex::Regex::new(r#"["'`]([A-Za-z0-9_.:-]+)["'`]"#).expect("regex");
    let mut literals = BTreeSet::new();
    // The interface builds some identifiers too: t(`health_${check}`).
    let template = regex::Regex::new(r"\bt\(`([a-z_-]+)\$\{").expect("regex");
    let mut families: Vec<String> = FAMILIES.iter().map(|family| (*family).to_owned()).collect();
    for (_, text) in &sources {
        for found in literal.captures_iter(text) {
            literals.insert(found[1].to_owned());
        }
        families.extend(
            template
                .captures_iter(text)
                .map(|found| found[1].to_owned()),
        );
    }
    // Families whose codes are enumerated by the vocabulary.
    let mut built: BTreeSet<String> = BTreeSet::new();
    built.extend(Field::ALL.iter().map(|v| format!("field-{}", v.code())));
    built.extend(
        KeyStatus::ALL
            .iter()
            .map(|v| format!("status-{}", v.code())),
    );
    built.extend(
        KeyAction::ALL
            .iter()
            .map(|v| format!("key-action-done-{}", v.code())),
    );
    built.extend(Right::ALL.iter().map(|v| format!("right-{}", v.code())));
    built.extend(
        sesame_core::Error::codes()
            .iter()
            .map(|code| format!("error-{code}")),
    );
    built.extend(
        AuditAction::ALL
            .iter()
            .map(|v| sesame_core::journal::action_message(*v)),
    );
    built.extend(
        AuditAction::ALL
            .iter()
            .map(|v| sesame_core::journal::asked_message(*v)),
    );
    built.extend(
        sesame_core::vocab::AuditFamily::ALL
            .iter()
            .map(|v| format!("family_{}", v.code().trim_end_matches('.'))),
    );
    for id in &built {
        assert!(catalogue.contains_key(id), "{id} is asked for but missing");
    }
    // A family message is used when its code appears as a literal somewhere (the code that
    // returns it); any other message when its identifier does.
    let unused: Vec<_> = catalogue
        .keys()
        .filter(|id| {
            if literals.contains(*id) || built.contains(*id) {
                return false;
            }
            let code = families
                .iter()
                .find_map(|family| id.strip_prefix(family.as_str()));
            // A number (a score, a preset) is a value, not a literal: the family suffices.
            !code.is_some_and(|code| {
                literals.contains(code)
                    || literals.contains(&code.replace('_', "."))
                    || literals.contains(&format!("{code}."))
                    || code.chars().all(|c| c.is_ascii_digit())
            })
        })
        .collect();
    assert!(unused.is_empty(), "never used: {unused:?}");
    // Messages asked for by a literal identifier: `t("…")` in the interface, `say`/`text`/`word`
    // in Rust.
    let asked = regex::Regex::new(
        r#"(?:\bt\(|\.say\(|\.text\(|messages::word\(\w+, |messages::text\(\w+, |word\(lang, )\s*["'`]([A-Za-z0-9_-]+)["'`]"#,
    )
    .expect("regex");
    let mut missing = Vec::new();
    for (file, text) in &sources {
        for found in asked.captures_iter(text) {
            if !catalogue.contains_key(&found[1]) {
                missing.push(format!("{} in {}", &found[1], file.display()));
            }
        }
    }
    assert!(missing.is_empty(), "asked for but missing: {missing:?}");
    // Every code the core's errors can return has its message (checked with `built` above).
    assert!(sesame_core::Error::codes().len() > 50);
}

/// Counted things read as words in both languages — « aucune clé », « 1 clé », « 2 clés » —
/// never « clé(s) » (issue 23): the catalogue's plural selectors, at 0, 1 and 2.
#[test]
fn counts_read_as_words_at_zero_one_and_two() {
    use sesame_core::Lang;
    use sesame_core::messages::{Arg, text};
    let cases: [(Lang, &str, [&str; 3]); 8] = [
        (
            Lang::Fr,
            "bulk_done",
            [
                "Aucune clé modifiée.",
                "1 clé modifiée.",
                "2 clés modifiées.",
            ],
        ),
        (
            Lang::En,
            "bulk_done",
            ["No keys changed.", "1 key changed.", "2 keys changed."],
        ),
        (Lang::Fr, "cli-keys", ["aucune clé", "1 clé", "2 clés"]),
        (Lang::En, "cli-keys", ["no keys", "1 key", "2 keys"]),
        (
            Lang::Fr,
            "offboard_apply",
            [
                "Retirer l'accès (aucune clé)",
                "Retirer l'accès (1 clé)",
                "Retirer l'accès (2 clés)",
            ],
        ),
        (
            Lang::En,
            "offboard_apply",
            [
                "Retire access (no keys)",
                "Retire access (1 key)",
                "Retire access (2 keys)",
            ],
        ),
        (
            Lang::Fr,
            "nav_keys_expiring",
            [
                "Aucune clé n'expire dans les { $days } jours",
                "1 clé expire dans les { $days } jours",
                "2 clés expirent dans les { $days } jours",
            ],
        ),
        (
            Lang::En,
            "nav_keys_expiring",
            [
                "No key expires within { $days } days",
                "1 key expires within { $days } days",
                "2 keys expire within { $days } days",
            ],
        ),
    ];
    for (lang, id, expected) in cases {
        for (count, wanted) in expected.iter().enumerate() {
            let args = [
                ("count", Arg::Number(count as f64)),
                ("days", Arg::Number(30.0)),
            ];
            assert_eq!(
                text(lang, id, &args),
                wanted.replace("{ $days }", "30"),
                "{id} at {count} in {lang:?}"
            );
        }
    }
    // No word of either catalogue hedges its plural with « (s) » (a unit, « Durée (s) », is not
    // a plural).
    let hedged = regex::Regex::new(r"\p{L}\(s\)").expect("regex");
    for (name, source) in [("fr", FRENCH), ("en", ENGLISH)] {
        let found: Vec<&str> = source.lines().filter(|l| hedged.is_match(l)).collect();
        assert!(found.is_empty(), "{name}: {found:?}");
    }
}
