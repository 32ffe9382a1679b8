//! Handing email over: the [`Mailer`] seam the domain sends through, and its
//! two implementations, an SMTP client ([`SmtpMailer`], lettre) and a
//! directory of RFC 5322 `.eml` files ([`DirMailer`]).
//!
//! The domain decides what is sent, when, and what an outcome means for the
//! outbox; this module only turns a [`Mail`] into a message and hands it
//! over. Both implementations build the message with lettre, so headers
//! are encoded (RFC 2047) the same way whichever way it leaves.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{SmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::commands::Mail as MailFrom;
use lettre::transport::smtp::extension::{ClientId, Extension};
use lettre::transport::smtp::PoolConfig;
use lettre::{Message, SmtpTransport, Transport as _};

use crate::error::{Error, Result};
use crate::model::{Mailbox, Timestamp};

/// One email ready to go: the token, if any, already in its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mail {
    /// The outbox row it comes from (names the `.eml` file).
    pub outbox_id: i64,
    /// The sender (`settings set mail-from`).
    pub from: Mailbox,
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// Its `Date:`.
    pub date: Timestamp,
}

/// Why a message was not handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Undelivered {
    /// The other side answered no (an SMTP 4xx or 5xx reply, or a file that
    /// could not be written): the message was not taken.
    Refused(String),
    /// The exchange broke off before an answer (a dropped connection, a
    /// timeout): the message may have arrived or not.
    InDoubt(String),
    /// Refused before a byte of it was sent, for what the message is: no
    /// later attempt through the same server can go otherwise (an address
    /// with letters beyond ASCII before its `@`, to a server offering no
    /// SMTPUTF8). Only a change of the server, or of where the email goes,
    /// helps.
    Unsendable(String),
    /// The server wants a login (or TLS) first, `530`: it says so of the
    /// run, not of this email, and no other email of the run gets past
    /// it either. Nothing of the message was taken.
    NeedsLogin(String),
}

/// Why messages cannot be handed over at all, before any is tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotReady {
    /// Out of reach for now (down, a timeout, a 4xx reply): a later run
    /// may get through.
    Down(String),
    /// Set up wrong (a `--to-dir` that is no directory, a login the server
    /// refuses or cannot take): no later run gets through until it is
    /// fixed.
    Misconfigured(String),
    /// The server cannot take the run's sender (`mail-from`), whatever the
    /// URL: no later run gets through until the setting changes.
    Sender(String),
}

/// Where `outbox send` hands messages. The domain calls it between its
/// short transactions, never inside one.
pub(crate) trait Mailer {
    /// Where messages go, for reports: never a password.
    fn destination(&self) -> String;
    /// Checks that messages can be handed over at all (the server answers,
    /// takes the login and takes `from` as the sender; the directory can
    /// be written), so that a run against a server that is down touches
    /// no message. Says why not.
    fn ready(&mut self, from: &Mailbox) -> std::result::Result<(), NotReady>;
    /// Hands one message over; `Ok` once the other side has taken it.
    fn deliver(&mut self, mail: &Mail) -> std::result::Result<(), Undelivered>;
}

