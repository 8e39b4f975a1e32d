//! Entities to items and back, through serde_dynamo, plus the key attributes every item carries.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::store::{StoreError, StoreResult};

pub type Item = HashMap<String, AttributeValue>;

pub fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("PK".to_owned(), AttributeValue::S(pk)), ("SK".to_owned(), s(sk))])
}

/// `value`'s fields as attributes, with `PK` and `SK` added.
/// One attribute's value, as serde_dynamo writes it in an item.
pub fn attribute<T: Serialize>(value: &T) -> StoreResult<AttributeValue> {
    serde_dynamo::to_attribute_value(value).map_err(StoreError::backend)
}

pub fn to_item<T: Serialize>(value: &T, pk: &str, sk: &str) -> StoreResult<Item> {
    let mut item: Item = serde_dynamo::to_item(value).map_err(StoreError::backend)?;
    item.extend(key(pk.to_owned(), sk));
    Ok(item)
}

/// An item's attributes as `T`; key attributes and anything else `T` does not name are ignored.
pub fn from_item<T: DeserializeOwned>(item: Item) -> StoreResult<T> {
    serde_dynamo::from_item(item).map_err(StoreError::backend)
}

/// Adds string attributes (index keys) to an item.
pub fn with(mut item: Item, attributes: &[(&str, String)]) -> Item {
    for (name, value) in attributes {
        item.insert((*name).to_owned(), AttributeValue::S(value.clone()));
    }
    item
}
