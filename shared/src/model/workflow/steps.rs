//! A flow's steps (`WorkflowStepBase` and its fifteen kinds) and a Split step's options (`WorkflowStepOptionBase`
//! and its six kinds), as SuperOffice's client defines them. One type holds the members of every kind; after
//! reading, [`WorkflowStep::settle`] keeps exactly the members of the step's kind (defaults for those missing) and
//! drops the rest, so that an answer carries the kind's members and no others.
//!
//! Every step has `WorkflowStepId`, `WorkflowId`, `StepType` and `Rank`. The kinds add:
//!
//! | `StepType` | Members |
//! |---|---|
//! | `SendEmail` | `Subject`, `Attachments` (ids), `ShipmentId` (the mailing) |
//! | `SendSMS` | `From`, `Text`, `Exit` (leave the flow when the person has no mobile number) |
//! | `WaitForTime` | `TimeWaitAlgorithm` (None, NumIntervals, UntilSpecified, UntilDateField), `NumIntervals`, `IntervalType` (None, Seconds, Minutes, Hours, WorkingDays, Days, Weeks), `Until` (`[DT:…]`) |
//! | `WaitForAction` | `ExitFlow`, `ExitToFlowId`, `ExitToSelectionId`, `ActionTimeout`, `WaitForTimeout`, `TimeoutIntervalType`, `Actions` (WorkflowWaitForAction) |
//! | `Split` | `SplitName`, `SplitOptionType`, `ShipmentId`, `Options` (each with its own `Steps`), `ExitFlow`, `ExitToFlowId`, `ExitToSelectionId` |
//! | `UpdateParticipant` | `Description`, `FieldValuesPerson`, `FieldValuesCompany` (kept as sent) |
//! | `AddToList`, `RemoveFromList` | `Selection`, `Project` |
//! | `CreateRequest` | `Title`, `RequestType`, `Category`, `Priority`, `TicketStatus`, `Message`, `Owner` |
//! | `CreateFollowUp` | `Title`, `FollowUpType`, `Project`, `Completed`, `ActionType`, `ActionTime`, `ActionTimeUnit`, `Duration`, `Availability` (Busy, Free), `OwnerType`, `Agenda`, `Owner` |
//! | `CreateSale` | `Title`, `SaleType`, `Stage`, `Amount`, `Currency`, `Description`, `Project`, `ActionType`, `ActionTime`, `ActionTimeUnit`, `Date` (ISO 8601), `Owner`, `Source` |
//! | `NotifyByEmail` | `To` (OurContact, OurServiceContact, SpecificEmailAddress), `SpecificEmailAddresses`, `Subject`, `Text` |
//! | `NotifyBySMS` | `To` (OurContact, OurServiceContact, SpecificPhoneNumbers), `SpecificPhoneNumbers`, `From`, `Text` |
//! | `RunScript` | `ScriptId` |
//! | `DistributeToOwner` | `OnlyToUnassigned`, `Associates`, `UserGroups`, `DistributeQueue`, `DefaultAssociate` |
//!
//! An option has `OptionType`, `WorkflowStepOptionId`, `WorkflowStepId`, `WorkflowId`, `Name`, `Rank` and `Steps`;
//! `PersonData` adds `RestrictionGroups`, `FormSubmission` `FormId`, `LinkClicked` `LinkId`, `ProjectMembership`
//! `ProjectId`, `SelectionMembership` `SelectionId`, `FormData` `FormId` and `RestrictionGroups`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::carriers::{RestrictionGroup, WorkflowWaitForAction};
use super::enums::{
    ActionType, FreeBusy, IntervalType, NotifyEmailType, NotifySmsType, OwnerType, SplitOptionType, StepType,
    TimeWaitAlgorithm,
};
use super::values::{encoded_date_time, EncodedDateTime, IsoDate};

/// `Until`: an encoded date-time, or `null`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MaybeDateTime(#[serde(with = "encoded_date_time")] pub Option<EncodedDateTime>);

impl utoipa::PartialSchema for MaybeDateTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .examples(["[DT:05/31/2024 14:24:23.0000000]"])
            .into()
    }
}

