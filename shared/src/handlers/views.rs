//! How entities are shown: Flowdock's organization, user and flow objects, and the API key view.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::model::{AccessMode, ApiKey, Flow, Organization, User};

pub fn organization(config: &Config, org: &Organization) -> Value {
    json!({
        "id": org.id,
        "name": org.name,
        "parameterized_name": org.slug.as_str(),
        "user_limit": 0,
        "user_count": org.user_count,
        "active": true,
        "url": format!("{}/organizations/{}", config.api_base_url, org.slug.as_str()),
        "tier": org.tier,
    })
}

pub fn user(user: &User) -> Value {
    let avatar_hash = hex::encode(Sha256::digest(user.email.key().as_bytes()));
    let mut v = json!({
        "id": user.id,
        "nick": user.nick,
        "name": user.name,
        "email": user.email.as_str(),
        "avatar": format!("https://www.gravatar.com/avatar/{avatar_hash}"),
        "status": null,
        "disabled": user.disabled,
        "last_activity": user.created_at.unix_millis(),
        "last_ping": user.created_at.unix_millis(),
    });
    if let Some(ext) = &user.external_id {
        v["externalId"] = json!(ext);
    }
    v
}

/// A flow as Flowdock shows it, with Frigade's content beside it (`flowType`, `steps`, `version`).
pub fn flow(config: &Config, org: &Organization, flow: &Flow, users: &[User], joined: bool) -> Value {
    let org_slug = org.slug.as_str();
    let slug = flow.slug.as_str();
    let mut v = json!({
        "id": flow.id.as_str(),
        "name": flow.name,
        "parameterized_name": slug,
        "organization": organization(config, org),
        "unread_mentions": 0,
        "open": joined,
        "joined": joined,
        "url": format!("{}/flows/{org_slug}/{slug}", config.api_base_url),
        "web_url": format!("{}/app/{org_slug}/{slug}", config.web_base_url),
        "access_mode": flow.access_mode.as_str(),
        "disabled": flow.disabled,
        "flowType": flow.flow_type,
        "steps": flow.steps.iter().map(|s| json!({
            "id": s.id,
            "title": s.title,
            "estimatedMinutes": s.estimated_minutes,
        })).collect::<Vec<_>>(),
        "version": flow.version,
        "users": users.iter().map(user).collect::<Vec<_>>(),
    });
    if flow.access_mode != AccessMode::Invitation {
        v["join_url"] = json!(format!("{}/invitations/{}-{slug}", config.web_base_url, flow.join_token));
    }
    v
}

pub fn api_key(key: &ApiKey) -> Value {
    json!({
        "id": key.id.as_str(),
        "kind": key.kind.as_str(),
        "prefix": key.prefix,
        "userId": key.user_id,
        "createdAt": key.created_at,
        "revokedAt": key.revoked_at,
    })
}
