//! Reading JSON in SuperOffice's way: struct members matched in any case, the later of two spellings winning
//! (its client sends a step it read and changed with both `"NumIntervals"` and `"numIntervals"`), and whole numbers
//! written with a fraction of zero (`274.0`) read as whole numbers. Requests are read through it; stored email flows,
//! written in the carrier's own spelling, are read straight into it (see `EmailFlowRecord`).

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{IntoDeserializer, Visitor};
use serde::Deserializer;
use serde_json::{Map, Value};

use crate::model::text_rule;

/// `value` read as `T` in any case; when it cannot be, the path of the member at fault (`Steps[0].Until`, `.` for
/// the whole) and what is wrong. Every request body comes through here, one monomorphization each type.
pub fn read_any_case<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(AnyCase(value))
        .map_err(|err| (err.path().to_string(), err.into_inner().to_string()))
}

/// A deserializer over a JSON value that matches struct members in any case, the later of two spellings winning.
pub struct AnyCase(pub Value);

impl<'de> IntoDeserializer<'de, serde_json::Error> for AnyCase {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

fn visit_object<'de, V: Visitor<'de>>(map: Map<String, Value>, visitor: V) -> Result<V::Value, serde_json::Error> {
    let mut access = MapDeserializer::new(map.into_iter().map(|(k, v)| (k, AnyCase(v))));
    let out = visitor.visit_map(&mut access)?;
    access.end()?;
    Ok(out)
}

impl<'de> Deserializer<'de> for AnyCase {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => {
                let mut access = SeqDeserializer::new(items.into_iter().map(AnyCase));
                let out = visitor.visit_seq(&mut access)?;
                access.end()?;
                Ok(out)
            }
            Value::Object(map) => visit_object(map, visitor),
            // `274.0` is a whole number (JSON Schema says so too): read as one wherever a number is wanted.
            Value::Number(n) if n.is_f64() => {
                match n.as_f64().filter(|x| x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15) {
                    Some(x) if x >= 0.0 => visitor.visit_u64(x as u64),
                    Some(x) => visitor.visit_i64(x as i64),
                    None => Value::Number(n).deserialize_any(visitor),
                }
            }
            // Every string read is text (SuperOffice's descriptions take line breaks); one the reader skips is not.
            Value::String(text) => match text_rule::check_chars(&text, true) {
                Ok(()) => visitor.visit_string(text),
                Err(problem) => Err(serde::de::Error::custom(problem)),
            },
            other => other.deserialize_any(visitor),
        }
    }

    /// A member the carrier does not have is ignored, whatever it holds.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut members = Map::new();
                for (key, value) in map {
                    let key = fields.iter().find(|f| f.eq_ignore_ascii_case(&key)).map_or(key, |f| (*f).to_owned());
                    // The later spelling wins; it also moves to the later place, as if written once there.
                    members.shift_remove(&key);
                    members.insert(key, value);
                }
                visit_object(members, visitor)
            }
            other => AnyCase(other).deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq
        tuple tuple_struct map identifier
    }
}
