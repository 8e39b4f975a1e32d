//! The documents that promise what the code does: the configuration the README and `.env.example` list is
//! exactly the one `shared/src/config.rs` reads.

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect(path)
}

fn variables() -> BTreeSet<&'static str> {
    flows_shared::config::VARIABLES.iter().map(|(name, _)| *name).collect()
}

/// The names in backticks in the first cell of the README's configuration table.
fn readme_variables() -> BTreeSet<String> {
    let readme = read("README.md");
    let section = readme.split("## Configuration").nth(1).expect("a Configuration section");
    let table = section.split("\n\n").find(|block| block.starts_with("| variable")).expect("the variables' table");
    table
        .lines()
        .skip(2)
        .filter_map(|row| row.split('|').nth(1))
        .flat_map(|cell| cell.split('`').skip(1).step_by(2).map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

#[test]
fn the_readme_lists_exactly_the_variables_the_code_reads() {
    let listed = readme_variables();
    let read: BTreeSet<String> = variables().into_iter().map(str::to_owned).collect();
    assert_eq!(listed, read);
}

#[test]
fn env_example_lists_exactly_the_variables_the_code_reads() {
    let example = read(".env.example");
    let listed: BTreeSet<&str> = example
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter_map(|l| l.split_once('=').map(|(name, _)| name))
        .filter(|name| name.chars().all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
        .filter(|name| !name.starts_with("AWS_"))
        .collect();
    assert_eq!(listed, variables());
}

/// The Makefile's rules (`name:` at the start of a line, not a variable's `:=`).
fn make_rules() -> BTreeSet<String> {
    read("Makefile")
        .lines()
        .filter(|l| !l.starts_with(['\t', ' ', '#', '.', '$']))
        .filter_map(|l| {
            l.split_once(':').filter(|(_, rest)| !rest.starts_with('=')).map(|(name, _)| name.trim().to_owned())
        })
        .filter(|name| !name.is_empty() && !name.contains(' ') && !name.contains('('))
        .collect()
}

#[test]
fn make_help_and_phony_name_exactly_the_makefiles_targets() {
    // GIVEN the Makefile's rules, its .PHONY list and what `make help` prints
    let makefile = read("Makefile");
    let rules = make_rules();
    let phony_text =
        makefile.split(".PHONY:").nth(1).expect(".PHONY").split("\n\n").next().unwrap().replace("\\\n", " ");
    let phony: BTreeSet<String> = phony_text.split_whitespace().map(str::to_owned).collect();
    let help: BTreeSet<String> = makefile
        .lines()
        .filter_map(|l| l.trim().strip_prefix("@echo \"make "))
        .flat_map(|rest| {
            let names = rest.split("  ").next().unwrap_or_default();
            names.split_whitespace().map(str::to_owned).collect::<Vec<_>>()
        })
        .collect();

    // THEN every phony target is a rule, and `make help` names every phony target and nothing else
    let missing: Vec<&String> = phony.iter().filter(|t| !rules.contains(*t)).collect();
    assert!(missing.is_empty(), ".PHONY names targets that do not exist: {missing:?}");
    let unlisted: Vec<&String> = phony.iter().filter(|t| *t != "help" && !help.contains(*t)).collect();
    assert!(unlisted.is_empty(), "make help does not list: {unlisted:?}");
    let stray: Vec<&String> = help.iter().filter(|t| !phony.contains(*t)).collect();
    assert!(stray.is_empty(), "make help lists what is not a target: {stray:?}");
}
