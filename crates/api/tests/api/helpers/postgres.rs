//! Throwaway PostgreSQL clusters started from the machine's server binaries.
//!
//! One shared cluster per test process holds a migrated template database; every test clones it
//! with `CREATE DATABASE … TEMPLATE`, which is fast and isolates tests completely. Tests that
//! need to stop the database start a private cluster of their own.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use test_support::ports::ReservedPort;

const INSTALL_HINT: &str =
    "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and PATH). \
Install them with `sudo apt-get install -y postgresql`, or set TEST_DATABASE_URL to a server \
where the user may create databases.";

/// Where test databases are created: the shared cluster, or `TEST_DATABASE_URL`.
pub struct PgServer {
    /// URL of a maintenance database on the server (`…/postgres`).
    admin_url: String,
    template: String,
    _cluster: Option<PgCluster>,
}

static SERVER: OnceLock<PgServer> = OnceLock::new();

impl PgServer {
    pub fn shared() -> &'static PgServer {
        SERVER.get_or_init(|| {
            let (admin_url, cluster) = match std::env::var("TEST_DATABASE_URL") {
                Ok(url) if !url.trim().is_empty() => (url, None),
                _ => {
                    let cluster = PgCluster::start_new();
                    (cluster.url("postgres"), Some(cluster))
                }
            };
            let template = format!("app_template_{}", std::process::id());
            let server = PgServer {
                admin_url,
                template,
                _cluster: cluster,
            };
            server.create_template();
            server
        })
    }

    fn create_template(&self) {
        let mut admin = connect(&self.admin_url);
        // Separate statements: PostgreSQL runs a multi-statement batch as one transaction, and
        // CREATE/DROP DATABASE refuse to run inside one.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {}", self.template))
            .expect("drop old template database");
        admin
            .batch_execute(&format!("CREATE DATABASE {}", self.template))
            .expect("create template database");
        let url = database_url(&self.admin_url, &self.template);
        super::db_pool(&url).migrate().expect("migrate template");
    }

    /// A new, migrated, empty database; returns its URL.
    pub fn create_database(&self) -> String {
        self.create(&format!("TEMPLATE {}", self.template))
    }

    /// A new database without our schema, for a test to shape itself (a Django source).
    pub fn create_blank_database(&self) -> String {
        self.create("")
    }

    fn create(&self, options: &str) -> String {
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = connect(&self.admin_url);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // Cloning fails while another session is still attached to the template; retry.
            match admin.batch_execute(&format!("CREATE DATABASE {name} {options}")) {
                Ok(()) => return database_url(&self.admin_url, &name),
                Err(err)
                    if Instant::now() < deadline && err.to_string().contains("being accessed") =>
                {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(err) => panic!("create test database: {err}"),
            }
        }
    }
}

/// `base` with its database name replaced by `name`.
fn database_url(base: &str, name: &str) -> String {
    let (without_query, query) = match base.split_once('?') {
        Some((url, query)) => (url, Some(query)),
        None => (base, None),
    };
    let scheme_end = without_query.find("://").map_or(0, |i| i + 3);
    let root = match without_query[scheme_end..].find('/') {
        Some(slash) => &without_query[..scheme_end + slash],
        None => without_query,
    };
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

pub fn connect(url: &str) -> PgConnection {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match PgConnection::establish(url) {
            Ok(conn) => return conn,
            Err(err) if Instant::now() < deadline => {
                let _ = err;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(err) => panic!("cannot connect to {url}: {err}"),
        }
    }
}

/// A PostgreSQL cluster in a temporary folder, listening on 127.0.0.1.
pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    /// Held while the cluster lives, so a restart finds its port still free.
    port: ReservedPort,
    as_postgres_user: bool,
    /// The shell that runs the server and watches this process; it exits with the server.
    watchdog: Mutex<Option<Child>>,
}

