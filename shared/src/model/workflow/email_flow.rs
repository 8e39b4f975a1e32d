//! SuperOffice's `EmailFlow` carrier: the flow saved whole, with its steps (see [`super::steps`]), triggers and goals
//! (see [`super::carriers`]), read and answered as the other carriers are.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::carriers::{Folder, TzLocation, WorkflowFilter, WorkflowGoal, WorkflowTrigger};
use super::enums::{EmailFromType, EmailReplyToType, Weekdays, WorkflowStatus};
use super::steps::WorkflowStep;
use super::values::{encoded_date_time, EncodedDateTime, IsoDate};

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