impl utoipa::ToSchema for MaybeDateTime {}

/// A member that is there, `null` included: `Some` of what it holds (one that is missing is `None`, by `default`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// A step of any kind (see the module's table for which members each kind has).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct WorkflowStep {
    pub workflow_step_id: u64,
    pub workflow_id: u64,
    pub step_type: StepType,
    pub rank: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipment_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_wait_algorithm: Option<TimeWaitAlgorithm>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_intervals: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_type: Option<IntervalType>,
    // Absent, or a date-time or `null` as given: a `null` is kept, so that it reads back as it was answered (a
    // plain comment: a doc comment would be the member's description in the OpenAPI document).
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub until: Option<MaybeDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_flow: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_to_flow_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_to_selection_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_timeout: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_for_timeout: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_interval_type: Option<IntervalType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<WorkflowWaitForAction>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_option_type: Option<SplitOptionType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub options: Option<Vec<StepOption>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub field_values_person: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub field_values_company: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_type: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_status: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_type: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_type: Option<ActionType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_time_unit: Option<IntervalType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<FreeBusy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_type: Option<OwnerType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agenda: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sale_type: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<IsoDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<i64>,
    /// NotifyByEmail's `NotifyEmailType` or NotifyBySMS's `NotifySMSType`, by name (a number means the step
    /// kind's value).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub to: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specific_email_addresses: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specific_phone_numbers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_to_unassigned: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associates: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_groups: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribute_queue: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_associate: Option<i64>,
}

/// Keeps a member when the kind has it (its default when it was not sent), drops it otherwise.
fn keep<T: Default>(slot: &mut Option<T>, on: bool) {
    if on {
        slot.get_or_insert_with(T::default);
    } else {
        *slot = None;
    }
}

/// A problem with a step's member: the member's name and what is wrong.
pub type MemberProblem = (String, String);

impl WorkflowStep {
    /// The default step of a kind (`CreateDefaultWorkflowStepFromType`).
    pub fn default_of(step_type: StepType) -> Self {
        let mut step = Self { step_type, ..Self::default() };
        step.settle().expect("defaults are valid");
        step
    }

