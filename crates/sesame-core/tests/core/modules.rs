//! The core reads bottom-up: its modules import one another without a loop, whether a folder
//! (`store/`) is read as its files or as one module; the store imports nothing of the domain;
//! and the error type imports nothing but the shared vocabulary and the catalogue.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every module of the core (`key`, `store::keys`…) and the modules it names through
/// `crate::…` or `super::…`. The crate root (`lib.rs`) is the hub that holds `Sesame` and is left
/// out: its `impl` blocks live in the modules.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&source, &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .into_iter()
        .filter_map(|file| {
            let relative = file.strip_prefix(&source).ok()?.with_extension("");
            let mut name = relative.to_string_lossy().replace('/', "::");
            if let Some(parent) = name.strip_suffix("::mod") {
                name = parent.to_owned();
            }
            (name != "lib").then_some((name, file))
        })
        .collect();
    let path = regex::Regex::new(r"\b(crate|super)::([a-z_]+)(?:::([a-z_]+))?").expect("regex");
    let mut graph = BTreeMap::new();
    for (name, file) in &modules {
        let text = std::fs::read_to_string(file).expect("module source");
        // Unit tests may reach anywhere: only the module's own code counts.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let text: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let text = text.as_str();
        let mut imports = BTreeSet::new();
        for found in path.captures_iter(text) {
            let first = &found[2];
            let target = match &found[1] {
                "super" => match name.rsplit_once("::") {
                    Some((parent, _)) => format!("{parent}::{first}"),
                    None => continue,
                },
                _ => match found.get(3).map(|m| format!("{first}::{}", m.as_str())) {
                    Some(nested) if modules.contains_key(&nested) => nested,
                    _ => first.to_owned(),
                },
            };
            if modules.contains_key(&target) && &target != name {
                imports.insert(target);
            }
        }
        graph.insert(name.clone(), imports);
    }
    graph
}

fn collect(folder: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

/// A loop in the graph, if there is one, as the modules along it.
fn find_loop(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        trail: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(module) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = trail.iter().position(|m| m == module).unwrap_or(0);
                let mut cycle = trail[start..].to_vec();
                cycle.push(module.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(module.to_owned(), Mark::Open);
        trail.push(module.to_owned());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, trail) {
                return Some(cycle);
            }
        }
        trail.pop();
        marks.insert(module.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut marks, &mut Vec::new()))
}

#[test]
fn the_core_has_no_import_loop() {
    let graph = module_graph();
    assert!(graph.len() > 20, "modules found: {:?}", graph.keys());
    if let Some(cycle) = find_loop(&graph) {
        panic!("import loop: {}", cycle.join(" → "));
    }
}

/// The graph with each folder read as one module (`store::keys` → `store`): a loop through a
/// folder's files (audit → store::copy, store::keys → audit) shows only here.
fn folder_graph(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let top = |module: &str| module.split("::").next().unwrap_or(module).to_owned();
    let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, imports) in graph {
        let from = top(module);
        let targets = folders.entry(from.clone()).or_default();
        targets.extend(imports.iter().map(|m| top(m)).filter(|m| *m != from));
    }
    folders
}

#[test]
fn the_core_has_no_import_loop_between_folders() {
    let folders = folder_graph(&module_graph());
    assert!(
        folders.contains_key("store"),
        "folders: {:?}",
        folders.keys()
    );
    if let Some(cycle) = find_loop(&folders) {
        panic!("import loop: {}", cycle.join(" → "));
    }
}

#[test]
fn the_store_imports_nothing_of_the_domain() {
    // The store may read the vocabulary its rows are written in, the errors it returns, the
    // clock its times go through and the folding its search uses; the rest is above it.
    let foundations = ["error", "messages", "vocab", "clock", "validate"];
    let graph = module_graph();
    let stray: Vec<String> = graph
        .iter()
        .filter(|(module, _)| module.starts_with("store"))
        .flat_map(|(module, imports)| {
            imports
                .iter()
                .filter(|m| !m.starts_with("store") && !foundations.contains(&m.as_str()))
                .map(move |m| format!("{module} → {m}"))
        })
        .collect();
    assert!(stray.is_empty(), "the store imports the domain: {stray:?}");
    for foundation in foundations {
        let above: Vec<_> = graph[foundation]
            .iter()
            .filter(|m| !foundations.contains(&m.as_str()))
            .collect();
        assert!(above.is_empty(), "{foundation} imports {above:?}");
    }
}

#[test]
fn the_error_type_and_the_vocabulary_stay_at_the_bottom() {
    let graph = module_graph();
    let allowed = |module: &str, may: &[&str]| {
        let imports = &graph[module];
        let extra: Vec<_> = imports
            .iter()
            .filter(|m| !may.contains(&m.as_str()))
            .collect();
        assert!(extra.is_empty(), "{module} imports {extra:?}");
    };
    allowed("vocab", &[]);
    allowed("messages", &["vocab"]);
    allowed("error", &["vocab", "messages"]);
}

#[test]
fn the_loop_finder_finds_a_loop() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    graph.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(
        find_loop(&graph).map(|cycle| cycle.join(" ")),
        Some("a b c a".to_owned())
    );
    // Within a folder no loop; read as folders, one.
    let mut files = BTreeMap::new();
    files.insert(
        "audit".to_owned(),
        BTreeSet::from(["store::copy".to_owned()]),
    );
    files.insert("store::copy".to_owned(), BTreeSet::new());
    files.insert(
        "store::keys".to_owned(),
        BTreeSet::from(["audit".to_owned()]),
    );
    assert_eq!(find_loop(&files), None);
    let folders = folder_graph(&files);
    assert!(find_loop(&folders).is_some(), "{folders:?}");
}