/// A header value with every control character (CR and LF above all) made
/// a space: a name can never start a header line of its own.
fn header_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The Subject header for `subject`, whose text a member chose (an
/// account's name). A word written as an RFC 2047 encoded word
/// (`=?utf-8?q?Acme_Ltd?=`) is decoded by every mail reader, which would
/// show text the tool never held: a name taken by another account, a
/// bidirectional override. A subject holding `=?` is so written encoded
/// whole, and a reader shows it literally; any other is left to lettre,
/// which encodes what is not ASCII.
fn subject_header(subject: &str) -> std::result::Result<HeaderValue, String> {
    let name = HeaderName::new_from_ascii_str("Subject");
    let subject = header_safe(subject);
    if !subject.contains("=?") {
        return Ok(HeaderValue::new(name, subject));
    }
    let mut encoded = String::new();
    {
        let mut writer = email_encoding::headers::writer::EmailWriter::new(
            &mut encoded,
            "Subject: ".len(),
            0,
            false,
        );
        email_encoding::headers::rfc2047::encode(&subject, &mut writer)
            .map_err(|e| format!("the subject: {e}"))?;
    }
    // Pre-encoded: only base64 words, `=?utf-8?b?`, and the folding the
    // encoder wrote, so no text of the subject's own reaches the header.
    Ok(HeaderValue::dangerous_new_pre_encoded(
        name, subject, encoded,
    ))
}

/// The plain-text body as a small HTML page: paragraphs at blank lines,
/// every character that HTML gives a meaning escaped.
fn html_body(text: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            if p.starts_with("    ") {
                // The command to run, as the text shows it.
                format!("<pre>{}</pre>", escape(p.trim()))
            } else {
                format!("<p>{}</p>", escape(p.trim()).replace('\n', "<br>\n"))
            }
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html><body>\n{}\n</body></html>\n",
        paragraphs.join("\n")
    )
}

/// `address` as it goes on the wire: its domain in ASCII (IDNA, `xn--`),
/// the one spelling every mail server takes, where the database keeps the
/// Unicode form (`bücher.test` goes as `xn--bcher-kva.test`). The local
/// part has no ASCII spelling and is kept; an ASCII domain (an IP literal
/// among them) is left as it is.
fn wire_address(address: &str) -> std::result::Result<lettre::Address, String> {
    let (local, domain) = address
        .rsplit_once('@')
        .ok_or_else(|| format!("`{address}` has no `@`"))?;
    let domain = if domain.is_ascii() {
        domain.to_string()
    } else {
        idna::domain_to_ascii(domain)
            .map_err(|_| format!("the domain of `{address}` has no ASCII (IDNA) form"))?
    };
    lettre::Address::new(local, &domain).map_err(|e| format!("`{address}`: {e}"))
}

/// Whether `address` can only be sent through a server offering
/// SMTPUTF8: its local part is not ASCII (its domain always can be).
fn needs_smtputf8(address: &str) -> bool {
    address
        .rsplit_once('@')
        .is_some_and(|(local, _)| !local.is_ascii())
}

/// The RFC 5322 message for `mail`: plain text with an HTML alternative.
fn message(mail: &Mail) -> std::result::Result<Message, String> {
    let sender = wire_address(mail.from.email.as_str()).map_err(|e| format!("the sender {e}"))?;
    let domain = sender.domain().to_string();
    let from = lettre::message::Mailbox::new(mail.from.name.as_deref().map(header_safe), sender);
    let to = lettre::message::Mailbox::new(
        None,
        wire_address(&mail.to).map_err(|e| format!("the recipient {e}"))?,
    );
    let unique = getrandom::u64().map_err(|e| format!("the system's random source: {e}"))?;
    let date = chrono::DateTime::parse_from_rfc3339(&mail.date.to_string())
        .map_err(|e| format!("the date `{}`: {e}", mail.date))?;
    Message::builder()
        .from(from)
        .to(to)
        .raw_header(subject_header(&mail.subject)?)
        .date(date.into())
        .message_id(Some(format!(
            "<portalctl.{}.{unique:016x}@{domain}>",
            mail.outbox_id
        )))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(as_written(&mail.text)),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(as_written(&html_body(&mail.text))),
                ),
        )
        .map_err(|e| e.to_string())
}

/// A part's body written as it reads (`7bit`) when it is ASCII with no
/// line past SMTP's 998 octets: quoted-printable, lettre's choice for a
/// line past 76 columns, cut the accept line inside its token with a soft
/// `=`, so whoever greps a `--to-dir` file for the token got half of it.
/// Other text (a name with a letter beyond ASCII) goes as base64, which
/// folds no line of the text, whatever the name: quoted-printable would
/// cut the accept line again, and `8bit` would need a server that takes
/// it.
fn as_written(text: &str) -> Body {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let plain = crlf.is_ascii()
        && crlf
            .split("\r\n")
            .all(|line| line.len() <= 998 && !line.contains(['\0', '\r']));
    if plain {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
    } else {
        Body::new_with_encoding(crlf, ContentTransferEncoding::Base64)
            .unwrap_or_else(|_| Body::new(text.to_string()))
    }
}

