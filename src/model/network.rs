//! A partner's network settings: IP address ranges and the mail relay.

use std::fmt;
use std::str::FromStr;

use super::keywords::keyword_enum;
use crate::error::{Error, Result};

keyword_enum!(
    /// Which way mail flows through a partner IP address.
    IpDirection, "direction" {
        /// Mail the partner's servers receive from.
        Inbound = "inbound",
        /// Mail the partner's servers send from.
        Outbound = "outbound",
    }
);

/// An IPv4 or IPv6 address, or a range of them in CIDR notation, in its
/// normal form: host bits cleared, and a full-length prefix written as the
/// plain address. Equal ranges therefore have one spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct IpNetwork {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl IpNetwork {
    /// The address family's bit width: 32 or 128.
    fn width(addr: std::net::IpAddr) -> u8 {
        if addr.is_ipv4() {
            32
        } else {
            128
        }
    }

    /// The first address of the range with `prefix` bits kept.
    fn network(addr: std::net::IpAddr, prefix: u8) -> std::net::IpAddr {
        use std::net::IpAddr;
        match addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                IpAddr::V4((u32::from(a) & mask).into())
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                IpAddr::V6((u128::from(a) & mask).into())
            }
        }
    }
}

impl FromStr for IpNetwork {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        let (addr_text, prefix_text) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: std::net::IpAddr = addr_text.parse().map_err(|_| {
            Error::invalid(format!("`{text}` is not an IPv4 or IPv6 address"))
                .help("write it like 192.0.2.10, 2001:db8::10 or a range like 198.51.100.0/24")
        })?;
        let width = IpNetwork::width(addr);
        let prefix = match prefix_text {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|n| *n <= width && p.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "`{text}`: `{p}` is not a prefix length for an IPv{} range",
                        if width == 32 { 4 } else { 6 }
                    ))
                    .help(format!("the prefix length is a number from 1 to {width}"))
                })?,
        };
        let addr = IpNetwork::network(addr, prefix);
        // An allow-list entry that matches everyone, or no real host,
        // is a mistake rather than a configuration.
        let unusable = if prefix == 0 {
            Some("it matches every address")
        } else if addr.is_unspecified() {
            Some("it is the unspecified address")
        } else if addr.is_loopback() {
            Some("it is a loopback address")
        } else if addr.is_multicast() {
            Some("it is a multicast address")
        } else if addr == std::net::IpAddr::V4(std::net::Ipv4Addr::BROADCAST) {
            Some("it is the broadcast address")
        } else {
            None
        };
        if let Some(why) = unusable {
            return Err(Error::invalid(format!(
                "`{text}` cannot be a partner IP address: {why}"
            )));
        }
        Ok(IpNetwork { addr, prefix })
    }
}

impl fmt::Display for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix == IpNetwork::width(self.addr) {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

/// A mail relay: a host name or IP address and an optional port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Smarthost {
    /// Lower-case host name without a trailing dot, or an IP address.
    pub host: String,
    /// The port, when not the default.
    pub port: Option<u16>,
}

impl Smarthost {
    fn parse_host(host: &str) -> Option<String> {
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            return (!ip.is_unspecified() && !ip.is_multicast()).then(|| ip.to_string());
        }
        let name = host.strip_suffix('.').unwrap_or(host).to_lowercase();
        let labels: Vec<&str> = name.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        // An all-digit last label would make `192.0.2.999` a host name.
        let numeric_tld = labels
            .last()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
        (name.len() <= 253 && labels.iter().all(label_ok) && !numeric_tld).then_some(name)
    }
}

