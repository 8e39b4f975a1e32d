//! SuperOffice's workflow enums as its client reads them: written by name, exactly (`"Running"`; its client turns a
//! number, or a name in another case, into `undefined`), read by name in any case or by number (plain-JS callers
//! send numbers), an unknown name or number being an error that names the values allowed.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// An enum of SuperOffice's: its names and numbers, one declaration each, with serde and OpenAPI from them.
macro_rules! so_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $number:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            #[default]
            $($variant),+
        }

        impl $name {
            /// Every value, with its name and its number.
            pub const ALL: &'static [($name, &'static str, i64)] = &[$(($name::$variant, stringify!($variant), $number)),+];

            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant)),+
                }
            }

            pub fn number(self) -> i64 {
                match self {
                    $($name::$variant => $number),+
                }
            }

            /// The value of a name in any case.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().find(|(_, n, _)| n.eq_ignore_ascii_case(name.trim())).map(|(v, _, _)| *v)
            }

            pub fn from_number(number: i64) -> Option<Self> {
                Self::ALL.iter().find(|(_, _, n)| *n == number).map(|(v, _, _)| *v)
            }

            fn expected() -> String {
                let names: Vec<&str> = Self::ALL.iter().map(|(_, n, _)| *n).collect();
                format!("one of {}", names.join(", "))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(NameOrNumber::<$name>::new(
                    Self::from_name,
                    Self::from_number,
                    Self::expected,
                ))
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::ALL.iter().map(|(_, n, _)| *n)))
                    .description(Some(concat!(
                        "SuperOffice's `", stringify!($name), "`, by name (a request may give the number instead)"
                    )))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            /// Named apart from the project's own enums (a webhook's `EventType` is another one).
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(concat!("SuperOffice", stringify!($name)))
            }
        }
    };
}

/// Reads an enum from a name (any case) or its number.
struct NameOrNumber<T> {
    by_name: fn(&str) -> Option<T>,
    by_number: fn(i64) -> Option<T>,
    expected: fn() -> String,
}

impl<T> NameOrNumber<T> {
    fn new(by_name: fn(&str) -> Option<T>, by_number: fn(i64) -> Option<T>, expected: fn() -> String) -> Self {
        Self { by_name, by_number, expected }
    }
}

impl<T> Visitor<'_> for NameOrNumber<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&(self.expected)())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.by_name)(v).ok_or_else(|| E::custom(format!("unknown value `{v}`: expected {}", (self.expected)())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        (self.by_number)(v).ok_or_else(|| E::custom(format!("unknown value {v}: expected {}", (self.expected)())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => Err(E::custom(format!("unknown value {v}: expected {}", (self.expected)()))),
        }
    }
}

