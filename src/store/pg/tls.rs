//! TLS to the server, as libpq's `sslmode` asks: `prefer` and `require` encrypt without
//! checking who answers, `verify-ca` checks the certificate against a trusted authority,
//! `verify-full` also that it names the host. The authorities are libpq's: the file
//! `sslrootcert` names, or `~/.postgresql/root.crt`; `sslrootcert=system` trusts the
//! system's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::SslMode;

/// Where the trusted authorities come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// A PEM file (`sslrootcert=FILE`, or `~/.postgresql/root.crt`).
    File(PathBuf),
    /// The system's (`sslrootcert=system`).
    System,
}

impl Roots {
    /// libpq's default: `~/.postgresql/root.crt`.
    pub fn default_file() -> Option<PathBuf> {
        std::env::var_os("HOME").map(|h| Path::new(&h).join(".postgresql/root.crt"))
    }
}

/// The connector for `mode`, or why there cannot be one (no trusted authority to check with).
pub fn connector(mode: SslMode, roots: Option<&Roots>) -> Result<MakeRustlsConnect, String> {
    #[expect(
        deprecated,
        reason = "ring's provider lacks post-quantum key exchange; aws-lc's would need CMake and a C build"
    )]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS could not be set up: {e}"))?;
    let config = match mode {
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let store = root_store(roots)?;
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
                .build()
                .map_err(|e| format!("TLS could not be set up: {e}"))?;
            if mode == SslMode::VerifyFull {
                builder.with_webpki_verifier(webpki).with_no_client_auth()
            } else {
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(AnyName(webpki)))
                    .with_no_client_auth()
            }
        }
        _ => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
            .with_no_client_auth(),
    };
    Ok(MakeRustlsConnect::new(config))
}

fn root_store(roots: Option<&Roots>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match roots {
        Some(Roots::System) => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                let _ = store.add(cert);
            }
        }
        Some(Roots::File(path)) => {
            let certs = CertificateDer::pem_file_iter(path).map_err(|e| {
                format!(
                    "the trusted authorities in {} cannot be read: {e}",
                    path.display()
                )
            })?;
            for cert in certs {
                let cert = cert.map_err(|e| {
                    format!(
                        "the trusted authorities in {} cannot be read: {e}",
                        path.display()
                    )
                })?;
                store.add(cert).map_err(|e| {
                    format!("{} holds a certificate pim cannot use: {e}", path.display())
                })?;
            }
        }
        None => {
            return Err("checking the server's certificate needs a trusted authority: put it in ~/.postgresql/root.crt, or name it with sslrootcert=FILE (sslrootcert=system trusts the system's)".into());
        }
    }
    if store.is_empty() {
        return Err("no trusted authority was found to check the server's certificate with".into());
    }
    Ok(store)
}

/// `verify-ca`: the chain must lead to a trusted authority; the name in it is not checked.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require`: encrypted, whoever answers (as libpq does without a root
/// certificate); the handshake's signatures are still checked.
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
