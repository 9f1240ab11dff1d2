// Added to this copy for the fattore proxy (not part of upstream pingora); vendor/README.md
// lists the changes. Licensed as the rest of the crate (Apache-2.0).

//! The L4 write buffer: like tokio's `BufWriter`, small writes gather in a buffer until a
//! flush, with one difference. When a write does not fit beside what the buffer holds, both
//! go out in one vectored write, instead of the buffer in one write and then the new bytes in
//! another. A response head (buffered) followed by its body (too large to buffer) leaves in
//! one `writev`, one segment for a small response, rather than two `sendto`s.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Most caller slices passed on beside the buffer in one vectored write.
const MAX_SLICES: usize = 8;

#[derive(Debug)]
pub(crate) struct CoalescingWriter<W> {
    inner: W,
    /// Bytes written to the buffer; those before `sent` have gone out already.
    buf: Vec<u8>,
    sent: usize,
    capacity: usize,
}

impl<W> CoalescingWriter<W> {
    /// A buffer of `capacity` bytes in front of `inner`; 0 writes straight through.
    pub(crate) fn with_capacity(capacity: usize, inner: W) -> Self {
        Self {
            inner,
            buf: Vec::with_capacity(capacity),
            sent: 0,
            capacity,
        }
    }

    pub(crate) fn get_ref(&self) -> &W {
        &self.inner
    }

    pub(crate) fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The stream; anything still buffered is lost.
    pub(crate) fn into_inner(self) -> W {
        self.inner
    }

    /// What is buffered and not yet sent.
    fn held(&self) -> &[u8] {
        &self.buf[self.sent..]
    }

    /// `n` bytes of what is held have been sent.
    fn consume(&mut self, n: usize) {
        self.sent += n;
        if self.sent == self.buf.len() {
            self.buf.clear();
            self.sent = 0;
        }
    }
}

impl<W: AsyncWrite + Unpin> CoalescingWriter<W> {
    /// Sends everything held.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.held().is_empty() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.buf[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.consume(n);
        }
        Poll::Ready(Ok(()))
    }

    /// Writes `data` (the caller's slices, `total` bytes in all) that does not fit beside
    /// what is held: with it in one vectored write while anything is held, then straight.
    /// Returns how many of the caller's bytes went out.
    fn poll_write_through(
        &mut self,
        cx: &mut Context<'_>,
        data: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        loop {
            let held = self.held().len();
            if held == 0 {
                return Pin::new(&mut self.inner).poll_write_vectored(cx, data);
            }
            let mut slices = [IoSlice::new(&[]); MAX_SLICES + 1];
            slices[0] = IoSlice::new(&self.buf[self.sent..]);
            let given = data.len().min(MAX_SLICES);
            slices[1..=given].copy_from_slice(&data[..given]);
            let n = ready!(Pin::new(&mut self.inner).poll_write_vectored(cx, &slices[..=given]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            if n > held {
                self.consume(held);
                return Poll::Ready(Ok(n - held));
            }
            // Only (some of) the buffer went: send the rest of it, then the caller's bytes.
            self.consume(n);
        }
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for CoalescingWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored(cx, &[IoSlice::new(data)])
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let total: usize = data.iter().map(|slice| slice.len()).sum();
        if this.held().len() + total <= this.capacity {
            for slice in data {
                this.buf.extend_from_slice(slice);
            }
            return Poll::Ready(Ok(total));
        }
        this.poll_write_through(cx, data)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

impl<W: AsyncRead + Unpin> AsyncRead for CoalescingWriter<W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    /// Records each write call's bytes; writes at most `limit` bytes per call.
    #[derive(Default)]
    struct Calls {
        writes: Vec<Vec<u8>>,
        limit: Option<usize>,
    }

    impl AsyncWrite for Calls {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            data: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.poll_write_vectored(cx, &[IoSlice::new(data)])
        }

        fn poll_write_vectored(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            data: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            let mut all: Vec<u8> = data.iter().flat_map(|s| s.iter().copied()).collect();
            if let Some(limit) = this.limit {
                all.truncate(limit);
            }
            let n = all.len();
            this.writes.push(all);
            Poll::Ready(Ok(n))
        }

        fn is_write_vectored(&self) -> bool {
            true
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn a_head_and_a_body_too_large_to_buffer_leave_in_one_write() {
        let mut writer = CoalescingWriter::with_capacity(16, Calls::default());
        writer.write_all(b"HEAD\r\n").await.unwrap();
        writer.write_all(&[b'x'; 40]).await.unwrap();
        writer.flush().await.unwrap();
        let calls = &writer.get_ref().writes;
        assert_eq!(calls.len(), 1);
        assert_eq!(&calls[0][..6], b"HEAD\r\n");
        assert_eq!(calls[0].len(), 46);
    }

    #[tokio::test]
    async fn small_writes_wait_for_the_flush_and_partial_writes_lose_nothing() {
        let mut writer = CoalescingWriter::with_capacity(16, Calls::default());
        writer.write_all(b"ab").await.unwrap();
        writer.write_all(b"cd").await.unwrap();
        assert!(writer.get_ref().writes.is_empty());
        writer.get_mut().limit = Some(3);
        writer.write_all(&[b'y'; 20]).await.unwrap();
        writer.flush().await.unwrap();
        let sent: Vec<u8> = writer.get_ref().writes.concat();
        let mut expected = b"abcd".to_vec();
        expected.extend([b'y'; 20]);
        assert_eq!(sent, expected);
        // Unbuffered: each write goes straight out.
        let mut straight = CoalescingWriter::with_capacity(0, Calls::default());
        straight.write_all(b"one").await.unwrap();
        assert_eq!(straight.get_ref().writes, vec![b"one".to_vec()]);
    }
}
