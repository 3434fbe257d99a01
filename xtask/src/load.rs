//! A small HTTP/1.1 load generator for `cargo xtask bench`: keep-alive connections
//! shared by two threads, sending the same request as fast as answers come back.
//! Both sides of a comparison are measured with it in the same run, so its own cost
//! weighs on both alike.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};

/// One answer: its status, headers (names in lower case) and body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A request's bytes: `method path` to `addr` with `headers` and `body`.
pub fn request(
    method: &str,
    path: &str,
    addr: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Sends `request` once on a connection of its own.
pub fn send(addr: &str, request: &[u8]) -> Result<Answer> {
    let stream = TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
    let mut reader = BufReader::new(stream);
    reader.get_mut().write_all(request)?;
    read_answer(&mut reader)
}

/// Signs in through the login form as `username`; returns the `Cookie` header's
/// value for the session.
pub fn sign_in(addr: &str, username: &str, password: &str) -> Result<String> {
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("username", username)
        .append_pair("password", password)
        .finish();
    let answer = send(
        addr,
        &request(
            "POST",
            "/api/auth/login",
            addr,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        ),
    )?;
    answer
        .headers
        .iter()
        .filter(|(name, _)| name == "set-cookie")
        .find_map(|(_, value)| {
            let pair = value.split(';').next()?;
            pair.starts_with("gantry_session=").then(|| pair.to_owned())
        })
        .with_context(|| {
            format!(
                "signing in as {username} answered {} without a session",
                answer.status
            )
        })
}

/// How a run went.
pub struct Figures {
    pub per_sec: f64,
    pub answers: u64,
    /// Answers whose status was not the expected one.
    pub unexpected: u64,
}

/// Threads sending; each keeps its share of the connections busy (as wrk's `-t2`).
const THREADS: usize = 2;

/// Sends `request` over `connections` keep-alive connections for `time` (after a
/// second of warm-up) and counts the answers. Each of [`THREADS`] threads sends on
/// all its connections, then reads their answers, so every connection always has
/// a request in flight without a thread per connection.
pub fn hammer(
    addr: &str,
    request: &[u8],
    expect_status: u16,
    connections: usize,
    time: Duration,
) -> Result<Figures> {
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(AtomicU64::new(0));
    let unexpected = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (addr, request) = (addr.to_owned(), request.to_vec());
            let (counting, stop) = (counting.clone(), stop.clone());
            let (answers, unexpected) = (answers.clone(), unexpected.clone());
            std::thread::spawn(move || -> Result<()> {
                let mut readers = (0..connections.div_ceil(THREADS))
                    .map(|_| {
                        let stream = TcpStream::connect(&addr)?;
                        stream.set_nodelay(true)?;
                        Ok(BufReader::with_capacity(64 * 1024, stream))
                    })
                    .collect::<Result<Vec<_>>>()?;
                while !stop.load(Ordering::Relaxed) {
                    for reader in &mut readers {
                        reader.get_mut().write_all(&request)?;
                    }
                    for reader in &mut readers {
                        let answer = read_answer(reader)?;
                        if counting.load(Ordering::Relaxed) {
                            answers.fetch_add(1, Ordering::Relaxed);
                            if answer.status != expect_status {
                                unexpected.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                }
                Ok(())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    counting.store(true, Ordering::Relaxed);
    let started = Instant::now();
    std::thread::sleep(time);
    counting.store(false, Ordering::Relaxed);
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker
            .join()
            .map_err(|_| anyhow::anyhow!("a load thread panicked"))??;
    }
    let answers = answers.load(Ordering::Relaxed);
    Ok(Figures {
        per_sec: answers as f64 / took.as_secs_f64(),
        answers,
        unexpected: unexpected.load(Ordering::Relaxed),
    })
}

/// Reads one answer: the status line, headers, and a body of `Content-Length` or
/// chunked.
fn read_answer(reader: &mut BufReader<TcpStream>) -> Result<Answer> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("not an HTTP answer: {line:?}"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            bail!("the connection closed in the headers");
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let find = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let mut body = Vec::new();
    if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16)
                .with_context(|| format!("bad chunk size {line:?}"))?;
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            line.clear();
            reader.read_line(&mut line)?;
            if size == 0 {
                break;
            }
        }
    } else if let Some(length) = find("content-length") {
        body.resize(length.parse()?, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}