/// How `smtp://` connections use TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    /// STARTTLS when the server offers it (`smtp://`, the default).
    Opportunistic,
    /// STARTTLS or refuse to go on (`?tls=required`).
    Required,
    /// Never (`?tls=none`): a local relay.
    None,
    /// TLS from the first byte (`smtps://`).
    Wrapper,
}

/// A parsed SMTP URL: `smtp[s]://[user[:password]@]host[:port][?tls=...]`.
/// Its `Display` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SmtpUrl {
    host: String,
    port: u16,
    tls: TlsMode,
    user: Option<String>,
    password: Option<String>,
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmtpUrl({self})")
    }
}

impl std::fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.tls == TlsMode::Wrapper {
            "smtps"
        } else {
            "smtp"
        };
        write!(f, "{scheme}://")?;
        if let Some(user) = &self.user {
            let hidden = if self.password.is_some() { ":***" } else { "" };
            write!(f, "{user}{hidden}@")?;
        }
        write!(f, "{}:{}", self.host, self.port)?;
        match self.tls {
            TlsMode::Required => write!(f, "?tls=required"),
            TlsMode::None => write!(f, "?tls=none"),
            TlsMode::Opportunistic | TlsMode::Wrapper => Ok(()),
        }
    }
}

impl std::str::FromStr for SmtpUrl {
    type Err = Error;

    /// Reads an SMTP URL. Refusals never repeat the URL: it may hold a
    /// password.
    fn from_str(text: &str) -> Result<SmtpUrl> {
        let how = "write it like smtp://user:password@host:port or smtps://host (add ?tls=required or ?tls=none to smtp://)";
        if text.trim().is_empty() {
            // Most often PORTALCTL_SMTP set to nothing, which clap passes on.
            return Err(Error::invalid(
                "the SMTP URL is empty (PORTALCTL_SMTP is set but empty, or --smtp was given nothing)",
            )
            .help("pass --smtp URL or set PORTALCTL_SMTP to one; write it like smtp://user:password@host:port or smtps://host"));
        }
        let url = url::Url::parse(text.trim()).map_err(|e| {
            let why = match e {
                url::ParseError::RelativeUrlWithoutBase => {
                    "the SMTP URL does not start with smtp:// or smtps://".to_string()
                }
                url::ParseError::InvalidPort => {
                    "the SMTP URL's port is not a number from 1 to 65535".into()
                }
                url::ParseError::EmptyHost => "the SMTP URL names no host".into(),
                other => format!("the SMTP URL is not a URL ({other})"),
            };
            Error::invalid(why).help(how)
        })?;
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| {
                    Error::invalid("the SMTP URL's user or password is not UTF-8 once decoded")
                })
        };
        let tls_param = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let tls = match (url.scheme(), tls_param.as_deref()) {
            ("smtp", None | Some("opportunistic")) => TlsMode::Opportunistic,
            ("smtp", Some("required")) => TlsMode::Required,
            ("smtp", Some("none")) => TlsMode::None,
            ("smtps", None) => TlsMode::Wrapper,
            ("smtp" | "smtps", Some(other)) => {
                return Err(Error::invalid(format!(
                    "the SMTP URL's `tls={other}` is not known here"
                ))
                .help("smtp:// takes ?tls=opportunistic (the default), required or none; smtps:// takes none"))
            }
            (scheme, _) => {
                return Err(Error::invalid(format!(
                    "the SMTP URL's scheme `{scheme}` is neither smtp nor smtps"
                ))
                .help(how))
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| Error::invalid("the SMTP URL names no host").help(how))?;
        // An IPv6 literal comes back in brackets; the socket address wants it bare.
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = url
            .port()
            .unwrap_or(if tls == TlsMode::Wrapper { 465 } else { 25 });
        let user = Some(url.username())
            .filter(|u| !u.is_empty())
            .map(decode)
            .transpose()?;
        let password = url.password().map(decode).transpose()?;
        if password.is_some() && user.is_none() {
            return Err(Error::invalid("the SMTP URL has a password but no user").help(how));
        }
        Ok(SmtpUrl {
            host,
            port,
            tls,
            user,
            password,
        })
    }
}

