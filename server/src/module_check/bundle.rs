//! Reading a module's frontend bundle without running it: parsed with oxc (a
//! maintained JavaScript parser), so a syntax error is found with its line, and the
//! registration is read from the code itself (a mention of `__GANTRY_MODULES__` in a
//! comment or a string does not count).

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    AssignmentExpression, CallExpression, Expression, ImportDeclaration, ImportExpression,
    ObjectExpression, ObjectPropertyKind,
};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::Parser;
use oxc_span::SourceType;

/// The global the host reads registrations from.
const REGISTRY: &str = "__GANTRY_MODULES__";
/// At most this many syntax errors are reported: the first is what matters.
const MAX_SYNTAX_ERRORS: usize = 3;

/// What the bundle's source says about itself.
#[derive(Debug, Default)]
pub struct BundleSource {
    /// Syntax errors, each as "line L, column C: message".
    pub syntax_errors: Vec<String>,
    /// Every assignment into the registry the code makes.
    pub registrations: Vec<Registration>,
    /// Whether it imports other code (statically or with `import()`), where a
    /// registration may happen that this reading cannot see.
    pub imports: bool,
}

/// One `window.__GANTRY_MODULES__.<name> = { … }` in the code.
#[derive(Debug)]
pub struct Registration {
    /// The name it registers under; `None` when computed at run time.
    pub name: Option<String>,
    /// 1-based line of the assignment.
    pub line: usize,
    /// The `abi` property as written: a number literal's value, or `none` when the
    /// entry (an object literal) has no `abi`; `None` when the source cannot tell.
    pub abi: Option<String>,
    /// The keys of `components` when it is an object literal with static keys only.
    pub components: Option<Vec<String>>,
}

/// Parses `source` as the ES module the host imports and reads its registrations.
pub fn read(source: &str) -> BundleSource {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::mjs()).parse();
    let mut found = BundleSource::default();
    for error in parsed.diagnostics.errors().take(MAX_SYNTAX_ERRORS) {
        let offset = error.labels.first().map_or(0, |label| label.offset());
        let (line, column) = line_and_column(source, offset as usize);
        found
            .syntax_errors
            .push(format!("line {line}, column {column}: {}", error.message));
    }
    if parsed.panicked || !found.syntax_errors.is_empty() {
        return found;
    }
    let mut reader = Reader {
        source,
        found: &mut found,
    };
    reader.visit_program(&parsed.program);
    found
}

struct Reader<'s> {
    source: &'s str,
    found: &'s mut BundleSource,
}

