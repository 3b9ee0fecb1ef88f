//! Running commands: foreground steps with clear errors, background services that are always
//! torn down (their whole process group), free ports and readiness checks.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;

/// A command with the tool environment applied.
pub fn cmd(program: impl AsRef<std::ffi::OsStr>, env: &[(String, String)]) -> Command {
    let mut command = Command::new(program);
    command.envs(env.iter().map(|(k, v)| (k, v)));
    command
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Run to completion; non-zero exit is an error naming the command.
pub fn run(command: &mut Command) -> Result {
    let shown = describe(command);
    println!("$ {shown}");
    let status = command
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Run and capture stdout; `None` when the program is missing or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A background process in its own process group. Dropping it kills the whole group, so a
/// service that spawns children (wrangler → workerd) never outlives us.
pub struct Service {
    name: String,
    child: Child,
}

impl Service {
    pub fn spawn(name: &str, command: &mut Command, log: &Path) -> Result<Service> {
        let log_file = std::fs::File::create(log)
            .map_err(|e| format!("cannot create log {}: {e}", log.display()))?;
        let err_file = log_file
            .try_clone()
            .map_err(|e| format!("cannot reuse log {}: {e}", log.display()))?;
        let shown = describe(command);
        let child = command
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(err_file)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("could not start {name} (`{shown}`): {e}"))?;
        println!("started {name} (pid {}, log {})", child.id(), log.display());
        Ok(Service {
            name: name.to_string(),
            child,
        })
    }

    /// Error out early if the service already died (e.g. a port clash or a build error).
    pub fn check_alive(&mut self, log: &Path) -> Result {
        if let Ok(Some(status)) = self.child.try_wait() {
            let tail = tail_of(log, 40);
            return Err(format!(
                "{} exited early ({status}); last lines of {}:\n{tail}",
                self.name,
                log.display()
            ));
        }
        Ok(())
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let pgid = self.child.id() as i32;
        // SIGTERM to the group, then SIGKILL if anything lingers.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{pgid}")])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

pub fn tail_of(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A port that is free right now on loopback (bind to port 0 and let the OS choose).
pub fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free loopback port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

pub fn port_is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// Minimal HTTP/1.0 GET on loopback, for readiness checks: returns (status, body).
pub fn http_get(host_port: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(host_port)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {host_port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// Poll `path` until it answers 200, the service dies, or the timeout passes.
pub fn wait_ready(
    service: &mut Service,
    log: &Path,
    host_port: &str,
    path: &str,
    timeout: Duration,
) -> Result {
    let start = Instant::now();
    loop {
        service.check_alive(log)?;
        if let Ok((200, _)) = http_get(host_port, path) {
            println!(
                "{} ready on http://{host_port} after {:.1}s",
                service.name,
                start.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(format!(
                "{} did not answer {path} on {host_port} within {}s; last lines of {}:\n{}",
                service.name,
                timeout.as_secs(),
                log.display(),
                tail_of(log, 40)
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}
