//! SuperOffice's workflow carriers (seed 002 and its client's `Carriers.ts`): PascalCase members, every member
//! optional in a request (the default fills in), enums by name. Members SuperOffice computes (`CreatedDate`,
//! `UpdatedDate`, `CreatedBy`, `UpdatedBy`, `ContentInfo`, `TableRight`, `FieldProperties`) are answered and never
//! read. A request's members are matched in any case by [`crate::http::superoffice`], so these types name each
//! member once.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::enums::{
    Domain, EmailFromType, EmailReplyToType, EventType, GoalType, InterOperator, TriggerType, WaitForActionType,
    Weekdays, WorkflowStatus,
};
use super::steps::WorkflowStep;
use super::values::{encoded_date_time, EncodedDateTime, EncodedValue, IsoDate};

/// A time zone location (`TimeZoneData`). The flow runs at the UTC offset of its standard-time rule (see
/// [`TzLocation::offset_minutes`]).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct TzLocation {
    #[serde(rename = "TZLocationID")]
    pub tz_location_id: i64,
    pub name: String,
    #[serde(rename = "TZLocationCode")]
    pub tz_location_code: String,
    #[serde(rename = "TZLocationCities")]
    pub tz_location_cities: String,
    pub iso_number: i64,
    /// Rules by name, each with `TZOffset` (minutes from UTC) and its start and end patterns.
    #[serde(rename = "TimeZoneSTDRules")]
    #[schema(value_type = Object)]
    pub time_zone_std_rules: Map<String, Value>,
    #[serde(rename = "TimeZoneDSTRules")]
    #[schema(value_type = Object)]
    pub time_zone_dst_rules: Map<String, Value>,
}

impl TzLocation {
    /// The offset a flow runs at, in minutes east of UTC: the `TZOffset` of the first standard-time rule that has
    /// one (SuperOffice writes the bias of the zone there), else UTC. Daylight-saving rules are not applied: a
    /// flow keeps one offset all year.
    pub fn offset_minutes(&self) -> i32 {
        self.time_zone_std_rules
            .values()
            .find_map(|rule| {
                rule.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case("TZOffset")).and_then(|(_, v)| v.as_i64())
            })
            .and_then(|m| i32::try_from(m).ok())
            .filter(|m| m.abs() <= 14 * 60)
            .unwrap_or(0)
    }
}

/// The folder an email flow lives in (`HierarchyEntity`).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct Folder {
    pub hierarchy_id: i64,
    pub domain: Domain,
    pub name: Option<String>,
    pub fullname: Option<String>,
    pub parent_id: i64,
    #[schema(value_type = Vec<Object>)]
    pub children: Vec<Value>,
    pub registered: IsoDate,
    pub registered_associate_id: i64,
    pub updated: IsoDate,
    pub updated_associate_id: i64,
    #[serde(skip_deserializing)]
    #[schema(value_type = Option<Object>)]
    pub table_right: Option<Value>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Object)]
    pub field_properties: Map<String, Value>,
}

impl Default for Folder {
    fn default() -> Self {
        Self {
            hierarchy_id: 0,
            domain: Domain::EmailFlows,
            name: None,
            fullname: None,
            parent_id: 0,
            children: Vec::new(),
            registered: IsoDate::none(),
            registered_associate_id: 0,
            updated: IsoDate::none(),
            updated_associate_id: 0,
            table_right: None,
            field_properties: Map::new(),
        }
    }
}

/// One restriction (`ArchiveRestrictionInfo`): a column, an operator and values, kept as sent; the members
/// SuperOffice computes are answered with sensible values (`DisplayValues` as sent or none, `ColumnInfo` null,
/// `IsActive` true unless sent false, `InterOperator` And unless sent, `UniqueHash` from the name, operator and
/// values).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct Restriction {
    pub name: String,
    pub operator: String,
    pub values: Vec<EncodedValue>,
    pub display_values: Vec<String>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Option<Object>)]
    pub column_info: Option<Value>,
    pub is_active: bool,
    #[schema(no_recursion)]
    pub sub_restrictions: Option<Vec<Restriction>>,
    pub inter_parenthesis: i64,
    pub inter_operator: InterOperator,
    #[serde(skip_deserializing)]
    pub unique_hash: i64,
}

impl Default for Restriction {
    fn default() -> Self {
        Self {
            name: String::new(),
            operator: String::new(),
            values: Vec::new(),
            display_values: Vec::new(),
            column_info: None,
            is_active: true,
            sub_restrictions: None,
            inter_parenthesis: 0,
            inter_operator: InterOperator::And,
            unique_hash: 0,
        }
    }
}

impl Restriction {
    /// Fills in what SuperOffice computes.
    pub fn settle(&mut self) {
        let mut hash = Sha256::new();
        for part in
            [self.name.as_str(), self.operator.as_str()].into_iter().chain(self.values.iter().map(EncodedValue::as_str))
        {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let digest = hash.finalize();
        self.unique_hash = i64::from(u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) >> 1);
        for sub in self.sub_restrictions.iter_mut().flatten() {
            sub.settle();
        }
    }
}

/// A group of restrictions (`ArchiveRestrictionGroup`).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct RestrictionGroup {
    pub name: String,
    pub description: String,
    pub rank: i64,
    pub restrictions: Vec<Restriction>,
}

impl RestrictionGroup {
    pub fn settle(&mut self) {
        self.restrictions.iter_mut().for_each(Restriction::settle);
    }
}

/// Who may enter a flow (`WorkflowFilter`).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct WorkflowFilter {
    pub restriction_groups: Vec<RestrictionGroup>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Option<Object>)]
    pub table_right: Option<Value>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Object)]
    pub field_properties: Map<String, Value>,
}

