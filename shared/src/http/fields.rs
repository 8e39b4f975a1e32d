//! Typed inputs read from JSON objects, field by field, collecting every problem instead of stopping at the
//! first, so that one 400 names every bad field.
//!
//! An input of our own (MomoFlow's, the project's) is *strict*: a member its reader does not read is a problem too,
//! named with the nearest member it does read (`"due_date": ["is not a member of this request; did you mean
//! dueDate?"]`), so that a typo never passes silently. A vendor's input ([`Input::STRICT`] false: Frigade's,
//! Flowdock's) ignores members it does not read, as the vendor's official client sends more than the document says.
//!
//! The same reading code also describes the input: run in describe mode (on no data), each reader records the
//! field's name, whether it is required, and its JSON Schema (type, lengths, ranges, formats, patterns, items),
//! and [`schema_of`] assembles them. So the OpenAPI document states exactly the limits the validator applies,
//! from one source.

use serde_json::{json, Map, Value};
use utoipa::openapi::schema::ObjectBuilder;

use crate::error::{ApiError, Problems};

/// A JSON object, as a request body arrives.
pub type Json = Map<String, Value>;

/// Whether a field must be present (`null` counts as absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Required,
    Optional,
}

/// A value that travels as a JSON string: how it parses, and how the document describes it.
pub trait StrValue: Sized {
    fn parse_str(raw: &str) -> Result<Self, String>;
    /// The string's schema (`type: string` with its limits); [`Fields`] adds `null` for optional fields.
    fn schema() -> ObjectBuilder;
}

/// A typed input read from a JSON object.
pub trait Input: Sized {
    /// Whether a member the reader does not read is refused (our own routes) or ignored (a vendor's route, whose
    /// official client sends members beyond its document). Nested objects follow their input.
    const STRICT: bool = true;
    /// Reads every field, recording each problem in `fields`; `None` when any field was bad.
    fn read(fields: &mut Fields<'_>) -> Option<Self>;
}

/// Implements `TryFrom<&Json>` for inputs: the one way a body becomes a typed input.
#[macro_export]
macro_rules! json_input {
    ($($ty:ty),* $(,)?) => {$(
        impl TryFrom<&$crate::http::fields::Json> for $ty {
            type Error = $crate::error::ApiError;
            fn try_from(body: &$crate::http::fields::Json) -> Result<Self, Self::Error> {
                $crate::http::fields::read_input(body)
            }
        }
    )*};
}

/// Reads `T` from `body`: the value, or the validation error naming every bad field.
pub fn read_input<T: Input>(body: &Json) -> Result<T, ApiError> {
    let mut fields = Fields::new(body, T::STRICT);
    let value = T::read(&mut fields);
    fields.check_members();
    fields.finish()?;
    value.ok_or_else(|| ApiError::internal("an input read no value though no field was bad"))
}

/// The JSON Schema of `T`, as its reader describes it.
pub fn schema_of<T: Input>() -> Value {
    let empty = Json::new();
    let mut fields = Fields::describing(&empty, T::STRICT);
    let _ = T::read(&mut fields);
    fields.into_schema()
}

/// One field as described: name, required, schema.
struct Described {
    name: String,
    required: bool,
    schema: Value,
}

/// Reads fields of a JSON object.
pub struct Fields<'a> {
    map: &'a Json,
    prefix: String,
    problems: Problems,
    /// Describe mode: every field read, in order.
    described: Option<Vec<Described>>,
    /// Whether members nobody reads are problems.
    strict: bool,
    /// The members the reader asked for, at this level.
    read: Vec<String>,
}

