//! Content codings: what the client accepts, and compressing on the fly.

use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }

    /// The file suffix of a precompressed sibling (`app.js.br`).
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gz",
        }
    }

    pub fn compress(self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Self::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(
                    Vec::with_capacity(data.len() / 3),
                    flate2::Compression::new(6),
                );
                encoder.write_all(data)?;
                encoder.finish()
            }
            Self::Brotli => {
                let mut out = Vec::with_capacity(data.len() / 3);
                {
                    // Quality 5 compresses text well at a cost fit for request time; the result is cached.
                    let mut writer = brotli::CompressorWriter::new(&mut out, 16 * 1024, 5, 22);
                    writer.write_all(data)?;
                }
                Ok(out)
            }
        }
    }
}

/// The codings the client accepts, best first (brotli, then gzip), from `Accept-Encoding`.
pub fn accepted(header: Option<&str>) -> Vec<Coding> {
    let Some(header) = header else {
        return Vec::new();
    };
    let mut br = None;
    let mut gzip = None;
    let mut wildcard = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match name.as_str() {
            "br" => br = Some(quality),
            "gzip" | "x-gzip" => gzip = Some(quality),
            "*" => wildcard = Some(quality),
            _ => {}
        }
    }
    let mut codings = Vec::new();
    if br.or(wildcard).is_some_and(|q| q > 0.0) {
        codings.push(Coding::Brotli);
    }
    if gzip.or(wildcard).is_some_and(|q| q > 0.0) {
        codings.push(Coding::Gzip);
    }
    codings
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn negotiation_prefers_brotli_and_honours_q_zero() {
        assert_eq!(accepted(None), vec![]);
        assert_eq!(
            accepted(Some("gzip, deflate, br")),
            vec![Coding::Brotli, Coding::Gzip]
        );
        assert_eq!(accepted(Some("gzip")), vec![Coding::Gzip]);
        assert_eq!(accepted(Some("br;q=0, gzip;q=0.5")), vec![Coding::Gzip]);
        assert_eq!(accepted(Some("*")), vec![Coding::Brotli, Coding::Gzip]);
        assert_eq!(accepted(Some("identity")), vec![]);
    }

    #[test]
    fn compressed_output_round_trips() {
        let text = "hello hello hello hello ".repeat(100);
        let gz = Coding::Gzip.compress(text.as_bytes()).unwrap();
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        let br = Coding::Brotli.compress(text.as_bytes()).unwrap();
        let mut back = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        assert!(br.len() < text.len() / 10);
    }
}
