//! A real SMTP server for the delivery tests: `tests/smtp_server.py`
//! (Python's aiosmtpd) in a child process on 127.0.0.1, on a free port.
//! `scripts/test-deps.sh` installs aiosmtpd; without it these tests fail
//! and say so. `PORTALCTL_TEST_PYTHON` names the Python to use; else the
//! virtualenv that script may have made, else `python3`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// The server script.
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_server.py")
}

fn python() -> String {
    if let Ok(python) = std::env::var("PORTALCTL_TEST_PYTHON") {
        return python;
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/smtp-venv/bin/python");
    if venv.exists() {
        return venv.to_string_lossy().into_owned();
    }
    "python3".into()
}

/// What to do when Python or aiosmtpd is missing: fail, naming the step.
const INSTALL: &str = "the SMTP tests need Python 3 with aiosmtpd: run `scripts/test-deps.sh` \
     (it installs it), or set PORTALCTL_TEST_PYTHON";

/// A running server; stopped when dropped.
pub struct SmtpServer {
    child: Child,
    dir: TempDir,
    /// The port it listens on.
    pub port: u16,
}

impl SmtpServer {
    /// Starts a server that accepts every message.
    #[track_caller]
    pub fn start() -> SmtpServer {
        SmtpServer::with(&[])
    }

    /// Starts a server with the script's `options`: `--reply "550 ..."`
    /// to refuse every message, `--auth USER:PASSWORD` to require a login.
    #[track_caller]
    pub fn with(options: &[&str]) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(python())
            .arg(script())
            .arg("--dir")
            .arg(dir.path())
            .args(options)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{}` ({e}); {INSTALL}", python()));
        let deadline = Instant::now() + Duration::from_secs(15);
        let port = loop {
            if let Some(port) = std::fs::read_to_string(dir.path().join("port"))
                .ok()
                .and_then(|p| p.trim().parse().ok())
            {
                break port;
            }
            if let Some(status) = child.try_wait().unwrap() {
                let mut said = String::new();
                if let Some(mut err) = child.stderr.take() {
                    std::io::Read::read_to_string(&mut err, &mut said).unwrap();
                }
                panic!("the SMTP test server exited ({status}): {said}\n{INSTALL}");
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the SMTP test server did not listen within 15 s; {INSTALL}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        SmtpServer { child, dir, port }
    }

    /// Its URL, with no TLS on offer: `smtp://` uses STARTTLS only when a
    /// server offers it.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages it accepted, in order, each as the script decoded it
    /// (`mail_from`, `rcpt_tos`, `subject`, `text`, `html`, `raw`, ...).
    pub fn received(&self) -> Vec<Value> {
        crate::support::json_files(self.dir.path())
            .iter()
            .map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `.eml` files as the script decodes them (Python's own MIME parser).
#[track_caller]
pub fn decode(files: &[PathBuf]) -> Vec<Value> {
    let out = Command::new(python())
        .arg(script())
        .arg("--decode")
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot start `{}` ({e}); {INSTALL}", python()));
    assert!(
        out.status.success(),
        "decoding failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A port on 127.0.0.1 where nothing listens.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The invitation token in a message's plain-text body.
#[track_caller]
pub fn token_in(message: &Value) -> String {
    let text = message["text"].as_str().unwrap();
    text.split_whitespace()
        .find(|w| w.starts_with("pinv_"))
        .unwrap_or_else(|| panic!("no token in: {text}"))
        .to_string()
}