/// `schema` with its `type`, which admits `null` when the field is optional (null is read as absent): in the type
/// list, and in the `enum` when there is one.
fn typed(schema: Value, need: Need, base: &str) -> Value {
    let mut schema = match schema {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    match need {
        Need::Required => {
            schema.insert("type".into(), json!(base));
        }
        Need::Optional => {
            schema.insert("type".into(), json!([base, "null"]));
            if let Some(Value::Array(values)) = schema.get_mut("enum") {
                values.push(Value::Null);
            }
        }
    }
    Value::Object(schema)
}

fn builder(schema: ObjectBuilder) -> Value {
    serde_json::to_value(schema.build()).unwrap_or_else(|_| json!({}))
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Json, strict: bool) -> Self {
        Self { map, prefix: String::new(), problems: Problems::new(), described: None, strict, read: Vec::new() }
    }

    fn describing(map: &'a Json, strict: bool) -> Self {
        Self { described: Some(Vec::new()), ..Self::new(map, strict) }
    }

    fn nested<'b>(&mut self, map: &'b Json, name: String) -> Fields<'b> {
        Fields {
            map,
            prefix: format!("{}{name}.", self.prefix),
            problems: std::mem::take(&mut self.problems),
            described: self.described.as_ref().map(|_| Vec::new()),
            strict: self.strict,
            read: Vec::new(),
        }
    }

    /// Ends a nested reader: its problems (and those of members nobody read) go back to this one.
    fn end_nested(&mut self, mut nested: Fields<'_>) {
        nested.check_members();
        self.problems = nested.problems;
    }

    /// In a strict reader, names every member of the object that no reader asked for, with the nearest one asked
    /// for when one is close (a case, an underscore or a letter or two away).
    fn check_members(&mut self) {
        if !self.strict || self.described.is_some() {
            return;
        }
        let map = self.map;
        for member in map.keys() {
            if self.read.iter().any(|r| r == member) {
                continue;
            }
            let problem = match nearest(member, &self.read) {
                Some(known) => format!("is not a member of this request; did you mean {known}?"),
                None => "is not a member of this request".to_owned(),
            };
            self.add(member, problem);
        }
    }

    /// Whether this reader only describes (reads no data).
    pub fn describing_only(&self) -> bool {
        self.described.is_some()
    }

    fn into_schema(self) -> Value {
        let strict = self.strict;
        let described = self.described.unwrap_or_default();
        let required: Vec<&str> = described.iter().filter(|d| d.required).map(|d| d.name.as_str()).collect();
        let properties: Map<String, Value> = described.iter().map(|d| (d.name.clone(), d.schema.clone())).collect();
        let mut object = json!({ "type": "object", "properties": properties });
        if strict {
            object["additionalProperties"] = json!(false);
        }
        if !required.is_empty() {
            object["required"] = json!(required);
        }
        object
    }

    fn note(&mut self, field: &str, need: Need, schema: Value) {
        if let Some(described) = &mut self.described {
            described.push(Described { name: field.to_owned(), required: need == Need::Required, schema });
        }
    }

    fn name(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    /// The field, with `null` taken as absent; the field is known to the reader from then on.
    fn value(&mut self, field: &str) -> Option<&'a Value> {
        if !self.read.iter().any(|r| r == field) {
            self.read.push(field.to_owned());
        }
        self.map.get(field).filter(|v| !v.is_null())
    }

    /// Records a problem with `field`: a rule no schema states (uniqueness, bytes, ranges of dates). Say it in the
    /// operation's description too.
    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        let name = self.name(field);
        self.problems.add(&name, problem);
    }

    fn absent(&mut self, field: &str, need: Need) {
        if need == Need::Required {
            self.add(field, "is required");
        }
    }

    /// A string field of type `T`.
    pub fn string<T: StrValue>(&mut self, field: &str, need: Need) -> Option<T> {
        self.string_with(field, need, T::schema(), T::parse_str)
    }

    /// A string field with its own schema and parser.
    pub fn string_with<T>(
        &mut self,
        field: &str,
        need: Need,
        schema: ObjectBuilder,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        self.note(field, need, typed(builder(schema), need, "string"));
        match self.value(field) {
            None => {
                self.absent(field, need);
                None
            }
            Some(Value::String(s)) => match parse(s) {
                Ok(v) => Some(v),
                Err(problem) => {
                    self.add(field, problem);
                    None
                }
            },
            Some(_) => {
                self.add(field, "must be a string");
                None
            }
        }
    }

    pub fn boolean(&mut self, field: &str, need: Need) -> Option<bool> {
        self.note(field, need, typed(json!({}), need, "boolean"));
        match self.value(field) {
            None => {
                self.absent(field, need);
                None
            }
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.add(field, "must be a boolean");
                None
            }
        }
    }

    /// A whole number in `range`; a number with a zero fraction (`30.0`) is a whole number, as JSON Schema says.
    pub fn integer(&mut self, field: &str, need: Need, range: std::ops::RangeInclusive<u64>) -> Option<u64> {
        let schema = json!({ "minimum": range.start(), "maximum": range.end() });
        self.note(field, need, typed(schema, need, "integer"));
        match self.value(field) {
            None => {
                self.absent(field, need);
                None
            }
            Some(Value::Number(n)) => {
                let whole = n.as_u64().or_else(|| {
                    n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64).map(|f| f as u64)
                });
                match whole.filter(|n| range.contains(n)) {
                    Some(n) => Some(n),
                    None => {
                        self.add(field, format!("must be a whole number from {} to {}", range.start(), range.end()));
                        None
                    }
                }
            }
            Some(_) => {
                self.add(field, "must be a number");
                None
            }
        }
    }

    /// Any JSON value, kept as given, of at most `max_bytes` as JSON (a rule no schema states).
    pub fn any(&mut self, field: &str, need: Need, max_bytes: usize) -> Option<Value> {
        self.note(field, need, json!({ "description": format!("Any JSON value, at most {max_bytes} bytes") }));
        match self.value(field) {
            None => {
                self.absent(field, need);
                None
            }
            Some(value) => {
                let size = serde_json::to_vec(value).map_or(usize::MAX, |b| b.len());
                if size > max_bytes {
                    self.add(field, format!("must take at most {max_bytes} bytes as JSON"));
                    None
                } else {
                    Some(value.clone())
                }
            }
        }
    }

    /// A nested object, read with the same rules; its problems are named `field.inner`.
    pub fn object<T>(
        &mut self,
        field: &str,
        need: Need,
        read: impl for<'b> FnOnce(&mut Fields<'b>) -> Option<T>,
    ) -> Option<T> {
        if self.described.is_some() {
            let empty = Json::new();
            let mut nested = self.nested(&empty, field.to_owned());
            let _ = read(&mut nested);
            self.problems = std::mem::take(&mut nested.problems);
            let schema = nested.into_schema();
            self.note(field, need, typed(schema, need, "object"));
            return None;
        }
        match self.value(field) {
            None => {
                self.absent(field, need);
                None
            }
            Some(Value::Object(inner)) => {
                let mut nested = self.nested(inner, field.to_owned());
                let out = read(&mut nested);
                self.end_nested(nested);
                out
            }
            Some(_) => {
                self.add(field, "must be an object");
                None
            }
        }
    }

    /// An array of at most `max_items` objects, each read with the same rules; problems are named
    /// `field[i].inner`.
    pub fn array<T>(
        &mut self,
        field: &str,
        need: Need,
        max_items: usize,
        mut read: impl for<'b> FnMut(&mut Fields<'b>) -> Option<T>,
    ) -> Option<Vec<T>> {
        if self.described.is_some() {
            let empty = Json::new();
            let mut nested = self.nested(&empty, format!("{field}[]"));
            let _ = read(&mut nested);
            self.problems = std::mem::take(&mut nested.problems);
            let items = nested.into_schema();
            self.note(field, need, typed(json!({ "items": items, "maxItems": max_items }), need, "array"));
            return None;
        }
        let items = self.items(field, need, max_items)?;
        let mut out = Vec::with_capacity(items.len());
        let mut whole = true;
        for (i, item) in items.iter().enumerate() {
            let Value::Object(inner) = item else {
                self.add(&format!("{field}[{i}]"), "must be an object");
                whole = false;
                continue;
            };
            let mut nested = self.nested(inner, format!("{field}[{i}]"));
            let value = read(&mut nested);
            self.end_nested(nested);
            match value {
                Some(v) => out.push(v),
                None => whole = false,
            }
        }
        whole.then_some(out)
    }

    /// A non-empty array of at most `max_items` strings of type `T`; repeated items count once. `empty` says what
    /// an empty array means to the caller.
    pub fn strings<T: StrValue + PartialEq>(
        &mut self,
        field: &str,
        need: Need,
        max_items: usize,
        empty: &str,
    ) -> Option<Vec<T>> {
        let items = typed(builder(T::schema()), Need::Required, "string");
        self.note(field, need, typed(json!({ "items": items, "minItems": 1, "maxItems": max_items }), need, "array"));
        let items = self.items(field, need, max_items)?;
        if items.is_empty() {
            self.add(field, empty);
            return None;
        }
        let mut out: Vec<T> = Vec::with_capacity(items.len());
        let mut whole = true;
        for item in items {
            let parsed = match item {
                Value::String(s) => T::parse_str(s),
                _ => Err("must be an array of strings".to_owned()),
            };
            match parsed {
                Ok(v) if out.contains(&v) => {}
                Ok(v) => out.push(v),
                Err(problem) => {
                    self.add(field, problem);
                    whole = false;
                }
            }
        }
        whole.then_some(out)
    }

    /// An array of at most `max_items` strings (possibly empty), each read by `parse` and described by `schema`.
    pub fn string_list<T>(
        &mut self,
        field: &str,
        need: Need,
        max_items: usize,
        schema: ObjectBuilder,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<Vec<T>> {
        let items = typed(builder(schema), Need::Required, "string");
        self.note(field, need, typed(json!({ "items": items, "maxItems": max_items }), need, "array"));
        let items = self.items(field, need, max_items)?;
        let mut out = Vec::with_capacity(items.len());
        let mut whole = true;
        for (i, item) in items.iter().enumerate() {
            let parsed = match item {
                Value::String(s) => parse(s),
                _ => Err("must be a string".to_owned()),
            };
            match parsed {
                Ok(v) => out.push(v),
                Err(problem) => {
                    self.add(&format!("{field}[{i}]"), problem);
                    whole = false;
                }
            }
        }
        whole.then_some(out)
    }

    /// The items of an array field of at most `max_items`, recording what is wrong with it.
    fn items(&mut self, field: &str, need: Need, max_items: usize) -> Option<&'a Vec<Value>> {
        match self.value(field) {
            None => {
                self.absent(field, need);
                None
            }
            Some(Value::Array(items)) if items.len() > max_items => {
                self.add(field, format!("must have at most {max_items} items"));
                None
            }
            Some(Value::Array(items)) => Some(items),
            Some(_) => {
                self.add(field, "must be an array");
                None
            }
        }
    }

    /// `Ok(())` when every field read well, else the validation error naming each bad one.
    pub fn finish(self) -> Result<(), ApiError> {
        self.problems.finish()
    }
}

