//! AWS SDK clients, built once per process from the standard environment variables: `AWS_REGION` (or
//! `AWS_DEFAULT_REGION`), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, and
//! `AWS_ENDPOINT_URL` (or the service's own `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`) for local
//! servers such as moto.
//!
//! TLS: the clients trust the roots every AWS endpoint chains to (Amazon Root CA 1-4 and Starfield Services Root
//! G2), compiled in from `shared/certs/aws-roots.pem`, so that a function reads no certificate file at start
//! (the SDK's default client opens every file in /etc/ssl/certs when it is built, ~150 here). The list is frozen
//! at build time: rebuild to take a change of Amazon's roots (a test holds the file against Mozilla's list in
//! `webpki-root-certs`). `AWS_CA_BUNDLE`, the SDKs' standard variable, adds the roots of a PEM file (the bench's
//! TLS test CA, a corporate proxy).
//!
//! This is exactly what the Lambda service gives a function. We build the clients from it directly rather than
//! through `aws-config`'s default chain (profiles, SSO, web identity through STS, ECS, IMDS), which a function
//! never uses: it would add an STS client and the metadata-service code to every binary, and a metadata probe to
//! any run that lacks a credential. To use a profile locally, export it first
//! (`eval "$(aws configure export-credentials --format env)"`).

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, HttpClient, Region, RuntimeComponents, SharedHttpClient};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};

use std::sync::{Arc, OnceLock};

use crate::config::{Config, ConfigError};
use crate::lazy::Lazy;
use crate::queue::sqs::SqsQueue;
use crate::store::dynamo::DynamoStore;

/// The roots every AWS endpoint chains to, compiled in.
pub const AWS_ROOTS_PEM: &[u8] = include_bytes!("../certs/aws-roots.pem");

/// The TLS context of the HTTPS client: trusting `pem`. The SDK reads the certificates only when the first
/// connection is made, and panics on one it cannot use: a bundle is checked by [`check_bundle`] first.
fn tls_context(pem: &[u8]) -> Result<TlsContext, ConfigError> {
    TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(pem))
        .build()
        .map_err(|e| ConfigError { name: "AWS_CA_BUNDLE", problem: format!("is not a usable PEM bundle: {e}") })
}

