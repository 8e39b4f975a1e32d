//! The crate's layers, held: every `crate::` and `super::` path in `shared/src` (test modules aside) names a
//! module in the same layer as the file that uses it or a lower one (the order is `flows_shared::LAYERS`), and
//! no two layer entries import each other in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A layer entry's index in `LAYERS` and the entry itself, for a module path: the entry that is its longest
/// prefix.
fn entry_of(module: &[String]) -> Option<(usize, &'static str)> {
    let path = module.join("::");
    let mut best: Option<(usize, &'static str)> = None;
    for (layer, entries) in flows_shared::LAYERS.iter().enumerate() {
        for &entry in *entries {
            let matches = path == entry || path.starts_with(&format!("{entry}::"));
            if matches && best.is_none_or(|(_, b)| entry.len() > b.len()) {
                best = Some((layer, entry));
            }
        }
    }
    best
}

/// Collects the module paths a file refers to through `crate::` and `super::`.
struct Refs<'a> {
    /// The module the file is.
    module: &'a [String],
    /// Inline modules entered (outside tests).
    inline: Vec<String>,
    found: Vec<Vec<String>>,
}

impl Refs<'_> {
    fn here(&self) -> Vec<String> {
        self.module.iter().cloned().chain(self.inline.iter().cloned()).collect()
    }

    fn resolve(&self, segments: &[String]) -> Option<Vec<String>> {
        match segments.first().map(String::as_str) {
            Some("crate") => Some(segments[1..].to_vec()),
            Some("super") => {
                let mut base = self.here();
                let mut rest = segments;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                Some(base)
            }
            _ => None,
        }
    }

    fn add(&mut self, segments: Vec<String>) {
        if let Some(path) = self.resolve(&segments) {
            self.found.push(path);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut path = prefix.clone();
                if n.ident != "self" {
                    path.push(n.ident.to_string());
                }
                self.add(path);
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix.clone();
                path.push(r.ident.to_string());
                self.add(path);
            }
            syn::UseTree::Glob(_) => self.add(prefix.clone()),
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }
}

fn is_test_module(item: &syn::ItemMod) -> bool {
    item.attrs
        .iter()
        .any(|a| a.path().is_ident("cfg") && a.parse_args::<syn::Meta>().is_ok_and(|m| m.path().is_ident("test")))
}

impl<'ast> Visit<'ast> for Refs<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if is_test_module(item) || item.content.is_none() {
            return;
        }
        self.inline.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.inline.pop();
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.add(segments);
        syn::visit::visit_path(self, path);
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a source file is: `store/dynamo/keys.rs` is `store::dynamo::keys`, `store/mod.rs` is `store`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src").with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// Every (file's entry → referenced entry) edge, with the file and the path that made it.
fn edges() -> Vec<(usize, &'static str, usize, &'static str, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let module = module_of(&src, &file);
        if module.first().is_some_and(|m| m == "bin") || module.is_empty() {
            continue;
        }
        let (layer, entry) =
            entry_of(&module).unwrap_or_else(|| panic!("{} is in no layer of LAYERS", module.join("::")));
        let text = std::fs::read_to_string(&file).expect("a source file");
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut refs = Refs { module: &module, inline: Vec::new(), found: Vec::new() };
        refs.visit_file(&ast);
        for target in refs.found {
            if target.is_empty() {
                continue;
            }
            // Items of the crate root (the re-exported `async_trait`, `LAYERS`) are not modules.
            let Some((to_layer, to_entry)) = entry_of(&target) else { continue };
            out.push((layer, entry, to_layer, to_entry, file.display().to_string(), target.join("::")));
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let upward: Vec<String> = edges()
        .into_iter()
        .filter(|(layer, _, to_layer, ..)| to_layer > layer)
        .map(|(layer, entry, to_layer, to_entry, file, path)| {
            format!("{file} ({entry}, layer {layer}) uses crate::{path} ({to_entry}, layer {to_layer})")
        })
        .collect();
    assert!(upward.is_empty(), "imports that point up:\n{}", upward.join("\n"));
}

/// The first circle of `graph`, if it has one (a depth-first search for a back edge).
fn circle_in<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Option<Vec<&'a str>> {
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(i) = path.iter().position(|n| *n == node) {
            let mut circle = path[i..].to_vec();
            circle.push(node);
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_layer_entries_import_each_other_in_a_circle() {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (_, entry, _, to_entry, ..) in edges() {
        if entry != to_entry {
            graph.entry(entry).or_default().insert(to_entry);
        }
    }
    if let Some(circle) = circle_in(&graph) {
        panic!("an import circle: {}", circle.join(" → "));
    }
}

/// Every (file → file) edge: a path's file is the longest module with a file of its own that prefixes it. A
/// module's use of its ancestors (a parent's `mod.rs`, whose items its children share) is no edge: a parent
/// declares its children, and what it re-exports is theirs.
fn file_edges() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f).join("::")).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        if module.first().is_some_and(|m| m == "bin") || module.is_empty() {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("a source file");
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut refs = Refs { module: &module, inline: Vec::new(), found: Vec::new() };
        refs.visit_file(&ast);
        let me = module.join("::");
        for target in refs.found {
            let Some(to) = (1..=target.len()).rev().map(|n| target[..n].join("::")).find(|m| modules.contains(m))
            else {
                continue;
            };
            let ancestor = me == to || me.starts_with(&format!("{to}::"));
            if !ancestor {
                graph.entry(me.clone()).or_default().insert(to);
            }
        }
    }
    graph
}

#[test]
fn no_two_files_import_each_other_in_a_circle() {
    // GIVEN which file each file's `crate::` and `super::` paths reach
    let owned = file_edges();
    let graph: BTreeMap<&str, BTreeSet<&str>> =
        owned.iter().map(|(from, to)| (from.as_str(), to.iter().map(String::as_str).collect())).collect();

    // THEN no file reaches itself again (the shared part of two such files belongs below both, or they are one)
    if let Some(circle) = circle_in(&graph) {
        panic!("files that import each other in a circle: {}", circle.join(" → "));
    }
}

#[test]
fn the_file_check_sees_a_circle() {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    graph.entry("services::content").or_default().insert("services::flows");
    graph.entry("services::flows").or_default().insert("services::content");
    assert_eq!(circle_in(&graph).map(|c| c.len()), Some(3));
}

#[test]
fn the_layer_check_sees_an_upward_import() {
    // A file of the model that reached for a handler would be caught.
    let module = vec!["model".to_owned()];
    let ast = syn::parse_file("use crate::handlers::fallback; fn f() { super::x(); }").unwrap();
    let mut refs = Refs { module: &module, inline: Vec::new(), found: Vec::new() };
    refs.visit_file(&ast);
    let targets: Vec<String> = refs.found.iter().map(|p| p.join("::")).collect();
    assert!(targets.contains(&"handlers::fallback".to_owned()), "{targets:?}");
    assert!(entry_of(&["handlers".to_owned()]).unwrap().0 > entry_of(&module).unwrap().0);
}
