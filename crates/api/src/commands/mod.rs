//! The non-server subcommands.

pub mod createsuperuser;