/// A CA bundle read as the SDK's connector will read it (every PEM block a certificate, each one a usable trust
/// anchor), so that a bundle it cannot use stops the start, named, rather than the first request.
fn check_bundle(path: &str, pem: &[u8]) -> Result<(), ConfigError> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let problem = |problem: String| ConfigError { name: "AWS_CA_BUNDLE", problem: format!("({path}) {problem}") };
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| problem(format!("is not a PEM bundle of certificates: {e}")))?;
    if certs.is_empty() {
        return Err(problem("holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into()));
    }
    let mut roots = rustls::RootCertStore::empty();
    for (i, cert) in certs.into_iter().enumerate() {
        roots.add(cert).map_err(|e| problem(format!("certificate {} cannot be trusted: {e}", i + 1)))?;
    }
    Ok(())
}

/// The HTTPS client both SDK clients share: rustls on ring (see [`crate::tls`]).
fn http_client(context: TlsContext) -> SharedHttpClient {
    SharedHttpClient::new(OneConnector(
        aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .tls_context(context)
            .build_https(),
    ))
}

/// The HTTPS client the functions use, trusting the AWS roots: for SDK clients built outside [`AwsSettings`] (the
/// tests'), which the SDK gives no client of its own (its `default-https-client`, on aws-lc, is left out).
pub fn https_client() -> SharedHttpClient {
    http_client(tls_context(AWS_ROOTS_PEM).expect("the compiled-in roots are usable"))
}

/// The SDK's HTTPS client, minus its check at client construction, which builds a connector (TLS configuration
/// included) only to drop it: with clients built on first use, that would be twice the TLS set-up on a function's
/// first call. The connector the first request builds is cached and shared, as before.
#[derive(Clone, Debug)]
struct OneConnector(SharedHttpClient);

impl HttpClient for OneConnector {
    fn http_connector(
        &self,
        settings: &aws_smithy_runtime_api::client::http::HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> aws_smithy_runtime_api::client::http::SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// What every client needs: where, who, (locally) which endpoint, and the roots to trust.
#[derive(Clone, Debug)]
pub struct AwsSettings {
    region: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    endpoint_url: Option<String>,
    dynamodb_endpoint_url: Option<String>,
    sqs_endpoint_url: Option<String>,
    /// The roots to trust, PEM.
    roots: Arc<Vec<u8>>,
    /// Built on first use, once for both clients.
    http: Arc<OnceLock<SharedHttpClient>>,
}

impl AwsSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let required = |name: &'static str| {
            get(name).ok_or(ConfigError { name, problem: "must be set for the dynamodb backend".into() })
        };
        let mut roots = AWS_ROOTS_PEM.to_vec();
        if let Some(bundle) = get("AWS_CA_BUNDLE") {
            let extra = std::fs::read(&bundle).map_err(|e| ConfigError {
                name: "AWS_CA_BUNDLE",
                problem: format!("cannot be read ({bundle}): {e}"),
            })?;
            check_bundle(&bundle, &extra)?;
            roots.push(b'\n');
            roots.extend(extra);
        }
        Ok(Self {
            region: get("AWS_REGION")
                .or_else(|| get("AWS_DEFAULT_REGION"))
                .ok_or(ConfigError { name: "AWS_REGION", problem: "must be set for the dynamodb backend".into() })?,
            access_key_id: required("AWS_ACCESS_KEY_ID")?,
            secret_access_key: required("AWS_SECRET_ACCESS_KEY")?,
            session_token: get("AWS_SESSION_TOKEN"),
            endpoint_url: get("AWS_ENDPOINT_URL"),
            dynamodb_endpoint_url: get("AWS_ENDPOINT_URL_DYNAMODB"),
            sqs_endpoint_url: get("AWS_ENDPOINT_URL_SQS"),
            roots: Arc::new(roots),
            http: Arc::new(OnceLock::new()),
        })
    }

    fn credentials(&self) -> Credentials {
        Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            self.session_token.clone(),
            None,
            "environment",
        )
    }

    fn http(&self) -> SharedHttpClient {
        self.http
            .get_or_init(|| {
                http_client(tls_context(&self.roots).expect("the compiled-in roots and a checked bundle are usable"))
            })
            .clone()
    }

    /// A DynamoDB client built on first use.
    pub fn lazy_dynamodb(&self) -> Lazy<aws_sdk_dynamodb::Client> {
        let settings = self.clone();
        Lazy::new(move || settings.dynamodb())
    }

    /// An SQS client built on first use.
    pub fn lazy_sqs(&self) -> Lazy<aws_sdk_sqs::Client> {
        let settings = self.clone();
        Lazy::new(move || settings.sqs())
    }

    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        let mut config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()))
            .credentials_provider(self.credentials())
            .http_client(self.http());
        if let Some(url) = self.dynamodb_endpoint_url.as_ref().or(self.endpoint_url.as_ref()) {
            config = config.endpoint_url(url);
        }
        aws_sdk_dynamodb::Client::from_conf(config.build())
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        let mut config = aws_sdk_sqs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()))
            .credentials_provider(self.credentials())
            .http_client(self.http());
        if let Some(url) = self.sqs_endpoint_url.as_ref().or(self.endpoint_url.as_ref()) {
            config = config.endpoint_url(url);
        }
        aws_sdk_sqs::Client::from_conf(config.build())
    }

    /// Creates the table and the queues when missing: for local runs against moto
    /// (`FLOWS_CREATE_RESOURCES=1`). Only the local server calls this, so the Lambda binaries do not carry the
    /// resource-management code; deployed resources come from `template.yaml`.
    pub async fn create_resources(&self, config: &Config) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        DynamoStore::new(self.dynamodb(), config.table_name.clone()).create_table_if_missing().await?;
        if !config.queue.starts_with("http") {
            SqsQueue::create_if_missing(self.sqs(), &config.queue).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_come_from_the_standard_variables() {
        let env = |name: &str| match name {
            "AWS_DEFAULT_REGION" => Some("eu-west-1".to_owned()),
            "AWS_ACCESS_KEY_ID" => Some("AKID".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("secret".to_owned()),
            "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:5055".to_owned()),
            _ => None,
        };
        let settings = AwsSettings::from_lookup(env).unwrap();
        assert_eq!(settings.region, "eu-west-1");
        assert_eq!(settings.endpoint_url.as_deref(), Some("http://127.0.0.1:5055"));
        let client = settings.dynamodb();
        assert_eq!(client.config().region().map(|r| r.as_ref()), Some("eu-west-1"));
    }

    #[test]
    fn the_compiled_in_roots_are_the_aws_roots_of_mozillas_list() {
        let text = std::str::from_utf8(AWS_ROOTS_PEM).unwrap();
        let certs: Vec<Vec<u8>> = text
            .split("-----BEGIN CERTIFICATE-----")
            .skip(1)
            .map(|block| {
                let body: String =
                    block.split("-----END CERTIFICATE-----").next().unwrap().split_whitespace().collect();
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body).unwrap()
            })
            .collect();
        assert_eq!(certs.len(), 5);
        for cert in &certs {
            assert!(
                webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().any(|root| root.as_ref() == cert.as_slice()),
                "a compiled-in root is no longer in Mozilla's list: refresh shared/certs/aws-roots.pem"
            );
        }
    }

    #[test]
    fn an_unreadable_ca_bundle_is_named() {
        let err = AwsSettings::from_lookup(|n| match n {
            "AWS_REGION" => Some("us-east-1".into()),
            "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" => Some("testing".into()),
            "AWS_CA_BUNDLE" => Some("/nonexistent/ca.pem".into()),
            _ => None,
        })
        .unwrap_err();
        assert_eq!(err.name, "AWS_CA_BUNDLE");
    }

    #[test]
    fn a_ca_bundle_the_connector_could_not_use_stops_the_start() {
        let dir = std::env::temp_dir().join(format!("flows-ca-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let settings = |contents: &[u8]| {
            let path = dir.join("ca.pem");
            std::fs::write(&path, contents).unwrap();
            AwsSettings::from_lookup(|n| match n {
                "AWS_REGION" => Some("us-east-1".into()),
                "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" => Some("testing".into()),
                "AWS_CA_BUNDLE" => Some(path.display().to_string()),
                _ => None,
            })
        };
        let not_base64 = b"-----BEGIN CERTIFICATE-----\nnot a certificate!\n-----END CERTIFICATE-----\n";
        let not_der = b"-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
        for (contents, says) in [
            (&b"just text"[..], "holds no PEM certificate"),
            (&not_base64[..], "is not a PEM bundle of certificates"),
            (&not_der[..], "certificate 1 cannot be trusted"),
        ] {
            let err = settings(contents).unwrap_err();
            assert_eq!(err.name, "AWS_CA_BUNDLE");
            assert!(err.problem.contains(says), "{}", err.problem);
        }
        // A bundle of real certificates is taken.
        assert!(settings(AWS_ROOTS_PEM).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_credentials_are_named() {
        let err = AwsSettings::from_lookup(|n| (n == "AWS_REGION").then(|| "us-east-1".to_owned())).unwrap_err();
        assert_eq!(err.name, "AWS_ACCESS_KEY_ID");
    }
}