so_enum!(
    /// An email flow's status (`WorkflowDefinitionStatus`).
    WorkflowStatus { None = 0, Stopped = 1, Paused = 2, Running = 3 }
);
so_enum!(
    /// How an email's From address is chosen.
    EmailFromType { FromOnlySpecified = 0, FromSalesContact = 1, FromSupportContact = 2 }
);
so_enum!(
    /// How an email's Reply-To address is chosen.
    EmailReplyToType { ReplyToOnlySpecified = 0, ReplyToSalesContact = 1, ReplyToSupportContact = 2, ReplyToEmpty = 3 }
);
so_enum!(
    /// A step's type (`WorkflowStepType`).
    StepType {
        None = 0, SendEmail = 1, SendSMS = 2, WaitForTime = 3, WaitForAction = 4, Split = 5, UpdateParticipant = 6,
        AddToList = 7, RemoveFromList = 8, CreateRequest = 9, CreateFollowUp = 10, CreateSale = 11,
        NotifyByEmail = 12, NotifyBySMS = 13, RunScript = 14, DistributeToOwner = 15,
    }
);
so_enum!(
    /// What starts a participant on a flow (`WorkflowTriggerType`).
    TriggerType {
        None = 0, PersonCreated = 1, PersonUpdated = 2, AddedToProject = 3, CreatedRequest = 4, LinkClicked = 5,
        AddedToSelection = 6, FormSubmitted = 7, AddedMessage = 8, StartedChat = 9, OrderPlaced = 10,
        SaleCreated = 11, SaleSold = 12, SaleLost = 13,
    }
);
so_enum!(
    /// What counts as a participant reaching a flow's goal (`WorkflowGoalType`).
    GoalType {
        None = 0, PersonUpdated = 1, SaleCreatedOnPerson = 2, SaleCreatedOnCompany = 3, AppointmentCreated = 4,
        AddedToProject = 5, AddedToSelection = 6, FormSubmitted = 7, HadChat = 8, LinkClicked = 9,
        RequestCreated = 10,
    }
);
so_enum!(
    /// How a WaitForTime step waits.
    TimeWaitAlgorithm { None = 0, NumIntervals = 1, UntilSpecified = 2, UntilDateField = 3 }
);
so_enum!(
    /// The unit of a wait.
    IntervalType { None = 0, Seconds = 1, Minutes = 2, Hours = 3, WorkingDays = 4, Days = 5, Weeks = 6 }
);
so_enum!(
    /// What a WaitForAction step waits for.
    WaitForActionType { None = 0, LinkClicked = 1, FormSubmitted = 2 }
);
so_enum!(
    /// What a Split step splits on, and the type of each of its options.
    SplitOptionType {
        None = 0, PersonData = 1, FormSubmission = 2, LinkClicked = 3, ProjectMembership = 4,
        SelectionMembership = 5, FormData = 6,
    }
);
so_enum!(
    /// An event sent to the workflow engine (`WorkflowEventType`).
    EventType {
        None = 0, Run = 1, PersonCreated = 1001, PersonUpdated = 1002, AddedToProject = 1003, CreatedRequest = 1004,
        LinkClicked = 1005, AddedToSelection = 1006, FormSubmitted = 1007, AddedMessage = 1008, StartedChat = 1009,
        OrderPlaced = 1010, SaleCreated = 1011, SaleSold = 1012, SaleLost = 1013,
    }
);
so_enum!(
    /// When a created follow-up or sale is due.
    ActionType { None = 0, FirstAvailable = 1, FirstAvailableAfter = 2, Today = 3, After = 4, Estimated = 5 }
);
so_enum!(
    /// Who owns a created follow-up.
    OwnerType { None = 0, Specified = 1, OurContact = 2, OurSupportContact = 3 }
);
so_enum!(
    /// Who a NotifyByEmail step writes to.
    NotifyEmailType { OurContact = 0, OurServiceContact = 1, SpecificEmailAddress = 2 }
);
so_enum!(
    /// Who a NotifyBySMS step texts.
    NotifySmsType { OurContact = 0, OurServiceContact = 1, SpecificPhoneNumbers = 2 }
);
so_enum!(
    /// Whether a created follow-up's time shows as busy or free.
    FreeBusy { Busy = 0, Free = 1 }
);
so_enum!(
    /// The domain of a folder (an email flow's is `EmailFlows`).
    Domain {
        Unknown = 0, ExtraTables = 1, ScreenDefinitions = 2, Scripts = 3, Selections = 4, ExternalDocuments = 5,
        UserGroups = 6, ExternalDocumentRelatedToSpmMessage = 7, Dashboards = 8, EmailFlows = 9,
    }
);
so_enum!(
    /// How a restriction joins the next one.
    InterOperator { None = 0, And = 1, Or = 2 }
);

/// The days of a flow's sending timeframe (`Weekday`, a flags enum): read as a bit mask (Monday 1 … Sunday 64, as
/// SuperOffice's client sends it back) or as names (`"Monday, Friday"`), written as names joined by `, `, or
/// `Unknown` for none (its client throws on a non-zero number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Weekdays(u8);

