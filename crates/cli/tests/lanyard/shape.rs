//! The command line as scripts and people meet it: one convention for naming the organization
//! and the user, `--json` on every listing, shell completions and a manual page, all without a
//! configuration.

use crate::lanyard;
use clap::Parser;
use cli::args::Cli;

/// Every command (and subcommand), with its path from the root.
fn all_commands() -> Vec<(String, clap::Command)> {
    fn walk(path: &str, command: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
        for sub in command.get_subcommands() {
            let path = format!("{path} {}", sub.get_name());
            out.push((path.clone(), sub.clone()));
            walk(&path, sub, out);
        }
    }
    let mut out = Vec::new();
    walk("lanyard", &cli::args::command(), &mut out);
    out
}

#[test]
fn the_organization_and_the_user_are_named_by_flags_in_every_command() {
    let mut named = 0;
    for (path, command) in all_commands() {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "org" || id == "user" {
                named += 1;
                assert_eq!(
                    arg.get_long(),
                    Some(id),
                    "`{path}` takes {id} as --{id}, like every other command"
                );
            }
        }
    }
    assert!(
        named > 10,
        "commands naming an organization or a user were found"
    );
    // The form the history command always had now works for `members show` too.
    assert!(
        Cli::try_parse_from([
            "lanyard", "members", "show", "--org", "6267", "--user", "12346"
        ])
        .is_ok()
    );
    let positional = Cli::try_parse_from(["lanyard", "members", "show", "12346", "--org", "6267"]);
    assert!(positional.is_err(), "the user is a flag, not an argument");
}

#[test]
fn every_listing_takes_json() {
    for listing in [
        &["members", "list"][..],
        &["members", "show", "--org", "1", "--user", "2"],
        &["events", "tail"],
        &["events", "stream", "member-1-2"],
        &["events", "history", "--org", "1", "--user", "2"],
        &["syncs", "--org", "1"],
        &["groups", "--org", "1"],
        &["notifications", "--org", "1"],
        &["locations", "list", "--org", "1"],
        &["plans", "list", "--org", "1"],
    ] {
        let args: Vec<&str> = ["lanyard"]
            .iter()
            .chain(listing)
            .chain(&["--json"])
            .copied()
            .collect();
        if let Err(e) = Cli::try_parse_from(&args) {
            panic!("`{}` does not take --json: {e}", args.join(" "));
        }
    }
}

#[test]
fn completions_cover_every_command_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let output = lanyard(&["completions", shell]);
        assert!(output.status.success(), "{shell}: {output:?}");
        let script = String::from_utf8(output.stdout).expect("text");
        // fish spells a long option `-l json`.
        let (json, org) = match shell {
            "fish" => ("-l json", "-l org"),
            _ => ("--json", "--org"),
        };
        for word in ["notifications", "vlan-pool", "completions", json, org] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let output = lanyard(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("bash") && error.contains("zsh"), "{error}");
}

#[test]
fn the_manual_page_describes_the_commands_and_is_written_per_subcommand() {
    let output = lanyard(&["man"]);
    assert!(output.status.success(), "{output:?}");
    let page = String::from_utf8(output.stdout).expect("text");
    assert!(
        page.starts_with(".ie") || page.contains(".TH lanyard"),
        "roff: {page:.200}"
    );
    for word in ["members", "notifications", "completions"] {
        assert!(page.contains(word), "the page lacks {word}");
    }

    let dir = std::env::temp_dir().join(format!("lanyard-man-{}", std::process::id()));
    let output = lanyard(&["man", "--dir", dir.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{output:?}");
    for file in [
        "lanyard.1",
        "lanyard-members.1",
        "lanyard-members-show.1",
        "lanyard-sync.1",
    ] {
        let page = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(page.contains(".TH"), "{file} is a manual page");
    }
    let show = std::fs::read_to_string(dir.join("lanyard-members-show.1")).unwrap_or_default();
    assert!(
        show.contains("user"),
        "options of `members show` are described"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