/// How long one SMTP command may wait for the server.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends over SMTP with lettre, over one pooled connection for the run.
pub(crate) struct SmtpMailer {
    transport: SmtpTransport,
    shown: String,
    /// Where and how to reach the server, for [`SmtpMailer::probe`].
    reach: (String, u16, Tls),
    /// Whether the URL gives a login.
    with_login: bool,
}

impl SmtpMailer {
    /// A client for the server at `url`. Nothing is connected yet.
    pub(crate) fn new(url: &SmtpUrl) -> Result<SmtpMailer> {
        let params = || {
            TlsParameters::new(url.host.clone())
                .map_err(|e| Error::invalid(format!("cannot set up TLS for `{}`: {e}", url.host)))
        };
        let tls = match url.tls {
            TlsMode::None => Tls::None,
            TlsMode::Opportunistic => Tls::Opportunistic(params()?),
            TlsMode::Required => Tls::Required(params()?),
            TlsMode::Wrapper => Tls::Wrapper(params()?),
        };
        let reach = (url.host.clone(), url.port, tls.clone());
        let mut builder = SmtpTransport::builder_dangerous(url.host.clone())
            .port(url.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT))
            // One connection carries the whole run, one message after another.
            .pool_config(PoolConfig::new().max_size(1));
        if let Some(user) = &url.user {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                url.password.clone().unwrap_or_default(),
            ));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            shown: url.to_string(),
            reach,
            with_login: url.user.is_some(),
        })
    }

    /// What this server will refuse every email of the run for, asked
    /// once before the first: a sender with letters beyond ASCII before
    /// the `@` on a server that offers no SMTPUTF8 (no run gets past it
    /// until `mail-from` or the server changes), or, reached without a
    /// login, a `530` to the run's sender (authentication required, RFC
    /// 4954; or STARTTLS first), which each email would otherwise count
    /// as an attempt for what is the URL's to fix. The sender is the one
    /// the emails go from (a server may take the null sender, `<>`,
    /// without a login and want one for a real sender). On a connection
    /// of its own, over which nothing is sent; any other answer leaves
    /// the question to the emails.
    fn probe(&self, from: &Mailbox) -> Option<NotReady> {
        let needs_smtputf8 = needs_smtputf8(from.email.as_str());
        if self.with_login && !needs_smtputf8 {
            return None;
        }
        let (host, port, tls) = &self.reach;
        let hello = ClientId::default();
        let wrapper = match tls {
            Tls::Wrapper(params) => Some(params),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (host.as_str(), *port),
            Some(SMTP_TIMEOUT),
            &hello,
            wrapper,
            None,
        )
        .ok()?;
        let secured = match tls {
            Tls::Opportunistic(params) if conn.can_starttls() => conn.starttls(params, &hello),
            Tls::Required(params) => conn.starttls(params, &hello),
            _ => Ok(()),
        };
        // What the server offers is what it said after STARTTLS.
        let unsayable = secured.is_ok()
            && needs_smtputf8
            && !conn.server_info().supports_feature(Extension::SmtpUtfEight);
        let answer = if unsayable || self.with_login {
            None
        } else {
            // A sender with no wire form is refused with each email;
            // the null sender still asks the question.
            let sender = wire_address(from.email.as_str()).ok();
            secured
                .and_then(|()| conn.command(MailFrom::new(sender, vec![])))
                .err()
        };
        let _ = conn.quit();
        if unsayable {
            return Some(NotReady::Sender(format!(
                "the server offers no SMTPUTF8, which the sender `{}` needs (letters beyond ASCII before the `@`)",
                from.email.as_str()
            )));
        }
        match answer {
            Some(e) if e.status().map(u16::from) == Some(530) => Some(NotReady::Misconfigured(
                self.wants_login_words(&server_words(&e)),
            )),
            _ => None,
        }
    }
}