    /// Keeps exactly the members of the step's kind, and settles its options and actions.
    pub fn settle(&mut self) -> Result<(), MemberProblem> {
        use StepType as T;
        let t = self.step_type;
        keep(&mut self.subject, matches!(t, T::SendEmail | T::NotifyByEmail));
        keep(&mut self.attachments, t == T::SendEmail);
        keep(&mut self.shipment_id, matches!(t, T::SendEmail | T::Split));
        keep(&mut self.from, matches!(t, T::SendSMS | T::NotifyBySMS));
        keep(&mut self.text, matches!(t, T::SendSMS | T::NotifyByEmail | T::NotifyBySMS));
        keep(&mut self.exit, t == T::SendSMS);
        keep(&mut self.time_wait_algorithm, t == T::WaitForTime);
        keep(&mut self.num_intervals, t == T::WaitForTime);
        keep(&mut self.interval_type, t == T::WaitForTime);
        keep(&mut self.until, t == T::WaitForTime);
        keep(&mut self.exit_flow, matches!(t, T::WaitForAction | T::Split));
        keep(&mut self.exit_to_flow_id, matches!(t, T::WaitForAction | T::Split));
        keep(&mut self.exit_to_selection_id, matches!(t, T::WaitForAction | T::Split));
        keep(&mut self.action_timeout, t == T::WaitForAction);
        keep(&mut self.wait_for_timeout, t == T::WaitForAction);
        keep(&mut self.timeout_interval_type, t == T::WaitForAction);
        keep(&mut self.actions, t == T::WaitForAction);
        keep(&mut self.split_name, t == T::Split);
        keep(&mut self.split_option_type, t == T::Split);
        keep(&mut self.options, t == T::Split);
        keep(&mut self.description, matches!(t, T::UpdateParticipant | T::CreateSale));
        keep(&mut self.field_values_person, t == T::UpdateParticipant);
        keep(&mut self.field_values_company, t == T::UpdateParticipant);
        keep(&mut self.selection, matches!(t, T::AddToList | T::RemoveFromList));
        keep(&mut self.project, matches!(t, T::AddToList | T::RemoveFromList | T::CreateFollowUp | T::CreateSale));
        keep(&mut self.title, matches!(t, T::CreateRequest | T::CreateFollowUp | T::CreateSale));
        keep(&mut self.request_type, t == T::CreateRequest);
        keep(&mut self.category, t == T::CreateRequest);
        keep(&mut self.priority, t == T::CreateRequest);
        keep(&mut self.ticket_status, t == T::CreateRequest);
        keep(&mut self.message, t == T::CreateRequest);
        keep(&mut self.owner, matches!(t, T::CreateRequest | T::CreateFollowUp | T::CreateSale));
        keep(&mut self.follow_up_type, t == T::CreateFollowUp);
        keep(&mut self.completed, t == T::CreateFollowUp);
        keep(&mut self.action_type, matches!(t, T::CreateFollowUp | T::CreateSale));
        keep(&mut self.action_time, matches!(t, T::CreateFollowUp | T::CreateSale));
        keep(&mut self.action_time_unit, matches!(t, T::CreateFollowUp | T::CreateSale));
        keep(&mut self.duration, t == T::CreateFollowUp);
        keep(&mut self.availability, t == T::CreateFollowUp);
        keep(&mut self.owner_type, t == T::CreateFollowUp);
        keep(&mut self.agenda, t == T::CreateFollowUp);
        keep(&mut self.sale_type, t == T::CreateSale);
        keep(&mut self.stage, t == T::CreateSale);
        keep(&mut self.amount, t == T::CreateSale);
        keep(&mut self.currency, t == T::CreateSale);
        if t == T::CreateSale {
            self.date.get_or_insert_with(IsoDate::none);
        } else {
            self.date = None;
        }
        keep(&mut self.source, t == T::CreateSale);
        self.to = match t {
            T::NotifyByEmail => Some(Self::recipient(
                self.to.take(),
                NotifyEmailType::from_name,
                NotifyEmailType::from_number,
                NotifyEmailType::name,
            )?),
            T::NotifyBySMS => Some(Self::recipient(
                self.to.take(),
                NotifySmsType::from_name,
                NotifySmsType::from_number,
                NotifySmsType::name,
            )?),
            _ => None,
        };
        keep(&mut self.specific_email_addresses, t == T::NotifyByEmail);
        keep(&mut self.specific_phone_numbers, t == T::NotifyBySMS);
        keep(&mut self.script_id, t == T::RunScript);
        keep(&mut self.only_to_unassigned, t == T::DistributeToOwner);
        keep(&mut self.associates, t == T::DistributeToOwner);
        keep(&mut self.user_groups, t == T::DistributeToOwner);
        keep(&mut self.distribute_queue, t == T::DistributeToOwner);
        keep(&mut self.default_associate, t == T::DistributeToOwner);
        if let Some(amount) = self.amount.filter(|a| !a.is_finite()) {
            return Err(("Amount".into(), format!("{amount} is no amount")));
        }
        for action in self.actions.iter_mut().flatten() {
            action.restriction_groups.iter_mut().for_each(RestrictionGroup::settle);
        }
        for (i, option) in self.options.iter_mut().flatten().enumerate() {
            option.settle().map_err(|(member, problem)| (format!("Options[{i}].{member}"), problem))?;
        }
        Ok(())
    }

    /// A `To` member, by the step kind's enum: its name, or the default's when absent.
    fn recipient<E: Copy + Default>(
        to: Option<Value>,
        by_name: fn(&str) -> Option<E>,
        by_number: fn(i64) -> Option<E>,
        name: fn(E) -> &'static str,
    ) -> Result<Value, MemberProblem> {
        let value = match &to {
            None | Some(Value::Null) => Some(E::default()),
            Some(Value::String(s)) => by_name(s),
            Some(Value::Number(n)) => n.as_i64().and_then(by_number),
            Some(_) => None,
        };
        value
            .map(|v| Value::String(name(v).to_owned()))
            .ok_or_else(|| ("To".to_owned(), format!("unknown recipient {}", to.unwrap_or(Value::Null))))
    }

