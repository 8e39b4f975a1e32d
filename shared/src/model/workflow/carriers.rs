//! SuperOffice's workflow carriers (seed 002 and its client's `Carriers.ts`): PascalCase members, every member
//! optional in a request (the default fills in), enums by name. Members SuperOffice computes (`CreatedDate`,
//! `UpdatedDate`, `CreatedBy`, `UpdatedBy`, `ContentInfo`, `TableRight`, `FieldProperties`) are answered and never
//! read. A request's members are matched in any case by [`crate::http::superoffice`], so these types name each
//! member once.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::enums::{Domain, EventType, GoalType, InterOperator, TriggerType, WaitForActionType};
use super::values::{EncodedValue, IsoDate};

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