impl SmtpMailer {
    /// What a `530` answer (`why`, the server's words) asks of the URL.
    fn wants_login_words(&self, why: &str) -> String {
        if !self.with_login {
            format!("{why}: the server wants a login, which the URL does not give (smtp://USER:PASSWORD@HOST)")
        } else {
            format!("{why}: the server wants a login or TLS before it takes an email, though the URL gives a login (try ?tls=required, or smtps://)")
        }
    }
}

/// A server's answer as it gave it (`550 5.1.1 no such user`), without
/// lettre's "permanent error (550): " before it: an email refused so is
/// retried, and "permanent" beside `pending` would say otherwise.
fn server_words(e: &lettre::transport::smtp::Error) -> String {
    let said = e.to_string();
    match (e.status(), said.split_once("): ")) {
        (Some(code), Some((_, words))) => format!("{code} {words}"),
        _ => said,
    }
}

/// An error of the SMTP client said in the tool's words where lettre's
/// own would read as a bug of the tool ("internal client error").
fn client_words(e: &lettre::transport::smtp::Error) -> String {
    if !e.is_client() {
        return server_words(e);
    }
    let said = e.to_string();
    if said.contains("No compatible authentication mechanism") {
        "the server offers no way to log in that portalctl knows (no AUTH PLAIN or LOGIN): leave the user and password out of the URL, or use a server that takes them".into()
    } else if said.contains("STARTTLS is not supported") {
        "the server does not offer STARTTLS, which ?tls=required insists on: use smtps:// if it speaks TLS from the start, or ?tls=none for a local relay".into()
    } else {
        said.trim_start_matches("internal client error: ")
            .to_string()
    }
}

impl Mailer for SmtpMailer {
    fn destination(&self) -> String {
        self.shown.clone()
    }

    fn ready(&mut self, from: &Mailbox) -> std::result::Result<(), NotReady> {
        match self.transport.test_connection() {
            Ok(true) => match self.probe(from) {
                Some(not) => Err(not),
                None => Ok(()),
            },
            Ok(false) => Err(NotReady::Down("the server did not answer NOOP".into())),
            // A 5xx reply (535: the login is refused) or no way to log in
            // that both sides know: the same again later.
            Err(e) if e.is_permanent() || e.is_client() => {
                Err(NotReady::Misconfigured(client_words(&e)))
            }
            Err(e) => Err(NotReady::Down(server_words(&e))),
        }
    }

    fn deliver(&mut self, mail: &Mail) -> std::result::Result<(), Undelivered> {
        let message = message(mail).map_err(Undelivered::Refused)?;
        match self.transport.send(&message) {
            Ok(_) => Ok(()),
            // lettre says no before a byte of this message is sent: the
            // server lacks what this one email needs, and will lack it on
            // the next run too. Unsendable, the run goes on with the
            // others and no attempt is wasted on it; taken for a broken
            // link, it would stop every run here.
            Err(e) if e.is_client() && needs_smtputf8(&mail.to) => Err(Undelivered::Unsendable(
                format!(
                    "the server does not accept addresses with letters beyond ASCII before the `@` (it offers no SMTPUTF8): `{}` needs a server that does",
                    mail.to
                ),
            )),
            // 530 is about the run (no login, or no TLS yet), whichever
            // email it comes with: counted against each, it would use up
            // every email's attempts for what the URL is to fix.
            Err(e) if e.status().map(u16::from) == Some(530) => {
                Err(Undelivered::NeedsLogin(self.wants_login_words(&server_words(&e))))
            }
            // A reply code: the server has said no to this message.
            Err(e) if e.status().is_some() => Err(Undelivered::Refused(server_words(&e))),
            Err(e) => Err(Undelivered::InDoubt(e.to_string())),
        }
    }
}

