//! `init` and `preset`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{complete, named_account, Session, TextArg};
use crate::domain::{preset_names, InitRequest, LocationInput, NewFile, OwnerName, Preset};
use crate::error::Result;
use crate::model::{parse_currency, AccountKind, Email, Text};

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// A shipped role catalog (see `portalctl preset list`).
    #[arg(long, default_value = "portal", conflicts_with = "preset_file", add = complete::presets())]
    preset: String,
    /// A role catalog of your own, in the preset JSON format.
    #[arg(long, value_name = "FILE")]
    preset_file: Option<PathBuf>,
    /// The first account's name.
    #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
    account: String,
    /// The first account's kind (default: the preset's).
    #[arg(long, add = complete::keywords(AccountKind::NAMES))]
    kind: Option<AccountKind>,
    /// The owner's email; the owner holds every capability.
    #[arg(long, value_name = "EMAIL")]
    owner_email: Email,
    /// The owner's name (default: the email's local part).
    #[arg(long, value_name = "NAME")]
    owner_name: Option<String>,
    /// The owner's city; catalogs that need every user's location (such as
    /// `moodle`) need it, with --owner-country.
    #[arg(long, value_name = "CITY", value_parser = TextArg)]
    owner_city: Option<Text>,
    /// The owner's country, as an ISO 3166 alpha-2 code such as GB.
    #[arg(long, value_name = "COUNTRY")]
    owner_country: Option<String>,
    /// The owner's IANA timezone, such as Europe/London; derived from
    /// --owner-city and --owner-country when left out.
    #[arg(long, value_name = "TIMEZONE")]
    owner_timezone: Option<String>,
    /// ISO 4217 currency of the account.
    #[arg(long, default_value = "GBP", value_parser = parse_currency)]
    currency: String,
}

pub(crate) fn init(s: &Session, args: InitArgs) -> Result<()> {
    let preset = match &args.preset_file {
        Some(path) => {
            let text = super::read_text_file(path)?;
            Preset::custom(&text, &format!("`{}`", path.display()))?
        }
        None => Preset::shipped(&args.preset)?,
    };
    let request = InitRequest {
        preset,
        account: args.account,
        kind: args.kind,
        currency: Some(args.currency),
        owner_email: args.owner_email,
        owner_name: match args.owner_name {
            Some(name) => OwnerName::Given(name),
            None => OwnerName::FromEmail,
        },
        owner_location: LocationInput {
            city: args.owner_city,
            country: args.owner_country,
            timezone: args.owner_timezone,
        },
    };
    let view = s.init_portal(NewFile::Keep, |portal| portal.init(request))?;
    if let Some(warning) = &view.timezone_warning {
        s.out.warn(warning);
    }
    // A repeated init says it changed nothing in its result (see
    // `InitView`), on a terminal or not.
    if view.created {
        s.out.note(&format!(
            "initialised `{}` with preset `{}`",
            view.account.name, view.preset
        ));
    }
    s.out.change(&view)
}

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum PresetCommand {
    /// List the shipped presets.
    List,
    /// Show a preset's roles, capabilities and areas.
    Show {
        /// The preset name.
        #[arg(add = complete::presets())]
        name: String,
    },
}

pub(crate) fn preset(s: &Session, cmd: PresetCommand) -> Result<()> {
    match cmd {
        PresetCommand::List => {
            let views = preset_names()
                .into_iter()
                .map(|n| Preset::shipped(n).map(|p| p.view()))
                .collect::<Result<Vec<_>>>()?;
            s.out.list(&views, "presets")
        }
        PresetCommand::Show { name } => s.out.item(&Preset::shipped(&name)?.view()),
    }
}
