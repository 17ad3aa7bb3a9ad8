//! The `onrecord` command line: parses arguments and calls the library, one function a
//! command. Errors are printed with their file, line and hint; the exit status is 1.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use onrecord::error::{Error, Result};
use onrecord::{build, check, import};

#[derive(Parser)]
#[command(
    name = "onrecord",
    version,
    about = "Build a linked archive of who said what, and when, from news articles."
)]
struct Cli {
    /// The archive's folder (where site.toml is).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a new archive, ready to build and to publish on GitHub Pages.
    Init {
        /// The folder to create (must be new or empty).
        dir: PathBuf,
    },
    /// Turn raw articles into content/articles/*.md (no PATH: every new file in content/sources/).
    Import {
        /// Source files to import.
        paths: Vec<PathBuf>,
        /// Publication date, YYYY-MM-DD.
        #[arg(long)]
        date: Option<jiff::civil::Date>,
        /// Publication name, e.g. "The Moscow Times".
        #[arg(long)]
        publication: Option<String>,
        /// The original article's address.
        #[arg(long)]
        url: Option<String>,
        /// Show what would be written; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import new sources, then render the site into the output directory.
    Build {
        /// Output directory (default: output_dir from site.toml, usually public/).
        #[arg(long)]
        output: Option<PathBuf>,
        /// The published site's address, e.g. https://user.github.io/repo/.
        #[arg(long)]
        base_url: Option<String>,
        /// Do not import new sources first.
        #[arg(long)]
        no_import: bool,
        /// Print how long each stage of the build took.
        #[arg(long)]
        timings: bool,
    },
    /// Build, serve on 127.0.0.1, rebuild and reload the browser on every change.
    Serve {
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on. Anything but a loopback address exposes the preview to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Output directory (default: output_dir from site.toml).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Print how long each stage of every build took.
        #[arg(long)]
        timings: bool,
    },
    /// Validate the content and every internal link and #fragment of the built site.
    Check {
        /// The published site's address to check links against (default: from site.toml).
        #[arg(long)]
        base_url: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init { dir } => run_init(&dir),
        Command::Import {
            paths,
            date,
            publication,
            url,
            dry_run,
        } => run_import(
            cli.root,
            import::ImportOptions {
                paths,
                date,
                publication,
                url,
                dry_run,
            },
        ),
        Command::Build {
            output,
            base_url,
            no_import,
            timings,
        } => run_build(
            build::BuildOptions {
                root: cli.root,
                output,
                base_url,
                import_sources: !no_import,
                ..Default::default()
            },
            timings,
        ),
        Command::Serve {
            port,
            bind,
            output,
            timings,
        } => onrecord::serve::run(onrecord::serve::ServeOptions {
            root: cli.root,
            port,
            bind,
            output,
            timings,
        }),
        Command::Check { base_url } => run_check(cli.root, base_url),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(&e);
            ExitCode::FAILURE
        }
    }
}

fn report_error(e: &Error) {
    match e {
        Error::Problems(_) => eprintln!("{e}"),
        _ => eprintln!("error: {e}"),
    }
}

fn run_init(dir: &std::path::Path) -> Result<()> {
    let written = onrecord::init::init(dir)?;
    println!(
        "created a new archive in {} ({} files)",
        dir.display(),
        written.len()
    );
    println!("next: onrecord serve --root {}", dir.display());
    Ok(())
}

fn run_import(root: PathBuf, opts: import::ImportOptions) -> Result<()> {
    let report = import::run(&root, &opts)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if opts.dry_run {
        for file in &report.planned {
            println!("=== would write {} ===\n{}", file.path.display(), file.text);
        }
    } else {
        let written = report.created.iter().chain(&report.updated);
        for p in written.chain(&report.new_speakers) {
            println!("wrote {}", p.display());
        }
    }
    println!(
        "{} new, {} updated, {} unchanged, {} new speakers{}",
        report.created.len(),
        report.updated.len(),
        report.unchanged,
        report.new_speakers.len(),
        if opts.dry_run {
            " (dry run: nothing written)"
        } else {
            ""
        }
    );
    Ok(())
}

fn run_build(opts: build::BuildOptions, timings: bool) -> Result<()> {
    let report = build::build_site(&opts)?;
    if timings {
        for (stage, took) in &report.timings {
            eprintln!("{:>8.1} ms  {stage}", took.as_secs_f64() * 1000.0);
        }
    }
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "built {} pages ({} articles, {} speakers, {} statements) in {} ms -> {}",
        report.pages,
        report.articles,
        report.speakers,
        report.statements,
        report.elapsed.as_millis(),
        report.output.display()
    );
    Ok(())
}

/// Build into a scratch directory (content problems stop here, all listed), then check
/// every link of the result. The real output directory is not touched.
fn run_check(root: PathBuf, base_url: Option<String>) -> Result<()> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let scratch =
        std::env::temp_dir().join(format!("onrecord-check-{}-{nanos}", std::process::id()));
    let opts = build::BuildOptions {
        root,
        output: Some(scratch.join("site")),
        base_url,
        import_sources: false,
        ..Default::default()
    };
    let result = (|| {
        let report = build::build_site(&opts)?;
        let config = build::load_config(&opts)?;
        let problems = check::check_links(&report.output, &config.base_url)?;
        if !problems.is_empty() {
            return Err(Error::Problems(problems));
        }
        println!(
            "ok: {} articles, {} speakers, {} statements; {} pages, every internal link and fragment resolves",
            report.articles, report.speakers, report.statements, report.pages
        );
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}