    /// This step and every step under it (in its options), depth first, with their depth (0 for a flow's own).
    pub fn walk<'a>(&'a self, depth: usize, out: &mut Vec<(&'a WorkflowStep, usize)>) {
        out.push((self, depth));
        for option in self.options.iter().flatten() {
            for step in &option.steps {
                step.walk(depth + 1, out);
            }
        }
    }
}

/// An option of a Split step, of any kind.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "PascalCase", default)]
pub struct StepOption {
    pub option_type: SplitOptionType,
    pub workflow_step_option_id: u64,
    pub workflow_step_id: u64,
    pub workflow_id: u64,
    pub name: String,
    pub rank: i64,
    #[schema(no_recursion)]
    pub steps: Vec<WorkflowStep>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restriction_groups: Option<Vec<RestrictionGroup>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection_id: Option<i64>,
}

impl StepOption {
    /// The default option of a kind (`CreateDefaultWorkflowStepOptionFromType`).
    pub fn default_of(option_type: SplitOptionType) -> Self {
        let mut option = Self { option_type, ..Self::default() };
        option.settle().expect("defaults are valid");
        option
    }

    /// Keeps exactly the members of the option's kind, and settles its steps.
    pub fn settle(&mut self) -> Result<(), MemberProblem> {
        use SplitOptionType as O;
        let t = self.option_type;
        keep(&mut self.restriction_groups, matches!(t, O::PersonData | O::FormData));
        keep(&mut self.form_id, matches!(t, O::FormSubmission | O::FormData));
        keep(&mut self.link_id, t == O::LinkClicked);
        keep(&mut self.project_id, t == O::ProjectMembership);
        keep(&mut self.selection_id, t == O::SelectionMembership);
        for group in self.restriction_groups.iter_mut().flatten() {
            group.settle();
        }
        for (i, step) in self.steps.iter_mut().enumerate() {
            step.settle().map_err(|(member, problem)| (format!("Steps[{i}].{member}"), problem))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_wait_for_time_step_is_the_seeds() {
        let step = serde_json::to_value(WorkflowStep::default_of(StepType::WaitForTime)).unwrap();
        assert_eq!(
            step,
            serde_json::json!({"TimeWaitAlgorithm": "None", "NumIntervals": 0, "IntervalType": "None", "Until": null,
                "WorkflowStepId": 0, "WorkflowId": 0, "StepType": "WaitForTime", "Rank": 0})
        );
    }

    #[test]
    fn a_step_keeps_the_members_of_its_kind_only() {
        let mut step: WorkflowStep = serde_json::from_value(serde_json::json!({
            "StepType": "SendSMS", "Text": "Hi", "Subject": "dropped", "NumIntervals": 3
        }))
        .unwrap();
        step.settle().unwrap();
        let value = serde_json::to_value(&step).unwrap();
        let mut members: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        members.sort_unstable();
        assert_eq!(members, ["Exit", "From", "Rank", "StepType", "Text", "WorkflowId", "WorkflowStepId"]);
        assert_eq!(value["Text"], "Hi");
    }

    #[test]
    fn a_recipient_is_read_by_the_kinds_enum() {
        let mut sms =
            WorkflowStep { step_type: StepType::NotifyBySMS, to: Some(serde_json::json!(2)), ..Default::default() };
        sms.settle().unwrap();
        assert_eq!(sms.to, Some(serde_json::json!("SpecificPhoneNumbers")));
        let mut email = WorkflowStep {
            step_type: StepType::NotifyByEmail,
            to: Some(serde_json::json!("SpecificPhoneNumbers")),
            ..Default::default()
        };
        assert_eq!(email.settle().unwrap_err().0, "To");
    }

    #[test]
    fn every_kind_has_a_default() {
        for (kind, _, _) in StepType::ALL {
            let step = WorkflowStep::default_of(*kind);
            assert_eq!(step.step_type, *kind);
        }
        for (kind, _, _) in SplitOptionType::ALL {
            assert_eq!(StepOption::default_of(*kind).option_type, *kind);
        }
    }
}