impl PgCluster {
    /// `initdb` and start a new cluster.
    pub fn start_new() -> Self {
        let bin = server_bin_dir().unwrap_or_else(|| panic!("{INSTALL_HINT}"));
        let as_postgres_user = is_root();
        let dir =
            std::env::temp_dir().join(format!("api-test-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("create cluster folder");
        if as_postgres_user {
            let status = Command::new("chown")
                .arg("postgres:postgres")
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(status.success(), "chown of the cluster folder failed");
        }
        let cluster = Self {
            dir,
            bin,
            port: ReservedPort::new(),
            as_postgres_user,
            watchdog: Mutex::new(None),
        };
        let output = cluster
            .command("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&cluster.dir)
            .output()
            .expect("run initdb");
        assert!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        cluster.start();
        cluster
    }

    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{database}",
            self.port.port()
        )
    }

    /// Starts the server and waits until it accepts connections. A watchdog stops it (and
    /// removes its files) if the test process dies without cleaning up.
    pub fn start(&self) {
        let postgres = self.bin.join("postgres");
        let script = format!(
            r#"'{postgres}' -D '{dir}' -p {port} -h 127.0.0.1 -k '{dir}' \
                -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
                -c max_connections=300 -c shared_buffers=32MB >'{dir}/server.log' 2>&1 &
            pg=$!
            while [ -d /proc/{parent} ] && kill -0 $pg 2>/dev/null; do sleep 0.5; done
            if [ ! -d /proc/{parent} ]; then kill -INT $pg 2>/dev/null; wait $pg; rm -rf '{dir}'; fi"#,
            postgres = postgres.display(),
            dir = self.dir.display(),
            port = self.port.port(),
            parent = std::process::id(),
        );
        let watchdog = self
            .shell(&script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start postgres");
        *self.watchdog.lock().unwrap() = Some(watchdog);
        let deadline = Instant::now() + Duration::from_secs(60);
        while PgConnection::establish(&self.url("postgres")).is_err() {
            assert!(
                Instant::now() < deadline,
                "postgres did not start: {}",
                std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server (fast shutdown: open connections are cut, as in a real outage).
    pub fn stop(&self) {
        let status = self
            .command("pg_ctl")
            .args(["stop", "-m", "fast", "-w", "-D"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .status()
            .expect("run pg_ctl");
        assert!(status.success(), "pg_ctl stop failed");
        self.reap_watchdog();
    }

    /// Freezes the server as a partition or a stalled host would: every one of its processes
    /// stopped (SIGSTOP), the postmaster first so that it forks no new ones. Connections stay
    /// open, and the kernel still accepts new ones and acknowledges what is sent; nothing
    /// answers.
    pub fn freeze(&self) {
        let postmaster = self.postmaster_pid();
        signal("STOP", &[postmaster]);
        signal("STOP", &children_of(postmaster));
    }

    /// Stops a frozen server at once (`pg_ctl stop -m immediate`, delivered as the processes
    /// resume), as a crash would: connections are cut, and new ones are refused.
    pub fn stop_frozen(&self) {
        let postmaster = self.postmaster_pid();
        let status = self
            .command("pg_ctl")
            .args(["stop", "-m", "immediate", "--no-wait", "-D"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .status()
            .expect("run pg_ctl");
        assert!(status.success(), "pg_ctl stop failed");
        assert!(send("CONT", &tree_of(postmaster)), "kill -CONT failed");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Path::new(&format!("/proc/{postmaster}")).exists() {
            assert!(Instant::now() < deadline, "postgres did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
        self.reap_watchdog();
    }

    fn postmaster_pid(&self) -> u32 {
        self.running_postmaster()
            .expect("a pid on the first line of a running cluster's postmaster.pid")
    }

    /// The postmaster's pid, from `postmaster.pid`, while the cluster runs.
    fn running_postmaster(&self) -> Option<u32> {
        let pid_file = std::fs::read_to_string(self.dir.join("postmaster.pid")).ok()?;
        pid_file.lines().next()?.trim().parse().ok()
    }

    fn reap_watchdog(&self) {
        if let Some(mut watchdog) = self.watchdog.lock().unwrap().take() {
            let _ = watchdog.wait();
        }
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn shell(&self, script: &str) -> Command {
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", "sh", "-c", script]);
            command
        } else {
            let mut command = Command::new("sh");
            command.args(["-c", script]);
            command
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        // A test that failed while the server was frozen: it must be able to stop.
        if let Some(postmaster) = self.running_postmaster() {
            send("CONT", &tree_of(postmaster));
        }
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "immediate", "-D"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        self.reap_watchdog();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The processes whose parent is `parent`, from /proc.
fn children_of(parent: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .expect("read /proc")
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // The parent is the second field after the parenthesised command name.
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                    == Some(parent)
            })
        })
        .collect()
}

/// The postmaster and every process it started.
fn tree_of(postmaster: u32) -> Vec<u32> {
    let mut pids = children_of(postmaster);
    pids.push(postmaster);
    pids
}

fn signal(name: &str, pids: &[u32]) {
    assert!(send(name, pids), "kill -{name} {pids:?} failed");
}

/// Sends signal `name` to `pids`; whether every one got it.
fn send(name: &str, pids: &[u32]) -> bool {
    pids.is_empty()
        || Command::new("kill")
            .arg(format!("-{name}"))
            .args(pids.iter().map(u32::to_string))
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
}

fn server_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop().or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .find(|dir| dir.join("initdb").is_file() && dir.join("postgres").is_file())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn database_urls_swap_only_the_name() {
        assert_eq!(
            database_url("postgres://u:p@h:5/postgres", "x"),
            "postgres://u:p@h:5/x"
        );
        assert_eq!(
            database_url("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(database_url("postgres://h", "x"), "postgres://h/x");
    }
}
