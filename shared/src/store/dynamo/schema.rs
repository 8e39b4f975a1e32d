//! The table's schema, for local runs that create it (`FLOWS_CREATE_RESOURCES=1`) and for tests. The deployed
//! table is declared in `template.yaml`; a test holds the two together.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};

use super::DynamoStore;
use crate::store::{StoreError, StoreResult};

/// The global secondary indexes: name, partition key, sort key.
pub const TABLE_GSIS: &[(&str, &str, &str)] = &[
    ("GSI1", "GSI1PK", "GSI1SK"),
    ("GSI2", "GSI2PK", "GSI2SK"),
    ("GSI3", "GSI3PK", "GSI3SK"),
    ("GSI4", "GSI4PK", "GSI4SK"),
    ("GSI5", "GSI5PK", "GSI5SK"),
];

/// The attribute DynamoDB's TTL reads (unix seconds). Readers check it themselves: TTL deletes days late.
pub const TTL_ATTRIBUTE: &str = "expires_at";

fn attr(name: &str) -> StoreResult<AttributeDefinition> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(StoreError::backend)
}

fn key_schema(pk: &str, sk: &str) -> StoreResult<Vec<KeySchemaElement>> {
    Ok(vec![
        KeySchemaElement::builder().attribute_name(pk).key_type(KeyType::Hash).build().map_err(StoreError::backend)?,
        KeySchemaElement::builder().attribute_name(sk).key_type(KeyType::Range).build().map_err(StoreError::backend)?,
    ])
}

impl DynamoStore {
    /// Creates the table with its indexes and TTL unless it exists.
    pub async fn create_table_if_missing(&self) -> StoreResult<()> {
        let exists = self.client().describe_table().table_name(self.table()).send().await;
        match exists {
            Ok(_) => return Ok(()),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {}
            Err(err) => return Err(super::errors::sdk(err)),
        }
        let mut definitions = vec![attr("PK")?, attr("SK")?];
        let mut indexes = Vec::new();
        for (name, pk, sk) in TABLE_GSIS {
            definitions.push(attr(pk)?);
            definitions.push(attr(sk)?);
            indexes.push(
                GlobalSecondaryIndex::builder()
                    .index_name(*name)
                    .set_key_schema(Some(key_schema(pk, sk)?))
                    .projection(Projection::builder().projection_type(ProjectionType::All).build())
                    .build()
                    .map_err(StoreError::backend)?,
            );
        }
        self.client()
            .create_table()
            .table_name(self.table())
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(definitions))
            .set_key_schema(Some(key_schema("PK", "SK")?))
            .set_global_secondary_indexes(Some(indexes))
            .send()
            .await
            .map_err(super::errors::sdk)?;
        self.client()
            .update_time_to_live()
            .table_name(self.table())
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL_ATTRIBUTE)
                    .enabled(true)
                    .build()
                    .map_err(StoreError::backend)?,
            )
            .send()
            .await
            .map_err(super::errors::sdk)?;
        Ok(())
    }
}