/// What starts a person on a flow (`WorkflowTrigger`).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct WorkflowTrigger {
    pub workflow_trigger_id: u64,
    pub workflow_id: u64,
    pub trigger_type: TriggerType,
    pub restriction_groups: Vec<RestrictionGroup>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Option<Object>)]
    pub table_right: Option<Value>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Object)]
    pub field_properties: Map<String, Value>,
}

/// What counts as success on a flow (`WorkflowGoal`).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct WorkflowGoal {
    pub workflow_goal_id: u64,
    pub workflow_id: u64,
    pub goal_type: GoalType,
    pub restriction_groups: Vec<RestrictionGroup>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Option<Object>)]
    pub table_right: Option<Value>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Object)]
    pub field_properties: Map<String, Value>,
}

/// An action a WaitForAction step waits for (`WorkflowWaitForAction`).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct WorkflowWaitForAction {
    pub workflow_wait_for_action_id: u64,
    pub workflow_step_id: u64,
    pub workflow_id: u64,
    pub rank: i64,
    pub action_type: WaitForActionType,
    pub restriction_groups: Vec<RestrictionGroup>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Option<Object>)]
    pub table_right: Option<Value>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Object)]
    pub field_properties: Map<String, Value>,
}

/// An event for the workflow engine (`WorkflowEvent`), and the answer to one (`WorkflowEventResult`, the same
/// members). `Attributes` is the event's information as text: for the person events, the person's id
/// (`personId=12` or just `12`).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct WorkflowEvent {
    pub event_type: EventType,
    pub attributes: String,
    #[serde(skip_deserializing)]
    #[schema(value_type = Option<Object>)]
    pub table_right: Option<Value>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Object)]
    pub field_properties: Map<String, Value>,
}

/// An email flow (`EmailFlow`), with its steps, triggers and goals: saved whole.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct EmailFlow {
    pub email_flow_id: u64,
    pub name: String,
    pub description: String,
    pub status: WorkflowStatus,
    pub jump_to_finish: bool,
    pub start_only_once: bool,
    pub override_consent_subscription: bool,
    pub from_type: EmailFromType,
    pub from_name: String,
    pub from_addr: String,
    pub reply_to_type: EmailReplyToType,
    pub reply_to_addr: String,
    pub reply_to_name: String,
    pub sms_sender: String,
    pub use_google_analytics: bool,
    pub ga_source: String,
    pub ga_campaign: String,
    pub use_timeframe: bool,
    pub selected_days: Weekdays,
    #[serde(with = "encoded_date_time")]
    #[schema(value_type = Option<String>)]
    pub timeframe_start: Option<EncodedDateTime>,
    #[serde(with = "encoded_date_time")]
    #[schema(value_type = Option<String>)]
    pub timeframe_end: Option<EncodedDateTime>,
    pub use_workflow_start: bool,
    #[serde(with = "encoded_date_time")]
    #[schema(value_type = Option<String>)]
    pub workflow_start: Option<EncodedDateTime>,
    pub use_enrollment_end: bool,
    #[serde(with = "encoded_date_time")]
    #[schema(value_type = Option<String>)]
    pub enrollment_end: Option<EncodedDateTime>,
    pub remove_from_flows: Vec<i64>,
    pub tz_location: TzLocation,
    pub folder: Folder,
    pub steps: Vec<WorkflowStep>,
    pub triggers: Vec<WorkflowTrigger>,
    pub goals: Vec<WorkflowGoal>,
    pub filter: WorkflowFilter,
    pub block_lists: Vec<i64>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Vec<Object>)]
    pub content_info: Vec<Value>,
    pub exit_flow_id: u64,
    pub exit_success_flow_id: u64,
    #[serde(skip_deserializing)]
    #[schema(value_type = Option<Object>)]
    pub created_by: Option<Value>,
    #[serde(skip_deserializing)]
    #[schema(value_type = Option<Object>)]
    pub updated_by: Option<Value>,
    #[serde(skip_deserializing, default = "IsoDate::none")]
    pub created_date: IsoDate,
    #[serde(skip_deserializing, default = "IsoDate::none")]
    pub updated_date: IsoDate,
}

impl Default for EmailFlow {
    /// `CreateDefaultEmailFlow`'s answer, member for member as seed 002 shows it.
    fn default() -> Self {
        let epoch = EncodedDateTime::at(1970, 1, 1, 0, 0, 0);
        Self {
            email_flow_id: 0,
            name: String::new(),
            description: String::new(),
            status: WorkflowStatus::Stopped,
            jump_to_finish: false,
            start_only_once: true,
            override_consent_subscription: false,
            from_type: EmailFromType::FromOnlySpecified,
            from_name: String::new(),
            from_addr: String::new(),
            reply_to_type: EmailReplyToType::ReplyToOnlySpecified,
            reply_to_addr: String::new(),
            reply_to_name: String::new(),
            sms_sender: String::new(),
            use_google_analytics: false,
            ga_source: String::new(),
            ga_campaign: String::new(),
            use_timeframe: false,
            selected_days: Weekdays::default(),
            timeframe_start: epoch,
            timeframe_end: epoch,
            use_workflow_start: false,
            workflow_start: Some(EncodedDateTime::NONE),
            use_enrollment_end: false,
            enrollment_end: Some(EncodedDateTime::NONE),
            remove_from_flows: Vec::new(),
            tz_location: TzLocation::default(),
            folder: Folder::default(),
            steps: Vec::new(),
            triggers: Vec::new(),
            goals: Vec::new(),
            filter: WorkflowFilter::default(),
            block_lists: Vec::new(),
            content_info: Vec::new(),
            exit_flow_id: 0,
            exit_success_flow_id: 0,
            created_by: None,
            updated_by: None,
            created_date: IsoDate::none(),
            updated_date: IsoDate::none(),
        }
    }
}
