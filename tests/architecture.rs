//! The shape of the code, checked: the layers depend one way (`http → service → store → scim`,
//! `domain` below the store), no two modules import each other in a circle, and no source file
//! grows past the size one person reads in a sitting. Read from `src/` as text, so a new import
//! that breaks a rule fails here, naming it, rather than in a reviewer's head.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// "Files under ~500 lines": a little slack, so a doc comment does not force a split.
const MAX_LINES: usize = 520;

/// A module path such as `["service", "users", "create"]`.
type ModPath = Vec<String>;

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_of(src: &Path, file: &Path) -> ModPath {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: ModPath = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its trailing `#[cfg(test)] mod tests`.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module path named through `crate::` or `super::` in `code`, resolved from `module`
/// (in a `mod.rs` as in any other file, `super` is the parent of the module the file defines).
fn named_paths(module: &ModPath, code: &str) -> Vec<ModPath> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(start) {
            let at = from + at;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let rest: String = code[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut segments: Vec<&str> = rest.split("::").filter(|s| !s.is_empty()).collect();
            let mut base: ModPath = if segments.first() == Some(&"crate") {
                segments.remove(0);
                Vec::new()
            } else {
                module.clone()
            };
            while segments.first() == Some(&"super") {
                segments.remove(0);
                base.pop();
            }
            base.extend(segments.iter().map(|s| s.to_string()));
            found.push(base);
        }
    }
    found
}

struct Crate {
    /// Each module and the modules it imports (resolved to the longest known module path).
    imports: BTreeMap<ModPath, BTreeSet<ModPath>>,
    lines: BTreeMap<PathBuf, usize>,
}

fn read_crate() -> Crate {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut named = BTreeMap::new();
    let mut lines = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        lines.insert(file.clone(), text.lines().count());
        let module = module_of(&src, file);
        named.insert(module.clone(), named_paths(&module, &code_of(&text)));
    }
    let known: BTreeSet<ModPath> = named.keys().cloned().collect();
    let resolve = |path: &ModPath| -> Option<ModPath> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|prefix| known.contains(prefix))
    };
    let imports = named
        .iter()
        .map(|(module, paths)| {
            let targets = paths
                .iter()
                .filter_map(resolve)
                // A module's own items, its children's and its ancestors' are not imports
                // across modules: a parent re-exporting its children is the usual shape.
                .filter(|t| !t.starts_with(module) && !module.starts_with(t))
                .collect();
            (module.clone(), targets)
        })
        .collect();
    Crate { imports, lines }
}

/// The top-level layer a module belongs to (`service` for `service::users::create`).
fn layer(module: &ModPath) -> &str {
    module.first().map(String::as_str).unwrap_or("")
}

#[test]
fn layers_depend_one_way() {
    // Each layer and the layers it must never import.
    let forbidden: [(&str, &[&str]); 5] = [
        (
            "domain",
            &["scim", "store", "service", "http", "clock", "app"],
        ),
        (
            "scim",
            &["domain", "store", "service", "http", "clock", "app"],
        ),
        ("store", &["service", "http", "app"]),
        ("service", &["http", "app"]),
        ("clock", &["service", "http", "app"]),
    ];
    let krate = read_crate();
    let mut broken = Vec::new();
    for (module, targets) in &krate.imports {
        for (lower, above) in forbidden {
            if layer(module) != lower {
                continue;
            }
            for target in targets {
                if above.contains(&layer(target)) {
                    broken.push(format!(
                        "{} imports {}",
                        module.join("::"),
                        target.join("::")
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports against the layer direction: {broken:#?}"
    );
    assert!(
        krate.imports.keys().any(|m| layer(m) == "domain"),
        "the check must see the modules it is about"
    );
}

#[test]
fn no_two_modules_import_each_other_in_a_circle() {
    let krate = read_crate();
    // Tarjan's strongly connected components: any component of more than one module is a circle.
    struct Walk<'a> {
        graph: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        circles: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, module: &'a ModPath) {
            let n = self.index.len();
            self.index.insert(module, n);
            self.low.insert(module, n);
            self.stack.push(module);
            for target in self.graph.get(module).into_iter().flatten() {
                if !self.graph.contains_key(target) {
                    continue;
                }
                if !self.index.contains_key(target) {
                    self.visit(target);
                    let low = self.low[module].min(self.low[target]);
                    self.low.insert(module, low);
                } else if self.stack.contains(&target) {
                    let low = self.low[module].min(self.index[target]);
                    self.low.insert(module, low);
                }
            }
            if self.low[module] == self.index[module] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    component.push(top.join("::"));
                    if top == module {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.circles.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph: &krate.imports,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        circles: Vec::new(),
    };
    for module in krate.imports.keys() {
        if !walk.index.contains_key(module) {
            walk.visit(module);
        }
    }
    assert!(
        walk.circles.is_empty(),
        "import circles: {:#?}",
        walk.circles
    );
    assert!(
        krate.imports.values().map(BTreeSet::len).sum::<usize>() > 50,
        "the check must see the crate's imports"
    );
}

#[test]
fn no_source_file_is_past_the_size_one_reads_in_a_sitting() {
    let krate = read_crate();
    let long: Vec<String> = krate
        .lines
        .iter()
        .filter(|(_, lines)| **lines > MAX_LINES)
        .map(|(file, lines)| format!("{} has {lines} lines", file.display()))
        .collect();
    assert!(
        long.is_empty(),
        "split these by concern (one job per file): {long:#?}"
    );
}