/// The member of `known` that `member` most likely meant: the same but for case, `_` and `-`, else within two
/// edits (a third of its length for long names).
fn nearest<'k>(member: &str, known: &'k [String]) -> Option<&'k str> {
    let plain = |s: &str| s.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect::<String>();
    let wanted = plain(member);
    if let Some(same) = known.iter().find(|k| plain(k) == wanted) {
        return Some(same);
    }
    let allowed = (wanted.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&wanted, &plain(k)), k))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k.as_str())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::Text;

    struct Person {
        name: Text<10>,
        age: Option<u64>,
    }

    impl Input for Person {
        fn read(f: &mut Fields<'_>) -> Option<Self> {
            let name = f.string("name", Need::Required);
            let age = f.integer("age", Need::Optional, 0..=150);
            Some(Self { name: name?, age })
        }
    }

    struct Team {
        lead: Person,
        members: Vec<Person>,
    }

    impl Input for Team {
        fn read(f: &mut Fields<'_>) -> Option<Self> {
            let lead = f.object("lead", Need::Required, Person::read);
            let members = f.array("members", Need::Optional, 3, Person::read).unwrap_or_default();
            Some(Self { lead: lead?, members })
        }
    }

    fn body(v: serde_json::Value) -> Json {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn every_problem_is_named_with_its_path() {
        let Err(ApiError::Validation(errors)) =
            read_input::<Team>(&body(json!({"lead": {"age": -1}, "members": [{"name": 5}, 3]})))
        else {
            panic!("expected a validation error")
        };
        let names: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(names, ["lead.age", "lead.name", "members[0].name", "members[1]"]);
    }

    #[test]
    fn whole_numbers_may_have_a_zero_fraction() {
        let p = read_input::<Person>(&body(json!({"name": "Ada", "age": 30.0}))).unwrap();
        assert_eq!(p.age, Some(30));
        assert_eq!(p.name.as_str(), "Ada");
        assert!(read_input::<Person>(&body(json!({"name": "Ada", "age": 30.5}))).is_err());
        let t = read_input::<Team>(&body(json!({"lead": {"name": "B"}, "members": [{"name": "C"}]}))).unwrap();
        assert_eq!(t.lead.name.as_str(), "B");
        assert_eq!(t.members.len(), 1);
    }

    #[test]
    fn a_member_nobody_reads_is_named_with_the_nearest_known_one() {
        // GIVEN a strict input and members a person mistyped
        let Err(ApiError::Validation(errors)) = read_input::<Team>(&body(json!({
            "lead": {"name": "Ada", "Age": 3}, "members": [{"name": "B", "nmae": "b", "nick": "b"}], "due_date": 1
        }))) else {
            panic!("expected a validation error")
        };

        // THEN each is named where it stands, with the member meant when one is close
        assert_eq!(errors["lead.Age"], ["is not a member of this request; did you mean age?"]);
        assert_eq!(errors["members[0].nmae"], ["is not a member of this request; did you mean name?"]);
        assert_eq!(errors["members[0].nick"], ["is not a member of this request"]);
        assert_eq!(errors["due_date"], ["is not a member of this request"]);
        assert_eq!(nearest("due_date", &["dueDate".into(), "notes".into()]), Some("dueDate"));
        assert_eq!(nearest("Priority", &["priority".into()]), Some("priority"));
        assert_eq!(nearest("zzz", &["priority".into()]), None);
    }

    struct Lenient(Person);

    impl Input for Lenient {
        const STRICT: bool = false;
        fn read(f: &mut Fields<'_>) -> Option<Self> {
            Person::read(f).map(Self)
        }
    }

    #[test]
    fn a_vendors_input_ignores_members_it_does_not_read() {
        let read = read_input::<Lenient>(&body(json!({"name": "Ada", "context": {"path": "/"}}))).unwrap();
        assert_eq!(read.0.name.as_str(), "Ada");
        assert!(schema_of::<Lenient>().get("additionalProperties").is_none());
        assert_eq!(schema_of::<Team>()["additionalProperties"], false);
        assert_eq!(schema_of::<Team>()["properties"]["lead"]["additionalProperties"], false);
    }

    #[test]
    fn the_schema_is_what_the_reader_reads() {
        let schema = schema_of::<Team>();
        assert_eq!(schema["required"], json!(["lead"]));
        assert_eq!(schema["properties"]["lead"]["properties"]["name"]["maxLength"], 10);
        assert_eq!(schema["properties"]["lead"]["required"], json!(["name"]));
        assert_eq!(schema["properties"]["members"]["maxItems"], 3);
        assert_eq!(schema["properties"]["members"]["items"]["properties"]["age"]["maximum"], 150);
        assert_eq!(schema["properties"]["members"]["type"], json!(["array", "null"]));
    }
}
