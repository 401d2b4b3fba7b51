//! Writes the events' JSON Schemas (proto/events/<version>/) from the code: `make event-schemas`.
//! Usage: `event_schemas [REPOSITORY_ROOT]` (default: the current directory).

fn main() -> anyhow::Result<()> {
    let root = std::env::args_os()
        .nth(1)
        .map_or_else(|| std::path::PathBuf::from("."), std::path::PathBuf::from);
    if !root.join("proto").is_dir() {
        anyhow::bail!(
            "{} has no proto/ folder: run from the repository's root or name it",
            root.display()
        );
    }
    for path in provision::event_contract::write(&provision::event_contract::folder(&root))? {
        println!("wrote {}", path.display());
    }
    Ok(())
}
