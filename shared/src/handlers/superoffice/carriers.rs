//! SuperOffice's carriers as its client reads them: PascalCase members, enums by name, `[DT:...]` encoded strings
//! where SuperOffice encodes, ISO 8601 where it types a date.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// SuperOffice's "no date" as an encoded string, and as a typed date.
const NO_DATE_ENCODED: &str = "[DT:01/01/0001 00:00:00.0000000]";
const EPOCH_ENCODED: &str = "[DT:01/01/1970 00:00:00.0000000]";
const NO_DATE: &str = "0001-01-01T00:00:00Z";

/// A time zone location (`TzLocation`).
#[derive(Serialize, ToSchema, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TzLocation {
    #[serde(rename = "TZLocationID")]
    pub tz_location_id: i64,
    pub name: String,
    #[serde(rename = "TZLocationCode")]
    pub tz_location_code: String,
    #[serde(rename = "TZLocationCities")]
    pub tz_location_cities: String,
    pub iso_number: i64,
    #[serde(rename = "TimeZoneSTDRules")]
    #[schema(value_type = Object)]
    pub time_zone_std_rules: Map<String, Value>,
    #[serde(rename = "TimeZoneDSTRules")]
    #[schema(value_type = Object)]
    pub time_zone_dst_rules: Map<String, Value>,
}

/// The folder an email flow lives in.
#[derive(Serialize, ToSchema, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Folder {
    pub hierarchy_id: i64,
    pub domain: String,
    pub name: Option<String>,
    pub fullname: Option<String>,
    pub parent_id: i64,
    #[schema(value_type = Vec<Object>)]
    pub children: Vec<Value>,
    #[schema(format = DateTime)]
    pub registered: String,
    pub registered_associate_id: i64,
    #[schema(format = DateTime)]
    pub updated: String,
    pub updated_associate_id: i64,
    #[schema(value_type = Option<Object>)]
    pub table_right: Option<Value>,
    #[schema(value_type = Object)]
    pub field_properties: Map<String, Value>,
}

/// A flow's filter: who may enter.
#[derive(Serialize, ToSchema, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Filter {
    #[schema(value_type = Vec<Object>)]
    pub restriction_groups: Vec<Value>,
    #[schema(value_type = Option<Object>)]
    pub table_right: Option<Value>,
    #[schema(value_type = Object)]
    pub field_properties: Map<String, Value>,
}

/// An email flow, as SuperOffice's `EmailFlow` carrier.
#[derive(Serialize, ToSchema, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct EmailFlowCarrier {
    pub email_flow_id: u64,
    pub name: String,
    pub description: String,
    /// `Stopped`, `Paused` or `Running`.
    pub status: String,
    pub jump_to_finish: bool,
    pub start_only_once: bool,
    pub override_consent_subscription: bool,
    pub from_type: String,
    pub from_name: String,
    pub from_addr: String,
    pub reply_to_type: String,
    pub reply_to_addr: String,
    pub reply_to_name: String,
    pub sms_sender: String,
    pub use_google_analytics: bool,
    pub ga_source: String,
    pub ga_campaign: String,
    pub use_timeframe: bool,
    /// Day names joined by `, ` (`Monday, Friday`), or `Unknown`.
    pub selected_days: String,
    pub timeframe_start: String,
    pub timeframe_end: String,
    pub use_workflow_start: bool,
    pub workflow_start: String,
    pub use_enrollment_end: bool,
    pub enrollment_end: String,
    #[schema(value_type = Vec<Object>)]
    pub remove_from_flows: Vec<Value>,
    pub tz_location: TzLocation,
    pub folder: Folder,
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub triggers: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub goals: Vec<Value>,
    pub filter: Filter,
    #[schema(value_type = Vec<Object>)]
    pub block_lists: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub content_info: Vec<Value>,
    pub exit_flow_id: u64,
    pub exit_success_flow_id: u64,
    #[schema(value_type = Option<Object>)]
    pub created_by: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub updated_by: Option<Value>,
    #[schema(format = DateTime)]
    pub created_date: String,
    #[schema(format = DateTime)]
    pub updated_date: String,
}

impl EmailFlowCarrier {
    /// `CreateDefaultEmailFlow`'s answer, field for field as seed 002 shows it.
    pub fn default_flow() -> Self {
        Self {
            email_flow_id: 0,
            name: String::new(),
            description: String::new(),
            status: "Stopped".into(),
            jump_to_finish: false,
            start_only_once: true,
            override_consent_subscription: false,
            from_type: "FromOnlySpecified".into(),
            from_name: String::new(),
            from_addr: String::new(),
            reply_to_type: "ReplyToOnlySpecified".into(),
            reply_to_addr: String::new(),
            reply_to_name: String::new(),
            sms_sender: String::new(),
            use_google_analytics: false,
            ga_source: String::new(),
            ga_campaign: String::new(),
            use_timeframe: false,
            selected_days: "Unknown".into(),
            timeframe_start: EPOCH_ENCODED.into(),
            timeframe_end: EPOCH_ENCODED.into(),
            use_workflow_start: false,
            workflow_start: NO_DATE_ENCODED.into(),
            use_enrollment_end: false,
            enrollment_end: NO_DATE_ENCODED.into(),
            remove_from_flows: Vec::new(),
            tz_location: TzLocation::default(),
            folder: Folder {
                hierarchy_id: 0,
                domain: "EmailFlows".into(),
                name: None,
                fullname: None,
                parent_id: 0,
                children: Vec::new(),
                registered: NO_DATE.into(),
                registered_associate_id: 0,
                updated: NO_DATE.into(),
                updated_associate_id: 0,
                table_right: None,
                field_properties: Map::new(),
            },
            steps: Vec::new(),
            triggers: Vec::new(),
            goals: Vec::new(),
            filter: Filter::default(),
            block_lists: Vec::new(),
            content_info: Vec::new(),
            exit_flow_id: 0,
            exit_success_flow_id: 0,
            created_by: None,
            updated_by: None,
            created_date: NO_DATE.into(),
            updated_date: NO_DATE.into(),
        }
    }
}