impl Weekdays {
    pub const DAYS: [(&'static str, u8); 7] = [
        ("Monday", 1),
        ("Tuesday", 2),
        ("Wednesday", 4),
        ("Thursday", 8),
        ("Friday", 16),
        ("Saturday", 32),
        ("Sunday", 64),
    ];

    pub fn from_mask(mask: i64) -> Result<Self, String> {
        u8::try_from(mask).ok().filter(|m| *m < 128).map(Self).ok_or_else(|| {
            format!("{mask} is no set of days: a bit mask from 0 to 127 (Monday 1, Tuesday 2, … Sunday 64)")
        })
    }

    pub fn parse(names: &str) -> Result<Self, String> {
        let mut mask = 0;
        for name in names.split([',', '|']).map(str::trim).filter(|n| !n.is_empty()) {
            if name.eq_ignore_ascii_case("Unknown") {
                continue;
            }
            if let Ok(number) = name.parse::<i64>() {
                mask |= Self::from_mask(number)?.0;
                continue;
            }
            let (_, bit) = Self::DAYS.iter().find(|(day, _)| day.eq_ignore_ascii_case(name)).ok_or_else(|| {
                format!("unknown day `{name}`: expected day names (Monday … Sunday) joined by commas, or a bit mask")
            })?;
            mask |= bit;
        }
        Ok(Self(mask))
    }

    pub fn mask(self) -> u8 {
        self.0
    }

    /// Whether a weekday (Monday 0 … Sunday 6) is among these days.
    pub fn contains(self, monday_based: u8) -> bool {
        monday_based < 7 && self.0 & (1 << monday_based) != 0
    }
}

impl std::fmt::Display for Weekdays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = Self::DAYS.iter().filter(|(_, bit)| self.0 & bit != 0).map(|(n, _)| *n).collect();
        if names.is_empty() {
            f.write_str("Unknown")
        } else {
            f.write_str(&names.join(", "))
        }
    }
}

impl Serialize for Weekdays {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Weekdays {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Days;
        impl Visitor<'_> for Days {
            type Value = Weekdays;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("day names joined by commas, or a bit mask")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Weekdays, E> {
                Weekdays::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Weekdays, E> {
                Weekdays::from_mask(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Weekdays, E> {
                Weekdays::from_mask(i64::try_from(v).unwrap_or(i64::MAX)).map_err(E::custom)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Weekdays, E> {
                Ok(Weekdays::default())
            }
        }
        deserializer.deserialize_any(Days)
    }
}

impl utoipa::PartialSchema for Weekdays {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .examples(["Monday, Tuesday, Wednesday, Thursday, Friday"])
            .description(Some(
                "Day names joined by `, ` (`Unknown` for none); a request may give the bit mask (Monday 1 … Sunday 64)",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Weekdays {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_read_names_in_any_case_and_numbers_and_write_names() {
        let read = |v: serde_json::Value| serde_json::from_value::<WorkflowStatus>(v);
        assert_eq!(read(serde_json::json!("Running")).unwrap(), WorkflowStatus::Running);
        assert_eq!(read(serde_json::json!("paused")).unwrap(), WorkflowStatus::Paused);
        assert_eq!(read(serde_json::json!(1)).unwrap(), WorkflowStatus::Stopped);
        assert!(read(serde_json::json!("Bogus")).unwrap_err().to_string().contains("Stopped, Paused, Running"));
        assert!(read(serde_json::json!(7)).is_err());
        assert_eq!(serde_json::to_value(StepType::SendSMS).unwrap(), "SendSMS");
        for (value, name, number) in EventType::ALL {
            assert_eq!(EventType::from_name(name), Some(*value));
            assert_eq!(EventType::from_number(*number), Some(*value));
        }
    }

    #[test]
    fn weekdays_read_masks_and_names_and_write_names() {
        assert_eq!(Weekdays::from_mask(31).unwrap().to_string(), "Monday, Tuesday, Wednesday, Thursday, Friday");
        assert_eq!(Weekdays::parse("Monday, Friday").unwrap().mask(), 17);
        assert_eq!(Weekdays::parse("monday,friday").unwrap().mask(), 17);
        assert_eq!(Weekdays::parse("Unknown").unwrap().to_string(), "Unknown");
        assert_eq!(Weekdays::from_mask(0).unwrap().to_string(), "Unknown");
        assert!(Weekdays::from_mask(128).is_err());
        assert!(Weekdays::parse("Funday").is_err());
        assert!(Weekdays::from_mask(96).unwrap().contains(5) && !Weekdays::from_mask(96).unwrap().contains(0));
    }
}
