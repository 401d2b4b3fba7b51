//! Writes the webhook seed corpus: every example payload of proto/optix/webhooks as JSON and as
//! the form body Optix sends (`encode_form`).
//! `cargo run --manifest-path fuzz/Cargo.toml --example seeds -- proto/optix/webhooks fuzz/seeds/webhook`

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(examples), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: seeds EXAMPLES_DIR OUT_DIR".into());
    };
    std::fs::create_dir_all(&out)?;
    let mut written = 0;
    for entry in std::fs::read_dir(&examples)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let json = std::fs::read(&path)?;
        let fields =
            optix::webhook::parse_json(&json).map_err(|e| format!("{}: {e}", path.display()))?;
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        std::fs::write(out.join(format!("{stem}.json")), &json)?;
        std::fs::write(
            out.join(format!("{stem}.form")),
            optix::webhook::encode_form(&fields),
        )?;
        written += 2;
    }
    println!("{written} seeds written to {}", out.display());
    Ok(())
}