impl FromStr for Smarthost {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        let help = "write it like mail.example.com, mail.example.com:587, 192.0.2.25:25 or [2001:db8::25]:587";
        // `[v6]:port`, a bare IPv6 address (several colons), or `host[:port]`.
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(|| {
                Error::invalid(format!("`{text}` is not a smarthost: `]` is missing")).help(help)
            })?;
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(Error::invalid(format!(
                    "`{text}` is not a smarthost: `{host}` is not an IPv6 address"
                ))
                .help(help));
            }
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => {
                        return Err(Error::invalid(format!(
                            "`{text}` is not a smarthost: expected `:PORT` after `]`"
                        ))
                        .help(help))
                    }
                },
            }
        } else if text.matches(':').count() > 1 {
            (text, None)
        } else {
            match text.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            }
        };
        let port = port
            .map(|p| {
                p.parse::<u16>()
                    .ok()
                    .filter(|n| *n > 0 && p.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| {
                        Error::invalid(format!(
                            "`{text}` is not a smarthost: `{p}` is not a port (1 to 65535)"
                        ))
                        .help(help)
                    })
            })
            .transpose()?;
        let host = Smarthost::parse_host(host).ok_or_else(|| {
            Error::invalid(format!(
                "`{text}` is not a smarthost: `{host}` is not a host name or IP address"
            ))
            .help(help)
        })?;
        Ok(Smarthost { host, port })
    }
}

impl fmt::Display for Smarthost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) if self.host.contains(':') => write!(f, "[{}]:{port}", self.host),
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_networks_are_normalised() {
        for (typed, stored) in [
            ("192.0.2.10", "192.0.2.10"),
            (" 192.0.2.10/32 ", "192.0.2.10"),
            ("10.1.2.3/8", "10.0.0.0/8"),
            ("198.51.100.77/24", "198.51.100.0/24"),
            ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            ("2001:db8::1/128", "2001:db8::1"),
            ("2001:db8:abcd::1/48", "2001:db8:abcd::/48"),
            ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ] {
            let net: IpNetwork = typed.parse().expect(typed);
            assert_eq!(net.to_string(), stored, "{typed}");
        }
    }

    #[test]
    fn malformed_or_unusable_ip_networks_are_refused() {
        for bad in [
            "", "300.1.1.1", "1.2.3", "01.2.3.4", "abc", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1",
            "10.0.0.0/+8", "10.0.0.0/8/8", "2001:db8::/129", "fe80::1%eth0", "0.0.0.0/0", "::/0",
            "0.0.0.0", "127.0.0.1", "::1", "224.0.0.1", "ff02::1", "255.255.255.255",
        ] {
            let err = bad.parse::<IpNetwork>().expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn ip_networks_sort_by_address() {
        let mut nets: Vec<IpNetwork> = ["10.0.0.1", "9.0.0.1", "2001:db8::1", "9.0.0.0/8"]
            .iter()
            .map(|s| s.parse().expect("valid"))
            .collect();
        nets.sort();
        let shown: Vec<String> = nets.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["9.0.0.0/8", "9.0.0.1", "10.0.0.1", "2001:db8::1"]);
    }

    #[test]
    fn smarthosts_take_a_host_and_an_optional_port() {
        for (typed, host, port, shown) in [
            (
                "mail.example.com", "mail.example.com", None, "mail.example.com",
            ),
            (
                "Mail.Example.COM.:587",
                "mail.example.com",
                Some(587),
                "mail.example.com:587",
            ),
            ("192.0.2.25:25", "192.0.2.25", Some(25), "192.0.2.25:25"),
            ("2001:db8::25", "2001:db8::25", None, "2001:db8::25"),
            (
                "[2001:DB8::25]:587",
                "2001:db8::25",
                Some(587),
                "[2001:db8::25]:587",
            ),
            ("[2001:db8::25]", "2001:db8::25", None, "2001:db8::25"),
            ("localhost", "localhost", None, "localhost"),
        ] {
            let s: Smarthost = typed.parse().expect(typed);
            assert_eq!((s.host.as_str(), s.port), (host, port), "{typed}");
            assert_eq!(s.to_string(), shown, "{typed}");
        }
    }

    #[test]
    fn bad_smarthosts_are_refused() {
        for bad in [
            "", "mail.example.com:", "mail.example.com:0", "mail.example.com:65536",
            "mail.example.com:99999", "mail.example.com:abc", "mail.example.com:+25",
            "mail.example.com:25:25", "mail_relay.example.com", "-mail.example.com",
            "mail..example.com", "192.0.2.999", "[2001:db8::25", "[2001:db8::25]587",
            "[mail.example.com]:25", "0.0.0.0",
        ] {
            let err = bad.parse::<Smarthost>().expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }
}