impl<'a> Visit<'a> for Reader<'_> {
    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if let Some(member) = it.left.as_member_expression() {
            if is_registry(member.object()) {
                let line = line_and_column(self.source, it.span.start as usize).0;
                let name = member.static_property_name().map(str::to_owned);
                self.found
                    .registrations
                    .push(registration(name, line, &it.right));
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    /// `Object.assign(window.__GANTRY_MODULES__ ??= {}, { <name>: { … } })`.
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let assigns_into_registry = it
            .callee
            .as_member_expression()
            .is_some_and(|callee| callee.is_specific_member_access("Object", "assign"))
            && it
                .arguments
                .first()
                .and_then(|first| first.as_expression())
                .is_some_and(is_registry);
        if assigns_into_registry {
            let line = line_and_column(self.source, it.span.start as usize).0;
            for source in it.arguments.iter().skip(1) {
                match source.as_expression().map(Expression::without_parentheses) {
                    Some(Expression::ObjectExpression(object)) => {
                        for property in &object.properties {
                            match property {
                                ObjectPropertyKind::ObjectProperty(property) => {
                                    let name = property.key.static_name().map(|n| n.into_owned());
                                    self.found.registrations.push(registration(
                                        name,
                                        line,
                                        &property.value,
                                    ));
                                }
                                ObjectPropertyKind::SpreadProperty(_) => {
                                    self.found.registrations.push(unknown_registration(line))
                                }
                            }
                        }
                    }
                    _ => self.found.registrations.push(unknown_registration(line)),
                }
            }
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        self.found.imports = true;
        walk::walk_import_declaration(self, it);
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        self.found.imports = true;
        walk::walk_import_expression(self, it);
    }
}

/// Whether `expr` is the registry: `window.__GANTRY_MODULES__` (or on `globalThis` or
/// `self`), the bare global, or an assignment to it such as `(window.__GANTRY_MODULES__
/// ??= {})`, whose value is the registry.
fn is_registry(expr: &Expression<'_>) -> bool {
    match expr.without_parentheses() {
        Expression::Identifier(id) => id.name == REGISTRY,
        Expression::AssignmentExpression(assign) => {
            assign.left.as_member_expression().is_some_and(|member| {
                is_registry_member(member.object(), member.static_property_name())
            }) || matches!(&assign.left, oxc_ast::ast::AssignmentTarget::AssignmentTargetIdentifier(id) if id.name == REGISTRY)
        }
        other => other.as_member_expression().is_some_and(|member| {
            is_registry_member(member.object(), member.static_property_name())
        }),
    }
}

fn is_registry_member(object: &Expression<'_>, property: Option<&str>) -> bool {
    property == Some(REGISTRY)
        && ["window", "globalThis", "self"]
            .iter()
            .any(|global| object.without_parentheses().is_specific_id(global))
}

fn registration(name: Option<String>, line: usize, value: &Expression<'_>) -> Registration {
    let mut found = Registration {
        name,
        line,
        abi: None,
        components: None,
    };
    if let Expression::ObjectExpression(entry) = value.without_parentheses() {
        found.abi = match property(entry, "abi").map(Expression::without_parentheses) {
            None => Some("none".into()),
            Some(Expression::NumericLiteral(abi)) => Some(abi.value.to_string()),
            Some(_) => None,
        };
        if let Some(Expression::ObjectExpression(components)) =
            property(entry, "components").map(Expression::without_parentheses)
        {
            found.components = components
                .properties
                .iter()
                .map(|p| match p {
                    ObjectPropertyKind::ObjectProperty(p) => {
                        p.key.static_name().map(|n| n.into_owned())
                    }
                    ObjectPropertyKind::SpreadProperty(_) => None,
                })
                .collect();
        }
    }
    found
}

fn unknown_registration(line: usize) -> Registration {
    Registration {
        name: None,
        line,
        abi: None,
        components: None,
    }
}

/// The value of the property `key` of an object literal.
fn property<'e, 'a>(object: &'e ObjectExpression<'a>, key: &str) -> Option<&'e Expression<'a>> {
    object.properties.iter().find_map(|p| match p {
        ObjectPropertyKind::ObjectProperty(p) if p.key.static_name().as_deref() == Some(key) => {
            Some(&p.value)
        }
        _ => None,
    })
}

/// 1-based line and column (in characters) of the byte `offset` of `source`.
fn line_and_column(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..source.floor_char_boundary(offset.min(source.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(source: &str) -> Vec<Option<String>> {
        read(source)
            .registrations
            .into_iter()
            .map(|r| r.name)
            .collect()
    }

    #[test]
    fn reads_the_documented_registration() {
        let found = read(
            "window.__GANTRY_MODULES__ ??= {};\n\
             window.__GANTRY_MODULES__.bookmarks = { abi: 1, components: { Bookmarks, Settings: { mount() {} } } };",
        );
        assert!(found.syntax_errors.is_empty(), "{:?}", found.syntax_errors);
        assert!(!found.imports);
        let [reg] = &found.registrations[..] else {
            panic!("{:?}", found.registrations)
        };
        assert_eq!(reg.name.as_deref(), Some("bookmarks"));
        assert_eq!(reg.line, 2);
        assert_eq!(reg.abi.as_deref(), Some("1"));
        assert_eq!(
            reg.components.as_deref(),
            Some(&["Bookmarks".to_owned(), "Settings".to_owned()][..])
        );
    }

    #[test]
    fn reads_other_spellings_of_the_registry() {
        assert_eq!(
            names(r#"(globalThis.__GANTRY_MODULES__ ??= {})["a-b"] = {};"#),
            [Some("a-b".to_owned())]
        );
        assert_eq!(
            names("Object.assign(window.__GANTRY_MODULES__ ||= {}, { one: {}, 'two': {} });"),
            [Some("one".to_owned()), Some("two".to_owned())]
        );
        assert_eq!(names("window.__GANTRY_MODULES__[name] = {};"), [None]);
    }

    #[test]
    fn a_mention_in_a_comment_or_string_is_not_a_registration() {
        let found = read(
            "// window.__GANTRY_MODULES__.notes = { abi: 1 };\n\
             const help = 'window.__GANTRY_MODULES__.notes = {}';\n\
             export {};",
        );
        assert!(found.syntax_errors.is_empty());
        assert!(found.registrations.is_empty());
    }

    #[test]
    fn a_syntax_error_is_reported_with_its_line() {
        let found = read("const ok = 1;\nconst broken = ;\nconst after = 2;\n");
        let first = found.syntax_errors.first().expect("a syntax error");
        assert!(first.starts_with("line 2, column "), "{first}");
    }

    #[test]
    fn imports_are_noticed() {
        assert!(read("import init from '/modules/x/static/pkg/x.js'; await init();").imports);
        assert!(read("await import('/modules/x/static/real.js');").imports);
    }
}
