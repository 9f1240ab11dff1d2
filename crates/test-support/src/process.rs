//! Child processes for tests: a clean environment, stderr collected as the child writes it,
//! waiting for a log line, signals, and a bounded wait for the exit. A child still running
//! when its [`Process`] drops is killed, so a failing test leaves nothing behind.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long [`Process::logged`] waits: stderr is read by another thread, so a line written just
/// before a response may arrive just after it.
const LOG_LAG: Duration = Duration::from_secs(5);

/// `program` with nothing of the test's environment but `PATH`, and no stdin: a child sees only
/// the settings its test gives it, never the developer's `.env` exports or `RUST_LOG`.
pub fn clean_command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null());
    command
}

/// The signals tests send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Term,
    Int,
}

impl Signal {
    /// The name a process logs for it: `SIGTERM`, `SIGINT`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Term => "SIGTERM",
            Signal::Int => "SIGINT",
        }
    }

    fn number(self) -> libc::c_int {
        match self {
            Signal::Term => libc::SIGTERM,
            Signal::Int => libc::SIGINT,
        }
    }
}

/// A running child and everything it has written to stderr.
pub struct Process {
    name: String,
    child: Child,
    stderr: Arc<Captured>,
}

/// The child's stderr so far, and whether it has closed (the child exited).
#[derive(Default)]
struct Captured {
    state: Mutex<(String, bool)>,
    changed: Condvar,
}

impl Process {
    /// Spawns `command` with stdout discarded and stderr collected. `name` labels the failure
    /// messages.
    pub fn spawn(name: &str, command: &mut Command) -> Self {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {name}: {err}"));
        let stderr = collect(child.stderr.take().expect("stderr is piped"));
        Self {
            name: name.to_owned(),
            child,
            stderr,
        }
    }

    /// Everything the child has written to stderr so far.
    pub fn log(&self) -> String {
        self.stderr.state.lock().unwrap().0.clone()
    }

    /// The first line containing `text`, waiting up to `limit` for it; `None` when the limit
    /// passes or the child closes stderr (exits) without writing it.
    pub fn wait_for_line(&self, text: &str, limit: Duration) -> Option<String> {
        let deadline = Instant::now() + limit;
        let mut state = self.stderr.state.lock().unwrap();
        loop {
            if let Some(line) = state.0.lines().find(|line| line.contains(text)) {
                return Some(line.to_owned());
            }
            let now = Instant::now();
            if state.1 || now >= deadline {
                return None;
            }
            state = self
                .stderr
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap()
                .0;
        }
    }

    /// Whether the log shows `text` within a few seconds.
    pub fn logged(&self, text: &str) -> bool {
        self.wait_for_line(text, LOG_LAG).is_some()
    }

    pub fn signal(&self, signal: Signal) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid fits pid_t");
        // SAFETY: kill(2) takes two integers and touches no memory of ours.
        let result = unsafe { libc::kill(pid, signal.number()) };
        assert_eq!(
            result,
            0,
            "cannot send {} to {}: {}",
            signal.name(),
            self.name,
            std::io::Error::last_os_error()
        );
    }

    /// The child's process id, e.g. to read its `/proc/<pid>/status`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status, if the child has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("wait for a child")
    }

    /// Waits up to `limit` for the child to exit; fails the test with its log otherwise.
    pub fn wait_for_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.exited() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit within {limit:?}:\n{}",
                self.name,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the child (as a crash would) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Reads `stderr` line by line on its own thread, so the child never blocks on a full pipe.
fn collect(stderr: ChildStderr) -> Arc<Captured> {
    let captured = Arc::new(Captured::default());
    let sink = captured.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut state = sink.state.lock().unwrap();
            state.0.push_str(&line);
            state.0.push('\n');
            sink.changed.notify_all();
        }
        sink.state.lock().unwrap().1 = true;
        sink.changed.notify_all();
    });
    captured
}