/// How many names `DirMailer` tries for one email before it says the
/// directory is full of them.
const EML_NAMES: usize = 1000;

/// Writes each message as `outbox-ID.eml` (or the next free name like it)
/// in a directory, for another system to pick up. A file appears whole or
/// not at all: it is written under a temporary name, synced, then linked
/// to its own name.
pub(crate) struct DirMailer {
    dir: PathBuf,
}

impl DirMailer {
    /// Writes into `dir`, created (private to its owner) if missing.
    pub(crate) fn new(dir: &Path) -> DirMailer {
        DirMailer {
            dir: dir.to_path_buf(),
        }
    }

    /// Writes `bytes` as `outbox-ID.eml`, or, where a file of that name is
    /// there already (an earlier run's, another database's sending into
    /// the same directory), `outbox-ID-2.eml` and so on: a file another
    /// system has yet to pick up may hold a live token, and is never
    /// written over. Returns the name written.
    fn write(&self, mail: &Mail, bytes: &[u8]) -> std::io::Result<PathBuf> {
        use std::os::unix::fs::OpenOptionsExt as _;
        let id = mail.outbox_id;
        // Private to this process, so that two runs into one directory
        // never write into each other's partial file.
        let partial = self
            .dir
            .join(format!(".outbox-{id}.{}.partial", std::process::id()));
        // One left by a process of the same id that died is stale.
        match fs::remove_file(&partial) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        // The file holds a live token: readable by its owner alone.
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&partial)?;
        let written = file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| self.link_whole(&partial, id));
        // The partial name goes whether the link was made or not.
        let removed = fs::remove_file(&partial);
        let name = written?;
        removed?;
        // The new name is durable once the directory is synced.
        fs::File::open(&self.dir)?.sync_all()?;
        Ok(name)
    }

    /// Gives the written `partial` its first free name: a hard link,
    /// which unlike a rename fails rather than replace a file there.
    fn link_whole(&self, partial: &Path, id: i64) -> std::io::Result<PathBuf> {
        for n in 1..=EML_NAMES {
            let name = match n {
                1 => format!("outbox-{id}.eml"),
                n => format!("outbox-{id}-{n}.eml"),
            };
            let path = self.dir.join(name);
            match fs::hard_link(partial, &path) {
                Ok(()) => return Ok(path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other(format!(
            "`outbox-{id}.eml` and {} more names like it are taken",
            EML_NAMES - 1
        )))
    }
}

impl Mailer for DirMailer {
    fn destination(&self) -> String {
        self.dir.display().to_string()
    }

    /// Every way the directory can be unready is the caller's to fix; any
    /// sender is written as given.
    fn ready(&mut self, _from: &Mailbox) -> std::result::Result<(), NotReady> {
        use std::os::unix::fs::DirBuilderExt as _;
        let shown = self.dir.display();
        if fs::metadata(&self.dir).is_ok_and(|m| !m.is_dir()) {
            return Err(NotReady::Misconfigured(format!(
                "`{shown}` is not a directory"
            )));
        }
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| NotReady::Misconfigured(format!("cannot create `{shown}`: {e}")))?;
        let meta = fs::metadata(&self.dir)
            .map_err(|e| NotReady::Misconfigured(format!("cannot read `{shown}`: {e}")))?;
        if meta.permissions().readonly() {
            return Err(NotReady::Misconfigured(format!("`{shown}` is read-only")));
        }
        Ok(())
    }

    fn deliver(&mut self, mail: &Mail) -> std::result::Result<(), Undelivered> {
        let message = message(mail).map_err(Undelivered::Refused)?;
        self.write(mail, &message.formatted())
            .map(|_| ())
            .map_err(|e| {
                Undelivered::Refused(format!("cannot write into `{}`: {e}", self.dir.display()))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of the same name (another database's email sent into the
    /// same directory) is never written over: the next email takes the
    /// next free name, and no partial file is left behind.
    #[test]
    fn a_directory_never_loses_an_email_to_another_of_its_name() {
        let dir = tempfile::tempdir().expect("dir");
        let mailer = DirMailer::new(dir.path());
        let mail = |text: &str| Mail {
            outbox_id: 7,
            from: "portal@acme.test".parse().expect("mailbox"),
            to: "ann@acme.test".into(),
            subject: "Hello".into(),
            text: text.into(),
            date: "2026-11-25T10:00:00Z".parse().expect("time"),
        };
        let names: Vec<PathBuf> = ["first", "second", "third"]
            .into_iter()
            .map(|text| mailer.write(&mail(text), text.as_bytes()).expect("written"))
            .collect();
        let file_names: Vec<String> = names
            .iter()
            .map(|p| {
                p.file_name()
                    .expect("a name")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            file_names,
            ["outbox-7.eml", "outbox-7-2.eml", "outbox-7-3.eml"]
        );
        for (path, text) in names.iter().zip(["first", "second", "third"]) {
            assert_eq!(fs::read_to_string(path).expect("read"), text);
        }
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 3);
    }

    #[test]
    fn smtp_urls_never_show_their_password() {
        let url: SmtpUrl = "smtp://ann:s%3Acret@mail.acme.test:2525"
            .parse()
            .expect("valid");
        assert_eq!(url.password.as_deref(), Some("s:cret"));
        assert_eq!(url.to_string(), "smtp://ann:***@mail.acme.test:2525");
        assert_eq!(
            format!("{url:?}"),
            "SmtpUrl(smtp://ann:***@mail.acme.test:2525)"
        );
        let tls: SmtpUrl = "smtps://mail.acme.test".parse().expect("valid");
        assert_eq!(tls.to_string(), "smtps://mail.acme.test:465");
        let plain: SmtpUrl = "smtp://127.0.0.1?tls=none".parse().expect("valid");
        assert_eq!(plain.tls, TlsMode::None);
        assert_eq!(plain.port, 25);
    }

    #[test]
    fn a_bad_smtp_url_is_refused_without_repeating_it() {
        for bad in [
            "http://ann:hunter2@mail.acme.test",
            "smtp://ann:hunter2@mail.acme.test?tls=maybe",
            "smtps://ann:hunter2@mail.acme.test?tls=none",
            "smtp://:hunter2@mail.acme.test",
            "hunter2",
        ] {
            let e = bad.parse::<SmtpUrl>().expect_err(bad);
            assert_eq!(e.exit_code(), 2, "{bad}");
            let said = format!("{e} {}", e.help_text().unwrap_or_default());
            assert!(!said.contains("hunter2"), "{bad}: {said}");
        }
    }

    /// A `.eml` a CI job greps for the token holds the accept line whole:
    /// no quoted-printable soft break inside a 95-column line.
    #[test]
    fn the_accept_line_is_written_whole() {
        let token = format!("pinv_{}", "0123456789abcdef".repeat(4));
        let mail = Mail {
            outbox_id: 7,
            from: "Acme Portal <portal@acme.test>".parse().expect("mailbox"),
            to: "ann@acme.test".into(),
            subject: "Invitation".into(),
            text: format!("Hello Ann,\n\n    portalctl user accept {token}\n"),
            date: "2026-11-25T10:00:00Z".parse().expect("time"),
        };
        let raw = String::from_utf8(message(&mail).expect("message").formatted()).expect("utf-8");
        assert!(
            raw.contains(&format!("    portalctl user accept {token}\r\n")),
            "{raw}"
        );
        assert!(raw.contains("Content-Transfer-Encoding: 7bit"), "{raw}");
        assert!(!raw.contains("quoted-printable"), "{raw}");
    }

    /// F2: a domain beyond ASCII goes in its IDNA ASCII form, on the
    /// envelope and in the headers, so that a server without SMTPUTF8
    /// takes it; only a local part beyond ASCII still needs SMTPUTF8.
    #[test]
    fn a_unicode_domain_goes_in_its_ascii_form() {
        let mail = Mail {
            outbox_id: 7,
            from: "Acme Portal <portal@acmé.test>".parse().expect("mailbox"),
            to: "x@bücher.test".into(),
            subject: "Hello".into(),
            text: "Hello\n".into(),
            date: "2026-11-25T10:00:00Z".parse().expect("time"),
        };
        let built = message(&mail).expect("message");
        let envelope = built.envelope();
        assert_eq!(envelope.to()[0].to_string(), "x@xn--bcher-kva.test");
        assert_eq!(
            envelope.from().map(ToString::to_string).as_deref(),
            Some("portal@xn--acm-dma.test")
        );
        let raw = String::from_utf8(built.formatted()).expect("utf-8");
        assert!(raw.is_ascii(), "{raw}");
        assert!(raw.contains("To: x@xn--bcher-kva.test\r\n"), "{raw}");
        assert!(raw.contains("@xn--acm-dma.test>"), "{raw}");
        assert!(!needs_smtputf8(&mail.to));
        assert!(needs_smtputf8("иван@почта.рф"));
        assert_eq!(
            wire_address("иван@почта.рф").expect("address").domain(),
            "xn--80a1acny.xn--p1ai"
        );
    }

    #[test]
    fn names_cannot_add_header_lines() {
        let mail = Mail {
            outbox_id: 7,
            from: "Acme Portal <portal@acme.test>".parse().expect("mailbox"),
            to: "ann@acme.test".into(),
            subject: "Hello\r\nBcc: everyone@acme.test".into(),
            text: "Hello <Ann> & co\n\n    portalctl user accept pinv_x\n".into(),
            date: "2026-11-25T10:00:00Z".parse().expect("time"),
        };
        let raw = String::from_utf8(message(&mail).expect("message").formatted()).expect("utf-8");
        assert!(
            !raw.lines().any(|l| l.starts_with("Bcc:")),
            "a header was injected: {raw}"
        );
        assert!(
            raw.contains("Subject: Hello  Bcc: everyone@acme.test"),
            "{raw}"
        );
        assert!(raw.contains("Date: Wed, 25 Nov 2026 10:00:00"), "{raw}");
        assert!(raw.contains("Hello &lt;Ann&gt; &amp; co"), "{raw}");
        assert!(
            raw.contains("<pre>portalctl user accept pinv_x</pre>"),
            "{raw}"
        );
    }

    /// A9: a name written as an encoded word reaches the reader as typed,
    /// not decoded into another name; a plain subject stays plain.
    #[test]
    fn an_encoded_word_in_the_subject_reads_literally() {
        let mail = |subject: &str| Mail {
            outbox_id: 7,
            from: "Acme Portal <portal@acme.test>".parse().expect("mailbox"),
            to: "ann@acme.test".into(),
            subject: subject.into(),
            text: "Hello\n".into(),
            date: "2026-11-25T10:00:00Z".parse().expect("time"),
        };
        let raw = |subject: &str| {
            String::from_utf8(message(&mail(subject)).expect("message").formatted()).expect("utf-8")
        };
        let plain = raw("Invitation to join Acme Ltd as user");
        assert!(
            plain.contains("Subject: Invitation to join Acme Ltd as user\r\n"),
            "{plain}"
        );
        let forged = raw("Invitation to join =?utf-8?q?Acme_Ltd?= as user\r\nBcc: x@y.test");
        let header: String = forged
            .split("\r\n")
            .skip_while(|l| !l.starts_with("Subject:"))
            .take_while(|l| l.starts_with("Subject:") || l.starts_with(' '))
            .collect();
        assert!(header.starts_with("Subject: =?utf-8?b?"), "{forged}");
        assert!(!forged.contains("?q?"), "{forged}");
        assert!(!forged.contains("Acme_Ltd"), "{forged}");
        assert!(!forged.lines().any(|l| l.starts_with("Bcc:")), "{forged}");
    }
}
