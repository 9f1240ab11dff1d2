//! Sending a [`Reply`]: the listener's own headers (HSTS on HTTPS) and the HEAD rule are
//! applied here, once, whatever produced the reply.

use bytes::Bytes;
use pingora::http::{Method, ResponseHeader};
use pingora::proxy::Session;
use pingora::{Error, ErrorType};
use shared::request::{RequestId, REQUEST_ID_HEADER};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{Body, Reply};

/// Chunk size for streaming large files.
const FILE_CHUNK: usize = 64 * 1024;

/// One listener's way out to the client.
pub struct ReplyWriter {
    /// The `Strict-Transport-Security` value, on the HTTPS listener when configured.
    hsts: Option<String>,
}

impl ReplyWriter {
    pub fn new(hsts: Option<String>) -> Self {
        Self { hsts }
    }

    /// The headers every response of this listener carries, the proxy's own and forwarded ones
    /// alike: HSTS on HTTPS
    /// and the request's id.
    pub fn listener_headers(
        &self,
        header: &mut ResponseHeader,
        request_id: Option<&RequestId>,
    ) -> pingora::Result<()> {
        if let Some(hsts) = &self.hsts {
            header.insert_header("Strict-Transport-Security", hsts.as_str())?;
        }
        if let Some(id) = request_id {
            header.insert_header(REQUEST_ID_HEADER, id.as_str())?;
        }
        Ok(())
    }

    pub async fn send(
        &self,
        session: &mut Session,
        reply: Reply,
        request_id: Option<&RequestId>,
    ) -> pingora::Result<()> {
        let head = session.req_header().method == Method::HEAD;
        let Reply { header, body } = self.prepare(reply, head, request_id)?;
        match body {
            Body::Empty => session.write_response_header(Box::new(header), true).await,
            Body::Bytes(bytes) => {
                session
                    .write_response_header(Box::new(header), false)
                    .await?;
                session.write_response_body(Some(bytes), true).await
            }
            Body::File { path, start, len } => {
                session
                    .write_response_header(Box::new(header), false)
                    .await?;
                stream_file(session, &path, start, len).await
            }
        }
    }

    /// The reply as it goes out: with the listener's headers, and for a HEAD request the
    /// headers a GET would get (`Content-Length` included) without the body.
    fn prepare(
        &self,
        reply: Reply,
        head: bool,
        request_id: Option<&RequestId>,
    ) -> pingora::Result<Reply> {
        let Reply { mut header, body } = reply;
        self.listener_headers(&mut header, request_id)?;
        let body = if head { Body::Empty } else { body };
        Ok(Reply { header, body })
    }
}

/// Streams `len` bytes of a file from `start` without holding the whole file in memory.
async fn stream_file(
    session: &mut Session,
    path: &std::path::Path,
    start: u64,
    len: u64,
) -> pingora::Result<()> {
    let read_error = |err| Error::because(ErrorType::FileReadError, "streaming a static file", err);
    let mut file = tokio::fs::File::open(path).await.map_err(read_error)?;
    file.seek(std::io::SeekFrom::Start(start))
        .await
        .map_err(read_error)?;
    let mut remaining = len;
    while remaining > 0 {
        let want = usize::try_from(remaining)
            .unwrap_or(usize::MAX)
            .min(FILE_CHUNK);
        let mut chunk = vec![0; want];
        let read = file.read(&mut chunk).await.map_err(read_error)?;
        if read == 0 {
            return Error::e_explain(ErrorType::FileReadError, "file shrank while being sent");
        }
        chunk.truncate(read);
        remaining -= read as u64;
        session
            .write_response_body(Some(Bytes::from(chunk)), remaining == 0)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(reply: &Reply, name: &str) -> Option<String> {
        reply
            .header
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn a_head_of_an_error_gets_the_get_headers_and_no_body() {
        let writer = ReplyWriter::new(None);
        for reply in [
            Reply::status_text(404).unwrap(),
            Reply::proxy_error(421).unwrap(),
            Reply::throttled(std::time::Duration::from_secs(3)).unwrap(),
        ] {
            let get_length = header(&reply, "content-length");
            let sent = writer.prepare(reply, true, None).unwrap();
            assert!(matches!(sent.body, Body::Empty));
            assert_eq!(header(&sent, "content-length"), get_length);
            assert!(get_length.is_some_and(|len| len != "0"));
        }
        let get = writer
            .prepare(Reply::status_text(404).unwrap(), false, None)
            .unwrap();
        assert!(matches!(get.body, Body::Bytes(ref text) if &text[..] == b"Not Found\n"));
    }

    #[test]
    fn hsts_is_added_to_every_reply_of_an_https_listener() {
        let https = ReplyWriter::new(Some("max-age=60; includeSubDomains".into()));
        let http = ReplyWriter::new(None);
        for make in [
            || Reply::status_text(404),
            || Reply::proxy_error(502),
            || Reply::redirect("https://example.test/".into()),
        ] {
            let sent = https.prepare(make().unwrap(), false, None).unwrap();
            assert_eq!(
                header(&sent, "strict-transport-security").as_deref(),
                Some("max-age=60; includeSubDomains")
            );
            let plain = http.prepare(make().unwrap(), false, None).unwrap();
            assert_eq!(header(&plain, "strict-transport-security"), None);
        }
    }
}
